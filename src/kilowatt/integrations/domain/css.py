"""Messages of the Central Switching Service (CSS): build them, and read them back refusing
what breaks the format, naming the field and the rule.

Since July 2022 a change of supplier in Great Britain is a *registration* at the CSS (run
under the Retail Energy Code), exchanged as JSON messages over HTTPS through the DCC's Data
Integration Platform. A gaining supplier sends a switch request for each meter point; the
CSS validates it (or finds it invalid), makes it *pending*, gives the losing supplier the
objection window, then *confirms* it and *secures* it with the supply start date (the
next working day, at the earliest). The gaining supplier may *withdraw* it before the
switch (the customer cancels within the 14 days of cooling-off); an erroneous switch is
*annulled*; the losing supplier hears of the loss.

Every message is ``{"header": {...}, "body": {...}}``::

    {"header": {"messageId": "<uuid>", "messageType": "SwitchRequest",
                "createdAt": "2026-11-27T10:00:00Z", "sender": "KWLT", "recipient": "CSS",
                "correlationId": null},
     "body": {"supplierGeneratedReference": "K00001234/17", "mpxn": "1312345678907",
              "fuelType": "E", "domesticPremisesInd": true, "changeOfOccupancyInd": false}}

``messageId`` is unique (a UUID), so the same message twice is recognised; a message the
CSS answers carries the request's id as ``correlationId``. ``mpxn`` is an MPAN core (13
digits, electricity) or an MPRN (6 to 10 digits, gas). Dates are ``YYYY-MM-DD``; times
ISO 8601 in UTC with ``Z``.

Message types, and where their names come from. Confirmed by search (a switching service
provider's public API guide, docs.ssi.ep-techsolutions.com, "Change of Supplier API
Overview"): the switch request for an existing connection is flow CSS1800; the CSS answers
its validation as CSS2380 (``Validated`` or ``Rejected``), the pending registration as
CSS2300, status changes as CSS2370 (``Confirmed``, ``SecuredActive``) and a cancelled
switch as CSS2375. Field names ``supplierGeneratedReference``, ``mpxn``,
``registrationId``, ``registrationStatus``, ``supplyStartDate``, ``fuelType``,
``domesticPremisesInd`` and ``changeOfOccupancyInd`` follow public code written against
those messages. NOT confirmed (the CSS interface specification is not public where we
could read it), so named here plainly: the withdrawal and annulment requests, the
cancellation reasons, and the loss notification to the losing supplier. Our names:

=========================  =========  =====================================================
messageType                flow       meaning
=========================  =========  =====================================================
SwitchRequest              CSS1800    supplier -> CSS: register this meter point to me
WithdrawalRequest          (ours)     supplier -> CSS: withdraw my registration (cooling-off)
AnnulmentRequest           (ours)     supplier -> CSS: annul my registration (erroneous)
RegistrationValidation     CSS2380    CSS -> gaining supplier: Validated or Rejected (why)
PendingRegistration        CSS2300    CSS -> gaining supplier: pending, its supply start date
RegistrationStatusChange   CSS2370    CSS -> gaining supplier: Confirmed, then SecuredActive
RegistrationCancelled      CSS2375    CSS -> gaining supplier: Objected, Withdrawn, Annulled
LossNotification           (ours)     CSS -> losing supplier: another supplier registered it
LossCancelled              (ours)     CSS -> losing supplier: that registration was cancelled
=========================  =========  =====================================================

In the real scheme an annulment is asked for by the losing supplier and agreed by the
gaining one; here the gaining supplier (us, having found the customer never agreed) asks
for it, and the CSS cancels the registration: the meter point goes back to the previous
supplier. These are pure functions over frozen dataclasses; the HTTP transport is in
``operations/_switching.py`` and the CSS itself, for development and tests, in
``kilowatt.simulators.switching_service``.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Mapping
from typing import Any

from kilowatt.platform.errors import InvalidInput, Problem

CSS_PARTICIPANT = "CSS"

SWITCH_REQUEST = "SwitchRequest"
WITHDRAWAL_REQUEST = "WithdrawalRequest"
ANNULMENT_REQUEST = "AnnulmentRequest"
REGISTRATION_VALIDATION = "RegistrationValidation"
PENDING_REGISTRATION = "PendingRegistration"
REGISTRATION_STATUS_CHANGE = "RegistrationStatusChange"
REGISTRATION_CANCELLED = "RegistrationCancelled"
LOSS_NOTIFICATION = "LossNotification"
LOSS_CANCELLED = "LossCancelled"

OUTBOUND_TYPES = (SWITCH_REQUEST, WITHDRAWAL_REQUEST, ANNULMENT_REQUEST)
INBOUND_TYPES = (
    REGISTRATION_VALIDATION,
    PENDING_REGISTRATION,
    REGISTRATION_STATUS_CHANGE,
    REGISTRATION_CANCELLED,
    LOSS_NOTIFICATION,
    LOSS_CANCELLED,
)
# The CSS flow of each type, where one was confirmed (see the module's docstring).
FLOWS = {
    SWITCH_REQUEST: "CSS1800",
    REGISTRATION_VALIDATION: "CSS2380",
    PENDING_REGISTRATION: "CSS2300",
    REGISTRATION_STATUS_CHANGE: "CSS2370",
    REGISTRATION_CANCELLED: "CSS2375",
}

VALIDATED, REJECTED = "Validated", "Rejected"
CONFIRMED, SECURED_ACTIVE = "Confirmed", "SecuredActive"
OBJECTED, WITHDRAWN, ANNULLED = "Objected", "Withdrawn", "Annulled"
ELECTRICITY, GAS = "E", "G"

_PARTICIPANT = re.compile(r"^[A-Z0-9]{2,8}$")
_REFERENCE = re.compile(r"^[\x21-\x7e]{1,40}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")
_MAX_TEXT = 200


@dataclasses.dataclass(frozen=True)
class Header:
    message_id: str
    message_type: str
    created_at: datetime.datetime  # aware, UTC
    sender: str
    recipient: str
    correlation_id: str | None = None


@dataclasses.dataclass(frozen=True)
class SwitchRequest:
    supplier_reference: str
    mpxn: str
    fuel: str  # E | G
    domestic: bool
    change_of_occupancy: bool = False


@dataclasses.dataclass(frozen=True)
class WithdrawalRequest:
    supplier_reference: str
    mpxn: str
    registration_id: str | None
    reason: str


@dataclasses.dataclass(frozen=True)
class AnnulmentRequest:
    supplier_reference: str
    mpxn: str
    registration_id: str | None
    reason: str


@dataclasses.dataclass(frozen=True)
class RegistrationValidation:
    supplier_reference: str
    mpxn: str
    registration_id: str
    status: str  # Validated | Rejected
    rejection_reason: str = ""


@dataclasses.dataclass(frozen=True)
class PendingRegistration:
    supplier_reference: str
    mpxn: str
    registration_id: str
    supply_start_date: datetime.date


@dataclasses.dataclass(frozen=True)
class RegistrationStatusChange:
    supplier_reference: str
    mpxn: str
    registration_id: str
    status: str  # Confirmed | SecuredActive
    supply_start_date: datetime.date


@dataclasses.dataclass(frozen=True)
class RegistrationCancelled:
    supplier_reference: str
    mpxn: str
    registration_id: str
    reason: str  # Objected | Withdrawn | Annulled
    detail: str = ""


@dataclasses.dataclass(frozen=True)
class LossNotification:
    mpxn: str
    registration_id: str  # the gaining supplier's registration
    gaining_supplier: str
    supply_start_date: datetime.date  # the gaining supplier's: our supply ends that day


@dataclasses.dataclass(frozen=True)
class LossCancelled:
    """The gaining supplier's registration of a meter point we hold was cancelled (its
    customer withdrew in cooling-off, we objected, it was annulled): we keep supplying."""

    mpxn: str
    registration_id: str  # the gaining supplier's registration the loss was told by
    reason: str  # Objected | Withdrawn | Annulled


Body = (
    SwitchRequest
    | WithdrawalRequest
    | AnnulmentRequest
    | RegistrationValidation
    | PendingRegistration
    | RegistrationStatusChange
    | RegistrationCancelled
    | LossNotification
    | LossCancelled
)


@dataclasses.dataclass(frozen=True)
class Message:
    header: Header
    body: Body

    @property
    def message_id(self) -> str:
        return self.header.message_id

    @property
    def message_type(self) -> str:
        return self.header.message_type


# --- references ----------------------------------------------------------------------


def supplier_reference(*, order_reference: str, supply_id: int) -> str:
    """Return our reference for a supply's registration: ``<order reference>/<supply id>``
    (the CSS hands it back on every message about that registration)."""
    return f"{order_reference}/{supply_id}"


def supply_id_from_reference(reference: str) -> int | None:
    """Return the supply id a reference of ours names, or None if it is not one of ours."""
    _head, separator, tail = reference.rpartition("/")
    if not separator or not tail.isdigit() or len(tail) > 18:
        return None
    return int(tail)


def mpxn_problem(mpxn: str, *, fuel: str | None = None) -> str | None:
    """Explain why ``mpxn`` is not shaped as an MPAN core (13 digits) or an MPRN (6 to 10
    digits), or not the shape of ``fuel``'s identifier; None when it is. Check digits are
    the CSS's to judge (it answers an unknown meter point as invalid)."""
    if not mpxn.isascii() or not mpxn.isdigit():
        return "an MPAN core or MPRN is digits only"
    if fuel == ELECTRICITY and len(mpxn) != 13:
        return "an MPAN core is 13 digits"
    if fuel == GAS and not 6 <= len(mpxn) <= 10:
        return "an MPRN is 6 to 10 digits"
    if len(mpxn) != 13 and not 6 <= len(mpxn) <= 10:
        return "an MPAN core is 13 digits and an MPRN 6 to 10"
    return None


