"""Registrations at the Central Switching Service (CSS): switch requests, withdrawals and
annulments out; validations, status changes, cancellations and losses in.

Out: a signed order's supplies become switch requests, a cancelled one's (cooling-off)
withdrawals, a disputed one's (erroneous transfer) annulments. Each is queued as a
``SwitchingMessage`` in the transaction of its cause, with its message id and JSON fixed
there (``key`` ``<type>:<supply id>`` unique: the same cause twice queues nothing more),
and the supply's registration is recorded in sales in the same transaction. A request
never sent is cancelled instead of withdrawn. ``send_switching_messages`` posts queued
messages (``POST /v1/messages``) oldest first, one identifier's in order (a message waits
while an earlier one for its meter point is unsent); a failure to reach the CSS, or a 5xx,
429 or 408, is tried again later (1, 2, 4 ... up to 60 minutes apart, ``FAILED`` after
``MAX_SEND_ATTEMPTS``); another refusal is ``FAILED`` at once, for a person. A message sent
twice (a crash between the CSS's answer and our commit) is the same bytes under the same
id, which the CSS answers as a replay.

In: ``fetch_switching_messages`` takes the messages waiting for us (``GET /v1/messages``),
keeps each once by its unique message id, applies it in the same transaction, and then
acknowledges it to the CSS; one fetched again (the acknowledgement lost) changes nothing.
Applying: a rejected validation records ``REJECTED`` (with the reason), ``SecuredActive``
records ``ACCEPTED`` with the supply start date, a cancellation ``OBJECTED``,
``WITHDRAWN`` or ``ANNULLED`` (``sales.operations.record_registration_outcome``), and a
loss of a meter point we hold publishes ``integrations.supply.loss_notified.v1``.
``kilowatt.integrations.domain.css`` documents the messages.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q

from kilowatt.integrations import models
from kilowatt.integrations.domain import css
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import events
from kilowatt.platform.errors import InvalidInput, KilowattError, NotFound
from kilowatt.sales import operations as sales_operations
from kilowatt.sales import queries as sales_queries

logger = logging.getLogger(__name__)

Message = models.SwitchingMessage
OUT, IN = Message.Direction.OUTBOUND, Message.Direction.INBOUND
MAX_SEND_ATTEMPTS = 20
MAX_APPLY_ATTEMPTS = 10
FETCH_PAGE = 100
LOSS_NOTIFIED = "integrations.supply.loss_notified.v1"
LOSS_CANCELLED = "integrations.supply.loss_cancelled.v1"
# Sales' registration states (sales.queries.RegistrationRow.registration).
NOT_SENT, REQUESTED, ACCEPTED = "NOT_SENT", "REQUESTED", "ACCEPTED"
REJECTED, OBJECTED, WITHDRAWN, ANNULLED = "REJECTED", "OBJECTED", "WITHDRAWN", "ANNULLED"
_FUELS = {"ELECTRICITY": css.ELECTRICITY, "GAS": css.GAS}
_CANCELLED = {css.OBJECTED: OBJECTED, css.WITHDRAWN: WITHDRAWN, css.ANNULLED: ANNULLED}


class SwitchingServiceError(KilowattError):
    """The CSS could not be reached or answered what this client does not understand.
    ``status`` is the HTTP status (None: no answer)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclasses.dataclass(frozen=True)
class SwitchingStatus:
    """How many messages are in each state, and the ones a person must look at."""

    counts: dict[tuple[str, str], int]  # (direction, status) -> count
    needing_attention: tuple[tuple[str, str, str, str], ...]  # (message id, type, mpxn, why)


def _participant() -> str:
    return str(settings.CSS_PARTICIPANT_ID)


def _target(url: str | None, api_key: str | None) -> tuple[str, str]:
    return (
        (url or settings.CSS_URL).rstrip("/"),
        api_key if api_key is not None else settings.CSS_API_KEY,
    )


# --- out -------------------------------------------------------------------------------


