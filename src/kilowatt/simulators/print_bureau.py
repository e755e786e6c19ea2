"""A print-and-post bureau's web service, on 127.0.0.1, for development and tests.

The bureau prints and posts the invoices of customers who get their bills on paper, and
keeps each printed document in its archive for five years, retrievable by the token it
gave it. It speaks the protocol the production bureau speaks (the product's adapter is the
same code pointed at another URL), keeps its state in one SQLite file so it survives a
restart, and imports nothing of the product.

Every request but ``/v1/health`` carries ``X-API-Key``; a wrong or missing key is 401.

``POST /v1/batches`` (``Content-Type: application/zip``, ``Idempotency-Key: <1-255
printable characters>``): a ZIP holding ``manifest.csv`` (UTF-8, a header row, then one row
a document) and the PDFs it names::

    invoice_number,recipient_name,address_line_1,address_line_2,address_line_3,
    address_line_4,postcode,page_count,document,sha256

``document`` is the PDF's name in the ZIP and ``sha256`` the hex digest of its bytes. The
answer is 201 with::

    {"batch_id": "B...", "received_at": "2026-12-01T09:00:00Z", "accepted": 2, "rejected": 1,
     "documents": [
        {"invoice_number": "KWE0000001", "status": "ACCEPTED", "archive_token": "arc_...",
         "retain_until": "2031-12-01T09:00:00Z"},
        {"invoice_number": "KWE0000002", "status": "REJECTED", "reason": "missing_postcode",
         "message": "the address has no postcode"}]}

A document is rejected on its own (the rest of the batch is printed) for: ``missing_name``,
``missing_address``, ``missing_postcode``, ``invalid_postcode``, ``missing_document``,
``not_a_pdf``, ``hash_mismatch``, ``invalid_page_count``, ``page_count_mismatch``,
``duplicate_in_batch``. The same ``Idempotency-Key`` with the same body answers the first
answer again (status and body, with ``Idempotent-Replayed: true``) and prints nothing; with
a different body it is 409 ``idempotency_key_reused``. A body that is not a ZIP, has no
manifest, or whose manifest lacks a column is 400 and nothing is kept.

``GET /v1/archive/{token}``: 200 ``application/pdf`` (headers ``X-Invoice-Number``,
``X-Printed-At``, ``X-Retain-Until``); 404 for a token the bureau never gave; 410 once the
document's retention (five years from printing) has passed: the bureau has purged it.

Errors are JSON: ``{"error": {"code": "...", "message": "..."}}``.

Run it: ``python -m kilowatt.simulators.print_bureau --port 8025 --data DIR
[--api-key KEY]`` (the key defaults to ``$PRINT_BUREAU_API_KEY``). In tests:
``with PrintBureauServer(data_dir=tmp_path, api_key="k") as bureau: bureau.url``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import sqlite3
import threading
import zipfile
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kilowatt.simulators._background import BackgroundServer

RETENTION_YEARS = 5
MAX_BODY_BYTES = 512 * 1024 * 1024  # a batch larger than this is refused (413)
MAX_DOCUMENTS = 10_000
COLUMNS = (
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
# A UK postcode (outward code, space optional, inward code), or GIR 0AA.
_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$")
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    idempotency_key TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL UNIQUE,
    body_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL,
    answer TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    token TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    address TEXT NOT NULL,
    postcode TEXT NOT NULL,
    page_count INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    pdf BLOB,
    printed_at TEXT NOT NULL,
    retain_until TEXT NOT NULL,
    purged_at TEXT
);
CREATE INDEX IF NOT EXISTS documents_retain_until ON documents (retain_until)
    WHERE purged_at IS NULL;
"""


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)


