"""Paper invoices to the print-and-post bureau's web service, and back from its archive.

Once a month is over, its issued paper invoices and credit notes go to the bureau as
batches: a ZIP of ``manifest.csv`` (invoice number, recipient, four address lines,
postcode, page count, the PDF's name and sha256) and the PDFs, ``POST /v1/batches`` with
``X-API-Key`` and an ``Idempotency-Key``. The bureau answers each invoice's archive token
(or why it refused that one); the tokens are recorded on the invoices in one transaction
(``billing.operations.record_print_tokens``). ``GET /v1/archive/{token}`` returns a printed
document for five years from printing, then 410: the bureau has purged it.
``kilowatt.simulators.print_bureau`` documents the protocol and plays the bureau.

Resumable and idempotent: the month's paper invoices are cut into slices by id (of
``batch_size`` invoices, printed or not, so a slice is the same invoices however far an
earlier run got); a slice's unprinted invoices are one batch, keyed by the month and their
numbers. A run that dies between the bureau's answer and the recording sends the same
batch with the same key again and gets the same answer: nothing is printed twice. A
refused invoice keeps no token and goes again, in a batch of its own key, the next time
the month is sent (after its address is mended, say).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import hashlib
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings

from kilowatt.billing import operations as billing_operations
from kilowatt.billing import queries as billing_queries
from kilowatt.platform.errors import InvalidInput, KilowattError, NotFound
from kilowatt.platform.periods import LONDON

MANIFEST_COLUMNS = (
    "invoice_number",
    "recipient_name",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "postcode",
    "page_count",
    "document",
    "sha256",
)
BATCH_SIZE = 500
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every entry alike, so the same batch is the same bytes
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


class PrintBureauError(KilowattError):
    """The bureau could not be reached, refused a request as a whole, or answered what
    this client does not understand. ``status`` is the HTTP status (None: no answer),
    ``code`` the bureau's error code."""

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class ArchivePurged(NotFound):
    """The document's retention at the bureau has passed: it is purged (410 Gone)."""


@dataclasses.dataclass(frozen=True)
class PrintRejection:
    """An invoice the bureau would not print, and why (its code and sentence)."""

    invoice_number: str
    reason: str
    message: str


@dataclasses.dataclass(frozen=True)
class PrintBatch:
    """One batch sent: its key, the bureau's batch id and what it made of it."""

    idempotency_key: str
    batch_id: str
    invoices: int
    accepted: int
    rejections: tuple[PrintRejection, ...]
    replayed: bool  # the bureau had this batch already: the first answer, nothing printed
    recorded: int  # invoices that took their archive token now


@dataclasses.dataclass(frozen=True)
class PrintRun:
    """A month's paper invoices sent to the bureau."""

    month: datetime.date  # its first day
    batches: tuple[PrintBatch, ...]

    @property
    def sent(self) -> int:
        return sum(batch.invoices for batch in self.batches)

    @property
    def accepted(self) -> int:
        return sum(batch.accepted for batch in self.batches)

    @property
    def rejections(self) -> tuple[PrintRejection, ...]:
        return tuple(rejection for batch in self.batches for rejection in batch.rejections)

    @property
    def recorded(self) -> int:
        return sum(batch.recorded for batch in self.batches)


def batch_key(*, month: datetime.date, numbers: Sequence[str]) -> str:
    """Return the idempotency key of the batch of these invoices for this month."""
    digest = hashlib.sha256("\n".join([f"{month:%Y-%m}", *numbers]).encode()).hexdigest()
    return f"kilowatt-print-{month:%Y-%m}-{digest[:40]}"


def page_count(pdf: bytes) -> int:
    """Return the pages of a PDF by its page objects (at least 1)."""
    return max(1, len(_PAGE.findall(pdf)))


def _address_columns(lines: Sequence[str]) -> list[str]:
    """Return four address columns: a fifth line and on join the fourth."""
    columns = [*lines[:3], ", ".join(lines[3:])]
    return columns + [""] * (4 - len(columns))


def build_batch(items: Sequence[billing_queries.PrintItem]) -> bytes:
    """Return the batch ZIP of these invoices: ``manifest.csv`` and ``<number>.pdf`` each.
    The same invoices give the same bytes (fixed entry times, stored, in order)."""
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for item in items:
        if item.pdf is None:
            raise ValueError(f"invoice {item.number} has no document")
        writer.writerow(
            [
                item.number,
                item.recipient_name,
                *_address_columns(item.address_lines),
                item.postcode,
                page_count(item.pdf),
                f"{item.number}.pdf",
                hashlib.sha256(item.pdf).hexdigest(),
            ]
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        entries = [("manifest.csv", manifest.getvalue().encode("utf-8"))] + [
            (f"{item.number}.pdf", item.pdf or b"") for item in items
        ]
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def _settings(url: str | None, api_key: str | None) -> tuple[str, str]:
    return (
        (url or settings.PRINT_BUREAU_URL).rstrip("/"),
        api_key if api_key is not None else settings.PRINT_BUREAU_API_KEY,
    )


def _call(request: urllib.request.Request, *, timeout: float) -> tuple[int, dict[str, str], bytes]:
    """Return (status, headers, body) of the bureau's answer, errors included."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers.items()), error.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        raise PrintBureauError(
            f"the print bureau at {request.full_url} is unreachable: {reason}"
        ) from None


def _refusal(status: int, body: bytes, what: str) -> PrintBureauError:
    try:
        error = json.loads(body)["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        code, message = "", body[:200].decode("utf-8", "replace")
    return PrintBureauError(
        f"the print bureau refused {what}: {status} {message}", status=status, code=code
    )


def _post_batch(
    *, body: bytes, key: str, numbers: Sequence[str], url: str, api_key: str, timeout: float
) -> tuple[dict[str, Any], bool]:
    """Send a batch; return the bureau's answer (checked) and whether it was a replay."""
    request = urllib.request.Request(
        f"{url}/v1/batches",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/zip",
            "X-API-Key": api_key,
            "Idempotency-Key": key,
            "Accept": "application/json",
        },
    )
    status, headers, content = _call(request, timeout=timeout)
    if status not in (200, 201):
        raise _refusal(status, content, f"batch {key}")
    try:
        answer = json.loads(content)
        documents = answer["documents"]
        answered = [str(document["invoice_number"]) for document in documents]
        for document in documents:
            if document["status"] == "ACCEPTED" and not document.get("archive_token"):
                raise KeyError("archive_token")
    except (ValueError, KeyError, TypeError) as error:
        raise PrintBureauError(
            f"the print bureau's answer to batch {key} is not understood ({error})", status=status
        ) from None
    if sorted(answered) != sorted(numbers):
        raise PrintBureauError(
            f"the print bureau's answer to batch {key} does not name the invoices sent",
            status=status,
        )
    replayed = {name.lower(): value for name, value in headers.items()}.get(
        "idempotent-replayed", ""
    )
    return answer, replayed.lower() == "true"