def _queue(message: css.Message, *, key: str, supply_id: int, as_at: datetime.datetime) -> None:
    body = message.body
    Message.objects.create(
        direction=OUT,
        message_id=message.message_id,
        message_type=message.message_type,
        key=key,
        identifier=body.mpxn,
        supply_id=supply_id,
        registration_id=getattr(body, "registration_id", None) or "",
        payload=css.to_document(message),
        status=Message.Status.QUEUED,
        created_at=as_at,
        next_attempt_at=as_at,
    )


def _key(message_type: str, supply_id: int) -> str:
    return f"{message_type}:{supply_id}"


def request_registrations(*, order_id: int, as_at: datetime.datetime) -> int:
    """Queue a switch request for each of a signed order's supplies not registered yet
    and record each ``REQUESTED``, in one transaction; return how many were queued (the
    same order again queues nothing). A supply whose identifier the CSS could not take
    (not of its fuel's shape) is recorded ``REJECTED`` with the reason and not sent.

    :raises NotFound: no such order (from sales).
    """
    queued = 0
    with transaction.atomic():
        for row in sales_queries.registrations_for_order(order_id=order_id):
            if row.registration != NOT_SENT:
                continue
            # A supply asked for again (after a rejection or objection a person saw to)
            # is a new request: its own key, numbered.
            key = _key(css.SWITCH_REQUEST, row.supply_id)
            earlier = Message.objects.filter(
                Q(key=key) | Q(key__startswith=f"{key}:"), direction=OUT
            ).count()
            if earlier:
                key = f"{key}:{earlier + 1}"
            try:
                message = css.switch_request(
                    message_id=str(uuid.uuid4()),
                    created_at=as_at,
                    sender=_participant(),
                    reference=css.supplier_reference(
                        order_reference=row.order_reference, supply_id=row.supply_id
                    ),
                    mpxn=row.identifier,
                    fuel=_FUELS.get(row.fuel, row.fuel),
                    # RegistrationRow says nothing of the premises yet: domestic unless told.
                    domestic=bool(getattr(row, "domestic", True)),
                )
            except InvalidInput as refusal:
                sales_operations.record_registration_outcome(
                    supply_id=row.supply_id, outcome=REJECTED, reason=str(refusal), as_at=as_at
                )
                continue
            _queue(message, key=key, supply_id=row.supply_id, as_at=as_at)
            sales_operations.record_registration_outcome(
                supply_id=row.supply_id, outcome=REQUESTED, as_at=as_at
            )
            queued += 1
    return queued


def _registration_id(supply_id: int) -> str | None:
    """Return the CSS's id of a supply's registration, once a message of it told us."""
    found = (
        Message.objects.filter(direction=IN, supply_id=supply_id)
        .exclude(registration_id="")
        .order_by("-id")
        .values_list("registration_id", flat=True)
        .first()
    )
    return found or None


def _end_registrations(
    *,
    order_id: int,
    message_type: str,
    outcome: str,
    reason: str,
    as_at: datetime.datetime,
) -> int:
    queued = 0
    with transaction.atomic():
        for row in sales_queries.registrations_for_order(order_id=order_id):
            if row.registration not in (REQUESTED, ACCEPTED):
                continue
            switch_key = _key(css.SWITCH_REQUEST, row.supply_id)
            request = (
                Message.objects.select_for_update()
                .filter(Q(key=switch_key) | Q(key__startswith=f"{switch_key}:"), direction=OUT)
                .order_by("-id")
                .first()
            )
            if request is None:
                # Never a switch (an occupier's supply taken over): nothing at the CSS.
                sales_operations.record_registration_outcome(
                    supply_id=row.supply_id, outcome=outcome, reason=reason, as_at=as_at
                )
                continue
            if request.status in (
                Message.Status.QUEUED,
                Message.Status.FAILED,
            ):
                # Never reached the CSS: nothing to withdraw there.
                request.status = Message.Status.CANCELLED
                request.last_error = f"cancelled before sending: {reason}"[:500]
                request.save(update_fields=["status", "last_error"])
                sales_operations.record_registration_outcome(
                    supply_id=row.supply_id, outcome=outcome, reason=reason, as_at=as_at
                )
                continue
            key = _key(message_type, row.supply_id)
            if Message.objects.filter(key=key).exists():
                continue
            build = (
                css.withdrawal_request
                if message_type == css.WITHDRAWAL_REQUEST
                else css.annulment_request
            )
            message = build(
                message_id=str(uuid.uuid4()),
                created_at=as_at,
                sender=_participant(),
                reference=css.supplier_reference(
                    order_reference=row.order_reference, supply_id=row.supply_id
                ),
                mpxn=row.identifier,
                registration_id=_registration_id(row.supply_id),
                reason=reason,
            )
            _queue(message, key=key, supply_id=row.supply_id, as_at=as_at)
            queued += 1
    return queued


