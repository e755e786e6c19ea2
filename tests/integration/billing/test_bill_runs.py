"""A bill run end to end on a small book: plan, bill the chunks, hold what looks wrong,
release (numbers, ledger), and run again without billing anyone twice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kilowatt.accounts import models as account_models
from kilowatt.billing import models, operations, queries
from kilowatt.billing.domain import legacy
from kilowatt.identity.domain.roles import Role
from kilowatt.ledger import queries as ledger_queries
from kilowatt.metering import models as metering_models
from kilowatt.metering import operations as metering
from kilowatt.platform import audit, events
from kilowatt.platform.errors import InvalidInput
from tests.factories import book

pytestmark = pytest.mark.django_db

RUN_DATE = datetime.date(2026, 3, 1)
AS_AT = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)  # after the reads came
SOMEONE = audit.Actor(id=None, name="billing test")
UK_MIDNIGHT_1_FEB = datetime.datetime(2026, 2, 1, 0, 0, tzinfo=datetime.UTC)
UK_MIDNIGHT_1_MAR = datetime.datetime(2026, 3, 1, 0, 0, tzinfo=datetime.UTC)


def _read(
    identifier: str, at: datetime.datetime, value: str, received: datetime.datetime | None = None
) -> None:
    (outcome,) = metering.record_reads(
        reads=[metering.ReadIn(meter_point=identifier, read_at=at, value=Decimal(value))],
        source="CUSTOMER",
        received_by="test",
        as_at=received or at + datetime.timedelta(hours=9),
    )
    assert outcome.status == "ACCEPTED", outcome


@pytest.fixture
def world():
    staff = {role: book.principal(role) for role in (Role.BILLING, Role.SYSADMIN, Role.AGENT)}
    book.price_list(by=staff[Role.BILLING], region="13")
    metering_models.CalorificValue.objects.update_or_create(
        valid_from=datetime.date(2026, 1, 1),
        defaults={"megajoules_per_cubic_metre": Decimal("39.2")},
    )
    home = book.home(by=staff[Role.AGENT], setup=staff[Role.SYSADMIN])
    business = book.business(by=staff[Role.AGENT], setup=staff[Role.SYSADMIN])
    account_models.Account.objects.filter(number__in=[home.account, business.account]).update(
        status="ACTIVE", bill_day=1
    )
    (site,) = home.sites
    _read(site.mpan, UK_MIDNIGHT_1_FEB, "1000")
    _read(site.mprn, UK_MIDNIGHT_1_FEB, "500")
    _read(site.mpan, UK_MIDNIGHT_1_MAR, "1300")  # 300 kWh
    _read(site.mprn, UK_MIDNIGHT_1_MAR, "540")  # 40 m3 = 445.417 kWh at CV 39.2
    for at in business.sites:
        _read(at.mpan, UK_MIDNIGHT_1_FEB, "20000")
        _read(at.mpan, UK_MIDNIGHT_1_MAR, "21500")  # 1,500 kWh: 53.6 a day, no de minimis
    return home, business


def _bill(chunk_size: int = 1) -> int:
    run_id = operations.start_bill_run(
        run_date=RUN_DATE, started_by="test", as_at=AS_AT, chunk_size=chunk_size
    )
    for chunk_id in operations.pending_chunk_ids(run_id=run_id):
        operations.bill_chunk(chunk_id=chunk_id, as_at=AS_AT)
    return run_id


def _invoice(account_number: str) -> models.Invoice:
    return models.Invoice.objects.get(account__number=account_number)


def test_a_home_dual_fuel_month_is_billed_to_the_penny(world):
    home, _ = world
    _bill()

    invoice = _invoice(home.account)
    lines = list(invoice.lines.order_by("position"))
    # Electricity: 28 days x 51.37p = 1438.36 -> 1438; 300 kWh x 24.86p = 7458.
    # Gas: 28 days x 51.37p -> 1438; 40 m3 x 1.02264 x 39.2 / 3.6 = 445.417 kWh
    # x 24.86p = 11073.07 -> 11073. Net 21407; VAT 5% = 1070.35 -> 1070.
    assert [(line.kind, line.amount_pence) for line in lines] == [
        ("STANDING_CHARGE", 1438),
        ("ENERGY", 7458),
        ("STANDING_CHARGE", 1438),
        ("ENERGY", 11073),
        ("VAT", 1070),
    ]
    assert lines[3].quantity == Decimal("445.417")
    assert (lines[1].read_from, lines[1].read_to) == ("CUSTOMER", "CUSTOMER")
    assert (invoice.period_start, invoice.period_end) == (datetime.date(2026, 2, 1), RUN_DATE)
    assert (invoice.net_pence, invoice.vat_pence, invoice.total_pence) == (21407, 1070, 22477)
    assert (invoice.status, invoice.series, invoice.number) == ("DRAFT", "KWE", None)


def test_a_business_pays_the_levy_and_vat_at_20_percent(world):
    _, business = world
    _bill()

    invoice = _invoice(business.account)
    # Each site: 1438 standing, 1500 kWh x 24.86p = 37290; levy (Feb 2026: 0.775p)
    # 1500 x 0.775 = 1162.5 -> 1163. VAT 20% on 2 x (1438 + 37290 + 1163) = 79782
    # is 15956.4 -> 15956.
    assert (invoice.net_pence, invoice.ccl_pence, invoice.vat_pence) == (77456, 2326, 15956)
    assert invoice.total_pence == 95738
    assert (invoice.series, invoice.delivery) == ("KWB", "EMAIL")


def test_release_numbers_the_bills_and_posts_them_to_the_ledger(world):
    home, business = world
    run_id = _bill()
    assert queries.bill_run_progress(run_id=run_id).status == "COMPLETE"

    issued = operations.release_bill_run(run_id=run_id, released_by="test", as_at=AS_AT)

    assert issued == 2
    home_invoice, business_invoice = _invoice(home.account), _invoice(business.account)
    assert home_invoice.status == business_invoice.status == "ISSUED"
    assert home_invoice.number.startswith("KWE") and business_invoice.number.startswith("KWB")
    assert ledger_queries.balance_for_account(holder=home_invoice.account_id) == 22477
    assert sum(ledger_queries.trial_balance().values()) == 0


def test_a_released_runs_bills_are_rendered_after_the_run(world):
    run_id = _bill()
    assert not models.InvoicePdf.objects.exists()  # never inside the run
    operations.release_bill_run(run_id=run_id, released_by="test", as_at=AS_AT)

    events.dispatch(as_at=AS_AT)

    pdfs = models.InvoicePdf.objects.all()
    assert len(pdfs) == 2 and all(bytes(pdf.content).startswith(b"%PDF") for pdf in pdfs)


def test_running_again_bills_nobody_twice(world):
    run_id = _bill()
    again = _bill()
    for chunk in models.BillRunChunk.objects.filter(run_id=run_id):
        operations.bill_chunk(chunk_id=chunk.id, as_at=AS_AT)

    assert again == run_id
    assert models.Invoice.objects.count() == 2


def test_next_month_charges_only_the_reads_taken_since(world):
    home, _ = world
    (site,) = home.sites
    _bill()
    _read(
        site.mpan,
        datetime.datetime(2026, 4, 1, 0, 0, tzinfo=datetime.UTC) - datetime.timedelta(hours=1),
        "1400",
    )
    run_id = operations.start_bill_run(
        run_date=datetime.date(2026, 4, 1), started_by="test", as_at=AS_AT, chunk_size=10
    )
    for chunk_id in operations.pending_chunk_ids(run_id=run_id):
        operations.bill_chunk(chunk_id=chunk_id, as_at=AS_AT)

    april = models.Invoice.objects.get(account__number=home.account, run_id=run_id)
    energy = april.lines.filter(kind="ENERGY").order_by("position")
    # Only the electricity read of 1 April (BST midnight): 100 kWh from 1 March.
    assert [(line.quantity, line.start_date, line.end_date) for line in energy] == [
        (Decimal("100.000"), RUN_DATE, datetime.date(2026, 4, 1))
    ]
    assert april.period_start == RUN_DATE


def test_a_bill_without_energy_is_held(world):
    home, _ = world
    metering_models.Read.objects.filter(read_at=UK_MIDNIGHT_1_MAR).delete()
    _bill()

    invoice = _invoice(home.account)
    assert (invoice.status, invoice.hold_rule) == ("HELD", "zero_consumption")


def test_a_corrected_read_restates_the_bill_once_credit_note_and_new_bill(world):
    home, _ = world
    (site,) = home.sites
    run_id = _bill()
    operations.release_bill_run(run_id=run_id, released_by="test", as_at=AS_AT)
    events.dispatch(as_at=AS_AT)  # the documents of the release
    original = _invoice(home.account)
    wrong = metering_models.Read.objects.get(
        meter_point__identifier=site.mpan, read_at=UK_MIDNIGHT_1_MAR, status="ACCEPTED"
    )
    later = AS_AT + datetime.timedelta(days=3)

    metering.replace_read(
        read_id=wrong.id, value=Decimal("1250"), reason="misread", actor=SOMEONE, as_at=later
    )
    events.dispatch(as_at=later)
    events.dispatch(as_at=later)  # nothing left to restate

    original.refresh_from_db()
    credit, replacement = models.Invoice.objects.filter(replaces=original).order_by("kind")
    assert original.status == "CREDITED"
    assert (credit.kind, credit.total_pence, credit.status) == ("CREDIT_NOTE", -22477, "ISSUED")
    # 250 kWh x 24.86p = 6215 instead of 7458: net 20164, VAT 5% 1008.2 -> 1008.
    assert (replacement.kind, replacement.status) == ("INVOICE", "ISSUED")
    assert (replacement.net_pence, replacement.vat_pence, replacement.total_pence) == (
        20164,
        1008,
        21172,
    )
    assert credit.number and replacement.number and credit.number != replacement.number
    assert ledger_queries.balance_for_account(holder=original.account_id) == 21172
    assert sum(ledger_queries.trial_balance().values()) == 0
    assert (
        operations.restate_invoice(
            invoice_id=replacement.id, reason="again", actor=SOMEONE, as_at=later
        )
        is None
    )


def test_a_read_arriving_late_for_the_last_bill_holds_the_next(world):
    home, _ = world
    (site,) = home.sites
    run_id = _bill()
    operations.release_bill_run(run_id=run_id, released_by="test", as_at=AS_AT)
    # A read dated in February's bill's period, received after it was made.
    _read(
        site.mpan,
        datetime.datetime(2026, 2, 20, tzinfo=datetime.UTC),
        "1200",
        AS_AT + datetime.timedelta(days=2),
    )
    _read(site.mpan, datetime.datetime(2026, 3, 31, 23, tzinfo=datetime.UTC), "1400")

    april = operations.start_bill_run(
        run_date=datetime.date(2026, 4, 1), started_by="test", as_at=AS_AT, chunk_size=10
    )
    for chunk_id in operations.pending_chunk_ids(run_id=april):
        operations.bill_chunk(chunk_id=chunk_id, as_at=AS_AT + datetime.timedelta(days=31))

    held = models.Invoice.objects.get(account__number=home.account, run_id=april)
    assert (held.status, held.hold_rule) == ("HELD", "late_read")


def test_a_held_bill_is_not_cancelled_once_a_later_bill_exists(world):
    home, _ = world
    (site,) = home.sites
    metering_models.Read.objects.filter(read_at=UK_MIDNIGHT_1_MAR).delete()
    _bill()  # March held: no energy
    held = _invoice(home.account)
    _read(site.mpan, datetime.datetime(2026, 3, 31, 23, tzinfo=datetime.UTC), "1400")
    april = operations.start_bill_run(
        run_date=datetime.date(2026, 4, 1), started_by="test", as_at=AS_AT, chunk_size=10
    )
    for chunk_id in operations.pending_chunk_ids(run_id=april):
        operations.bill_chunk(chunk_id=chunk_id, as_at=AS_AT)

    with pytest.raises(InvalidInput) as refused:
        operations.rebill_held_invoice(invoice_id=held.id, decided_by="test", as_at=AS_AT)
    assert refused.value.problems[0].rule == "later_bill_exists"


def test_a_read_withdrawn_before_the_last_bill_holds_nothing(world):
    home, _ = world
    (site,) = home.sites
    wrong = metering_models.Read.objects.get(
        meter_point__identifier=site.mprn, read_at=UK_MIDNIGHT_1_MAR
    )
    metering.replace_read(
        read_id=wrong.id, value=Decimal("539"), reason="misread", actor=SOMEONE, as_at=AS_AT
    )
    march = _bill()
    operations.release_bill_run(run_id=march, released_by="test", as_at=AS_AT)
    for identifier, value in ((site.mpan, "1400"), (site.mprn, "560")):
        _read(identifier, datetime.datetime(2026, 3, 31, 23, tzinfo=datetime.UTC), value)
    april = operations.start_bill_run(
        run_date=datetime.date(2026, 4, 1), started_by="test", as_at=AS_AT, chunk_size=10
    )
    for chunk_id in operations.pending_chunk_ids(run_id=april):
        operations.bill_chunk(chunk_id=chunk_id, as_at=AS_AT + datetime.timedelta(days=31))

    bill = models.Invoice.objects.get(account__number=home.account, run_id=april)
    assert bill.hold_rule != "read_withdrawn"


def test_a_bill_from_the_legacy_system_is_not_rated_again(world):
    home, _ = world
    account_id = account_models.Account.objects.get(number=home.account).id
    operations.import_legacy_invoices(
        invoices=[
            legacy.LegacyInvoice(
                legacy_number="L1",
                account_id=account_id,
                bill_date=datetime.date(2026, 2, 1),
                period_start=datetime.date(2026, 1, 1),
                period_end=datetime.date(2026, 2, 1),
                net_pence=1000,
            )
        ],
        imported_at=AS_AT,
    )
    brought = models.Invoice.objects.get(series="ERP")

    with pytest.raises(InvalidInput) as refused:
        operations.restate_invoice(invoice_id=brought.id, reason="x", actor=SOMEONE, as_at=AS_AT)
    assert refused.value.problems[0].rule == "legacy"
