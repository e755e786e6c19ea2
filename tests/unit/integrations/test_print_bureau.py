"""The print bureau simulator's rules and protocol, and the client's batch file: what is
printed, what is refused and why, the same batch twice, the archive and its retention,
a restart; the ZIP and manifest the client writes, and its idempotency key."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import urllib.error
import urllib.request
import zipfile

import pytest

from kilowatt.billing.queries import PrintItem
from kilowatt.integrations.operations import _print_bureau as client
from kilowatt.simulators import print_bureau
from kilowatt.simulators.print_bureau import BatchRefused, Bureau, PrintBureauServer

KEY = "test-key"
PRINTED = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def tiny_pdf(text: str, *, pages: int = 1) -> bytes:
    """Return a small, valid PDF of ``pages`` pages (written by hand: no PDF library)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{3 + n} 0 R".encode() for n in range(pages))
        + f"] /Count {pages} >>".encode(),
    ]
    content = 3 + pages
    objects += [
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R >>".encode()
        for _ in range(pages)
    ]
    stream = f"BT /F1 12 Tf 72 770 Td ({text}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def item(number: str, **changes) -> PrintItem:
    pdf = changes.pop("pdf", tiny_pdf(f"Invoice {number}"))
    values = {
        "invoice_id": int(number[-3:]),
        "number": number,
        "kind": "INVOICE",
        "issued_at": PRINTED,
        "recipient_name": "Ms Ada Lovelace",
        "address_lines": ("1 Volta Street", "Town"),
        "postcode": "L1 8JQ",
        "pdf": pdf,
        "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
    }
    return PrintItem(**{**values, **changes})


def manifest_of(batch: bytes) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(batch)) as archive:
        return list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))


def with_manifest(batch: bytes, change) -> bytes:
    """Return the batch with its manifest rows passed through ``change``."""
    rows = [change(row) for row in manifest_of(batch)]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=client.MANIFEST_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(batch)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for name in source.namelist():
            target.writestr(name, text.getvalue() if name == "manifest.csv" else source.read(name))
    return out.getvalue()


class Clock:
    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(PRINTED)


@pytest.fixture
def bureau(tmp_path, clock) -> Bureau:
    return Bureau(tmp_path, api_key=KEY, clock=clock)


class TestTheBatchFile:
    def test_a_zip_of_a_manifest_and_one_pdf_an_invoice(self):
        items = [item("KWE0000001"), item("KWE0000002", address_lines=("a", "b", "c", "d", "e"))]
        batch = client.build_batch(items)
        with zipfile.ZipFile(io.BytesIO(batch)) as archive:
            assert archive.namelist() == ["manifest.csv", "KWE0000001.pdf", "KWE0000002.pdf"]
            assert archive.read("KWE0000001.pdf") == items[0].pdf
        first, second = manifest_of(batch)
        assert first == {
            "invoice_number": "KWE0000001",
            "recipient_name": "Ms Ada Lovelace",
            "address_line_1": "1 Volta Street",
            "address_line_2": "Town",
            "address_line_3": "",
            "address_line_4": "",
            "postcode": "L1 8JQ",
            "page_count": "1",
            "document": "KWE0000001.pdf",
            "sha256": hashlib.sha256(items[0].pdf or b"").hexdigest(),
        }
        assert second["address_line_4"] == "d, e"

    def test_the_same_invoices_make_the_same_bytes(self):
        assert client.build_batch([item("KWE0000001")]) == client.build_batch([item("KWE0000001")])

    def test_pages_are_counted_from_the_page_objects(self):
        assert client.page_count(tiny_pdf("x", pages=3)) == 3
        assert print_bureau.count_pages(tiny_pdf("x", pages=3)) == 3
        assert client.page_count(b"%PDF-1.7 compressed") == 1

    def test_the_key_names_the_month_and_changes_with_the_invoices(self):
        month = datetime.date(2026, 11, 1)
        key = client.batch_key(month=month, numbers=["KWE0000001", "KWE0000002"])
        assert key.startswith("kilowatt-print-2026-11-")
        assert key == client.batch_key(month=month, numbers=["KWE0000001", "KWE0000002"])
        assert key != client.batch_key(month=month, numbers=["KWE0000001"])
        assert key != client.batch_key(
            month=datetime.date(2026, 12, 1), numbers=["KWE0000001", "KWE0000002"]
        )