def withdraw_registrations(*, order_id: int, as_at: datetime.datetime) -> int:
    """Queue a withdrawal of each of a cancelled order's registrations that is requested
    or accepted (the customer cancelled within cooling-off), in one transaction; return
    how many were queued. A switch request not sent yet is cancelled instead and its
    supply recorded ``WITHDRAWN`` at once. The same order again queues nothing more.

    :raises NotFound: no such order (from sales).
    """
    return _end_registrations(
        order_id=order_id,
        message_type=css.WITHDRAWAL_REQUEST,
        outcome=WITHDRAWN,
        reason="customer cancelled within the cooling-off period",
        as_at=as_at,
    )


def request_annulment(*, order_id: int, reason: str, as_at: datetime.datetime) -> int:
    """Queue an annulment of each of an order's registrations that is requested or
    accepted (an erroneous transfer: the customer never agreed), in one transaction;
    return how many were queued. A switch request not sent yet is cancelled instead and
    its supply recorded ``ANNULLED`` at once. The same order again queues nothing more.

    :raises InvalidInput: ``reason`` is empty or longer than 200 characters.
    :raises NotFound: no such order (from sales).
    """
    reason = reason.strip()
    if not 0 < len(reason) <= 200:
        raise InvalidInput.one(
            field="reason", rule="length", message="an annulment's reason is 1 to 200 characters"
        )
    return _end_registrations(
        order_id=order_id,
        message_type=css.ANNULMENT_REQUEST,
        outcome=ANNULLED,
        reason=reason,
        as_at=as_at,
    )


