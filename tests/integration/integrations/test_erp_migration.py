"""Migration from the legacy ERP through its SOAP service: the real simulator on
127.0.0.1 in a thread, zeep as the client, the real database."""

from __future__ import annotations

import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from kilowatt.accounts import models as account_models
from kilowatt.billing import models as billing_models
from kilowatt.customers import models as customer_models
from kilowatt.demo import operations as demo_operations
from kilowatt.integrations import models, operations
from kilowatt.ledger import models as ledger_models
from kilowatt.ledger import queries as ledger_queries
from kilowatt.metering import models as metering_models
from kilowatt.properties import models as property_models
from kilowatt.simulators import legacy_erp

pytestmark = pytest.mark.django_db
AS_AT = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
CUSTOMERS = 120
PAGE = 25  # five pages


@pytest.fixture
def erp():
    server = legacy_erp.make_server(customers=CUSTOMERS, seed=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def catalogue(db):
    """Our tariffs, which the ERP's customers are carried on to."""
    demo_operations.seed_book(customers=0, seed=1, today=AS_AT.date(), as_at=AS_AT)


def migrate(server, **options) -> operations.MigrationReport:
    return operations.migrate_from_erp(url=server.url, as_at=AS_AT, page_size=PAGE, **options)


def book() -> dict[str, int]:
    """How much of everything we hold."""
    return {
        "customers": customer_models.Customer.objects.count(),
        "accounts": account_models.Account.objects.count(),
        "agreements": account_models.Agreement.objects.count(),
        "sites": property_models.Site.objects.count(),
        "meter_points": metering_models.MeterPoint.objects.count(),
        "meters": metering_models.Meter.objects.count(),
        "registers": metering_models.Register.objects.count(),
        "invoices": billing_models.Invoice.objects.count(),
        "invoice_lines": billing_models.InvoiceLine.objects.count(),
        "transactions": ledger_models.Transaction.objects.count(),
        "lines": ledger_models.Line.objects.count(),
        "records": models.MigratedRecord.objects.count(),
    }


def reasons(report: operations.MigrationReport) -> set[tuple[str, str]]:
    return {(reason.field, reason.rule) for r in report.rejects for reason in r.reasons}


def test_a_full_import_reconciles_with_the_erp(erp):
    report = migrate(erp)

    assert report.finished and report.pages == 5
    assert report.agrees, report.lines
    totals = erp.book.totals()
    by_measure = {line.measure: line for line in report.lines}
    assert by_measure["customers"].erp == totals["customers"] == CUSTOMERS
    assert by_measure["customers"].ours == report.imported == CUSTOMERS - report.rejected
    assert by_measure["open invoices"].erp == totals["openInvoices"]
    held = book()
    assert held["customers"] == report.imported
    assert held["accounts"] == by_measure["accounts"].ours
    assert held["meter_points"] == by_measure["meter points"].ours == held["agreements"]
    assert held["invoices"] == by_measure["open invoices"].ours
    # Every quirk the ERP has that a migration must refuse is reported by field and rule.
    assert {
        ("site.postcode", "postcode_format"),
        ("meter_point.mpan", "mpan_check_digit"),
        ("meter_point.mprn", "mprn_check_digits"),
        ("meter_point.tariff_code", "tariff_unknown"),
    } <= reasons(report)
    refused = {r.legacy_customer_id for r in report.rejects}
    assert "C100013" in refused  # its postcode is "TBC"
    assert not models.MigratedRecord.objects.filter(legacy_id__in=refused).exists()
    # The run keeps its reconciliation.
    run = models.MigrationRun.objects.get(pk=report.run_id)
    assert run.finished_at == AS_AT and run.report["agrees"] is True
    assert run.customers_imported == report.imported


def test_balances_go_to_the_ledger_once_and_invoices_are_not_posted_again(erp):
    migrate(erp)

    # C100001's account carries a credit of 123.45 in the ERP.
    record = models.MigratedRecord.objects.get(kind="ACCOUNT", legacy_id="A2000002")
    assert ledger_queries.balance_for_account(holder=record.our_id) == -12345
    posting = ledger_models.Transaction.objects.get(reference="erp:balance:A2000002")
    assert posting.kind == "OPENING_BALANCE" and posting.effective_date == datetime.date(
        2026, 11, 1
    )
    # Only opening balances were posted, and they balance against the MIGRATION ledger.
    assert set(ledger_models.Transaction.objects.values_list("kind", flat=True)) == {
        "OPENING_BALANCE"
    }
    sums = dict(
        ledger_models.Line.objects.values("ledger")
        .annotate(total=Sum("amount_pence"))
        .values_list("ledger", "total")
    )
    assert sums["RECEIVABLE"] == -sums["MIGRATION"] != 0
    # An open invoice is an issued invoice of the ERP series with its amount brought forward.
    invoice = billing_models.Invoice.objects.filter(series="ERP").order_by("number").first()
    assert invoice is not None
    assert invoice.number.startswith("ERPINV") and invoice.status == "ISSUED"
    assert (
        invoice.kind == "INVOICE" and invoice.total_pence == invoice.net_pence + invoice.vat_pence
    )
    first = invoice.lines.get(position=1)
    assert first.kind == "ADJUSTMENT" and first.amount_pence == invoice.net_pence
    assert first.description == "Brought forward from the previous billing system"


def test_what_the_erp_typed_any_old_way_is_stored_in_our_form(erp):
    migrate(erp)

    postcodes = set(property_models.Site.objects.values_list("postcode", flat=True))
    assert all(code == code.strip().upper() and " " in code for code in postcodes)
    gas = metering_models.MeterPoint.objects.filter(fuel="GAS").first()
    assert gas is not None and gas.region in {str(n) for n in range(10, 24)}
    assert metering_models.Meter.objects.filter(units="METRIC").exists()
    assert metering_models.Register.objects.filter(band="NIGHT").exists()


def test_a_run_stopped_part_way_resumes_and_takes_nothing_twice(erp):
    first = migrate(erp, max_pages=2)
    assert not first.finished and first.pages == 2
    part = book()
    assert 0 < part["customers"] < CUSTOMERS

    rest = migrate(erp)

    assert rest.run_id == first.run_id  # the same run, resumed
    assert rest.finished and rest.pages == 3 and rest.agrees
    assert rest.skipped == 0  # it went on after the pages kept, not from the start
    assert first.imported + rest.imported == book()["customers"]
    assert models.MigrationRun.objects.get().pages == 5


def test_an_erp_that_falls_over_part_way_is_resumed_where_it_stopped(erp):
    erp.fail_from_page = 3
    with pytest.raises(operations.ErpUnavailable, match="ERR-5001"):
        migrate(erp)
    kept = book()
    run = models.MigrationRun.objects.get()
    assert run.pages == 2 and run.finished_at is None and run.next_page_token
    assert kept["customers"] == run.customers_imported

    erp.fail_from_page = None
    served = erp.pages_served
    report = migrate(erp)

    assert erp.pages_served - served == 3  # pages 3, 4 and 5 only
    assert report.agrees and report.run_id == run.pk
    held = book()
    assert held["customers"] == report.imported + kept["customers"]
    legacy = models.MigratedRecord.objects.values_list("kind", "legacy_id")
    assert len(set(legacy)) == len(legacy)


def test_running_again_changes_nothing(erp):
    first = migrate(erp)
    before = book()

    again = migrate(erp)

    assert again.run_id != first.run_id and again.finished and again.agrees
    assert again.imported == 0 and again.skipped == first.imported
    assert again.rejected == first.rejected
    assert book() == before
    assert [line for line in again.lines] == [line for line in first.lines]


def test_the_command_prints_the_reconciliation_and_the_rejects(erp):
    out = io.StringIO()
    call_command("erp", "migrate", "--url", erp.url, "--page-size", "50", stdout=out)

    text = out.getvalue()
    assert "3 pages read" in text
    assert "agrees: the ERP's totals are ours plus the refused" in text
    assert "C100013 S3000052 site.postcode postcode_format" in text
    assert "debit balances (GBP)" in text


def test_the_command_explains_an_erp_that_does_not_answer(erp):
    erp.fail_from_page = 1
    with pytest.raises(CommandError, match="run again to resume"):
        call_command("erp", "migrate", "--url", erp.url, stdout=io.StringIO())
    assert not customer_models.Customer.objects.exists()