class TestPrinting:
    def test_each_invoice_gets_an_archive_token(self, bureau):
        status, answer, replayed = bureau.submit(
            idempotency_key="k1", body=client.build_batch([item("KWE0000001"), item("KWE0000002")])
        )
        assert (status, replayed) == (201, False)
        assert (answer["accepted"], answer["rejected"]) == (2, 0)
        tokens = [document["archive_token"] for document in answer["documents"]]
        assert len(set(tokens)) == 2 and all(token.startswith("arc_") for token in tokens)
        assert answer["documents"][0]["retain_until"] == "2031-12-01T09:00:00Z"
        assert bureau.printed() == ["KWE0000001", "KWE0000002"]

    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            ({"postcode": ""}, "missing_postcode"),
            ({"postcode": "NOT A CODE"}, "invalid_postcode"),
            ({"address_line_1": ""}, "missing_address"),
            ({"recipient_name": " "}, "missing_name"),
            ({"sha256": "0" * 64}, "hash_mismatch"),
            ({"page_count": "2"}, "page_count_mismatch"),
            ({"page_count": "none"}, "invalid_page_count"),
            ({"document": "elsewhere.pdf"}, "missing_document"),
        ],
    )
    def test_an_invoice_is_refused_on_its_own_with_a_reason(self, bureau, change, reason):
        batch = with_manifest(
            client.build_batch([item("KWE0000001"), item("KWE0000002")]),
            lambda row: {**row, **change} if row["invoice_number"] == "KWE0000002" else row,
        )
        _status, answer, _ = bureau.submit(idempotency_key="k1", body=batch)
        first, second = answer["documents"]
        assert first["status"] == "ACCEPTED"
        assert second["status"] == "REJECTED" and second["reason"] == reason
        assert second["message"] and "archive_token" not in second
        assert bureau.printed() == ["KWE0000001"]

    def test_a_document_that_is_no_pdf_is_refused(self, bureau):
        not_pdf = b"<html>an invoice</html>"
        _status, answer, _ = bureau.submit(
            idempotency_key="k1", body=client.build_batch([item("KWE0000001", pdf=not_pdf)])
        )
        assert answer["documents"][0]["reason"] == "not_a_pdf"

    @pytest.mark.filterwarnings("ignore:Duplicate name")
    def test_an_invoice_twice_in_a_batch_is_printed_once(self, bureau):
        _status, answer, _ = bureau.submit(
            idempotency_key="k1", body=client.build_batch([item("KWE0000001")] * 2)
        )
        assert [document["status"] for document in answer["documents"]] == [
            "ACCEPTED",
            "REJECTED",
        ]
        assert answer["documents"][1]["reason"] == "duplicate_in_batch"

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            (b"not a zip", "not_a_zip"),
            (b"", "not_a_zip"),
        ],
    )
    def test_a_body_that_is_no_zip_is_refused_whole(self, bureau, body, code):
        with pytest.raises(BatchRefused) as refused:
            bureau.submit(idempotency_key="k1", body=body)
        assert (refused.value.status, refused.value.code) == (400, code)
        assert bureau.printed() == []

    def test_a_zip_without_a_manifest_or_its_columns_is_refused_whole(self, bureau):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("KWE0000001.pdf", tiny_pdf("x"))
        with pytest.raises(BatchRefused) as refused:
            bureau.submit(idempotency_key="k1", body=out.getvalue())
        assert refused.value.code == "no_manifest"
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("manifest.csv", "invoice_number,postcode\r\nKWE0000001,L1 8JQ\r\n")
        with pytest.raises(BatchRefused) as refused:
            bureau.submit(idempotency_key="k1", body=out.getvalue())
        assert refused.value.code == "manifest_columns"
        assert "recipient_name" in refused.value.message


class TestTheSameBatchTwice:
    def test_answers_the_first_answer_and_prints_nothing_again(self, bureau, clock):
        batch = client.build_batch([item("KWE0000001"), item("KWE0000002", postcode="")])
        first = bureau.submit(idempotency_key="k1", body=batch)
        clock.now += datetime.timedelta(hours=1)
        again = bureau.submit(idempotency_key="k1", body=batch)
        assert again == (first[0], first[1], True)
        assert bureau.printed() == ["KWE0000001"]

    def test_the_key_with_another_batch_is_a_conflict(self, bureau):
        bureau.submit(idempotency_key="k1", body=client.build_batch([item("KWE0000001")]))
        with pytest.raises(BatchRefused) as refused:
            bureau.submit(idempotency_key="k1", body=client.build_batch([item("KWE0000002")]))
        assert (refused.value.status, refused.value.code) == (409, "idempotency_key_reused")
        assert bureau.printed() == ["KWE0000001"]

    def test_a_restart_forgets_nothing(self, bureau, tmp_path, clock):
        batch = client.build_batch([item("KWE0000001")])
        first = bureau.submit(idempotency_key="k1", body=batch)
        token = first[1]["documents"][0]["archive_token"]
        restarted = Bureau(tmp_path, api_key=KEY, clock=clock)
        assert restarted.submit(idempotency_key="k1", body=batch) == (first[0], first[1], True)
        assert restarted.document(token)[0] == 200
        assert restarted.printed() == ["KWE0000001"]


