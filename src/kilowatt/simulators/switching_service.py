"""The Central Switching Service (CSS), as suppliers meet it, on 127.0.0.1, for development
and tests.

Since July 2022 a change of supplier in Great Britain is a registration at the CSS, run
under the Retail Energy Code; suppliers exchange JSON messages with it over HTTPS through
the DCC's Data Integration Platform. This plays the CSS with the messages, fields and
lifecycle the product's adapter (``kilowatt.integrations.operations._switching``, the same
code pointed at another URL) speaks; ``kilowatt.integrations.domain.css`` documents the
format and where each name comes from (the flows CSS1800, CSS2380, CSS2300, CSS2370 and
CSS2375 were confirmed by search; the withdrawal, annulment and loss notification names
are our own, the CSS interface specification not being public where we could read it).
It imports nothing of the product: it stands for another party.

Every message is ``{"header": {"messageId", "messageType", "createdAt", "sender",
"recipient", "correlationId"}, "body": {...}}``. A supplier names itself in
``X-Participant-Id`` (the DIP knows it by its certificate); with an API key configured
every ``/v1`` request but ``/v1/health`` carries ``X-API-Key`` too (401 otherwise).

``POST /v1/messages``: a supplier's ``SwitchRequest``, ``WithdrawalRequest`` or
``AnnulmentRequest``. Answered at once with the acknowledgement, 202
``{"messageId": ..., "acknowledgement": "Accepted", "receivedAt": ...}``; what the CSS
makes of it follows as messages to fetch. The same ``messageId`` with the same body is
answered the same again (``Idempotent-Replayed: true``) and changes nothing; with another
body it is 409 ``message_id_reused``. A document that breaks the format is 400 naming the
field and rule; a withdrawal or annulment of a registration the supplier does not hold
open is 422 (``unknown_registration``, ``registration_closed``).

A switch request is dated by its ``createdAt`` (on the UK clock), so tests can choose the
day; the real CSS dates it on receipt. Then, for the gaining supplier:

- an identifier that is not an MPAN core (13 digits, its check digit right) or an MPRN
  (6 to 10 digits), of the wrong fuel, already being registered by that supplier, or
  scripted to be rejected: ``RegistrationValidation`` ``Rejected`` with the reason;
- otherwise ``RegistrationValidation`` ``Validated`` with a new ``registrationId``,
  ``PendingRegistration`` with the supply start date: the next working day in England and
  Wales after the request's day (weekends and bank holidays skipped, from the
  ``holidays`` package), and a ``LossNotification`` to the incumbent supplier; then
- scripted to be objected to: ``RegistrationCancelled`` ``Objected`` with the losing
  supplier's reason; otherwise ``RegistrationStatusChange`` ``Confirmed`` then
  ``SecuredActive`` (the objection window here closes at once), and the meter point is the
  gaining supplier's; scripted to be lost on a day, a ``LossNotification`` follows (another
  supplier registers it from that day).

A withdrawal or an annulment ends the registration (``RegistrationCancelled``
``Withdrawn`` or ``Annulled``) and gives the meter point back to the supplier before. Here
a withdrawal is taken at any time before another cancellation; the real CSS takes it only
until the switch, after which cooling-off becomes a switch back.

``GET /v1/messages?limit=N`` (``X-Participant-Id``): the messages for that supplier not
acknowledged yet, oldest first: ``{"messages": [...]}``. They stay fetchable until
``POST /v1/messages/acknowledgements`` ``{"messageIds": [...]}`` (answered
``{"acknowledged": n}``), so a supplier that dies before keeping them gets them again.

Test control (no such thing at the real CSS):

- ``POST /v1/control/scripts`` ``{"mpxn", "outcome": "reject"|"object"|"loss"|"accept",
  "reason"?, "date"?, "gainingSupplier"?}``: what happens to the next switch request for
  that identifier (``loss``: it is secured, then lost from ``date``);
- ``POST /v1/control/loss-cancellations`` ``{"registrationId", "reason"?}``: another
  supplier's registration is cancelled before its date; the incumbent gets
  ``LossCancelled``;
- ``POST /v1/control/losses`` ``{"mpxn", "gainingSupplier"?, "supplyStartDate"?,
  "incumbent"?}``: another supplier registers a meter point now; its incumbent (the
  supplier the CSS holds it for, or ``incumbent`` for one registered before this CSS
  started) gets a ``LossNotification``; 201 ``{"registrationId"}``;
- ``POST /v1/control/faults`` ``{"failNextPosts": n}``: the next n posts are 503 and kept
  nowhere, as a CSS that is down;
- ``GET /v1/control/registrations``: every registration and its status.

Errors are JSON: ``{"error": {"code", "message", "field"?, "rule"?}}``. State is kept in
memory, for the life of the process.

Run it: ``python -m kilowatt.simulators.switching_service --port 8027 [--api-key KEY]``.
In tests: ``with SwitchingServiceServer() as css: css.url``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import uuid
import zoneinfo
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import holidays

from kilowatt.simulators._background import BackgroundServer, JsonHandler

LONDON = zoneinfo.ZoneInfo("Europe/London")
CSS_ID = "CSS"
DEFAULT_INCUMBENT = "PREV"  # the supplier a meter point is with before anyone registers it
OTHER_SUPPLIER = "OTHR"  # the gaining supplier of a scripted loss, unless named
MAX_BODY_BYTES = 1024 * 1024
MAX_FETCH = 1000
_MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
_PARTICIPANT = re.compile(r"^[A-Z0-9]{2,8}$")
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_REQUESTS = ("SwitchRequest", "WithdrawalRequest", "AnnulmentRequest")
OUTCOMES = ("accept", "reject", "object", "loss")


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.cache
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    # England and Wales share their bank holidays; "ENG" is England's subdivision.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    """Return whether ``day`` is a working day in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """Return the first working day in England and Wales after ``day``."""
    following = day + datetime.timedelta(days=1)
    while not is_working_day(following):
        following += datetime.timedelta(days=1)
    return following


