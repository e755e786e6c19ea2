"""A business credit reference agency, as a supplier meets it, on 127.0.0.1, for
development and tests.

Before supplying a business a supplier asks a credit reference agency about it (the
customer agreed to it when signing up): is it good for the credit a quarter's energy
is? The agencies that do this in the UK sell it through their own HTTPS APIs under
contract, and none of their specifications is public where we could read it, so the
resource, fields and decisions here are OUR OWN, shaped like what such services return
(a decision, a score, the reasons); ``kilowatt.integrations.domain.credit`` documents
the format, and the product's adapter (``kilowatt.integrations.operations._credit_checks``)
is the same code pointed at another URL. It imports nothing of the product: it stands
for another party.

``POST /v1/business-checks`` with ``X-API-Key`` (when a key is configured; 401
otherwise) and::

    {"requestId": "<uuid>", "companyName": "Difference Engines Ltd",
     "companyNumber": "01234567", "postcode": "SW1A 2AA", "purpose": "energy_supply"}

is answered 201::

    {"checkId": "CHK-...", "requestId": "<uuid>", "decision": "PASS", "score": 82,
     "reasons": [], "checkedAt": "2026-01-16T10:00:00Z"}

``decision`` is ``PASS``, ``REFER`` (a person should look) or ``FAIL``; ``score`` 0 to
100; ``reasons`` sentences, empty for a plain pass. The same ``requestId`` with the same
body is answered with the same check again (200, ``Idempotent-Replayed: true``) and
makes no new one; with another body it is 409 ``request_id_reused``. A request that
breaks the format is 400 naming the field and rule: ``requestId`` (``format``: 8 to 64
letters, digits, -), ``companyName`` (``required``, ``length`` at most 160),
``companyNumber`` (``format``: 8 digits, or 2 letters and 6 digits, as Companies House
numbers are; null or absent for a sole trader or partnership), ``postcode``
(``required``, ``format``: a UK postcode, upper case with one space), ``purpose``
(``choice``: ``energy_supply``).

The outcome is deterministic unless scripted, so tests and demos can choose it:

- no company number (a sole trader, a partnership): ``REFER`` score 50, "no registered
  company": the agency has nothing filed to judge by;
- a company number ending in 9: ``FAIL`` (score 10 to 29, "county court judgments
  registered in the last 12 months");
- ending in 8: ``REFER`` (score 30 to 59, "limited trading history");
- any other: ``PASS`` (score 60 to 100, no reasons).

The score within its band comes from a hash of the number, so the same company always
scores the same.

Test control (no such thing at a real agency):

- ``POST /v1/control/scripts`` ``{"companyNumber", "decision", "reasons"?, "score"?}``:
  what the agency answers for that company from now on (201);
- ``POST /v1/control/faults`` ``{"failNextChecks": n}``: the next n checks are 503 and
  kept nowhere, as an agency that is down;
- ``GET /v1/control/checks``: every check made, oldest first.

``GET /v1/health`` needs no key. Errors are JSON: ``{"error": {"code", "message",
"field"?, "rule"?}}``. State is kept in memory, for the life of the process.

Run it: ``python -m kilowatt.simulators.credit_agency --port 8028 [--api-key KEY]``.
In tests: ``with CreditAgencyServer() as agency: agency.url``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import hashlib
import hmac
import json
import os
import re
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from kilowatt.simulators._background import BackgroundServer, JsonHandler

MAX_BODY_BYTES = 64 * 1024
MAX_NAME = 160
PURPOSES = ("energy_supply",)
DECISIONS = ("PASS", "REFER", "FAIL")
NO_COMPANY = "no registered company"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")
_COMPANY_NUMBER = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6})$")
_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|GIR 0AA)$")
# The band each deterministic decision scores in, and the reason it gives.
_BANDS = {
    "PASS": (60, 100, ()),
    "REFER": (30, 59, ("limited trading history",)),
    "FAIL": (10, 29, ("county court judgments registered in the last 12 months",)),
}


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decision_for(company_number: str | None) -> tuple[str, int, tuple[str, ...]]:
    """Return the unscripted (decision, score, reasons) for a company."""
    if not company_number:
        return "REFER", 50, (NO_COMPANY,)
    last = company_number[-1]
    decision = "FAIL" if last == "9" else "REFER" if last == "8" else "PASS"
    low, high, reasons = _BANDS[decision]
    spread = int(hashlib.sha256(company_number.encode()).hexdigest()[:8], 16)
    return decision, low + spread % (high - low + 1), reasons


class Refused(Exception):
    """A request the agency answers with an error; nothing is kept."""

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


@dataclasses.dataclass(frozen=True)
class Script:
    decision: str
    reasons: tuple[str, ...] = ()
    score: int | None = None


@dataclasses.dataclass(frozen=True)
class Check:
    digest: str  # of the request, to tell a retry from a reuse of its id
    answer: dict[str, Any]
    request: dict[str, Any]


class CreditAgency:
    """The agency's state and rules, apart from HTTP, in memory."""

    def __init__(
        self, *, api_key: str = "", clock: Callable[[], datetime.datetime] = _utc_now
    ) -> None:
        self.api_key = api_key
        self.clock = clock
        self._lock = threading.RLock()
        self._checks: dict[str, Check] = {}  # request id -> the check made for it
        self._scripts: dict[str, Script] = {}  # company number -> the answer to give
        self._fail_next_checks = 0
        self.checks_failed = 0

    def authorised(self, key: str | None) -> bool:
        if not self.api_key:
            return True
        return key is not None and hmac.compare_digest(key.encode(), self.api_key.encode())

    # --- test control ----------------------------------------------------------------

    def script(
        self,
        company_number: str,
        decision: str,
        *,
        reasons: tuple[str, ...] | list[str] = (),
        score: int | None = None,
    ) -> None:
        """Decide what the agency answers for ``company_number`` from now on."""
        if decision not in DECISIONS:
            raise ValueError(f"decision is one of {', '.join(DECISIONS)}")
        if score is not None and not (isinstance(score, int) and 0 <= score <= 100):
            raise ValueError("score is 0 to 100")
        with self._lock:
            self._scripts[company_number] = Script(decision, tuple(str(r) for r in reasons), score)

    def fail_next_checks(self, count: int) -> None:
        """Answer the next ``count`` checks 503, keeping nothing of them."""
        with self._lock:
            self._fail_next_checks = count

    def checks(self) -> list[dict[str, Any]]:
        """Return every check made (its request and answer), oldest first."""
        with self._lock:
            return [{"request": c.request, **c.answer} for c in self._checks.values()]

    # --- the supplier's side -----------------------------------------------------------

    def check(self, body: bytes) -> tuple[dict[str, Any], bool]:
        """Make (or find again) the check a request asks for; return (answer, replayed).

        :raises Refused: the agency is down (a scripted fault), the request breaks the
            format, or its request id was used for another request.
        """
        with self._lock:
            if self._fail_next_checks > 0:
                self._fail_next_checks -= 1
                self.checks_failed += 1
                raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, "unavailable", "try again later")
            request = _read_request(_load(body))
            digest = hashlib.sha256(
                json.dumps(request, sort_keys=True, separators=(",", ":")).encode()
            ).hexdigest()
            seen = self._checks.get(request["requestId"])
            if seen is not None:
                if seen.digest != digest:
                    raise Refused(
                        HTTPStatus.CONFLICT,
                        "request_id_reused",
                        "this requestId was used for another request",
                        field="requestId",
                        rule="unique",
                    )
                return seen.answer, True
            number = request["companyNumber"]
            decision, score, reasons = decision_for(number)
            script = self._scripts.get(number) if number else None
            if script is not None:
                decision, reasons = script.decision, script.reasons
                if script.score is not None:
                    score = script.score
                elif decision != decision_for(number)[0]:
                    low, high, _ = _BANDS[decision]
                    score = (low + high) // 2
            answer = {
                "checkId": f"CHK-{len(self._checks) + 1:06d}-{digest[:6].upper()}",
                "requestId": request["requestId"],
                "decision": decision,
                "score": score,
                "reasons": list(reasons),
                "checkedAt": _iso(self.clock()),
            }
            self._checks[request["requestId"]] = Check(digest, answer, request)
            return answer, False


