"""Paper invoices go to the print bureau (the simulator, over HTTP on 127.0.0.1) once their
month is over; the tokens it answers are recorded; the archive answers by token until its
retention ends; our own copies go after five years. A run that dies between the bureau's
answer and the recording is sent again with the same key and prints nothing twice."""

from __future__ import annotations

import datetime
import hashlib
import io
import socket

import pytest
from django.core.management import CommandError, call_command

from kilowatt.accounts import models as account_models
from kilowatt.accounts import operations as account_operations
from kilowatt.billing import models, queries
from kilowatt.billing import operations as billing_operations
from kilowatt.identity.domain.roles import Role
from kilowatt.integrations import operations
from kilowatt.platform import clock as platform_clock
from kilowatt.platform.errors import InvalidInput, NotFound
from kilowatt.platform.models import AuditEntry
from kilowatt.simulators.print_bureau import PrintBureauServer
from tests.factories import book
from tests.unit.integrations.test_print_bureau import tiny_pdf

pytestmark = pytest.mark.django_db
KEY = "bureau-key"
OCTOBER = datetime.date(2026, 10, 1)
AS_AT = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
_numbers = iter(range(1, 10_000))


class Clock:
    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now


@pytest.fixture
def bureau_clock() -> Clock:
    return Clock(AS_AT)


@pytest.fixture
def bureau(tmp_path, bureau_clock):
    with PrintBureauServer(data_dir=tmp_path / "bureau", api_key=KEY, clock=bureau_clock) as server:
        yield server


@pytest.fixture
def accounts():
    """Two paper accounts of one home customer: one supplying a site, one supplying none
    (so it has no address to post to)."""
    billing = book.principal(Role.BILLING)
    book.price_list(by=billing, region="13")
    home = book.home(by=book.principal(Role.AGENT), setup=book.principal(Role.SYSADMIN))
    bare = account_operations.create_account(
        by=billing,
        customer_number=home.number,
        payment_method="DIRECT_DEBIT",
        bill_delivery="PAPER",
        as_at=book.AS_AT,
    )
    supplied = account_models.Account.objects.get(number=home.account)
    return {"supplied": supplied.id, "bare": bare.id, "postcode": home.sites[0].postcode}


def invoice(
    account_id: int,
    *,
    issued_at: datetime.datetime,
    delivery: str = "PAPER",
    status: str = "ISSUED",
    pdf: bytes | None = b"",
    **fields,
) -> models.Invoice:
    """Save an issued invoice (and its document, unless ``pdf`` is None)."""
    n = next(_numbers)
    row = models.Invoice.objects.create(
        number=None if status in ("DRAFT", "HELD") else f"KWE{n:07d}",
        series="KWE",
        account_id=account_id,
        kind="INVOICE",
        status=status,
        period_start=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
        period_end=datetime.date(2026, 2, 1) + datetime.timedelta(days=n),
        bill_date=issued_at.date(),
        net_pence=1000,
        ccl_pence=0,
        vat_pence=50,
        total_pence=1050,
        delivery=delivery,
        created_at=issued_at,
        issued_at=None if status in ("DRAFT", "HELD") else issued_at,
        **fields,
    )
    if pdf is not None:
        content = pdf or tiny_pdf(f"Invoice {row.number}")
        models.InvoicePdf.objects.create(
            invoice=row,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            rendered_at=issued_at,
            renderer="test",
        )
    return row


def october(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 10, day, 12, tzinfo=datetime.UTC)


def send(bureau, **overrides) -> operations.PrintRun:
    arguments = {"month": OCTOBER, "as_at": AS_AT, "url": bureau.url, "api_key": KEY}
    return operations.send_paper_invoices(**{**arguments, **overrides})


def token_of(row: models.Invoice) -> str | None:
    row.refresh_from_db()
    return row.archive_token


