"""The invoice document's view model, and the PDF made of it, from plain records."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from kilowatt.billing.domain import invoice_document as doc
from kilowatt.billing.domain import invoice_pdf

AS_AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
START, END = datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)
MPAN, MPRN = "1312345678901", "9123456704"


def line(
    position,
    kind,
    point,
    amount,
    *,
    band="",
    quantity=None,
    unit="",
    rate=None,
    vat=5,
    description="",
    read_from="",
    read_to="",
):
    return doc.LineRecord(
        position, kind, point, band, START, END,
        None if quantity is None else Decimal(quantity), unit,
        None if rate is None else Decimal(rate), amount, vat, read_from, read_to, description,
    )  # fmt: skip


HOME_LINES = (
    line(1, "STANDING_CHARGE", MPAN, 1503, quantity="28", unit="DAY", rate="53.68",
         description="28 days x 53.68p a day"),
    line(2, "ENERGY", MPAN, 5129, band="DAY", quantity="182.4", unit="KWH", rate="28.12",
         read_from="ACTUAL", read_to="ESTIMATED", description="182.4 kWh x 28.12p"),
    line(3, "ENERGY", MPAN, 1393, band="NIGHT", quantity="96.1", unit="KWH", rate="14.5",
         read_from="ACTUAL", read_to="ACTUAL"),
    line(4, "STANDING_CHARGE", MPRN, 880, quantity="28", unit="DAY", rate="31.43"),
    line(5, "ENERGY", MPRN, 5865, band="ANYTIME", quantity="851.23", unit="KWH", rate="6.89",
         description="76.2 m3 x 1.02264 x 39.3 MJ/m3 calorific value / 3.6"),
    line(6, "VAT", "", 739, quantity="5", unit="PCT"),
)  # fmt: skip


def invoice(**changes) -> doc.InvoiceRecord:
    fields = dict(
        id=1, number="KWE000000123", series="KWE", account_id=7, kind="INVOICE",
        status="ISSUED", is_final=False, period_start=START, period_end=END,
        bill_date=datetime.date(2026, 3, 2), net_pence=14770, ccl_pence=0, vat_pence=739,
        total_pence=15509, delivery="PAPER",
    )  # fmt: skip
    return doc.InvoiceRecord(**{**fields, **changes})


ACCOUNT = doc.AccountFacts(
    "A00001234", "RESIDENTIAL", "Ms Ada Lovelace", ("12 Volta Street", "Liverpool", "L1 8JQ"),
    "DIRECT_DEBIT", "ada@example.org",
)  # fmt: skip
SUPPLIES = (
    doc.SupplyFacts(MPAN, "ELECTRICITY", "Flexible Economy 7", "12 Volta Street"),
    doc.SupplyFacts(MPRN, "GAS", "Flexible Gas", "12 Volta Street"),
)
LEDGER = doc.LedgerFacts(14210, 14210, 15509, datetime.date(2026, 2, 2))


def build(**changes):
    arguments = dict(
        invoice=invoice(), lines=HOME_LINES, account=ACCOUNT, supplies=SUPPLIES, ledger=LEDGER
    )
    return doc.build_invoice_document(**{**arguments, **changes})


def test_the_legal_entity_follows_the_series():
    assert build().legal_entity == "Kilowatt Energy Ltd"
    assert build(invoice=invoice(series="KWB")).legal_entity == "Kilowatt Business Energy Ltd"


def test_lines_are_grouped_per_meter_point_electricity_first_vat_apart():
    document = build()
    assert [s.heading for s in document.sections] == [
        f"Electricity, MPAN {MPAN}",
        f"Gas, MPRN {MPRN}",
    ]
    electricity, gas = document.sections
    assert [line.label for line in electricity.lines] == [
        "Standing charge", "Energy used, day", "Energy used, night",
    ]  # fmt: skip
    assert electricity.subtotal_pence == 1503 + 5129 + 1393
    assert electricity.tariff_name == "Flexible Economy 7"
    assert "calorific value" in gas.lines[1].note  # the gas conversion is kept
    assert electricity.lines[0].note == ""  # a description repeating the figures is not
    assert electricity.lines[1].note == "Readings: actual at the start, estimated at the end"
    assert electricity.lines[2].note == "Readings: actual"
    assert electricity.lines[1].detail == "182.4 kWh at 28.1200p per kWh"


def test_the_vat_summary_and_totals():
    document = build()
    assert document.vat_rows == (doc.VatRow(5, 14770, 739),)
    assert (document.net_pence, document.vat_pence, document.total_pence) == (14770, 739, 15509)


def test_vat_without_vat_lines_is_shared_between_rates():
    lines = (
        line(1, "ENERGY", MPAN, 1000, vat=5),
        line(2, "ADJUSTMENT", "", 500, vat=20),
    )
    document = build(lines=lines, invoice=invoice(net_pence=1500, vat_pence=150, total_pence=1650))
    assert document.vat_rows == (doc.VatRow(5, 1000, 50), doc.VatRow(20, 500, 100))


def test_the_balance_and_what_to_pay():
    document = build()
    assert [row.amount_pence for row in document.summary] == [14210, -14210, 15509, 15509]
    assert document.headline == "Amount to pay"
    assert document.headline_pence == 15509
    assert "Direct Debit" in document.payment_text
    assert document.due_date == datetime.date(2026, 3, 16)


def test_other_ledger_movements_are_shown_so_the_summary_adds_up():
    document = build(ledger=doc.LedgerFacts(1000, 500, 16509, None))
    rows = {row.label: row.amount_pence for row in document.summary}
    assert rows["Other credits and charges"] == 16509 - 1000 + 500 - 15509
    assert sum(row.amount_pence for row in document.summary[:-1]) == 16509


def test_in_credit_nothing_to_pay():
    document = build(ledger=doc.LedgerFacts(-30000, 0, -14491))
    assert document.headline == "You're in credit"
    assert document.headline_pence == 14491


def test_credit_notes_and_rebills_are_labelled():
    credit = build(invoice=invoice(kind="CREDIT_NOTE", replaces_number="KWE000000100",
                                   total_pence=-15509, net_pence=-14770, vat_pence=-739))  # fmt: skip
    assert credit.title == "Credit note"
    assert credit.label == "for invoice KWE000000100"
    assert credit.headline_pence == 15509
    rebill = build(invoice=invoice(replaces_number="KWE000000100"))
    assert rebill.label == "Re-bill: replaces invoice KWE000000100"


def test_how_to_complain_names_the_ombudsman_after_eight_weeks():
    text = " ".join(build().complaints)
    assert "complaints" in text
    assert "8 weeks" in text and "Energy Ombudsman" in text


def test_business_customers_are_paperless():
    assert doc.delivery_for(customer_kind="BUSINESS", chosen="PAPER") == "EMAIL"
    assert doc.delivery_for(customer_kind="RESIDENTIAL", chosen="PAPER") == "PAPER"
    business = doc.AccountFacts("A1", "BUSINESS", "Babbage Ltd", (), "ON_RECEIPT")
    document = build(account=business, invoice=invoice(delivery="PAPER"))
    assert document.delivery == "EMAIL" and "paperless" in document.delivery_text


def test_tariff_rates_come_from_the_lines_charged():
    electricity, gas = build().tariffs
    assert electricity.name == "Flexible Economy 7"
    assert electricity.rates == (
        "Standing charge 53.6800p a day",
        "Day unit rate 28.1200p per kWh",
        "Night unit rate 14.5000p per kWh",
    )
    assert gas.rates == ("Standing charge 31.4300p a day", "Unit rate 6.8900p per kWh")


def test_twelve_months_of_consumption_shared_by_days():
    usage = [
        doc.UsageRecord(MPAN, datetime.date(2026, 1, 15), datetime.date(2026, 2, 14), Decimal(300)),
        doc.UsageRecord(MPRN, datetime.date(2024, 1, 1), datetime.date(2024, 2, 1), Decimal(999)),
    ]
    bars = build(usage=usage).consumption
    assert bars[0].month == datetime.date(2025, 3, 1)
    assert bars[-1].month == datetime.date(2026, 2, 1)
    assert (bars[-2].electricity_kwh, bars[-1].electricity_kwh) == (170, 130)  # 17 and 13 days
    assert sum(bar.gas_kwh for bar in bars) == 0  # too old to show


@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(1, 120), st.integers(0, 10_000)), max_size=8
    )
)
def test_the_chart_never_shows_more_than_was_billed(records):
    first = datetime.date(2025, 1, 1)
    usage = [
        doc.UsageRecord(MPAN, first + datetime.timedelta(days=offset),
                        first + datetime.timedelta(days=offset + days), Decimal(kwh))
        for offset, days, kwh in records
    ]  # fmt: skip
    bars = doc.monthly_consumption(usage, fuels={}, last_day=datetime.date(2026, 2, 28))
    assert len(bars) == 12
    assert sum(bar.electricity_kwh for bar in bars) <= sum(kwh for *_, kwh in records) + 12


def test_the_pdf_holds_the_bill_in_one_or_two_pages():
    content = invoice_pdf.render_invoice_pdf(build(), as_at=AS_AT)
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 2
    for words in ("KWE000000123", "£155.09", "VAT at 5%", "Energy Ombudsman", "A00001234"):
        assert words in text
    assert content == invoice_pdf.render_invoice_pdf(build(), as_at=AS_AT)  # deterministic


def test_names_outside_latin_1_are_folded_not_refused():
    account = doc.AccountFacts("A1", "RESIDENTIAL", "Łukasz Żółć 李", ("1 Street",), "ON_RECEIPT")
    content = invoice_pdf.render_invoice_pdf(build(account=account), as_at=AS_AT)
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "Lukasz Zólc ?" in text