def _call(request: urllib.request.Request, *, timeout: float) -> tuple[int | None, bytes, str]:
    """Return (status, body, error) of the CSS's answer; status None when unreachable."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), ""
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(), ""
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        return (
            None,
            b"",
            f"the CSS at {request.full_url} is unreachable: {getattr(error, 'reason', error)}",
        )


def _headers(api_key: str) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Participant-Id": _participant(),
    }
    if api_key:
        headers["X-API-Key"] = api_key
    return headers


def _retryable(status: int | None) -> bool:
    return status is None or status in (408, 425, 429) or status >= 500


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def send_switching_messages(
    *,
    as_at: datetime.datetime,
    limit: int = 100,
    url: str | None = None,
    api_key: str | None = None,
    timeout: float = 30.0,
) -> int:
    """Post up to ``limit`` queued messages that are due to the CSS (default
    ``settings.CSS_URL``), oldest first; return how many it acknowledged. Each message is
    its own transaction (its row locked while it is posted, so two senders never post it
    at once). A message whose meter point has an earlier message unsent waits for it. A
    failure to reach the CSS or a 5xx/429/408 answer is tried again after a back-off, and
    given up (``FAILED``) after ``MAX_SEND_ATTEMPTS``; any other refusal is ``FAILED`` at
    once with the CSS's answer, for a person.
    """
    url, api_key = _target(url, api_key)
    due = list(
        Message.objects.filter(direction=OUT, status=Message.Status.QUEUED)
        .exclude(next_attempt_at__gt=as_at)
        .order_by("id")
        .values_list("id", "identifier")[:limit]
    )
    if not due:
        return 0
    first_unsent = dict(
        Message.objects.filter(
            direction=OUT,
            status__in=[Message.Status.QUEUED, Message.Status.FAILED],
            identifier__in={identifier for _id, identifier in due},
        )
        .values("identifier")
        .annotate(first=Min("id"))
        .values_list("identifier", "first")
    )
    blocked: set[str] = set()
    sent = 0
    for message_pk, identifier in due:
        if identifier in blocked or first_unsent.get(identifier) != message_pk:
            continue
        with transaction.atomic():
            row = (
                Message.objects.select_for_update(skip_locked=True)
                .filter(id=message_pk, status=Message.Status.QUEUED)
                .first()
            )
            if row is None:
                continue  # another sender has it, or it was cancelled
            body = json.dumps(row.payload, sort_keys=True, separators=(",", ":")).encode()
            request = urllib.request.Request(
                f"{url}/v1/messages", data=body, method="POST", headers=_headers(api_key)
            )
            status, answer, unreachable = _call(request, timeout=timeout)
            row.attempts += 1
            if status is not None and 200 <= status < 300:
                row.status = Message.Status.SENT
                row.sent_at = as_at
                row.last_error = ""
                sent += 1
                first_unsent.pop(identifier, None)
            else:
                blocked.add(identifier)
                row.last_error = (
                    unreachable or f"{status}: {answer[:300].decode('utf-8', 'replace')}"
                )[:500]
                if _retryable(status) and row.attempts < MAX_SEND_ATTEMPTS:
                    row.next_attempt_at = as_at + _backoff(row.attempts)
                else:
                    row.status = Message.Status.FAILED
                logger.warning("CSS message %s not sent: %s", row.message_id, row.last_error)
            row.save(
                update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"]
            )
    return sent


# --- in --------------------------------------------------------------------------------


def _fetch_page(*, url: str, api_key: str, limit: int, timeout: float) -> list[Any]:
    request = urllib.request.Request(
        f"{url}/v1/messages?{urllib.parse.urlencode({'limit': limit})}",
        method="GET",
        headers=_headers(api_key),
    )
    status, body, unreachable = _call(request, timeout=timeout)
    if status is None:
        raise SwitchingServiceError(unreachable)
    if status != 200:
        raise SwitchingServiceError(
            f"the CSS refused the fetch: {status} {body[:200].decode('utf-8', 'replace')}",
            status=status,
        )
    try:
        messages = json.loads(body)["messages"]
        if not isinstance(messages, list):
            raise TypeError("messages is not a list")
    except (ValueError, KeyError, TypeError) as error:
        raise SwitchingServiceError(
            f"the CSS's messages are not understood ({error})", status=status
        ) from None
    return messages


def _acknowledge(*, ids: list[str], url: str, api_key: str, timeout: float) -> None:
    request = urllib.request.Request(
        f"{url}/v1/messages/acknowledgements",
        data=json.dumps({"messageIds": ids}).encode(),
        method="POST",
        headers=_headers(api_key),
    )
    status, body, unreachable = _call(request, timeout=timeout)
    if status != 200:
        # Harmless: they come again on the next fetch and are recognised by their ids.
        logger.warning("CSS acknowledgement failed: %s", unreachable or f"{status} {body[:200]!r}")


def _message_id(document: Any) -> str:
    """Return a message's id, or for one without a usable id a stable one of its content."""
    header = document.get("header") if isinstance(document, dict) else None
    candidate = header.get("messageId") if isinstance(header, dict) else None
    if isinstance(candidate, str) and 8 <= len(candidate) <= 64:
        return candidate
    content = json.dumps(document, sort_keys=True, default=str).encode()
    return "sha256-" + hashlib.sha256(content).hexdigest()[:57]


