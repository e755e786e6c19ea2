"""Business credit checks at a credit reference agency: build the request, and read the
agency's answer back refusing what breaks the format, naming the field and the rule.

A business signing up agrees to a credit check (``consents.credit_check``); its order
waits (``CREDIT_CHECK``) until the agency answers ``PASS`` (the contract is sent),
``REFER`` or ``FAIL`` (the order goes to the admin team's queue). The agencies that sell
this in the UK do it over their own HTTPS APIs under contract, and none of their
specifications was public where we could read it: the resource and the field names below
are OUR OWN, shaped like what such services return (a decision, a score, the reasons).
``kilowatt.simulators.credit_agency`` plays the agency with exactly this format.

``POST /v1/business-checks`` (``X-API-Key``)::

    {"requestId": "<uuid>", "companyName": "Difference Engines Ltd",
     "companyNumber": "01234567", "postcode": "SW1A 2AA", "purpose": "energy_supply"}

answered::

    {"checkId": "CHK-000001-1A2B3C", "requestId": "<uuid>", "decision": "PASS",
     "score": 82, "reasons": [], "checkedAt": "2026-01-16T10:00:00Z"}

``requestId`` is ours and unique (a UUID): the agency answers the same id with the same
check, so a request sent twice (an answer lost on the way back) is one check.
``companyNumber`` is a Companies House number (8 digits, or 2 letters and 6 digits), or
null for a business with none (a sole trader, a partnership). Times are ISO 8601 in UTC
with ``Z``. These are pure functions over frozen dataclasses; the HTTP transport is in
``operations/_credit_checks.py``.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Mapping
from typing import Any

from kilowatt import validation
from kilowatt.platform.errors import InvalidInput, Problem

PURPOSE = "energy_supply"
PASS, REFER, FAIL = "PASS", "REFER", "FAIL"
DECISIONS = (PASS, REFER, FAIL)
MAX_COMPANY_NAME = 160
MAX_REASONS = 20
_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")
_CHECK_ID = re.compile(r"^[\x21-\x7e]{1,40}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_MAX_REASON = 200


@dataclasses.dataclass(frozen=True)
class CheckRequest:
    request_id: str
    company_name: str
    company_number: str | None  # None: no registered company (a sole trader)
    postcode: str
    purpose: str = PURPOSE


@dataclasses.dataclass(frozen=True)
class CheckResult:
    check_id: str
    request_id: str
    decision: str  # PASS | REFER | FAIL
    score: int  # 0 to 100
    reasons: tuple[str, ...]
    checked_at: datetime.datetime  # aware, UTC

    @property
    def reason(self) -> str:
        """Return the reasons as one sentence (empty when none were given)."""
        return "; ".join(self.reasons)


# --- build ---------------------------------------------------------------------------


def check_request(
    *, request_id: str, company_name: str, company_number: str, postcode: str
) -> CheckRequest:
    """Build the request for a business's credit check, its company number and postcode
    in their stored form (an empty company number: the business has none).

    :raises InvalidInput: ``requestId``/``format``, ``companyName``/``required`` or
        ``length``, ``companyNumber``/``company_number_format``, ``postcode``/``required``
        or ``postcode_format``; every problem found is named.
    """
    problems: list[Problem] = []
    if not _REQUEST_ID.match(request_id):
        problems.append(
            Problem("requestId", "format", "a request id is 8 to 64 letters, digits or -")
        )
    name = " ".join(company_name.split())
    if not name:
        problems.append(Problem("companyName", "required", "a company name is required"))
    elif len(name) > MAX_COMPANY_NAME:
        problems.append(
            Problem(
                "companyName", "length", f"a company name is at most {MAX_COMPANY_NAME} characters"
            )
        )
    number: str | None = None
    if company_number.strip():
        number = validation.normalise_company_number(company_number)
        problem = validation.company_number_problem(number)
        if problem is not None:
            problems.append(Problem("companyNumber", "company_number_format", problem))
    code = validation.normalise_postcode(postcode)
    if not code:
        problems.append(Problem("postcode", "required", "a postcode is required"))
    elif (problem := validation.postcode_problem(code)) is not None:
        problems.append(Problem("postcode", "postcode_format", problem))
    if problems:
        raise InvalidInput(problems)
    return CheckRequest(
        request_id=request_id, company_name=name, company_number=number, postcode=code
    )


def to_document(request: CheckRequest) -> dict[str, Any]:
    """Return the request as the JSON document the agency takes."""
    return {
        "requestId": request.request_id,
        "companyName": request.company_name,
        "companyNumber": request.company_number,
        "postcode": request.postcode,
        "purpose": request.purpose,
    }


def result_document(result: CheckResult) -> dict[str, Any]:
    """Return an answer as the agency sends it (for tests and for keeping it)."""
    return {
        "checkId": result.check_id,
        "requestId": result.request_id,
        "decision": result.decision,
        "score": result.score,
        "reasons": list(result.reasons),
        "checkedAt": result.checked_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


# --- parse ---------------------------------------------------------------------------


def parse_result(document: Any, *, request_id: str | None = None) -> CheckResult:
    """Read the agency's answer (a decoded JSON document) into a ``CheckResult``; with
    ``request_id``, it must answer that request.

    :raises InvalidInput: the answer breaks the format: each problem names the field
        (``decision``, ``score``, ``reasons.2``) and its rule (``required``, ``type``,
        ``format``, ``choice``, ``range``, ``length``, ``date``, ``matches``).
    """
    if not isinstance(document, Mapping):
        raise InvalidInput.one(field="answer", rule="type", message="an answer is an object")
    problems: list[Problem] = []

    def text(name: str, pattern: re.Pattern[str]) -> str:
        value = document.get(name)
        if value is None or value == "":
            problems.append(Problem(name, "required", f"{name} is required"))
            return ""
        if not isinstance(value, str):
            problems.append(Problem(name, "type", f"{name} must be a string"))
            return ""
        if not pattern.match(value):
            problems.append(Problem(name, "format", f"{name} is not in the expected format"))
            return ""
        return value

    check_id = text("checkId", _CHECK_ID)
    answered = text("requestId", _REQUEST_ID)
    if answered and request_id is not None and answered != request_id:
        problems.append(
            Problem("requestId", "matches", f"the answer is to {answered}, not {request_id}")
        )
    decision = document.get("decision")
    if decision is None:
        problems.append(Problem("decision", "required", "decision is required"))
    elif decision not in DECISIONS:
        problems.append(Problem("decision", "choice", f"decision is one of {', '.join(DECISIONS)}"))
    score = document.get("score")
    if score is None:
        problems.append(Problem("score", "required", "score is required"))
    elif not isinstance(score, int) or isinstance(score, bool):
        problems.append(Problem("score", "type", "score must be a whole number"))
    elif not 0 <= score <= 100:
        problems.append(Problem("score", "range", "score is 0 to 100"))
    reasons = document.get("reasons", [])
    if not isinstance(reasons, list):
        problems.append(Problem("reasons", "type", "reasons must be a list of strings"))
        reasons = []
    elif len(reasons) > MAX_REASONS:
        problems.append(Problem("reasons", "length", f"at most {MAX_REASONS} reasons"))
    for index, reason in enumerate(reasons[:MAX_REASONS]):
        if not isinstance(reason, str) or not reason.strip():
            problems.append(Problem(f"reasons.{index}", "type", "a reason is a sentence"))
        elif len(reason) > _MAX_REASON:
            problems.append(
                Problem(
                    f"reasons.{index}", "length", f"a reason is at most {_MAX_REASON} characters"
                )
            )
    checked_at = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    moment = text("checkedAt", _TIME)
    if moment:
        try:
            checked_at = datetime.datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            problems.append(Problem("checkedAt", "date", "checkedAt is not a calendar time"))
    if problems:
        raise InvalidInput(problems)
    return CheckResult(
        check_id=check_id,
        request_id=answered,
        decision=str(decision),
        score=int(score),  # type: ignore[arg-type]
        reasons=tuple(r.strip() for r in reasons),
        checked_at=checked_at,
    )