def mpxn_problem(mpxn: str, fuel: str) -> tuple[str, str] | None:
    """Return (reason code, sentence) if the CSS knows no meter point ``mpxn`` of ``fuel``."""
    if not mpxn.isascii() or not mpxn.isdigit():
        return "INVALID_MPXN", "an MPAN core or MPRN is digits only"
    if len(mpxn) == 13:
        if fuel != "E":
            return "FUEL_MISMATCH", "a 13-digit MPAN core is an electricity meter point"
        total = sum(int(digit) * weight for digit, weight in zip(mpxn, _MPAN_WEIGHTS, strict=False))
        if total % 11 % 10 != int(mpxn[12]):
            return "UNKNOWN_MPXN", "no meter point has this MPAN core (its check digit is wrong)"
        return None
    if 6 <= len(mpxn) <= 10:
        if fuel != "G":
            return "FUEL_MISMATCH", "an MPRN is a gas meter point"
        return None
    return "INVALID_MPXN", "an MPAN core is 13 digits and an MPRN 6 to 10"


class Refused(Exception):
    """A request the CSS answers with an error; nothing is kept."""

    def __init__(
        self, status: HTTPStatus, code: str, message: str, *, field: str = "", rule: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.rule = rule

    def answer(self) -> dict[str, Any]:
        error: dict[str, str] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
            error["rule"] = self.rule
        return {"error": error}


@dataclasses.dataclass
class Registration:
    registration_id: str
    mpxn: str
    fuel: str
    supplier: str
    previous_supplier: str
    reference: str
    status: str  # Pending | SecuredActive | Objected | Withdrawn | Annulled
    supply_start_date: datetime.date


@dataclasses.dataclass(frozen=True)
class Script:
    outcome: str  # accept | reject | object | loss
    reason: str = ""
    date: datetime.date | None = None
    gaining_supplier: str = OTHER_SUPPLIER


@dataclasses.dataclass
class _Outgoing:
    sequence: int
    recipient: str
    document: dict[str, Any]
    acknowledged: bool = False


class SwitchingService:
    """The CSS's state and rules, apart from HTTP, in memory."""

    def __init__(
        self,
        *,
        api_key: str = "",
        default_incumbent: str = DEFAULT_INCUMBENT,
        clock: Callable[[], datetime.datetime] = _utc_now,
    ) -> None:
        self.api_key = api_key
        self.default_incumbent = default_incumbent
        self.clock = clock
        self._lock = threading.RLock()
        self._received: dict[str, tuple[str, dict[str, Any]]] = {}  # id -> (sha256, answer)
        self._registrations: dict[str, Registration] = {}
        self._holder: dict[str, str] = {}  # mpxn -> the supplier the CSS holds it for
        self._scripts: dict[str, Script] = {}
        self._outgoing: list[_Outgoing] = []
        self._fail_next_posts = 0
        self.posts_failed = 0

    def authorised(self, key: str | None) -> bool:
        if not self.api_key:
            return True
        return key is not None and hmac.compare_digest(key.encode(), self.api_key.encode())

    # --- test control ----------------------------------------------------------------

    def script(
        self,
        mpxn: str,
        outcome: str,
        *,
        reason: str = "",
        date: datetime.date | None = None,
        gaining_supplier: str = OTHER_SUPPLIER,
    ) -> None:
        """Decide what happens to the next switch request for ``mpxn``."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome is one of {', '.join(OUTCOMES)}")
        with self._lock:
            self._scripts[mpxn] = Script(
                outcome=outcome, reason=reason, date=date, gaining_supplier=gaining_supplier
            )

    def fail_next_posts(self, count: int) -> None:
        """Answer the next ``count`` posts 503, keeping nothing of them."""
        with self._lock:
            self._fail_next_posts = count

    def announce_loss(
        self,
        mpxn: str,
        *,
        gaining_supplier: str = OTHER_SUPPLIER,
        supply_start_date: datetime.date | None = None,
        incumbent: str | None = None,
    ) -> str:
        """Register ``mpxn`` to ``gaining_supplier`` (from the next working day unless
        given) and tell its incumbent; return the new registration's id."""
        with self._lock:
            losing = incumbent or self._holder.get(mpxn, self.default_incumbent)
            start = supply_start_date or next_working_day(self.clock().astimezone(LONDON).date())
            registration = self._register(
                mpxn=mpxn,
                fuel="E" if len(mpxn) == 13 else "G",
                supplier=gaining_supplier,
                previous=losing,
                reference=f"{gaining_supplier}-{secrets.token_hex(4)}",
                start=start,
            )
            registration.status = "SecuredActive"
            self._holder[mpxn] = gaining_supplier
            self._loss(registration, losing=losing, correlation_id=None)
            return registration.registration_id

    def cancel_loss(self, registration_id: str, *, reason: str = "Withdrawn") -> None:
        """Cancel another supplier's registration (its customer withdrew in cooling-off,
        say): the meter point goes back to the incumbent, who is told."""
        with self._lock:
            registration = self._registrations[registration_id]
            registration.status = reason
            self._holder[registration.mpxn] = registration.previous_supplier
            self._send(
                registration.previous_supplier,
                "LossCancelled",
                {
                    "mpxn": registration.mpxn,
                    "registrationId": registration.registration_id,
                    "cancellationReason": reason,
                },
                correlation_id=None,
            )

    def registrations(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "registrationId": r.registration_id,
                    "mpxn": r.mpxn,
                    "fuelType": r.fuel,
                    "supplier": r.supplier,
                    "previousSupplier": r.previous_supplier,
                    "supplierGeneratedReference": r.reference,
                    "registrationStatus": r.status,
                    "supplyStartDate": r.supply_start_date.isoformat(),
                }
                for r in self._registrations.values()
            ]

    def holder(self, mpxn: str) -> str:
        """Return the supplier the CSS holds ``mpxn`` for."""
        with self._lock:
            return self._holder.get(mpxn, self.default_incumbent)

    # --- the supplier's side -----------------------------------------------------------

    def receive(self, body: bytes, *, participant: str | None) -> tuple[dict[str, Any], bool]:
        """Take a supplier's message; return (acknowledgement, replayed).

        :raises Refused: the CSS is down (a scripted fault), the document breaks the
            format, the message id was used for another body, or the registration it
            withdraws or annuls is not the sender's, or not open.
        """
        with self._lock:
            if self._fail_next_posts > 0:
                self._fail_next_posts -= 1
                self.posts_failed += 1
                raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, "unavailable", "try again later")
            try:
                document = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise Refused(
                    HTTPStatus.BAD_REQUEST, "invalid_json", "the body is not JSON"
                ) from None
            header, message_body = _read_request(document)
            if participant is not None and participant != header["sender"]:
                raise Refused(
                    HTTPStatus.FORBIDDEN,
                    "sender_mismatch",
                    "header.sender is not the participant sending it",
                    field="header.sender",
                    rule="participant",
                )
            digest = hashlib.sha256(
                json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
            ).hexdigest()
            seen = self._received.get(header["messageId"])
            if seen is not None:
                if seen[0] != digest:
                    raise Refused(
                        HTTPStatus.CONFLICT,
                        "message_id_reused",
                        "this messageId was used for another message",
                        field="header.messageId",
                        rule="unique",
                    )
                return seen[1], True
            if header["messageType"] == "SwitchRequest":
                self._switch(header, message_body)
            else:
                self._cancel(header, message_body)
            answer = {
                "messageId": header["messageId"],
                "acknowledgement": "Accepted",
                "receivedAt": _iso(self.clock()),
            }
            self._received[header["messageId"]] = (digest, answer)
            return answer, False

    def messages_for(self, participant: str, *, limit: int = 100) -> list[dict[str, Any]]:
        """Return the messages for ``participant`` not acknowledged yet, oldest first."""
        with self._lock:
            return [
                outgoing.document
                for outgoing in self._outgoing
                if outgoing.recipient == participant and not outgoing.acknowledged
            ][:limit]

    def acknowledge(self, participant: str, message_ids: list[str]) -> int:
        """Mark ``participant``'s messages fetched for good; return how many were marked."""
        wanted = set(message_ids)
        marked = 0
        with self._lock:
            for outgoing in self._outgoing:
                if (
                    outgoing.recipient == participant
                    and not outgoing.acknowledged
                    and outgoing.document["header"]["messageId"] in wanted
                ):
                    outgoing.acknowledged = True
                    marked += 1
        return marked

    def sent(self, participant: str | None = None) -> list[dict[str, Any]]:
        """Return every message the CSS has sent (to ``participant``), acknowledged or not."""
        with self._lock:
            return [
                outgoing.document
                for outgoing in self._outgoing
                if participant is None or outgoing.recipient == participant
            ]

    # --- rules -------------------------------------------------------------------------

    def _send(
        self,
        recipient: str,
        message_type: str,
        body: dict[str, Any],
        *,
        correlation_id: str | None,
    ) -> None:
        document = {
            "header": {
                "messageId": str(uuid.uuid4()),
                "messageType": message_type,
                "createdAt": _iso(self.clock()),
                "sender": CSS_ID,
                "recipient": recipient,
                "correlationId": correlation_id,
            },
            "body": body,
        }
        self._outgoing.append(_Outgoing(len(self._outgoing) + 1, recipient, document))

    def _register(
        self,
        *,
        mpxn: str,
        fuel: str,
        supplier: str,
        previous: str,
        reference: str,
        start: datetime.date,
    ) -> Registration:
        registration = Registration(
            registration_id="R" + secrets.token_hex(8).upper(),
            mpxn=mpxn,
            fuel=fuel,
            supplier=supplier,
            previous_supplier=previous,
            reference=reference,
            status="Pending",
            supply_start_date=start,
        )
        self._registrations[registration.registration_id] = registration
        return registration

    def _loss(self, registration: Registration, *, losing: str, correlation_id: str | None):
        if losing == registration.supplier:
            return
        self._send(
            losing,
            "LossNotification",
            {
                "mpxn": registration.mpxn,
                "registrationId": registration.registration_id,
                "gainingSupplierId": registration.supplier,
                "supplyStartDate": registration.supply_start_date.isoformat(),
            },
            correlation_id=correlation_id,
        )

    def _switch(self, header: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        sender, message_id = header["sender"], header["messageId"]
        mpxn, fuel, reference = body["mpxn"], body["fuelType"], body["supplierGeneratedReference"]
        script = self._scripts.pop(mpxn, None)
        problem = mpxn_problem(mpxn, fuel)
        if problem is None and any(
            r.mpxn == mpxn and r.supplier == sender and r.status == "Pending"
            for r in self._registrations.values()
        ):
            problem = "REGISTRATION_IN_PROGRESS", "this supplier is registering it already"
        if problem is None and self._holder.get(mpxn) == sender:
            problem = "ALREADY_REGISTERED", "the meter point is this supplier's already"
        if problem is None and script is not None and script.outcome == "reject":
            problem = script.reason or "REJECTED", script.reason or "rejected"
        if problem is not None:
            self._send(
                sender,
                "RegistrationValidation",
                {
                    "supplierGeneratedReference": reference,
                    "mpxn": mpxn,
                    "registrationId": "R" + secrets.token_hex(8).upper(),
                    "registrationRequestStatus": "Rejected",
                    "rejectionReason": problem[0],
                },
                correlation_id=message_id,
            )
            return
        requested_on = header["createdAt"].astimezone(LONDON).date()
        losing = self._holder.get(mpxn, self.default_incumbent)
        registration = self._register(
            mpxn=mpxn,
            fuel=fuel,
            supplier=sender,
            previous=losing,
            reference=reference,
            start=next_working_day(requested_on),
        )
        about = {
            "supplierGeneratedReference": reference,
            "mpxn": mpxn,
            "registrationId": registration.registration_id,
        }
        start = registration.supply_start_date.isoformat()
        self._send(
            sender,
            "RegistrationValidation",
            {**about, "registrationRequestStatus": "Validated", "rejectionReason": None},
            correlation_id=message_id,
        )
        self._send(
            sender,
            "PendingRegistration",
            {**about, "registrationStatus": "Pending", "supplyStartDate": start},
            correlation_id=message_id,
        )
        self._loss(registration, losing=losing, correlation_id=None)
        if script is not None and script.outcome == "object":
            registration.status = "Objected"
            self._send(
                sender,
                "RegistrationCancelled",
                {
                    **about,
                    "cancellationReason": "Objected",
                    "cancellationDetail": script.reason
                    or "objection raised by the losing supplier",
                },
                correlation_id=message_id,
            )
            return
        for status in ("Confirmed", "SecuredActive"):
            self._send(
                sender,
                "RegistrationStatusChange",
                {**about, "registrationStatus": status, "supplyStartDate": start},
                correlation_id=message_id,
            )
        registration.status = "SecuredActive"
        self._holder[mpxn] = sender
        if script is not None and script.outcome == "loss":
            self.announce_loss(
                mpxn,
                gaining_supplier=script.gaining_supplier,
                supply_start_date=script.date or next_working_day(registration.supply_start_date),
            )

    def _cancel(self, header: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        sender = header["sender"]
        registration_id = body.get("registrationId")
        registration: Registration | None = None
        if registration_id:
            registration = self._registrations.get(registration_id)
        else:
            matching = [
                r
                for r in self._registrations.values()
                if r.supplier == sender
                and r.reference == body["supplierGeneratedReference"]
                and r.mpxn == body["mpxn"]
            ]
            registration = matching[-1] if matching else None
        if registration is None or registration.supplier != sender:
            raise Refused(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "unknown_registration",
                "the sender holds no such registration",
                field="body.registrationId",
                rule="known",
            )
        if registration.status not in ("Pending", "SecuredActive"):
            raise Refused(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "registration_closed",
                f"the registration is {registration.status} already",
                field="body.registrationId",
                rule="open",
            )
        withdrawal = header["messageType"] == "WithdrawalRequest"
        registration.status = "Withdrawn" if withdrawal else "Annulled"
        if self._holder.get(registration.mpxn) == sender:
            self._holder[registration.mpxn] = registration.previous_supplier
        self._send(
            sender,
            "RegistrationCancelled",
            {
                "supplierGeneratedReference": registration.reference,
                "mpxn": registration.mpxn,
                "registrationId": registration.registration_id,
                "cancellationReason": registration.status,
                "cancellationDetail": body.get("withdrawalReason")
                or body.get("annulmentReason")
                or "",
            },
            correlation_id=header["messageId"],
        )


def _read_request(document: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a supplier's message; return its header (``createdAt`` parsed) and body.

    :raises Refused: 400 naming the first field that breaks the format.
    """

    def refuse(field: str, rule: str, message: str) -> Refused:
        return Refused(HTTPStatus.BAD_REQUEST, "invalid_message", message, field=field, rule=rule)

    if not isinstance(document, dict):
        raise refuse("message", "type", "a message is an object")
    header, body = document.get("header"), document.get("body")
    if not isinstance(header, dict):
        raise refuse("header", "required", "header is required")
    if not isinstance(body, dict):
        raise refuse("body", "required", "body is required")
    checks = (
        ("messageId", _MESSAGE_ID),
        ("createdAt", _TIME),
        ("sender", _PARTICIPANT),
        ("recipient", _PARTICIPANT),
    )
    for name, pattern in checks:
        value = header.get(name)
        if not isinstance(value, str) or not pattern.match(value):
            raise refuse(f"header.{name}", "format", f"header.{name} is missing or malformed")
    if header["recipient"] != CSS_ID:
        raise refuse("header.recipient", "recipient", "messages to the CSS are for CSS")
    if header.get("messageType") not in _REQUESTS:
        raise refuse(
            "header.messageType", "unknown_type", f"messageType is one of {', '.join(_REQUESTS)}"
        )
    parsed = dict(header)
    try:
        parsed["createdAt"] = datetime.datetime.fromisoformat(
            header["createdAt"].replace("Z", "+00:00")
        )
    except ValueError:
        raise refuse("header.createdAt", "date", "header.createdAt is not a time") from None
    required: tuple[str, ...] = ("supplierGeneratedReference", "mpxn")
    if header["messageType"] == "SwitchRequest":
        required += ("fuelType",)
    elif header["messageType"] == "WithdrawalRequest":
        required += ("withdrawalReason",)
    else:
        required += ("annulmentReason",)
    for name in required:
        value = body.get(name)
        if not isinstance(value, str) or not value or len(value) > 200:
            raise refuse(f"body.{name}", "required", f"body.{name} is required (a string)")
    if header["messageType"] == "SwitchRequest":
        if body["fuelType"] not in ("E", "G"):
            raise refuse("body.fuelType", "choice", "fuelType is E or G")
        for name in ("domesticPremisesInd", "changeOfOccupancyInd"):
            if not isinstance(body.get(name), bool):
                raise refuse(f"body.{name}", "type", f"body.{name} is true or false")
    elif body.get("registrationId") is not None and not isinstance(body["registrationId"], str):
        raise refuse("body.registrationId", "type", "body.registrationId is a string")
    return parsed, body


# --- HTTP ------------------------------------------------------------------------------


class _Handler(JsonHandler):
    server: _Server
    server_version = "SwitchingServiceSimulator/1"
    max_body_bytes = MAX_BODY_BYTES

    def _authorised(self) -> bool:
        if self.server.service.authorised(self.headers.get("X-API-Key")):
            return True
        self._error(HTTPStatus.UNAUTHORIZED, "unauthorised", "a valid X-API-Key is needed")
        return False

    def _participant(self) -> str | None:
        participant = self.headers.get("X-Participant-Id")
        if participant is None or not _PARTICIPANT.match(participant):
            self._error(
                HTTPStatus.BAD_REQUEST, "participant_required", "X-Participant-Id is needed"
            )
            return None
        return participant

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        service = self.server.service
        if url.path == "/v1/health":
            self._json(HTTPStatus.OK, {"status": "ok"})
            return
        if not self._authorised():
            return
        if url.path == "/v1/control/registrations":
            self._json(HTTPStatus.OK, {"registrations": service.registrations()})
            return
        if url.path != "/v1/messages":
            self._error(HTTPStatus.NOT_FOUND, "not_found", "no such resource")
            return
        participant = self._participant()
        if participant is None:
            return
        limit_text = parse_qs(url.query).get("limit", ["100"])[0]
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_FETCH:
            self._error(HTTPStatus.BAD_REQUEST, "invalid_limit", f"limit is 1 to {MAX_FETCH}")
            return
        messages = service.messages_for(participant, limit=int(limit_text))
        self._json(HTTPStatus.OK, {"messages": messages})

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        if not self._authorised():
            return
        path = urlsplit(self.path).path
        try:
            if path == "/v1/messages":
                answer, replayed = self.server.service.receive(
                    body, participant=self.headers.get("X-Participant-Id")
                )
                headers = {"Idempotent-Replayed": "true"} if replayed else {}
                self._json(HTTPStatus.ACCEPTED, answer, headers)
            elif path == "/v1/messages/acknowledgements":
                participant = self._participant()
                if participant is None:
                    return
                ids = _load(body).get("messageIds")
                if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                    raise Refused(HTTPStatus.BAD_REQUEST, "invalid", "messageIds is a list")
                marked = self.server.service.acknowledge(participant, ids)
                self._json(HTTPStatus.OK, {"acknowledged": marked})
            elif path.startswith("/v1/control/"):
                self._control(path, _load(body))
            else:
                self._error(HTTPStatus.NOT_FOUND, "not_found", "no such resource")
        except Refused as refusal:
            self._json(refusal.status, refusal.answer())

    def _control(self, path: str, document: dict[str, Any]) -> None:
        service = self.server.service
        try:
            if path == "/v1/control/scripts":
                service.script(
                    str(document["mpxn"]),
                    str(document["outcome"]),
                    reason=str(document.get("reason") or ""),
                    date=_date(document.get("date")),
                    gaining_supplier=str(document.get("gainingSupplier") or OTHER_SUPPLIER),
                )
                self._json(HTTPStatus.CREATED, {"scripted": document["mpxn"]})
            elif path == "/v1/control/losses":
                registration_id = service.announce_loss(
                    str(document["mpxn"]),
                    gaining_supplier=str(document.get("gainingSupplier") or OTHER_SUPPLIER),
                    supply_start_date=_date(document.get("supplyStartDate")),
                    incumbent=document.get("incumbent") or None,
                )
                self._json(HTTPStatus.CREATED, {"registrationId": registration_id})
            elif path == "/v1/control/loss-cancellations":
                service.cancel_loss(
                    str(document["registrationId"]),
                    reason=str(document.get("reason") or "Withdrawn"),
                )
                self._json(HTTPStatus.OK, {"cancelled": document["registrationId"]})
            elif path == "/v1/control/faults":
                service.fail_next_posts(int(document.get("failNextPosts", 0)))
                self._json(HTTPStatus.OK, {"failNextPosts": int(document["failNextPosts"])})
            else:
                self._error(HTTPStatus.NOT_FOUND, "not_found", "no such resource")
        except (KeyError, TypeError, ValueError) as error:
            raise Refused(
                HTTPStatus.BAD_REQUEST, "invalid", f"bad control request: {error}"
            ) from None


def _load(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise Refused(HTTPStatus.BAD_REQUEST, "invalid_json", "the body is not JSON") from None
    if not isinstance(document, dict):
        raise Refused(HTTPStatus.BAD_REQUEST, "invalid_json", "the body is not an object")
    return document


def _date(value: Any) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    service: SwitchingService
    verbose: bool


class SwitchingServiceServer(BackgroundServer):
    """The CSS on ``127.0.0.1:port`` (0: a free port) in a background thread."""

    thread_name = "switching-service"

    def __init__(
        self,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        api_key: str = "",
        default_incumbent: str = DEFAULT_INCUMBENT,
        clock: Callable[[], datetime.datetime] = _utc_now,
        verbose: bool = False,
    ) -> None:
        self.service = SwitchingService(
            api_key=api_key, default_incumbent=default_incumbent, clock=clock
        )
        server = _Server((host, port), _Handler)
        server.service = self.service
        server.verbose = verbose
        super().__init__(server)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m kilowatt.simulators.switching_service",
        description="The Central Switching Service (simulated) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8027)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("CSS_API_KEY", ""),
        help="the key clients must send as X-API-Key (default: $CSS_API_KEY; none: open)",
    )
    parser.add_argument(
        "--incumbent",
        default=DEFAULT_INCUMBENT,
        help="the supplier a meter point is with before anyone registers it here",
    )
    arguments = parser.parse_args(argv)
    server = SwitchingServiceServer(
        port=arguments.port,
        host=arguments.host,
        api_key=arguments.api_key,
        default_incumbent=arguments.incumbent,
        verbose=True,
    )
    print(f"central switching service on {server.url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