def _supply_for(reference: str, mpxn: str) -> int:
    """Return the supply a registration of ours concerns.

    :raises NotFound: the reference is not ours, or names a supply sales does not know.
    :raises InvalidInput: the supply's meter point is not the message's.
    """
    supply_id = css.supply_id_from_reference(reference)
    if supply_id is None:
        raise NotFound(f"registration reference {reference}")
    row = sales_queries.registration_for_supply(supply_id=supply_id)
    if mpxn and row.identifier != mpxn:
        raise InvalidInput.one(
            field="body.mpxn",
            rule="supply_identifier",
            message=f"{reference} is the registration of {row.identifier}, not {mpxn}",
        )
    return supply_id


def _apply(message: css.Message, *, as_at: datetime.datetime) -> tuple[int | None, str]:
    """Apply an inbound message; return (the supply it concerns, the registration id).

    :raises KilowattError: it cannot be applied (not for a supplier, a supply we do not
        know, a meter point we do not hold); a person looks at it.
    """
    body = message.body
    if message.header.recipient != _participant():
        raise InvalidInput.one(
            field="header.recipient", rule="recipient", message="the message is not for us"
        )
    if isinstance(body, css.LossNotification):
        point = metering_queries.meter_point_by_identifier(identifier=body.mpxn)
        payload: dict[str, Any] = {
            "identifier": body.mpxn,
            "meter_point_id": point.id,
            # Our supply's end, half-open like every period here: the gaining supplier's
            # supply start day is the first day that is no longer ours.
            "supply_end_date": body.supply_start_date.isoformat(),
            "gaining_supplier": body.gaining_supplier,
            "registration_id": body.registration_id,
        }
        events.publish(name=LOSS_NOTIFIED, payload=payload, at=as_at)
        return None, body.registration_id
    if isinstance(body, css.LossCancelled):
        events.publish(
            name=LOSS_CANCELLED,
            payload={
                "identifier": body.mpxn,
                "registration_id": body.registration_id,
                "reason": body.reason,
            },
            at=as_at,
        )
        return None, body.registration_id
    if isinstance(body, css.SwitchRequest | css.WithdrawalRequest | css.AnnulmentRequest):
        raise InvalidInput.one(
            field="header.messageType",
            rule="direction",
            message=f"{message.message_type} is a supplier's message, not the CSS's",
        )
    supply_id = _supply_for(body.supplier_reference, body.mpxn)
    outcome, start, reason = None, None, ""
    if isinstance(body, css.RegistrationValidation) and body.status == css.REJECTED:
        outcome, reason = REJECTED, body.rejection_reason
    elif isinstance(body, css.RegistrationStatusChange) and body.status == css.SECURED_ACTIVE:
        outcome, start = ACCEPTED, body.supply_start_date
    elif isinstance(body, css.RegistrationCancelled):
        outcome, reason = _CANCELLED[body.reason], body.detail
    if outcome is not None:
        sales_operations.record_registration_outcome(
            supply_id=supply_id,
            outcome=outcome,
            supply_start_date=start,
            reason=reason,
            as_at=as_at,
        )
    return supply_id, body.registration_id


def _note(
    message_id: str,
    document: Any,
    *,
    status: str,
    error: str,
    as_at: datetime.datetime,
) -> str:
    """Record an inbound message that could not be applied (never over one applied);
    return its status now."""
    header = document.get("header") if isinstance(document, dict) else None
    body = document.get("body") if isinstance(document, dict) else None
    mpxn = body.get("mpxn") if isinstance(body, dict) else None
    with transaction.atomic():
        row, created = Message.objects.select_for_update().get_or_create(
            message_id=message_id,
            defaults={
                "direction": IN,
                "message_type": str((header or {}).get("messageType") or "")[:30],
                "identifier": mpxn[:13] if isinstance(mpxn, str) else "",
                "payload": document if isinstance(document, dict) else {"raw": document},
                "status": status,
                "created_at": as_at,
            },
        )
        if row.status in (Message.Status.APPLIED, Message.Status.REFUSED) and not created:
            return row.status
        row.attempts += 1
        row.last_error = error[:500]
        row.status = status
        if status == Message.Status.FAILED and row.attempts >= MAX_APPLY_ATTEMPTS:
            row.status = Message.Status.REFUSED
        row.save(update_fields=["attempts", "last_error", "status"])
        return row.status