def years_after(moment: datetime.datetime, years: int) -> datetime.datetime:
    """Return the same instant ``years`` calendar years later (29 February -> 28)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def count_pages(pdf: bytes) -> int:
    """Return the number of page objects in a PDF (0 when they cannot be seen, as in a
    PDF whose objects are all in compressed object streams)."""
    return len(_PAGE.findall(pdf))


class BatchRefused(Exception):
    """The batch as a whole cannot be taken; nothing is kept."""

    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class Bureau:
    """The bureau's state and rules, apart from HTTP: one SQLite file in ``data_dir``."""

    def __init__(
        self,
        data_dir: Path | str,
        *,
        api_key: str,
        clock: Callable[[], datetime.datetime] = _utc_now,
        retention_years: int = RETENTION_YEARS,
    ) -> None:
        if not api_key:
            raise ValueError("the bureau needs an API key")
        self.path = Path(data_dir) / "print_bureau.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.api_key = api_key
        self.clock = clock
        self.retention_years = retention_years
        self._lock = threading.Lock()  # one batch at a time: the same key twice waits
        with self._connect() as connection:
            connection.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        return connection

    def authorised(self, key: str | None) -> bool:
        return key is not None and hmac.compare_digest(key.encode(), self.api_key.encode())

    # --- batches ---------------------------------------------------------------------

    def submit(self, *, idempotency_key: str, body: bytes) -> tuple[int, dict[str, Any], bool]:
        """Print a batch; return (HTTP status, answer, replayed).

        :raises BatchRefused: the batch as a whole is refused (bad key, not a ZIP, no or bad
            manifest, too many documents, the key reused with another body).
        """
        if not _KEY.match(idempotency_key):
            raise BatchRefused(
                HTTPStatus.BAD_REQUEST,
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 printable ASCII characters",
            )
        body_sha256 = hashlib.sha256(body).hexdigest()
        with self._lock:
            connection = self._connect()
            try:
                row = connection.execute(
                    "SELECT body_sha256, status, answer FROM batches WHERE idempotency_key = ?",
                    (idempotency_key,),
                ).fetchone()
                if row is not None:
                    if row[0] != body_sha256:
                        raise BatchRefused(
                            HTTPStatus.CONFLICT,
                            "idempotency_key_reused",
                            "this Idempotency-Key was used for a different batch",
                        )
                    return row[1], json.loads(row[2]), True
                rows = _read_batch(body)
                received_at = self.clock()
                answer, documents = self._print(rows, received_at=received_at)
                with connection:
                    connection.execute(
                        "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            idempotency_key,
                            answer["batch_id"],
                            body_sha256,
                            HTTPStatus.CREATED,
                            json.dumps(answer),
                            _iso(received_at),
                        ),
                    )
                    connection.executemany(
                        "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                        documents,
                    )
                return HTTPStatus.CREATED, answer, False
            finally:
                connection.close()

    def _print(
        self, rows: list[tuple[dict[str, str], bytes | None]], *, received_at: datetime.datetime
    ) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
        batch_id = "B" + secrets.token_hex(8).upper()
        retain_until = _iso(years_after(received_at, self.retention_years))
        seen: set[str] = set()
        answers: list[dict[str, Any]] = []
        documents: list[tuple[Any, ...]] = []
        for row, pdf in rows:
            number = row["invoice_number"].strip()
            problem = _problem(row, pdf, seen=seen)
            seen.add(number)
            if problem is not None:
                reason, message = problem
                answers.append(
                    {
                        "invoice_number": number,
                        "status": "REJECTED",
                        "reason": reason,
                        "message": message,
                    }
                )
                continue
            token = "arc_" + secrets.token_urlsafe(24)
            address = "\n".join(
                row[f"address_line_{n}"].strip() for n in range(1, 5) if row[f"address_line_{n}"]
            )
            documents.append(
                (
                    token,
                    batch_id,
                    number,
                    row["recipient_name"].strip(),
                    address,
                    row["postcode"].strip().upper(),
                    int(row["page_count"]),
                    row["sha256"].strip().lower(),
                    pdf,
                    _iso(received_at),
                    retain_until,
                )
            )
            answers.append(
                {
                    "invoice_number": number,
                    "status": "ACCEPTED",
                    "archive_token": token,
                    "retain_until": retain_until,
                }
            )
        accepted = sum(1 for answer in answers if answer["status"] == "ACCEPTED")
        return (
            {
                "batch_id": batch_id,
                "received_at": _iso(received_at),
                "accepted": accepted,
                "rejected": len(answers) - accepted,
                "documents": answers,
            },
            documents,
        )

    # --- the archive -----------------------------------------------------------------

    def document(self, token: str) -> tuple[HTTPStatus, dict[str, str], bytes | None]:
        """Return (status, headers, PDF) for an archive token, purging it if expired."""
        self.purge()
        connection = self._connect()
        try:
            row = connection.execute(
                "SELECT invoice_number, printed_at, retain_until, pdf, purged_at "
                "FROM documents WHERE token = ?",
                (token,),
            ).fetchone()
        finally:
            connection.close()
        if row is None:
            return HTTPStatus.NOT_FOUND, {}, None
        number, printed_at, retain_until, pdf, purged_at = row
        headers = {"X-Invoice-Number": number, "X-Printed-At": printed_at}
        headers["X-Retain-Until"] = retain_until
        if purged_at is not None or pdf is None:
            return HTTPStatus.GONE, headers, None
        return HTTPStatus.OK, headers, pdf

    def purge(self, *, as_at: datetime.datetime | None = None) -> int:
        """Purge every document whose retention has passed; return how many."""
        moment = _iso(as_at or self.clock())
        connection = self._connect()
        try:
            with connection:
                cursor = connection.execute(
                    "UPDATE documents SET pdf = NULL, purged_at = ? "
                    "WHERE purged_at IS NULL AND retain_until <= ?",
                    (moment, moment),
                )
            return cursor.rowcount
        finally:
            connection.close()

    def printed(self) -> list[str]:
        """Return the invoice numbers of every document printed, in printing order."""
        connection = self._connect()
        try:
            return [
                row[0]
                for row in connection.execute(
                    "SELECT invoice_number FROM documents ORDER BY rowid"
                ).fetchall()
            ]
        finally:
            connection.close()


