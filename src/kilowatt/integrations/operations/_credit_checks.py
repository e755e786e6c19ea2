"""Business credit checks at the credit reference agency: a business sign-up waits
(``CREDIT_CHECK``) until the agency's decision is given to its order.

``check_business_credit`` records the check once per order (``CreditCheck``, its order
reference unique, its request id and JSON fixed there), posts it to the agency
(``POST /v1/business-checks`` at ``settings.CREDIT_AGENCY_URL``, ``X-API-Key``
``settings.CREDIT_AGENCY_API_KEY``) and gives the decision to the order
(``sales.operations.record_credit_check``: a pass sends the contract, a refer or a fail
sends the order to the admin team's queue), all in one transaction.

Retries: a failure to reach the agency, or a 5xx, 429 or 408, is recorded on the check
(``attempts``, ``last_error``, ``next_attempt_at`` 1, 2, 4 ... up to 60 minutes later)
and does NOT raise, so the event that asked for it is delivered and the dispatcher is
not held up; ``retry_pending_credit_checks`` (a task, every minute on beat) asks again
for the checks that are due. The request is the same bytes under the same request id
every time, which the agency answers as the same check, so an answer lost on the way
back costs nothing. A check the agency refused (another 4xx), an answer not understood,
or ``MAX_ATTEMPTS`` failures give up (``ABANDONED``) and refer the order to a person,
so no order waits for ever. ``kilowatt.integrations.domain.credit`` documents the format.
"""

from __future__ import annotations

import datetime
import json
import logging
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction

from kilowatt.integrations import models
from kilowatt.integrations.domain import credit
from kilowatt.platform.errors import InvalidInput
from kilowatt.sales import operations as sales_operations
from kilowatt.sales import queries as sales_queries
from kilowatt.sales.domain import orders as order_rules

logger = logging.getLogger(__name__)

Check = models.CreditCheck
MAX_ATTEMPTS = 20
WAITING = "CREDIT_CHECK"  # sales' status of an order waiting for its credit check


def _target(url: str | None, api_key: str | None) -> tuple[str, str]:
    return (
        (url or settings.CREDIT_AGENCY_URL).rstrip("/"),
        api_key if api_key is not None else settings.CREDIT_AGENCY_API_KEY,
    )


