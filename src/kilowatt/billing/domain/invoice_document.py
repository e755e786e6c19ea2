"""What an invoice document says: a frozen view model built from plain records.

``build_invoice_document`` takes the invoice, its lines, the account's facts, the meter
points' tariffs, the account's consumption history and its ledger figures, and returns an
``InvoiceDocument``: every figure and sentence the PDF shows, already decided, so the
renderer (``domain.invoice_pdf``) only lays it out and tests read the bill without a PDF.

Pure: no Django, no I/O, no clock. Money is integer pence; the renderer formats it.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from kilowatt.platform.money import format_pence

DAYS_TO_PAY = 14  # a bill is due two weeks after its date
CHART_MONTHS = 12

LEGAL_ENTITIES = {
    "KWE": "Kilowatt Energy Ltd",
    "KWB": "Kilowatt Business Energy Ltd",
}
_COMPANY_NUMBERS = {"KWE": "09876543", "KWB": "09876544"}
_VAT_NUMBERS = {"KWE": "GB 312 4567 89", "KWB": "GB 312 4567 90"}
OUR_ADDRESS = "Kilowatt House, 1 Ampere Way, Manchester M1 2AB"
OUR_PHONE = "0330 123 4567"
OUR_WEBSITE = "kilowatt.energy"

COMPLAINTS = (
    "We want to put things right. If you're unhappy with anything we've done, call us on "
    f"{OUR_PHONE}, email complaints@{OUR_WEBSITE} or write to Complaints, {OUR_ADDRESS}. "
    f"Our complaints process is at {OUR_WEBSITE}/complaints.",
    "If we haven't resolved your complaint within 8 weeks, or you're unhappy with our final "
    "response, you can ask the Energy Ombudsman to look at it. It's free and independent: "
    "www.energyombudsman.org, 0330 440 1624, Energy Ombudsman, PO Box 966, Warrington WA4 9DF.",
    "For free, impartial advice on your rights, contact the Citizens Advice consumer service "
    "on 0808 223 1133 or at www.citizensadvice.org.uk/energy.",
)
HELP = (
    f"Talk to us as soon as you can on {OUR_PHONE}: we can agree a payment plan you can "
    "afford, check you're on the right tariff and tell you about the support you may be "
    "entitled to. Free, independent debt advice: StepChange 0800 138 1111, National Debtline "
    "0808 808 4000."
)
EMERGENCIES = (
    "Smell gas? Call the National Gas Emergency Service free on 0800 111 999, day or night. "
    "Power cut? Call 105."
)

_BAND_WORDS = {
    "ANYTIME": "",
    "DAY": "day",
    "NIGHT": "night",
    "PEAK": "peak",
    "OFF_PEAK": "off-peak",
}
_KIND_WORDS = {
    "STANDING_CHARGE": "Standing charge",
    "ENERGY": "Energy used",
    "CCL": "Climate Change Levy",
    "CREDIT": "Credit",
    "COMPENSATION": "Compensation",
    "ADJUSTMENT": "Adjustment",
    "BACK_BILLING": "Not charged: more than 12 months ago",
}
_READ_WORDS = {
    "A": "actual",
    "E": "estimated",
    "C": "yours",
    "S": "smart meter",
    "ACTUAL": "actual",
    "ESTIMATED": "estimated",
    "CUSTOMER": "yours",
    "SMART": "smart meter",
}


# --- the records it is built from ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class InvoiceRecord:
    """An invoice as billing's reads return it (no ORM object leaves the context)."""

    id: int
    number: str | None
    series: str
    account_id: int
    kind: str  # INVOICE, CREDIT_NOTE
    status: str  # DRAFT, HELD, ISSUED, CREDITED, CANCELLED
    is_final: bool
    period_start: datetime.date
    period_end: datetime.date  # exclusive
    bill_date: datetime.date
    net_pence: int
    ccl_pence: int
    vat_pence: int
    total_pence: int
    delivery: str  # EMAIL, PAPER
    replaces_number: str | None = None  # what a credit note credits, or a re-bill replaces

    @property
    def is_issued(self) -> bool:
        return self.status in ("ISSUED", "CREDITED")


