"""The rules a customer's details must meet before we record them. Pure: no Django."""

from __future__ import annotations

import dataclasses
import datetime

from kilowatt import validation
from kilowatt.platform.errors import Problem

KINDS = ("RESIDENTIAL", "BUSINESS")
SECTORS = (
    "RETAIL",
    "HOSPITALITY",
    "OFFICE",
    "MANUFACTURING",
    "AGRICULTURE",
    "HEALTH",
    "EDUCATION",
    "PUBLIC",
    "OTHER",
)
CONTACT_ROLES = ("PRIMARY", "ACCOUNT_MANAGER", "BILLING_OFFICER", "JOINT_HOLDER", "AUTHORISED")
CONSENT_CHANNELS = ("EMAIL", "SMS", "PHONE", "POST")
PRIORITY_NEEDS = (
    "PENSIONABLE_AGE",
    "OVER_75",
    "DISABILITY",
    "CHRONIC_ILLNESS",
    "YOUNG_CHILDREN",
    "CHILD_UNDER_2",
    "MEDICAL_EQUIPMENT",
    "HEARING_OR_SIGHT",
    "TEMPORARY",
)
ADULT_AGE = 18


@dataclasses.dataclass(frozen=True)
class ContactDetails:
    role: str
    name: str
    email: str = ""
    phone: str = ""


@dataclasses.dataclass(frozen=True)
class CustomerDetails:
    """Everything we record about a customer, as entered (normalised by ``normalise``)."""

    kind: str
    title: str = ""
    first_name: str = ""
    last_name: str = ""
    date_of_birth: datetime.date | None = None
    company_name: str = ""
    company_number: str = ""
    sector: str = ""
    is_micro_business: bool = False
    email: str = ""
    phone: str = ""
    consents: tuple[tuple[str, bool], ...] = ()  # (channel, granted)
    priority_needs: tuple[str, ...] = ()
    contacts: tuple[ContactDetails, ...] = ()


def normalise(details: CustomerDetails) -> CustomerDetails:
    """Return the details with whitespace trimmed and identifiers in their stored form."""
    return dataclasses.replace(
        details,
        kind=details.kind.strip().upper(),
        title=details.title.strip(),
        first_name=details.first_name.strip(),
        last_name=details.last_name.strip(),
        company_name=details.company_name.strip(),
        company_number=(
            validation.normalise_company_number(details.company_number)
            if details.company_number.strip()
            else ""
        ),
        sector=details.sector.strip().upper(),
        email=details.email.strip().lower(),
        phone=validation.normalise_phone(details.phone) if details.phone.strip() else "",
        priority_needs=tuple(sorted({need.strip().upper() for need in details.priority_needs})),
        contacts=tuple(
            ContactDetails(
                role=contact.role.strip().upper(),
                name=contact.name.strip(),
                email=contact.email.strip().lower(),
                phone=validation.normalise_phone(contact.phone) if contact.phone.strip() else "",
            )
            for contact in details.contacts
        ),
    )


def _age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def problems(details: CustomerDetails, *, today: datetime.date) -> list[Problem]:
    """Return every rule the (normalised) details break, each naming its field."""
    found: list[Problem] = []

    def broke(field: str, rule: str, message: str) -> None:
        found.append(Problem(field=field, rule=rule, message=message))

    if details.kind not in KINDS:
        broke("kind", "choice", "must be RESIDENTIAL or BUSINESS")
        return found
    if details.kind == "RESIDENTIAL":
        if not details.last_name:
            broke("last_name", "required", "a home customer needs a last name")
        if not details.first_name:
            broke("first_name", "required", "a home customer needs a first name")
        for field in ("company_name", "company_number", "sector"):
            if getattr(details, field):
                broke(field, "business_only", "only business customers have this")
        if details.is_micro_business:
            broke("is_micro_business", "business_only", "only business customers have this")
        if details.date_of_birth is not None:
            if details.date_of_birth > today:
                broke("date_of_birth", "not_in_future", "cannot be in the future")
            elif _age_on(details.date_of_birth, today) < ADULT_AGE:
                broke("date_of_birth", "adult", f"the account holder must be {ADULT_AGE} or over")
    else:
        if not details.company_name:
            broke("company_name", "required", "a business customer needs its company name")
        if details.company_number and (
            problem := validation.company_number_problem(details.company_number)
        ):
            broke("company_number", "company_number_format", problem)
        if details.sector not in SECTORS:
            broke("sector", "choice", f"must be one of {', '.join(SECTORS)}")
        if details.date_of_birth is not None:
            broke("date_of_birth", "residential_only", "only home customers have this")
    if details.email and (problem := validation.email_problem(details.email)):
        broke("email", "email_format", problem)
    if details.phone and (problem := validation.phone_problem(details.phone)):
        broke("phone", "phone_format", problem)
    channels = [channel for channel, _granted in details.consents]
    for index, channel in enumerate(channels):
        if channel not in CONSENT_CHANNELS:
            broke(
                f"consents.{index}.channel",
                "choice",
                f"must be one of {', '.join(CONSENT_CHANNELS)}",
            )
    if len(set(channels)) != len(channels):
        broke("consents", "unique", "each channel once")
    for need in details.priority_needs:
        if need not in PRIORITY_NEEDS:
            broke("priority_needs", "choice", f"{need} is not one of {', '.join(PRIORITY_NEEDS)}")
    for index, contact in enumerate(details.contacts):
        prefix = f"contacts.{index}"
        if contact.role not in CONTACT_ROLES:
            broke(f"{prefix}.role", "choice", f"must be one of {', '.join(CONTACT_ROLES)}")
        if not contact.name:
            broke(f"{prefix}.name", "required", "a contact needs a name")
        if contact.email and (problem := validation.email_problem(contact.email)):
            broke(f"{prefix}.email", "email_format", problem)
        if contact.phone and (problem := validation.phone_problem(contact.phone)):
            broke(f"{prefix}.phone", "phone_format", problem)
    return found


def search_name(details: CustomerDetails) -> str:
    """Return the lower-cased name people search by: surname first, or the company name."""
    if details.kind == "BUSINESS":
        return details.company_name.lower()
    return f"{details.last_name} {details.first_name}".strip().lower()