def _take(document: Any, *, as_at: datetime.datetime) -> tuple[str, bool, bool]:
    """Keep and apply one inbound message; return (its id, whether we are done with it so
    the CSS may forget it, whether it was applied now)."""
    message_id = _message_id(document)
    try:
        message = css.parse(document)
    except InvalidInput as refusal:
        _note(message_id, document, status=Message.Status.REFUSED, error=str(refusal), as_at=as_at)
        return message_id, True, False
    try:
        with transaction.atomic():
            row = Message.objects.select_for_update().filter(message_id=message_id).first()
            if row is not None and row.status in (Message.Status.APPLIED, Message.Status.REFUSED):
                return message_id, True, False  # the same message again: nothing changes
            supply_id, registration_id = _apply(message, as_at=as_at)
            if row is None:
                row = Message(
                    direction=IN,
                    message_id=message_id,
                    message_type=message.message_type,
                    identifier=message.body.mpxn[:13],
                    payload=document,
                    created_at=as_at,
                )
            row.supply_id = supply_id
            row.registration_id = registration_id[:40]
            row.status = Message.Status.APPLIED
            row.applied_at = as_at
            row.attempts += 1
            row.last_error = ""
            row.save()
        return message_id, True, True
    except IntegrityError:
        return message_id, False, False  # another fetcher kept it meanwhile
    except KilowattError as refusal:
        _note(message_id, document, status=Message.Status.REFUSED, error=str(refusal), as_at=as_at)
        return message_id, True, False
    except Exception as error:
        logger.exception("CSS message %s not applied", message_id)
        status = _note(
            message_id,
            document,
            status=Message.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
            as_at=as_at,
        )
        return message_id, status != Message.Status.FAILED, False


def fetch_switching_messages(
    *,
    as_at: datetime.datetime,
    url: str | None = None,
    api_key: str | None = None,
    timeout: float = 30.0,
    page_size: int = FETCH_PAGE,
) -> int:
    """Fetch the messages the CSS holds for us (default ``settings.CSS_URL``), keep and
    apply each once, acknowledge those kept; return how many were applied now. A message
    kept already (fetched again because an acknowledgement was lost) changes nothing; one
    that breaks the format, or that its owner would not take, is kept ``REFUSED`` for a
    person; one whose application failed otherwise is tried again on the next fetch
    (``REFUSED`` after ``MAX_APPLY_ATTEMPTS``).

    :raises SwitchingServiceError: the CSS is unreachable, refused the fetch, or answered
        what is not understood; what was applied before stays applied.
    """
    url, api_key = _target(url, api_key)
    applied = 0
    seen: set[str] = set()
    while True:
        documents = _fetch_page(url=url, api_key=api_key, limit=page_size, timeout=timeout)
        fresh = [d for d in documents if _message_id(d) not in seen]
        if not fresh:
            break
        done: list[str] = []
        for document in fresh:
            message_id, finished, now = _take(document, as_at=as_at)
            seen.add(message_id)
            applied += now
            if finished:
                done.append(message_id)
        if done:
            _acknowledge(ids=done, url=url, api_key=api_key, timeout=timeout)
        if len(documents) < page_size:
            break
    return applied


# --- status ----------------------------------------------------------------------------


def switching_status(*, attention_limit: int = 50) -> SwitchingStatus:
    """Return the count of messages by direction and status, and up to
    ``attention_limit`` that wait for a person (failed or refused), newest first."""
    counts = {
        (row["direction"], row["status"]): row["n"]
        for row in Message.objects.values("direction", "status").annotate(n=Count("id"))
    }
    attention: Iterable[tuple[str, str, str, str]] = (
        Message.objects.filter(status__in=[Message.Status.FAILED, Message.Status.REFUSED])
        .order_by("-id")
        .values_list("message_id", "message_type", "identifier", "last_error")[:attention_limit]
    )
    return SwitchingStatus(counts=counts, needing_attention=tuple(attention))