@dataclasses.dataclass(frozen=True)
class LineRecord:
    position: int
    kind: str
    meter_point: str
    band: str
    start_date: datetime.date | None
    end_date: datetime.date | None  # exclusive
    quantity: Decimal | None
    unit: str  # DAY, KWH, PCT
    rate_pence: Decimal | None
    amount_pence: int
    vat_rate: int  # percent
    read_from: str = ""
    read_to: str = ""
    description: str = ""


@dataclasses.dataclass(frozen=True)
class AccountFacts:
    number: str
    customer_kind: str  # RESIDENTIAL, BUSINESS
    customer_name: str
    address_lines: tuple[str, ...]
    payment_method: str  # DIRECT_DEBIT, ON_RECEIPT, PREPAYMENT
    email: str = ""


@dataclasses.dataclass(frozen=True)
class SupplyFacts:
    """A meter point the account is supplied at, under a tariff."""

    identifier: str  # MPAN core or MPRN
    fuel: str  # ELECTRICITY, GAS
    tariff_name: str
    address: str = ""


@dataclasses.dataclass(frozen=True)
class UsageRecord:
    """Energy billed at a meter point over ``[start, end)``: one energy line of a bill."""

    meter_point: str
    start: datetime.date
    end: datetime.date
    kwh: Decimal


@dataclasses.dataclass(frozen=True)
class LedgerFacts:
    """The account's balance as the ledger tells it (debit positive: the customer owes).

    ``known`` is False when the ledger could not be asked: the bill then shows 0 and says
    the balance is to follow."""

    balance_before_pence: int  # at the last bill (0 for a first bill)
    payments_pence: int  # received since the last bill, a positive amount
    balance_after_pence: int  # after this bill
    last_bill_date: datetime.date | None = None
    known: bool = True


NO_LEDGER = LedgerFacts(0, 0, 0, known=False)


# --- the view model ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DocumentLine:
    label: str  # "Energy used, day"
    detail: str  # "1,234.5 kWh at 24.8600p"
    dates: str  # "1 Feb - 28 Feb 2026"
    note: str  # reads, or the line's own description (gas volume and calorific value)
    amount_pence: int


@dataclasses.dataclass(frozen=True)
class MeterSection:
    heading: str  # "Electricity, MPAN 1312345678901" or "Account"
    tariff_name: str
    address: str
    lines: tuple[DocumentLine, ...]
    subtotal_pence: int
    short_label: str  # "Electricity", or "Electricity - <site>" where a fuel has many


@dataclasses.dataclass(frozen=True)
class VatRow:
    rate: int  # percent
    taxable_pence: int
    vat_pence: int


@dataclasses.dataclass(frozen=True)
class TariffRow:
    heading: str  # "Electricity, MPAN ..."
    name: str
    rates: tuple[str, ...]  # "Standing charge 51.3700p a day", "Day rate 28.1200p per kWh"


@dataclasses.dataclass(frozen=True)
class ConsumptionBar:
    month: datetime.date  # the first of the month
    electricity_kwh: int
    gas_kwh: int

    @property
    def label(self) -> str:
        return self.month.strftime("%b %y")


@dataclasses.dataclass(frozen=True)
class SummaryRow:
    label: str
    amount_pence: int