class TestWhatIsPrinted:
    def test_the_months_issued_paper_invoices_with_name_and_address(self, accounts):
        first = invoice(accounts["supplied"], issued_at=october(3))
        credited = invoice(accounts["supplied"], issued_at=october(20), status="CREDITED")
        invoice(accounts["supplied"], issued_at=october(4), delivery="EMAIL")
        invoice(accounts["supplied"], issued_at=october(5), status="DRAFT")
        invoice(accounts["supplied"], issued_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
        invoice(accounts["supplied"], issued_at=october(6), archive_token="arc_done")
        items = queries.paper_invoices_to_print(
            issued_before=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC), limit=10
        )
        assert [item.number for item in items] == [first.number, credited.number]
        assert items[0].recipient_name == "Ms Ada Lovelace"
        assert items[0].address_lines[1:] == ("Town",)
        assert items[0].address_lines[0].endswith("Volta Street")
        assert items[0].postcode == accounts["postcode"]
        assert items[0].pdf is not None and items[0].pdf.startswith(b"%PDF-")
        assert items[0].pdf_sha256 == hashlib.sha256(items[0].pdf).hexdigest()

    def test_an_account_supplying_no_site_has_no_address(self, accounts):
        invoice(accounts["bare"], issued_at=october(3))
        (item,) = queries.paper_invoices_to_print(issued_before=AS_AT, limit=10)
        assert (item.recipient_name, item.address_lines, item.postcode) == (
            "Ms Ada Lovelace",
            (),
            "",
        )

    def test_a_few_queries_whatever_the_batch(self, accounts, django_assert_max_num_queries):
        for day in range(1, 21):
            invoice(accounts["supplied" if day % 2 else "bare"], issued_at=october(day))
        with django_assert_max_num_queries(9):
            items = queries.paper_invoices_to_print(issued_before=AS_AT, limit=100)
        assert len(items) == 20

    def test_a_document_not_rendered_yet_is_rendered_for_the_print_run(self, accounts):
        row = invoice(accounts["supplied"], issued_at=october(3), pdf=None)
        (item,) = billing_operations.documents_to_print(issued_before=AS_AT, limit=10, as_at=AS_AT)
        assert item.number == row.number
        assert item.pdf is not None and item.pdf.startswith(b"%PDF-")
        assert models.InvoicePdf.objects.filter(invoice=row).exists()