def _retryable(status: int | None) -> bool:
    return status is None or status in (408, 425, 429) or status >= 500


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _call(*, url: str, api_key: str, body: bytes, timeout: float) -> tuple[int | None, bytes, str]:
    """Post a check; return (status, body, error); status None when unreachable."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if api_key:
        headers["X-API-Key"] = api_key
    request = urllib.request.Request(
        f"{url}/v1/business-checks", data=body, method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), ""
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(), ""
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        return None, b"", f"the credit agency at {url} is unreachable: {reason}"


def _locked(order_reference: str) -> Check | None:
    return Check.objects.select_for_update().filter(order_reference=order_reference).first()


def _record(*, order_reference: str, as_at: datetime.datetime) -> tuple[Check, str]:
    """Return the order's check, locked, recording it first if it is new; with the
    problem that keeps it from being asked (empty when none).

    :raises NotFound: no such order (from sales).
    """
    check = _locked(order_reference)
    if check is not None:
        return check, ""
    order = sales_queries.order_for(sales_operations.SIGN_UP, reference=order_reference)
    request_id = str(uuid.uuid4())
    document: dict[str, object] = {}
    status, problem = Check.Status.PENDING, ""
    if order.status != WAITING:
        status, problem = Check.Status.SKIPPED, f"the order was {order.status}, not waiting"
    else:
        details = order_rules.from_json(order.details)
        try:
            document = credit.to_document(
                credit.check_request(
                    request_id=request_id,
                    company_name=details.customer.company_name,
                    company_number=details.customer.company_number,
                    postcode=details.sites[0].postcode if details.sites else "",
                )
            )
        except InvalidInput as refusal:
            problem = f"the credit check could not be asked for: {refusal}"
    try:
        with transaction.atomic():
            check = Check.objects.create(
                order_reference=order_reference,
                request_id=request_id,
                request=document,
                status=status,
                last_error=problem[:500],
                created_at=as_at,
                next_attempt_at=as_at if status == Check.Status.PENDING else None,
            )
    except IntegrityError:
        found = _locked(order_reference)  # recorded meanwhile by another delivery
        if found is None:
            raise
        return found, ""
    return check, problem if status == Check.Status.PENDING else ""


def _abandon(check: Check, why: str, *, as_at: datetime.datetime) -> None:
    """Give up asking and refer the order to a person, saying why."""
    check.status = Check.Status.ABANDONED
    check.last_error = why[:500]
    check.next_attempt_at = None
    check.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
    logger.warning("credit check for %s abandoned: %s", check.order_reference, why)
    sales_operations.record_credit_check(
        reference=check.order_reference,
        decision=credit.REFER,
        reason=f"no decision from the credit agency: {why}"[:300],
        as_at=as_at,
    )


def _attempt(
    check: Check, *, as_at: datetime.datetime, url: str, api_key: str, timeout: float
) -> Check:
    """Ask the agency about a pending check (its row locked) and act on the answer."""
    order = sales_queries.order_for(sales_operations.SIGN_UP, reference=check.order_reference)
    if order.status != WAITING:
        check.status = Check.Status.SKIPPED
        check.last_error = f"the order was {order.status}, not waiting"
        check.next_attempt_at = None
        check.save(update_fields=["status", "last_error", "next_attempt_at"])
        return check
    body = json.dumps(check.request, sort_keys=True, separators=(",", ":")).encode()
    status, answer, unreachable = _call(url=url, api_key=api_key, body=body, timeout=timeout)
    check.attempts += 1
    if status is not None and 200 <= status < 300:
        try:
            result = credit.parse_result(json.loads(answer), request_id=check.request_id)
        except (ValueError, UnicodeDecodeError, InvalidInput) as error:
            _abandon(check, f"its answer was not understood ({error})", as_at=as_at)
            return check
        check.status = Check.Status.DECIDED
        check.decision = result.decision
        check.score = result.score
        check.reason = result.reason[:500]
        check.agency_reference = result.check_id[:40]
        check.checked_at = result.checked_at
        check.decided_at = as_at
        check.last_error = ""
        check.next_attempt_at = None
        check.save()
        sales_operations.record_credit_check(
            reference=check.order_reference,
            decision=result.decision,
            reason=result.reason,
            agency_reference=result.check_id,
            as_at=as_at,
        )
        return check
    why = unreachable or f"{status}: {answer[:300].decode('utf-8', 'replace')}"
    if not _retryable(status):
        _abandon(check, f"it refused the request ({why})", as_at=as_at)
    elif check.attempts >= MAX_ATTEMPTS:
        _abandon(check, f"{check.attempts} attempts failed, the last: {why}", as_at=as_at)
    else:
        check.last_error = why[:500]
        check.next_attempt_at = as_at + _backoff(check.attempts)
        if check.attempts >= MAX_ATTEMPTS:
            check.status, check.next_attempt_at = Check.Status.ABANDONED, None
        check.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
        logger.warning("credit check for %s not made: %s", check.order_reference, why)
    return check


def check_business_credit(
    *,
    order_reference: str,
    as_at: datetime.datetime,
    url: str | None = None,
    api_key: str | None = None,
    timeout: float = 30.0,
) -> models.CreditCheck:
    """Ask the credit reference agency (default ``settings.CREDIT_AGENCY_URL``) about a
    business sign-up waiting for its credit check, and give its decision to the order, in
    one transaction; return the check.

    The check is recorded once per order: asked again (the same event delivered twice)
    an order whose check is recorded changes nothing and calls no one. A failure to reach
    the agency (or a 5xx, 429, 408) is recorded on the check, to be asked again by
    ``retry_pending_credit_checks``; it does not raise. An order that no longer waits for
    a check is recorded ``SKIPPED``; one whose details cannot make a request (or that the
    agency refuses) is referred to a person (``ABANDONED``).

    :raises NotFound: no such order (from sales).
    """
    url, api_key = _target(url, api_key)
    with transaction.atomic():
        check, problem = _record(order_reference=order_reference, as_at=as_at)
        if problem:
            _abandon(check, problem, as_at=as_at)
            return check
        if check.status != Check.Status.PENDING or check.attempts:
            return check  # asked before: a failed attempt waits for the retries
        return _attempt(check, as_at=as_at, url=url, api_key=api_key, timeout=timeout)


def retry_pending_credit_checks(
    *,
    as_at: datetime.datetime,
    limit: int = 100,
    url: str | None = None,
    api_key: str | None = None,
    timeout: float = 30.0,
) -> int:
    """Ask the agency again about up to ``limit`` pending checks that are due, oldest due
    first, each in its own transaction (its row locked, skipped if another worker holds
    it); return how many were decided now. One that fails again waits longer; after
    ``MAX_ATTEMPTS`` it is given up and its order referred to a person. A check whose
    decision cannot be recorded (an error in sales) is logged, kept pending and tried
    again later.
    """
    url, api_key = _target(url, api_key)
    due = list(
        Check.objects.filter(status=Check.Status.PENDING, next_attempt_at__lte=as_at)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    decided = 0
    for check_id in due:
        try:
            with transaction.atomic():
                check = (
                    Check.objects.select_for_update(skip_locked=True)
                    .filter(id=check_id, status=Check.Status.PENDING)
                    .first()
                )
                if check is None:
                    continue  # another worker has it, or it was decided meanwhile
                check = _attempt(check, as_at=as_at, url=url, api_key=api_key, timeout=timeout)
                decided += check.status == Check.Status.DECIDED
        except Exception as error:
            logger.exception("credit check %s not completed", check_id)
            _note_failure(check_id, f"{type(error).__name__}: {error}", as_at=as_at)
    return decided


def _note_failure(check_id: int, why: str, *, as_at: datetime.datetime) -> None:
    """Count an attempt that failed in our own code and put the next one off; after
    ``MAX_ATTEMPTS`` give it up (``ABANDONED``, the order left waiting: a person reads
    ``last_error``)."""
    with transaction.atomic():
        check = Check.objects.select_for_update().filter(id=check_id).first()
        if check is None or check.status != Check.Status.PENDING:
            return
        check.attempts += 1
        check.last_error = why[:500]
        check.next_attempt_at = as_at + _backoff(check.attempts)
        if check.attempts >= MAX_ATTEMPTS:
            check.status, check.next_attempt_at = Check.Status.ABANDONED, None
        check.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