@dataclasses.dataclass(frozen=True)
class InvoiceDocument:
    legal_entity: str
    company_lines: tuple[str, ...]
    title: str  # "Your energy bill", "Credit note"
    label: str  # "" or "RE-BILL: replaces invoice KWE..." / "CREDIT NOTE for ..." / "DRAFT"
    number: str
    invoice_date: datetime.date
    period_start: datetime.date
    period_end: datetime.date  # exclusive; shown as the last day
    due_date: datetime.date
    account_number: str
    customer_name: str
    address_lines: tuple[str, ...]
    delivery: str  # EMAIL, PAPER
    delivery_text: str
    is_business: bool
    is_credit_note: bool
    headline: str  # "Amount to pay", "You're in credit", "Nothing to pay"
    headline_pence: int
    payment_text: str
    summary: tuple[SummaryRow, ...]
    ledger_known: bool
    sections: tuple[MeterSection, ...]
    vat_rows: tuple[VatRow, ...]
    net_pence: int
    ccl_pence: int
    vat_pence: int
    total_pence: int
    balance_before_pence: int
    payments_pence: int
    balance_after_pence: int
    tariffs: tuple[TariffRow, ...]
    consumption: tuple[ConsumptionBar, ...]
    complaints: tuple[str, ...]
    emergencies: str
    help_text: str

    @property
    def last_day(self) -> datetime.date:
        return self.period_end - datetime.timedelta(days=1)

    def plain_text(self) -> list[str]:
        """Return every sentence and figure of the document as lines of text, in order."""
        text = [
            self.legal_entity,
            *self.company_lines,
            f"{self.title} {self.label}".strip(),
            f"Invoice number {self.number}  Date {long_date(self.invoice_date)}",
            f"Account {self.account_number}",
            self.customer_name,
            *self.address_lines,
            f"Period {long_date(self.period_start)} to {long_date(self.last_day)}",
            f"{self.headline} {format_pence(self.headline_pence)}",
            self.payment_text,
            self.delivery_text,
        ]
        text += [f"{row.label} {format_pence(row.amount_pence)}" for row in self.summary]
        for section in self.sections:
            text.append(f"{section.heading} {section.tariff_name} {section.address}")
            text += [
                f"{line.label} {line.dates} {line.detail} {line.note} "
                f"{format_pence(line.amount_pence)}"
                for line in section.lines
            ]
            text.append(f"Subtotal {format_pence(section.subtotal_pence)}")
        text += [
            f"VAT at {row.rate}% on {format_pence(row.taxable_pence)} {format_pence(row.vat_pence)}"
            for row in self.vat_rows
        ]
        text += [
            f"Charges before VAT {format_pence(self.net_pence)}",
            f"Climate Change Levy {format_pence(self.ccl_pence)}",
            f"VAT {format_pence(self.vat_pence)}",
            f"Total {format_pence(self.total_pence)}",
        ]
        for tariff in self.tariffs:
            text += [f"{tariff.heading} {tariff.name}", *tariff.rates]
        text += [f"{bar.label} {bar.electricity_kwh} {bar.gas_kwh} kWh" for bar in self.consumption]
        return [*text, self.help_text, *self.complaints, self.emergencies]


# --- rules ---------------------------------------------------------------------------------


def legal_entity(series: str) -> str:
    """Return the company that issues invoices of a series (KWE homes, KWB business)."""
    return LEGAL_ENTITIES.get(series, LEGAL_ENTITIES["KWE"])


def delivery_for(*, customer_kind: str, chosen: str) -> str:
    """Return how a bill is sent: paper or email by the customer's choice, but business
    customers are paperless."""
    return "EMAIL" if customer_kind == "BUSINESS" else chosen