def _read_batch(body: bytes) -> list[tuple[dict[str, str], bytes | None]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        raise BatchRefused(HTTPStatus.BAD_REQUEST, "not_a_zip", "the body is not a ZIP") from None
    with archive:
        names = {info.filename: info for info in archive.infolist()}
        if sum(info.file_size for info in names.values()) > MAX_BODY_BYTES:
            raise BatchRefused(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large", "the batch unpacks too large"
            )
        if "manifest.csv" not in names:
            raise BatchRefused(HTTPStatus.BAD_REQUEST, "no_manifest", "manifest.csv is missing")
        try:
            text = archive.read("manifest.csv").decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BatchRefused(
                HTTPStatus.BAD_REQUEST, "manifest_encoding", "manifest.csv is not UTF-8"
            ) from None
        reader = csv.DictReader(io.StringIO(text))
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise BatchRefused(
                HTTPStatus.BAD_REQUEST,
                "manifest_columns",
                f"manifest.csv lacks the columns {', '.join(missing)}",
            )
        rows = [{column: (row.get(column) or "") for column in COLUMNS} for row in reader]
        if not rows:
            raise BatchRefused(HTTPStatus.BAD_REQUEST, "empty_batch", "the manifest is empty")
        if len(rows) > MAX_DOCUMENTS:
            raise BatchRefused(
                HTTPStatus.BAD_REQUEST,
                "too_many_documents",
                f"a batch holds at most {MAX_DOCUMENTS} documents",
            )
        return [
            (row, archive.read(row["document"]) if row["document"] in names else None)
            for row in rows
        ]


def _problem(row: dict[str, str], pdf: bytes | None, *, seen: set[str]) -> tuple[str, str] | None:
    number = row["invoice_number"].strip()
    if not number:
        return "missing_invoice_number", "the row has no invoice number"
    if number in seen:
        return "duplicate_in_batch", "the invoice number is in the batch more than once"
    if not row["recipient_name"].strip():
        return "missing_name", "the recipient has no name"
    if not row["address_line_1"].strip():
        return "missing_address", "the address has no first line"
    postcode = row["postcode"].strip().upper()
    if not postcode:
        return "missing_postcode", "the address has no postcode"
    if not _POSTCODE.match(postcode):
        return "invalid_postcode", f"{postcode!r} is not a UK postcode"
    if pdf is None:
        return "missing_document", f"{row['document']!r} is not in the ZIP"
    if not pdf.startswith(b"%PDF-"):
        return "not_a_pdf", "the document is not a PDF"
    if hashlib.sha256(pdf).hexdigest() != row["sha256"].strip().lower():
        return "hash_mismatch", "the document's SHA-256 does not match the manifest"
    try:
        pages = int(row["page_count"])
    except ValueError:
        pages = 0
    if pages < 1:
        return "invalid_page_count", "the page count must be a whole number of at least 1"
    counted = count_pages(pdf)
    if counted and counted != pages:
        return "page_count_mismatch", f"the manifest says {pages} pages, the PDF has {counted}"
    return None


# --- HTTP ------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "PrintBureauSimulator/1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, answer: dict[str, Any], headers: dict[str, str] | None = None):
        self._send(status, json.dumps(answer).encode(), "application/json", headers)

    def _error(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        self._json(status, {"error": {"code": code, "message": message}}, headers)

    def _authorised(self) -> bool:
        if self.server.bureau.authorised(self.headers.get("X-API-Key")):
            return True
        self._error(HTTPStatus.UNAUTHORIZED, "unauthorised", "a valid X-API-Key is needed")
        return False

    def do_GET(self) -> None:
        if self.path == "/v1/health":
            self._json(HTTPStatus.OK, {"status": "ok"})
            return
        if not self._authorised():
            return
        match = re.fullmatch(r"/v1/archive/([A-Za-z0-9_\-]{1,64})", self.path)
        if match is None:
            self._error(HTTPStatus.NOT_FOUND, "not_found", "no such resource")
            return
        status, headers, pdf = self.server.bureau.document(match.group(1))
        if status == HTTPStatus.OK and pdf is not None:
            self._send(status, pdf, "application/pdf", headers)
        elif status == HTTPStatus.GONE:
            self._error(status, "purged", "the retention has passed: the document is purged")
        else:
            self._error(status, "not_found", "no document has this archive token")

    def do_POST(self) -> None:
        if self.path != "/v1/batches":
            self._discard_body()
            self._error(HTTPStatus.NOT_FOUND, "not_found", "no such resource")
            return
        if not self._authorised():
            self._discard_body()
            return
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.isdigit():
            self.close_connection = True
            self._error(HTTPStatus.LENGTH_REQUIRED, "length_required", "Content-Length needed")
            return
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large", "the batch is too large")
            return
        body = self.rfile.read(length)
        key = self.headers.get("Idempotency-Key")
        if key is None:
            self._error(
                HTTPStatus.BAD_REQUEST, "idempotency_key_required", "Idempotency-Key is needed"
            )
            return
        try:
            status, answer, replayed = self.server.bureau.submit(idempotency_key=key, body=body)
        except BatchRefused as refusal:
            self._error(refusal.status, refusal.code, refusal.message)
            return
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        self._json(status, answer, headers)

    def _discard_body(self) -> None:
        length = self.headers.get("Content-Length", "0")
        if length.isdigit() and int(length) <= MAX_BODY_BYTES:
            self.rfile.read(int(length))
        else:
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    bureau: Bureau
    verbose: bool


class PrintBureauServer(BackgroundServer):
    """The bureau on ``127.0.0.1:port`` (0: a free port) in a background thread."""

    thread_name = "print-bureau"

    def __init__(
        self,
        *,
        data_dir: Path | str,
        api_key: str,
        port: int = 0,
        host: str = "127.0.0.1",
        clock: Callable[[], datetime.datetime] = _utc_now,
        verbose: bool = False,
    ) -> None:
        self.bureau = Bureau(data_dir, api_key=api_key, clock=clock)
        server = _Server((host, port), _Handler)
        server.bureau = self.bureau
        server.verbose = verbose
        super().__init__(server)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m kilowatt.simulators.print_bureau",
        description="A print-and-post bureau's web service (simulated) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data", required=True, metavar="DIR", help="where the state is kept")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("PRINT_BUREAU_API_KEY", ""),
        help="the key clients must send as X-API-Key (default: $PRINT_BUREAU_API_KEY)",
    )
    arguments = parser.parse_args(argv)
    if not arguments.api_key:
        parser.error("give --api-key or set PRINT_BUREAU_API_KEY")
    server = PrintBureauServer(
        data_dir=arguments.data,
        api_key=arguments.api_key,
        port=arguments.port,
        host=arguments.host,
        verbose=True,
    )
    print(f"print bureau on {server.url}, state in {server.bureau.path}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