def _month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return (
        datetime.datetime.combine(first, datetime.time(), tzinfo=LONDON),
        datetime.datetime.combine(following, datetime.time(), tzinfo=LONDON),
    )


def send_paper_invoices(
    *,
    month: datetime.date,
    as_at: datetime.datetime,
    url: str | None = None,
    api_key: str | None = None,
    batch_size: int = BATCH_SIZE,
    timeout: float = 300.0,
    on_batch: Callable[[PrintBatch], None] | None = None,
) -> PrintRun:
    """Send the paper invoices issued in ``month`` (UK days; any day of it names it) that
    hold no archive token to the print bureau at ``url`` (default
    ``settings.PRINT_BUREAU_URL``), in batches of at most ``batch_size``, and record each
    batch's tokens (sent at ``as_at``) before the next is sent; ``on_batch`` hears of
    each. Documents not rendered yet are rendered first.

    :raises InvalidInput: the month is not over at ``as_at`` (``month``, rule
        ``month_not_over``: a month's batches are cut once no more can join them), or
        ``batch_size`` is not 1 to 10000.
    :raises PrintBureauError: the bureau is unreachable, refused a batch as a whole or
        answered what is not understood; the batches before it stay recorded and sending
        the month again carries on from there.
    """
    since, until = _month_bounds(month)
    if until > as_at:
        raise InvalidInput.one(
            field="month",
            rule="month_not_over",
            message=f"{month:%Y-%m} is not over: its paper invoices go once it is",
        )
    if not 1 <= batch_size <= 10_000:
        raise InvalidInput.one(
            field="batch_size", rule="range", message="a batch holds 1 to 10000 invoices"
        )
    url, api_key = _settings(url, api_key)
    first_day = since.date()
    batches: list[PrintBatch] = []
    after_id = 0
    while True:
        end = billing_queries.print_slice_end(
            issued_before=until, issued_from=since, after_id=after_id, size=batch_size
        )
        if end is None:
            break
        items = billing_operations.documents_to_print(
            issued_before=until,
            issued_from=since,
            after_id=after_id,
            through_id=end,
            limit=batch_size,
            as_at=as_at,
        )
        after_id = end
        if not items:
            continue
        numbers = [item.number for item in items]
        key = batch_key(month=first_day, numbers=numbers)
        answer, replayed = _post_batch(
            body=build_batch(items),
            key=key,
            numbers=numbers,
            url=url,
            api_key=api_key,
            timeout=timeout,
        )
        tokens = {
            str(document["invoice_number"]): str(document["archive_token"])
            for document in answer["documents"]
            if document["status"] == "ACCEPTED"
        }
        recorded = billing_operations.record_print_tokens(tokens=tokens, sent_at=as_at)
        batch = PrintBatch(
            idempotency_key=key,
            batch_id=str(answer.get("batch_id", "")),
            invoices=len(items),
            accepted=len(tokens),
            rejections=tuple(
                PrintRejection(
                    invoice_number=str(document["invoice_number"]),
                    reason=str(document.get("reason", "")),
                    message=str(document.get("message", "")),
                )
                for document in answer["documents"]
                if document["status"] != "ACCEPTED"
            ),
            replayed=replayed,
            recorded=recorded,
        )
        batches.append(batch)
        if on_batch is not None:
            on_batch(batch)
    return PrintRun(month=first_day, batches=tuple(batches))


def fetch_archived_invoice(
    *, token: str, url: str | None = None, api_key: str | None = None, timeout: float = 30.0
) -> bytes:
    """Return the printed document (PDF) the bureau keeps under an archive token.

    :raises NotFound: the bureau gave no document this token.
    :raises ArchivePurged: its retention has passed and the bureau has purged it.
    :raises PrintBureauError: the bureau is unreachable or refused the request.
    """
    url, api_key = _settings(url, api_key)
    request = urllib.request.Request(
        f"{url}/v1/archive/{urllib.parse.quote(token, safe='')}",
        method="GET",
        headers={"X-API-Key": api_key, "Accept": "application/pdf"},
    )
    status, _headers, content = _call(request, timeout=timeout)
    if status == 200:
        return content
    if status == 404:
        raise NotFound(f"archived invoice {token}")
    if status == 410:
        raise ArchivePurged(f"archived invoice {token}: purged after its retention")
    raise _refusal(status, content, f"archive token {token}")