def fuel_of(identifier: str) -> str:
    """Return the fuel a meter point identifier names: a 13-digit MPAN core is
    electricity, an MPRN (6 to 10 digits) gas."""
    return "ELECTRICITY" if len(identifier) == 13 else "GAS"


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def short_date(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _dates(start: datetime.date | None, end: datetime.date | None) -> str:
    if start is None or end is None:
        return ""
    last = end - datetime.timedelta(days=1)
    if last <= start:
        return short_date(start)
    if start.year == last.year:
        return f"{start.day} {start:%b} - {short_date(last)}"
    return f"{short_date(start)} - {short_date(last)}"


def _quantity(value: Decimal) -> str:
    text = f"{value.normalize():,f}"
    return text if "." not in text else text.rstrip("0").rstrip(".")


def _rate(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.0001'))}p"


def _line(line: LineRecord) -> DocumentLine:
    band = _BAND_WORDS.get(line.band, line.band.lower())
    label = _KIND_WORDS.get(line.kind, line.kind.replace("_", " ").capitalize())
    if band and line.kind in ("ENERGY", "CCL"):
        label = f"{label}, {band}"
    detail = ""
    if line.quantity is not None and line.rate_pence is not None:
        if line.unit == "DAY":
            detail = f"{_quantity(line.quantity)} days at {_rate(line.rate_pence)} a day"
        elif line.unit == "KWH":
            detail = f"{_quantity(line.quantity)} kWh at {_rate(line.rate_pence)} per kWh"
        elif line.unit == "PCT":
            detail = f"{_quantity(line.quantity)}%"
        else:
            detail = f"{_quantity(line.quantity)} {line.unit.lower()} at {_rate(line.rate_pence)}"
    elif line.quantity is not None and line.unit == "KWH":
        detail = f"{_quantity(line.quantity)} kWh"
    reads = ""
    opening, closing = (
        _READ_WORDS.get(source, source.replace("_", " ").lower())
        for source in (line.read_from, line.read_to)
    )
    if opening and opening == closing:
        reads = f"Readings: {opening}"
    elif opening or closing:
        reads = f"Readings: {opening or 'none'} at the start, {closing or 'none'} at the end"
    # The bill run's own descriptions repeat the quantity and rate shown beside them; keep
    # one only where it says more (a gas volume and calorific value, a credit's reason).
    said = line.description
    if line.kind in ("STANDING_CHARGE", "CCL", "VAT") or (
        line.kind == "ENERGY" and not any(word in said for word in ("m3", "calorific", "ft3"))
    ):
        said = ""
    note = "; ".join(part for part in (said, reads) if part)
    return DocumentLine(
        label, detail, _dates(line.start_date, line.end_date), note, line.amount_pence
    )


def _heading(identifier: str, fuel: str) -> str:
    if fuel == "ELECTRICITY":
        return f"Electricity, MPAN {identifier}"
    return f"Gas, MPRN {identifier}"


def _sections(
    lines: Sequence[LineRecord], supplies: dict[str, SupplyFacts]
) -> tuple[MeterSection, ...]:
    grouped: dict[str, list[LineRecord]] = {}
    for line in sorted(lines, key=lambda line: line.position):
        if line.kind != "VAT":
            grouped.setdefault(line.meter_point, []).append(line)
    sections = []
    # Electricity before gas, each in the order its first line appears; account-wide last.
    order = sorted(
        grouped,
        key=lambda point: (
            point == "",
            (supplies[point].fuel if point in supplies else fuel_of(point)) != "ELECTRICITY",
        ),
    )
    fuels = [
        (supplies[point].fuel if point in supplies else fuel_of(point)) for point in order if point
    ]
    for point in order:
        rows = grouped[point]
        supply = supplies.get(point)
        if point:
            fuel = supply.fuel if supply else fuel_of(point)
            heading = _heading(point, fuel)
            short = fuel.capitalize()
            if fuels.count(fuel) > 1:
                short += f" - {supply.address if supply and supply.address else point}"
        else:
            heading = short = "Account"
        sections.append(
            MeterSection(
                heading=heading,
                tariff_name=supply.tariff_name if supply else "",
                address=supply.address if supply else "",
                lines=tuple(_line(line) for line in rows),
                subtotal_pence=sum(line.amount_pence for line in rows),
                short_label=short,
            )
        )
    return tuple(sections)


def _vat_rows(invoice: InvoiceRecord, lines: Sequence[LineRecord]) -> tuple[VatRow, ...]:
    taxable: dict[int, int] = {}
    for line in lines:
        # Lines outside the scope of VAT (credits, compensation, what back-billing left
        # out) carry rate 0 and have no row.
        if line.kind != "VAT" and line.vat_rate:
            taxable[line.vat_rate] = taxable.get(line.vat_rate, 0) + line.amount_pence
    vat_lines = [line for line in lines if line.kind == "VAT"]
    rates = sorted(taxable)
    if vat_lines:
        vat: dict[int, int] = {}
        for line in vat_lines:
            # A VAT line's rate is its quantity (unit PCT); VAT bears no VAT itself.
            rate = line.vat_rate or int(line.quantity or 0)
            vat[rate] = vat.get(rate, 0) + line.amount_pence
        rates = sorted(set(rates) | set(vat))
        return tuple(VatRow(rate, taxable.get(rate, 0), vat.get(rate, 0)) for rate in rates)
    # No VAT lines: share the invoice's VAT between its rates, the last taking the rounding.
    rows = []
    left = invoice.vat_pence
    for index, rate in enumerate(rates):
        share = left if index == len(rates) - 1 else round(taxable[rate] * rate / 100)
        left -= share
        rows.append(VatRow(rate, taxable[rate], share))
    return tuple(rows)


def _tariffs(
    lines: Sequence[LineRecord], supplies: dict[str, SupplyFacts]
) -> tuple[TariffRow, ...]:
    rates: dict[str, list[str]] = {}
    for line in sorted(lines, key=lambda line: line.position):
        if not line.meter_point or line.rate_pence is None:
            continue
        if line.kind == "STANDING_CHARGE":
            text = f"Standing charge {_rate(line.rate_pence)} a day"
        elif line.kind == "ENERGY":
            band = _BAND_WORDS.get(line.band, line.band.lower())
            text = f"{(band + ' unit rate').capitalize() if band else 'Unit rate'} {_rate(line.rate_pence)} per kWh"
        elif line.kind == "CCL":
            text = f"Climate Change Levy {_rate(line.rate_pence)} per kWh"
        else:
            continue
        known = rates.setdefault(line.meter_point, [])
        if text not in known:
            known.append(text)
    merged: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}  # tariff -> points
    for point, texts in rates.items():
        supply = supplies.get(point)
        fuel = supply.fuel if supply else fuel_of(point)
        key = (fuel, supply.tariff_name if supply else "", tuple(texts))
        merged.setdefault(key, []).append(point)
    rows = []
    for (fuel, name, rate_texts), points in merged.items():
        if len(points) == 1:
            heading = _heading(points[0], fuel)
        else:
            heading = f"{fuel.capitalize()}, {len(points)} meter points"
        rows.append(TariffRow(heading=heading, name=name, rates=rate_texts))
    return tuple(sorted(rows, key=lambda row: not row.heading.startswith("Electricity")))


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def monthly_consumption(
    usage: Iterable[UsageRecord],
    *,
    fuels: dict[str, str],
    last_day: datetime.date,
    months: int = CHART_MONTHS,
) -> tuple[ConsumptionBar, ...]:
    """Return kWh per calendar month and fuel over the ``months`` ending with the month
    of ``last_day``, each record's energy shared between months by days."""
    last = _month(last_day)
    firsts = [last]
    while len(firsts) < months:
        firsts.insert(0, _month(firsts[0] - datetime.timedelta(days=1)))
    window_end = _next_month(last)
    totals = {first: [Decimal(0), Decimal(0)] for first in firsts}
    for record in usage:
        days = (record.end - record.start).days
        if days <= 0:
            continue
        gas = (fuels.get(record.meter_point) or fuel_of(record.meter_point)) == "GAS"
        start = max(record.start, firsts[0])
        while start < min(record.end, window_end):
            stop = min(_next_month(start), record.end)
            totals[_month(start)][gas] += record.kwh * (stop - start).days / days
            start = stop
    return tuple(
        ConsumptionBar(
            first, int(totals[first][0] + Decimal("0.5")), int(totals[first][1] + Decimal("0.5"))
        )
        for first in firsts
    )


def _headline(
    invoice: InvoiceRecord, account: AccountFacts, ledger: LedgerFacts, due: datetime.date
) -> tuple[str, int, str]:
    if invoice.kind == "CREDIT_NOTE":
        return (
            "Credit to your account",
            abs(invoice.total_pence),
            f"This credit note cancels invoice {invoice.replaces_number or ''}. "
            "Its amount has been taken off your balance.".replace("  ", " "),
        )
    owed = ledger.balance_after_pence if ledger.known else invoice.total_pence
    if owed < 0:
        return (
            "You're in credit",
            -owed,
            "You don't need to pay anything. Your credit will be taken off your next bill.",
        )
    if owed == 0:
        return "Nothing to pay", 0, "Your account is up to date."
    if account.payment_method == "DIRECT_DEBIT":
        text = (
            f"We'll collect {format_pence(owed)} by Direct Debit on or after "
            f"{long_date(due)}. You don't need to do anything."
        )
    elif account.payment_method == "PREPAYMENT":
        text = "These charges have been taken from your prepayment meter credit."
    else:
        text = (
            f"Please pay by {long_date(due)}: online at {OUR_WEBSITE}/pay, by phone on "
            f"{OUR_PHONE}, or by bank transfer to sort code 20-00-00, account 12345678, "
            f"reference {account.number}."
        )
    return "Amount to pay", owed, text


def build_invoice_document(
    *,
    invoice: InvoiceRecord,
    lines: Sequence[LineRecord],
    account: AccountFacts,
    supplies: Sequence[SupplyFacts] = (),
    usage: Iterable[UsageRecord] = (),
    ledger: LedgerFacts = NO_LEDGER,
) -> InvoiceDocument:
    """Return everything an invoice's document shows, decided from plain records."""
    by_point = {supply.identifier: supply for supply in supplies}
    due = invoice.bill_date + datetime.timedelta(days=DAYS_TO_PAY)
    credit_note = invoice.kind == "CREDIT_NOTE"
    if not invoice.is_issued:
        label = "DRAFT - not a bill"
    elif credit_note:
        label = f"for invoice {invoice.replaces_number}" if invoice.replaces_number else ""
    elif invoice.replaces_number:
        label = f"Re-bill: replaces invoice {invoice.replaces_number}"
    elif invoice.is_final:
        label = "Final bill"
    else:
        label = ""
    headline, headline_pence, payment_text = _headline(invoice, account, ledger, due)
    summary = (
        SummaryRow(
            "Balance at your last bill"
            + (f" ({short_date(ledger.last_bill_date)})" if ledger.last_bill_date else ""),
            ledger.balance_before_pence,
        ),
        SummaryRow("Payments received since then", -ledger.payments_pence),
        SummaryRow(
            "This credit note" if credit_note else "This bill's charges", invoice.total_pence
        ),
        *(
            (SummaryRow("Other credits and charges", other),)
            if (
                other := ledger.balance_after_pence
                - ledger.balance_before_pence
                + ledger.payments_pence
                - invoice.total_pence
            )
            and ledger.known
            else ()
        ),
        SummaryRow(
            "Balance now"
            + (
                " (you owe us)"
                if ledger.balance_after_pence > 0
                else " (in credit)"
                if ledger.balance_after_pence < 0
                else ""
            ),
            ledger.balance_after_pence,
        ),
    )
    delivery = delivery_for(customer_kind=account.customer_kind, chosen=invoice.delivery)
    if delivery == "EMAIL":
        delivery_text = "Sent by email" + (f" to {account.email}" if account.email else "")
        if account.customer_kind == "BUSINESS":
            delivery_text += ". Business accounts are paperless"
        delivery_text += "."
    else:
        delivery_text = "Sent by post, as you asked. Switch to email bills at " + OUR_WEBSITE + "."
    series = invoice.series if invoice.series in LEGAL_ENTITIES else "KWE"
    return InvoiceDocument(
        legal_entity=legal_entity(series),
        company_lines=(
            OUR_ADDRESS,
            f"Registered in England and Wales no. {_COMPANY_NUMBERS[series]}. "
            f"VAT registration {_VAT_NUMBERS[series]}.",
            f"{OUR_PHONE}  |  {OUR_WEBSITE}",
        ),
        title="Credit note"
        if credit_note
        else (
            "Your business energy bill"
            if account.customer_kind == "BUSINESS"
            else "Your energy bill"
        ),
        label=label,
        number=invoice.number or "(not yet numbered)",
        invoice_date=invoice.bill_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        due_date=due,
        account_number=account.number,
        customer_name=account.customer_name,
        address_lines=account.address_lines,
        delivery=delivery,
        delivery_text=delivery_text,
        is_business=account.customer_kind == "BUSINESS",
        is_credit_note=credit_note,
        headline=headline,
        headline_pence=headline_pence,
        payment_text=payment_text,
        summary=summary,
        ledger_known=ledger.known,
        sections=_sections(lines, by_point),
        vat_rows=_vat_rows(invoice, lines),
        net_pence=invoice.net_pence,
        ccl_pence=invoice.ccl_pence,
        vat_pence=invoice.vat_pence,
        total_pence=invoice.total_pence,
        balance_before_pence=ledger.balance_before_pence,
        payments_pence=ledger.payments_pence,
        balance_after_pence=ledger.balance_after_pence,
        tariffs=_tariffs(lines, by_point),
        consumption=monthly_consumption(
            usage,
            fuels={supply.identifier: supply.fuel for supply in supplies},
            last_day=invoice.period_end - datetime.timedelta(days=1),
        ),
        complaints=COMPLAINTS,
        emergencies=EMERGENCIES,
        help_text=HELP,
    )