def _read_request(document: dict[str, Any]) -> dict[str, Any]:
    """Check a business check request; return its fields (``companyNumber`` None when
    absent).

    :raises Refused: 400 naming the first field that breaks the format.
    """

    def refuse(field: str, rule: str, message: str) -> Refused:
        return Refused(HTTPStatus.BAD_REQUEST, "invalid_request", message, field=field, rule=rule)

    request_id = document.get("requestId")
    if not isinstance(request_id, str) or not _REQUEST_ID.match(request_id):
        raise refuse("requestId", "format", "requestId is 8 to 64 letters, digits or -")
    name = document.get("companyName")
    if not isinstance(name, str) or not name.strip():
        raise refuse("companyName", "required", "companyName is required (a string)")
    if len(name) > MAX_NAME:
        raise refuse("companyName", "length", f"companyName is at most {MAX_NAME} characters")
    number = document.get("companyNumber")
    if number is not None and (not isinstance(number, str) or not _COMPANY_NUMBER.match(number)):
        raise refuse(
            "companyNumber",
            "format",
            "companyNumber is 8 digits, or 2 letters and 6 digits (null for none)",
        )
    postcode = document.get("postcode")
    if not isinstance(postcode, str) or not postcode:
        raise refuse("postcode", "required", "postcode is required (a string)")
    if not _POSTCODE.match(postcode):
        raise refuse("postcode", "format", "postcode is a UK postcode such as SW1A 2AA")
    if document.get("purpose") not in PURPOSES:
        raise refuse("purpose", "choice", f"purpose is one of {', '.join(PURPOSES)}")
    return {
        "requestId": request_id,
        "companyName": name,
        "companyNumber": number,
        "postcode": postcode,
        "purpose": document["purpose"],
    }