def _iso_time(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a message's time must be aware")
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- build ---------------------------------------------------------------------------


def _header(
    *,
    message_id: str,
    message_type: str,
    created_at: datetime.datetime,
    sender: str,
    recipient: str = CSS_PARTICIPANT,
    correlation_id: str | None = None,
) -> Header:
    problems: list[Problem] = []
    if not _MESSAGE_ID.match(message_id):
        problems.append(
            Problem("header.messageId", "format", "a message id is 8 to 64 letters, digits, -")
        )
    for field, value in (("header.sender", sender), ("header.recipient", recipient)):
        if not _PARTICIPANT.match(value):
            problems.append(Problem(field, "format", "a participant id is 2 to 8 A-Z or 0-9"))
    if created_at.tzinfo is None:
        problems.append(Problem("header.createdAt", "aware", "a message's time must be aware"))
    if problems:
        raise InvalidInput(problems)
    return Header(
        message_id=message_id,
        message_type=message_type,
        created_at=created_at.astimezone(datetime.UTC).replace(microsecond=0),
        sender=sender,
        recipient=recipient,
        correlation_id=correlation_id,
    )


def _check_request(*, reference: str, mpxn: str, fuel: str | None, reason: str | None) -> None:
    problems: list[Problem] = []
    if not _REFERENCE.match(reference):
        problems.append(
            Problem(
                "body.supplierGeneratedReference",
                "format",
                "a reference is 1 to 40 printable characters without spaces",
            )
        )
    problem = mpxn_problem(mpxn, fuel=fuel)
    if problem is not None:
        problems.append(Problem("body.mpxn", "mpxn_format", problem))
    if reason is not None and not (0 < len(reason) <= _MAX_TEXT):
        problems.append(Problem("body.reason", "length", "a reason is 1 to 200 characters"))
    if problems:
        raise InvalidInput(problems)


def switch_request(
    *,
    message_id: str,
    created_at: datetime.datetime,
    sender: str,
    reference: str,
    mpxn: str,
    fuel: str,
    domestic: bool,
    change_of_occupancy: bool = False,
) -> Message:
    """Build a switch request (CSS1800) registering ``mpxn`` to ``sender``.

    :raises InvalidInput: a field is not shaped as the CSS takes it (``fuel`` not E or G,
        an identifier not of its fuel's shape, a reference too long).
    """
    if fuel not in (ELECTRICITY, GAS):
        raise InvalidInput.one(field="body.fuelType", rule="choice", message="fuel is E or G")
    _check_request(reference=reference, mpxn=mpxn, fuel=fuel, reason=None)
    return Message(
        header=_header(
            message_id=message_id,
            message_type=SWITCH_REQUEST,
            created_at=created_at,
            sender=sender,
        ),
        body=SwitchRequest(
            supplier_reference=reference,
            mpxn=mpxn,
            fuel=fuel,
            domestic=domestic,
            change_of_occupancy=change_of_occupancy,
        ),
    )


def withdrawal_request(
    *,
    message_id: str,
    created_at: datetime.datetime,
    sender: str,
    reference: str,
    mpxn: str,
    registration_id: str | None,
    reason: str,
) -> Message:
    """Build a request withdrawing our registration of ``mpxn`` (named by our reference
    and, once the CSS gave it, its registration id).

    :raises InvalidInput: a field is not shaped as the CSS takes it.
    """
    _check_request(reference=reference, mpxn=mpxn, fuel=None, reason=reason)
    return Message(
        header=_header(
            message_id=message_id,
            message_type=WITHDRAWAL_REQUEST,
            created_at=created_at,
            sender=sender,
        ),
        body=WithdrawalRequest(
            supplier_reference=reference,
            mpxn=mpxn,
            registration_id=registration_id,
            reason=reason,
        ),
    )


def annulment_request(
    *,
    message_id: str,
    created_at: datetime.datetime,
    sender: str,
    reference: str,
    mpxn: str,
    registration_id: str | None,
    reason: str,
) -> Message:
    """Build a request annulling our registration of ``mpxn`` (an erroneous switch: the
    customer never agreed).

    :raises InvalidInput: a field is not shaped as the CSS takes it.
    """
    _check_request(reference=reference, mpxn=mpxn, fuel=None, reason=reason)
    return Message(
        header=_header(
            message_id=message_id,
            message_type=ANNULMENT_REQUEST,
            created_at=created_at,
            sender=sender,
        ),
        body=AnnulmentRequest(
            supplier_reference=reference,
            mpxn=mpxn,
            registration_id=registration_id,
            reason=reason,
        ),
    )


def to_document(message: Message) -> dict[str, Any]:
    """Return the message as the JSON document the CSS exchanges."""
    header = message.header
    body = message.body
    document_body: dict[str, Any]
    if isinstance(body, SwitchRequest):
        document_body = {
            "supplierGeneratedReference": body.supplier_reference,
            "mpxn": body.mpxn,
            "fuelType": body.fuel,
            "domesticPremisesInd": body.domestic,
            "changeOfOccupancyInd": body.change_of_occupancy,
        }
    elif isinstance(body, WithdrawalRequest | AnnulmentRequest):
        document_body = {
            "supplierGeneratedReference": body.supplier_reference,
            "mpxn": body.mpxn,
            "registrationId": body.registration_id,
            ("withdrawalReason" if isinstance(body, WithdrawalRequest) else "annulmentReason"): (
                body.reason
            ),
        }
    elif isinstance(body, RegistrationValidation):
        document_body = {
            "supplierGeneratedReference": body.supplier_reference,
            "mpxn": body.mpxn,
            "registrationId": body.registration_id,
            "registrationRequestStatus": body.status,
            "rejectionReason": body.rejection_reason or None,
        }
    elif isinstance(body, PendingRegistration):
        document_body = {
            "supplierGeneratedReference": body.supplier_reference,
            "mpxn": body.mpxn,
            "registrationId": body.registration_id,
            "registrationStatus": "Pending",
            "supplyStartDate": body.supply_start_date.isoformat(),
        }
    elif isinstance(body, RegistrationStatusChange):
        document_body = {
            "supplierGeneratedReference": body.supplier_reference,
            "mpxn": body.mpxn,
            "registrationId": body.registration_id,
            "registrationStatus": body.status,
            "supplyStartDate": body.supply_start_date.isoformat(),
        }
    elif isinstance(body, RegistrationCancelled):
        document_body = {
            "supplierGeneratedReference": body.supplier_reference,
            "mpxn": body.mpxn,
            "registrationId": body.registration_id,
            "cancellationReason": body.reason,
            "cancellationDetail": body.detail,
        }
    elif isinstance(body, LossCancelled):
        document_body = {
            "mpxn": body.mpxn,
            "registrationId": body.registration_id,
            "cancellationReason": body.reason,
        }
    else:
        document_body = {
            "mpxn": body.mpxn,
            "registrationId": body.registration_id,
            "gainingSupplierId": body.gaining_supplier,
            "supplyStartDate": body.supply_start_date.isoformat(),
        }
    return {
        "header": {
            "messageId": header.message_id,
            "messageType": header.message_type,
            "createdAt": _iso_time(header.created_at),
            "sender": header.sender,
            "recipient": header.recipient,
            "correlationId": header.correlation_id,
        },
        "body": document_body,
    }


# --- parse ---------------------------------------------------------------------------


class _Reader:
    """Reads fields of one object, collecting a problem for each that breaks its rule."""

    def __init__(self, document: Any, prefix: str, problems: list[Problem]) -> None:
        self.prefix = prefix
        self.problems = problems
        if isinstance(document, Mapping):
            self.document: Mapping[str, Any] = document
        else:
            self.document = {}
            problems.append(Problem(prefix, "type", f"{prefix} must be an object"))

    def _problem(self, name: str, rule: str, message: str) -> None:
        self.problems.append(Problem(f"{self.prefix}.{name}", rule, message))

    def text(self, name: str, *, pattern: re.Pattern[str] | None = None, optional=False) -> str:
        value = self.document.get(name)
        if value is None or value == "":
            if not optional:
                self._problem(name, "required", f"{name} is required")
            return ""
        if not isinstance(value, str):
            self._problem(name, "type", f"{name} must be a string")
            return ""
        if len(value) > _MAX_TEXT:
            self._problem(name, "length", f"{name} is at most {_MAX_TEXT} characters")
            return ""
        if pattern is not None and not pattern.match(value):
            self._problem(name, "format", f"{name} is not in the expected format")
            return ""
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.text(name)
        if value and value not in choices:
            self._problem(name, "choice", f"{name} is one of {', '.join(choices)}")
            return ""
        return value

    def flag(self, name: str) -> bool:
        value = self.document.get(name)
        if not isinstance(value, bool):
            self._problem(name, "type", f"{name} must be true or false")
            return False
        return value

    def date(self, name: str) -> datetime.date:
        value = self.text(name, pattern=_DATE)
        if value:
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                self._problem(name, "date", f"{name} is not a calendar date")
        return datetime.date.min

    def time(self, name: str) -> datetime.datetime:
        value = self.text(name, pattern=_TIME)
        if value:
            try:
                return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                self._problem(name, "date", f"{name} is not a calendar time")
        return datetime.datetime.min.replace(tzinfo=datetime.UTC)

    def mpxn(self, name: str = "mpxn", *, fuel: str | None = None) -> str:
        value = self.text(name)
        if value:
            problem = mpxn_problem(value, fuel=fuel or None)
            if problem is not None:
                self._problem(name, "mpxn_format", problem)
                return ""
        return value


def parse(document: Any) -> Message:
    """Read a CSS message (a decoded JSON document) into a ``Message``.

    :raises InvalidInput: the document breaks the format: each problem names the field
        (``header.messageId``, ``body.supplyStartDate``) and its rule (``required``,
        ``type``, ``format``, ``choice``, ``date``, ``mpxn_format``, ``unknown_type``).
    """
    problems: list[Problem] = []
    if not isinstance(document, Mapping):
        raise InvalidInput.one(field="message", rule="type", message="a message is an object")
    head = _Reader(document.get("header"), "header", problems)
    message_id = head.text("messageId", pattern=_MESSAGE_ID)
    message_type = head.text("messageType")
    created_at = head.time("createdAt")
    sender = head.text("sender", pattern=_PARTICIPANT)
    recipient = head.text("recipient", pattern=_PARTICIPANT)
    correlation_id = head.text("correlationId", pattern=_MESSAGE_ID, optional=True) or None
    if message_type and message_type not in OUTBOUND_TYPES + INBOUND_TYPES:
        problems.append(
            Problem("header.messageType", "unknown_type", f"{message_type} is not a CSS message")
        )
        raise InvalidInput(problems)
    read = _Reader(document.get("body"), "body", problems)
    body: Body | None = None
    if message_type == SWITCH_REQUEST:
        fuel = read.choice("fuelType", (ELECTRICITY, GAS))
        body = SwitchRequest(
            supplier_reference=read.text("supplierGeneratedReference", pattern=_REFERENCE),
            mpxn=read.mpxn(fuel=fuel),
            fuel=fuel,
            domestic=read.flag("domesticPremisesInd"),
            change_of_occupancy=read.flag("changeOfOccupancyInd"),
        )
    elif message_type in (WITHDRAWAL_REQUEST, ANNULMENT_REQUEST):
        kind = WithdrawalRequest if message_type == WITHDRAWAL_REQUEST else AnnulmentRequest
        body = kind(
            supplier_reference=read.text("supplierGeneratedReference", pattern=_REFERENCE),
            mpxn=read.mpxn(),
            registration_id=read.text("registrationId", optional=True) or None,
            reason=read.text(
                "withdrawalReason" if message_type == WITHDRAWAL_REQUEST else "annulmentReason"
            ),
        )
    elif message_type == REGISTRATION_VALIDATION:
        status = read.choice("registrationRequestStatus", (VALIDATED, REJECTED))
        body = RegistrationValidation(
            supplier_reference=read.text("supplierGeneratedReference", pattern=_REFERENCE),
            mpxn=read.text("mpxn"),  # a rejected request may name a malformed one
            registration_id=read.text("registrationId"),
            status=status,
            rejection_reason=read.text("rejectionReason", optional=status != REJECTED),
        )
    elif message_type == PENDING_REGISTRATION:
        read.choice("registrationStatus", ("Pending",))
        body = PendingRegistration(
            supplier_reference=read.text("supplierGeneratedReference", pattern=_REFERENCE),
            mpxn=read.mpxn(),
            registration_id=read.text("registrationId"),
            supply_start_date=read.date("supplyStartDate"),
        )
    elif message_type == REGISTRATION_STATUS_CHANGE:
        body = RegistrationStatusChange(
            supplier_reference=read.text("supplierGeneratedReference", pattern=_REFERENCE),
            mpxn=read.mpxn(),
            registration_id=read.text("registrationId"),
            status=read.choice("registrationStatus", (CONFIRMED, SECURED_ACTIVE)),
            supply_start_date=read.date("supplyStartDate"),
        )
    elif message_type == REGISTRATION_CANCELLED:
        body = RegistrationCancelled(
            supplier_reference=read.text("supplierGeneratedReference", pattern=_REFERENCE),
            mpxn=read.mpxn(),
            registration_id=read.text("registrationId"),
            reason=read.choice("cancellationReason", (OBJECTED, WITHDRAWN, ANNULLED)),
            detail=read.text("cancellationDetail", optional=True),
        )
    elif message_type == LOSS_NOTIFICATION:
        body = LossNotification(
            mpxn=read.mpxn(),
            registration_id=read.text("registrationId"),
            gaining_supplier=read.text("gainingSupplierId", pattern=_PARTICIPANT),
            supply_start_date=read.date("supplyStartDate"),
        )
    elif message_type == LOSS_CANCELLED:
        body = LossCancelled(
            mpxn=read.mpxn(),
            registration_id=read.text("registrationId"),
            reason=read.choice("cancellationReason", (OBJECTED, WITHDRAWN, ANNULLED)),
        )
    if problems or body is None:
        raise InvalidInput(problems)
    return Message(
        header=Header(
            message_id=message_id,
            message_type=message_type,
            created_at=created_at,
            sender=sender,
            recipient=recipient,
            correlation_id=correlation_id,
        ),
        body=body,
    )