class TestSending:
    def test_records_each_token_and_the_archive_serves_the_document(self, accounts, bureau):
        rows = [invoice(accounts["supplied"], issued_at=october(day)) for day in (3, 9, 31)]
        run = send(bureau)
        assert (run.sent, run.accepted, run.recorded, len(run.batches)) == (3, 3, 3, 1)
        assert not run.batches[0].replayed
        assert bureau.bureau.printed() == [row.number for row in rows]
        for row in rows:
            token = token_of(row)
            assert token is not None and token.startswith("arc_")
            assert row.sent_to_print_at == AS_AT
            kept = models.InvoicePdf.objects.get(invoice=row).content
            assert operations.fetch_archived_invoice(
                token=token, url=bureau.url, api_key=KEY
            ) == bytes(kept)
        entry = AuditEntry.objects.get(entity="invoice", entity_id=rows[0].number)
        assert (entry.action, entry.trail) == ("UPDATED", f"account:{accounts['supplied']}")

    def test_sent_again_sends_nothing(self, accounts, bureau):
        invoice(accounts["supplied"], issued_at=october(3))
        send(bureau)
        again = send(bureau)
        assert again.batches == ()
        assert len(bureau.bureau.printed()) == 1

    def test_an_invoice_without_an_address_is_refused_and_keeps_no_token(self, accounts, bureau):
        good = invoice(accounts["supplied"], issued_at=october(3))
        homeless = invoice(accounts["bare"], issued_at=october(4))
        run = send(bureau)
        assert run.accepted == 1
        (rejection,) = run.rejections
        assert (rejection.invoice_number, rejection.reason) == (homeless.number, "missing_address")
        assert token_of(good) is not None and token_of(homeless) is None
        # Sent again (its address still missing): a batch of its own, refused again.
        again = send(bureau)
        assert [r.invoice_number for r in again.rejections] == [homeless.number]
        assert again.batches[0].idempotency_key != run.batches[0].idempotency_key
        assert bureau.bureau.printed() == [good.number]

    def test_a_crash_before_the_tokens_are_recorded_prints_nothing_twice(
        self, accounts, bureau, monkeypatch
    ):
        rows = [invoice(accounts["supplied"], issued_at=october(day)) for day in (3, 4)]

        def crash(**kwargs):
            raise RuntimeError("the process died")

        recorded = billing_operations.record_print_tokens
        monkeypatch.setattr(billing_operations, "record_print_tokens", crash)
        with pytest.raises(RuntimeError):
            send(bureau)
        assert [token_of(row) for row in rows] == [None, None]
        monkeypatch.setattr(billing_operations, "record_print_tokens", recorded)
        run = send(bureau)
        assert run.batches[0].replayed and run.recorded == 2
        assert bureau.bureau.printed() == [row.number for row in rows]

    def test_slices_stay_the_same_batches_after_a_crash_part_way(
        self, accounts, bureau, monkeypatch
    ):
        homeless = invoice(accounts["bare"], issued_at=october(1))
        rows = [invoice(accounts["supplied"], issued_at=october(day)) for day in (2, 3, 4, 5)]
        recorded = billing_operations.record_print_tokens
        calls = []

        def crash_on_the_second(**kwargs):
            calls.append(kwargs)
            if len(calls) == 2:
                raise RuntimeError("the process died")
            return recorded(**kwargs)

        monkeypatch.setattr(billing_operations, "record_print_tokens", crash_on_the_second)
        with pytest.raises(RuntimeError):
            send(bureau, batch_size=2)
        monkeypatch.setattr(billing_operations, "record_print_tokens", recorded)
        run = send(bureau, batch_size=2)
        # The first slice again holds only the refused invoice (a new batch); the second
        # slice is the batch that was sent and not recorded: the same key, the first answer.
        assert [batch.replayed for batch in run.batches] == [False, True, False]
        assert bureau.bureau.printed() == [row.number for row in rows]
        assert [token_of(row) is not None for row in rows] == [True] * 4
        assert token_of(homeless) is None

    def test_a_month_not_over_is_not_sent(self, accounts, bureau):
        with pytest.raises(InvalidInput) as refused:
            send(bureau, month=datetime.date(2026, 11, 1))
        assert refused.value.problems[0].rule == "month_not_over"

    def test_a_bureau_that_refuses_or_is_not_there_stops_the_run(self, accounts, bureau):
        row = invoice(accounts["supplied"], issued_at=october(3))
        with pytest.raises(operations.PrintBureauError) as refused:
            send(bureau, api_key="wrong")
        assert (refused.value.status, refused.value.code) == (401, "unauthorised")
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]
        with pytest.raises(operations.PrintBureauError) as unreachable:
            send(bureau, url=f"http://127.0.0.1:{port}")
        assert unreachable.value.status is None
        assert token_of(row) is None and bureau.bureau.printed() == []


class TestTheArchive:
    def test_unknown_then_purged(self, accounts, bureau, bureau_clock):
        row = invoice(accounts["supplied"], issued_at=october(3))
        send(bureau)
        with pytest.raises(NotFound):
            operations.fetch_archived_invoice(token="arc_unknown", url=bureau.url, api_key=KEY)
        bureau_clock.now = datetime.datetime(2031, 11, 2, 9, 0, tzinfo=datetime.UTC)
        with pytest.raises(operations.ArchivePurged):
            operations.fetch_archived_invoice(token=token_of(row), url=bureau.url, api_key=KEY)