def _load(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise Refused(HTTPStatus.BAD_REQUEST, "invalid_json", "the body is not JSON") from None
    if not isinstance(document, dict):
        raise Refused(HTTPStatus.BAD_REQUEST, "invalid_json", "the body is not an object")
    return document


# --- HTTP ------------------------------------------------------------------------------


class _Handler(JsonHandler):
    server: _Server
    server_version = "CreditAgencySimulator/1"
    max_body_bytes = MAX_BODY_BYTES

    def _authorised(self) -> bool:
        if self.server.agency.authorised(self.headers.get("X-API-Key")):
            return True
        self._error(HTTPStatus.UNAUTHORIZED, "unauthorised", "a valid X-API-Key is needed")
        return False

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/v1/health":
            self._json(HTTPStatus.OK, {"status": "ok"})
            return
        if not self._authorised():
            return
        if path == "/v1/control/checks":
            self._json(HTTPStatus.OK, {"checks": self.server.agency.checks()})
            return
        self._error(HTTPStatus.NOT_FOUND, "not_found", "no such resource")

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        if not self._authorised():
            return
        path = urlsplit(self.path).path
        try:
            if path == "/v1/business-checks":
                answer, replayed = self.server.agency.check(body)
                if replayed:
                    self._json(HTTPStatus.OK, answer, {"Idempotent-Replayed": "true"})
                else:
                    self._json(HTTPStatus.CREATED, answer)
            elif path.startswith("/v1/control/"):
                self._control(path, _load(body))
            else:
                self._error(HTTPStatus.NOT_FOUND, "not_found", "no such resource")
        except Refused as refusal:
            self._json(refusal.status, refusal.answer())

    def _control(self, path: str, document: dict[str, Any]) -> None:
        agency = self.server.agency
        try:
            if path == "/v1/control/scripts":
                reasons = document.get("reasons") or []
                if not isinstance(reasons, list):
                    raise TypeError("reasons is a list")
                agency.script(
                    str(document["companyNumber"]),
                    str(document["decision"]),
                    reasons=[str(r) for r in reasons],
                    score=document.get("score"),
                )
                self._json(HTTPStatus.CREATED, {"scripted": document["companyNumber"]})
            elif path == "/v1/control/faults":
                count = int(document.get("failNextChecks", 0))
                agency.fail_next_checks(count)
                self._json(HTTPStatus.OK, {"failNextChecks": count})
            else:
                self._error(HTTPStatus.NOT_FOUND, "not_found", "no such resource")
        except (KeyError, TypeError, ValueError) as error:
            raise Refused(
                HTTPStatus.BAD_REQUEST, "invalid", f"bad control request: {error}"
            ) from None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    agency: CreditAgency
    verbose: bool


class CreditAgencyServer(BackgroundServer):
    """The agency on ``127.0.0.1:port`` (0: a free port) in a background thread."""

    thread_name = "credit-agency"

    def __init__(
        self,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        api_key: str = "",
        clock: Callable[[], datetime.datetime] = _utc_now,
        verbose: bool = False,
    ) -> None:
        self.agency = CreditAgency(api_key=api_key, clock=clock)
        server = _Server((host, port), _Handler)
        server.agency = self.agency
        server.verbose = verbose
        super().__init__(server)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m kilowatt.simulators.credit_agency",
        description="A business credit reference agency (simulated) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8028)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("CREDIT_AGENCY_API_KEY", ""),
        help="the key clients must send as X-API-Key (default: $CREDIT_AGENCY_API_KEY; none: open)",
    )
    arguments = parser.parse_args(argv)
    server = CreditAgencyServer(
        port=arguments.port, host=arguments.host, api_key=arguments.api_key, verbose=True
    )
    print(f"credit reference agency on {server.url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
