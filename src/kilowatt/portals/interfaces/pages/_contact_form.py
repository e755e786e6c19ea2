"""The contact-details form: what it shows, and how a posted form becomes changes.

Parsing only; whether the values are acceptable is decided by ``customers`` (its
``InvalidInput`` problems come back beside their fields).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from kilowatt.customers.domain.customers import CONSENT_CHANNELS
from kilowatt.portals.interfaces.pages._shapes import CHANNEL_LABELS, ConsentRow, consents


@dataclasses.dataclass(frozen=True)
class ContactForm:
    """The values a contact-details form shows, and the problems beside each field."""

    number: str
    email: str
    phone: str
    consents: tuple[ConsentRow, ...]
    problems: dict[str, list[str]]  # field -> messages ("" collects the rest)


def contact_form(customer: Any) -> ContactForm:
    """Return the form filled with a customer's current contact details."""
    return ContactForm(
        number=customer.number,
        email=customer.email,
        phone=customer.phone,
        consents=consents(customer),
        problems={},
    )


FORM_FIELDS = ("email", "phone", "consents")


def refilled_form(number: str, posted: Any, problems: Any) -> ContactForm:
    """Return the form as the person filled it in, with each problem beside its field."""
    granted = set(posted.getlist("consent"))
    asked = set(posted.getlist("asked"))
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        field = problem.field.split(".")[0]
        by_field.setdefault(field if field in FORM_FIELDS else "", []).append(problem.message)
    return ContactForm(
        number=number,
        email=posted.get("email", ""),
        phone=posted.get("phone", ""),
        consents=tuple(
            ConsentRow(
                channel=channel,
                label=CHANNEL_LABELS.get(channel, channel.title()),
                granted=True if channel in granted else (False if channel in asked else None),
                recorded_at=None,
            )
            for channel in CONSENT_CHANNELS
        ),
        problems=by_field,
    )


def changes_from(posted: Any) -> dict[str, object]:
    """Translate a posted contact-details form into ``update_customer`` changes.

    A channel the customer was never asked about stays unrecorded unless ticked now, so
    correcting an email does not also write "no" for every channel into the trail. The
    form marks the channels already recorded with a hidden ``asked`` input.
    """
    granted = set(posted.getlist("consent"))
    asked = set(posted.getlist("asked"))
    return {
        "email": posted.get("email", ""),
        "phone": posted.get("phone", ""),
        "consents": [
            (channel, channel in granted)
            for channel in CONSENT_CHANNELS
            if channel in granted or channel in asked
        ],
    }