class TestRecordingTokens:
    def test_the_same_tokens_twice_change_nothing(self, accounts):
        row = invoice(accounts["supplied"], issued_at=october(3))
        tokens = {row.number: "arc_one"}
        assert billing_operations.record_print_tokens(tokens=tokens, sent_at=AS_AT) == 1
        later = AS_AT + datetime.timedelta(days=1)
        assert billing_operations.record_print_tokens(tokens=tokens, sent_at=later) == 0
        row.refresh_from_db()
        assert (row.archive_token, row.sent_to_print_at) == ("arc_one", AS_AT)

    def test_refuses_another_token_a_taken_token_or_no_paper_invoice(self, accounts):
        row = invoice(accounts["supplied"], issued_at=october(3))
        other = invoice(accounts["supplied"], issued_at=october(4))
        email = invoice(accounts["supplied"], issued_at=october(5), delivery="EMAIL")
        billing_operations.record_print_tokens(tokens={row.number: "arc_one"}, sent_at=AS_AT)
        cases = [
            ({row.number: "arc_two"}, "token_differs"),
            ({other.number: "arc_one"}, "token_taken"),
            ({email.number: "arc_three"}, "not_a_paper_invoice"),
            ({"KWE9999999": "arc_four"}, "not_a_paper_invoice"),
        ]
        for tokens, rule in cases:
            with pytest.raises(InvalidInput) as refused:
                billing_operations.record_print_tokens(tokens=tokens, sent_at=AS_AT)
            assert refused.value.problems[0].rule == rule
        assert token_of(other) is None and token_of(email) is None


class TestPurgingOurCopies:
    def test_documents_go_five_years_after_printing_the_invoice_and_token_stay(self, accounts):
        as_at = datetime.datetime(2031, 10, 16, 12, tzinfo=datetime.UTC)
        old = invoice(
            accounts["supplied"],
            issued_at=october(1),
            archive_token="arc_old",
            sent_to_print_at=october(15),
        )
        young = invoice(
            accounts["supplied"],
            issued_at=october(2),
            archive_token="arc_young",
            sent_to_print_at=october(17),
        )
        emailed = invoice(accounts["supplied"], issued_at=october(14), delivery="EMAIL")
        assert billing_operations.purge_expired_invoice_documents(as_at=as_at) == 2
        assert list(models.InvoicePdf.objects.values_list("invoice_id", flat=True)) == [young.id]
        assert token_of(old) == "arc_old" and models.Invoice.objects.filter(id=emailed.id).exists()
        assert billing_operations.purge_expired_invoice_documents(as_at=as_at) == 0


class TestTheCommand:
    def test_send_fetch_and_purge(self, accounts, bureau, monkeypatch, tmp_path):
        monkeypatch.setattr(platform_clock, "now", lambda: AS_AT)
        row = invoice(accounts["supplied"], issued_at=october(3))
        homeless = invoice(accounts["bare"], issued_at=october(4))
        out = io.StringIO()
        call_command(
            "print", "send", "--month", "2026-10", "--url", bureau.url, "--api-key", KEY, stdout=out
        )
        text = out.getvalue()
        assert f"{homeless.number} refused, missing_address" in text
        assert "2026-10: 2 paper invoices sent in 1 batches, 1 accepted, 1 refused" in text
        target = tmp_path / "copy.pdf"
        call_command(
            "print",
            "fetch",
            token_of(row),
            "--out",
            str(target),
            "--url",
            bureau.url,
            "--api-key",
            KEY,
            stdout=io.StringIO(),
        )
        assert target.read_bytes() == bytes(models.InvoicePdf.objects.get(invoice=row).content)
        out = io.StringIO()
        call_command("print", "purge", stdout=out)
        assert out.getvalue().startswith("0 invoice documents")

    def test_errors_are_one_line(self, accounts, bureau, monkeypatch):
        monkeypatch.setattr(platform_clock, "now", lambda: AS_AT)
        with pytest.raises(CommandError, match="not a month"):
            call_command("print", "send", "--month", "October")
        with pytest.raises(CommandError, match="is not over"):
            call_command("print", "send", "--month", "2026-11", "--url", bureau.url)
        with pytest.raises(CommandError, match="archived invoice arc_nope"):
            call_command(
                "print",
                "fetch",
                "arc_nope",
                "--out",
                "x.pdf",
                "--url",
                bureau.url,
                "--api-key",
                KEY,
            )