class TestTheArchive:
    def test_keeps_the_document_five_years_then_purges_it(self, bureau, clock):
        pdf = tiny_pdf("kept")
        _status, answer, _ = bureau.submit(
            idempotency_key="k1", body=client.build_batch([item("KWE0000001", pdf=pdf)])
        )
        token = answer["documents"][0]["archive_token"]
        clock.now = datetime.datetime(2031, 12, 1, 8, 59, 59, tzinfo=datetime.UTC)
        status, headers, content = bureau.document(token)
        assert (status, content) == (200, pdf)
        assert headers["X-Invoice-Number"] == "KWE0000001"
        assert headers["X-Retain-Until"] == "2031-12-01T09:00:00Z"
        clock.now = datetime.datetime(2031, 12, 1, 9, 0, tzinfo=datetime.UTC)
        assert bureau.document(token)[0] == 410
        assert bureau.document("arc_never_given")[0] == 404

    def test_the_purge_drops_the_bytes_only_of_expired_documents(self, bureau, clock):
        bureau.submit(idempotency_key="k1", body=client.build_batch([item("KWE0000001")]))
        clock.now = datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC)
        bureau.submit(idempotency_key="k2", body=client.build_batch([item("KWE0000002")]))
        assert bureau.purge(as_at=datetime.datetime(2032, 1, 1, tzinfo=datetime.UTC)) == 1
        assert bureau.purge(as_at=datetime.datetime(2032, 1, 1, tzinfo=datetime.UTC)) == 0

    def test_a_leap_day_is_kept_until_the_28th(self):
        leap = datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC)
        assert print_bureau.years_after(leap, 5) == datetime.datetime(
            2033, 2, 28, 12, tzinfo=datetime.UTC
        )


class TestOverHttp:
    @pytest.fixture
    def server(self, tmp_path, clock):
        with PrintBureauServer(data_dir=tmp_path, api_key=KEY, clock=clock) as server:
            yield server

    def call(self, server, path, *, key=KEY, body=None, headers=None):
        request = urllib.request.Request(
            server.url + path,
            data=body,
            method="POST" if body is not None else "GET",
            headers={**({"X-API-Key": key} if key else {}), **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def test_listens_on_the_loopback_and_answers_health_without_a_key(self, server):
        assert server.url.startswith("http://127.0.0.1:")
        assert self.call(server, "/v1/health", key=None)[0] == 200

    def test_a_missing_or_wrong_key_is_refused(self, server):
        batch = client.build_batch([item("KWE0000001")])
        for key in (None, "wrong"):
            status, _headers, body = self.call(
                server, "/v1/batches", key=key, body=batch, headers={"Idempotency-Key": "k1"}
            )
            assert status == 401
            assert json.loads(body)["error"]["code"] == "unauthorised"
            assert self.call(server, "/v1/archive/arc_x", key=key)[0] == 401
        assert server.bureau.printed() == []

    def test_a_batch_needs_an_idempotency_key(self, server):
        status, _headers, body = self.call(
            server, "/v1/batches", body=client.build_batch([item("KWE0000001")])
        )
        assert (status, json.loads(body)["error"]["code"]) == (400, "idempotency_key_required")

    def test_prints_replays_and_serves_the_archive(self, server, clock):
        pdf = tiny_pdf("over http")
        batch = client.build_batch([item("KWE0000001", pdf=pdf)])
        headers = {"Idempotency-Key": "k1", "Content-Type": "application/zip"}
        status, first_headers, first = self.call(server, "/v1/batches", body=batch, headers=headers)
        assert status == 201 and first_headers.get("Idempotent-Replayed") is None
        status, again_headers, again = self.call(server, "/v1/batches", body=batch, headers=headers)
        assert (status, again, again_headers["Idempotent-Replayed"]) == (201, first, "true")
        token = json.loads(first)["documents"][0]["archive_token"]
        status, archive_headers, content = self.call(server, f"/v1/archive/{token}")
        assert (status, content) == (200, pdf)
        assert archive_headers["Content-Type"] == "application/pdf"
        clock.now = datetime.datetime(2032, 1, 1, tzinfo=datetime.UTC)
        status, _headers, body = self.call(server, f"/v1/archive/{token}")
        assert (status, json.loads(body)["error"]["code"]) == (410, "purged")
        assert self.call(server, "/v1/archive/arc_unknown")[0] == 404
