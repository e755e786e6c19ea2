"""The supply contract as an A4 PDF, made from an order's terms: the parties, each site with
its meter points and tariff (rates, term, exit fee, the consumption and cost estimated),
how the customer pays, the right to cancel with its last day, how to complain, and a panel
for the signatures. Every sales channel issues the same document; only the line saying how
the contract was arranged differs.

``render_contract`` is what the signer is shown and what its SHA-256 is taken of, so it is
deterministic: the same terms render to the same bytes (the PDF's creation date is the day
the contract is made, fpdf2's file id is a hash of the content). ``render_signed_contract``
draws the same pages, numbered alike, and adds an audit page recording the signature; that
file is then sealed with the company's certificate (``seal.seal``).

Drawn with fpdf2 and the PDF core font Helvetica, as invoices are (see
``billing/domain/invoice_pdf.py`` for why): text is folded to Latin-1. Pure: no Django, no
clock.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from kilowatt.platform import pdf_text

RENDERER = "fpdf2-2.8.9"

RESIDENTIAL = "RESIDENTIAL"
BUSINESS = "BUSINESS"
ELECTRICITY = "ELECTRICITY"
GAS = "GAS"
FIXED = "FIXED"


@dataclasses.dataclass(frozen=True)
class Party:
    name: str  # "Mrs Ada Lovelace" or the company's name
    kind: str  # RESIDENTIAL | BUSINESS
    address: tuple[str, ...]  # lines, postcode last
    email: str
    phone: str
    company_number: str = ""
    contact_name: str = ""  # a business: the person who signs for it


@dataclasses.dataclass(frozen=True)
class SupplyTerms:
    site_address: tuple[str, ...]
    fuel: str  # ELECTRICITY | GAS
    identifier: str  # MPAN core or MPRN
    tariff_name: str
    tariff_code: str
    tariff_kind: str  # FIXED | VARIABLE
    term_months: int | None
    exit_fee_pence: int
    standing_charge_pence_per_day: Decimal  # ex VAT
    unit_rates: tuple[tuple[str, Decimal], ...]  # (band, p/kWh) ex VAT
    annual_kwh: Decimal
    estimated_annual_cost_pence: int  # VAT included for a home, ex VAT for a business


@dataclasses.dataclass(frozen=True)
class ContractTerms:
    reference: str  # the order's reference, "S00000042"
    made_on: datetime.date  # the day the contract is issued
    channel: str  # WEB | AGENT | TELESALES | PARTNER
    customer: Party
    payment_method: str  # DIRECT_DEBIT | ON_RECEIPT | PREPAYMENT
    supplies: tuple[SupplyTerms, ...]
    vat_rate_percent: Decimal  # 5 for homes, 20 for business
    cooling_off_days: int = 14


@dataclasses.dataclass(frozen=True)
class SignatureRecord:
    signer_name: str
    identified_by: str  # "one-time code sent to a***e@example.com"
    signed_at: datetime.datetime  # timezone-aware
    ip_address: str
    user_agent: str
    document_sha256: str  # hex SHA-256 of the unsigned PDF the signer was shown


# The supplier: the same block on every contract.
SUPPLIER_NAME = "Kilowatt Energy Ltd"
SUPPLIER_ADDRESS = ("3 Dunmore Yard", "Temple Quay", "Bristol", "BS1 6QH")
SUPPLIER_COMPANY_NUMBER = "14829365"
SUPPLIER_VAT_NUMBER = "GB 412 8839 02"
SUPPLIER_PHONE = "0330 088 4210"
SUPPLIER_EMAIL = "hello@kilowatt.energy"
SUPPLIER_COMPLAINTS_EMAIL = "complaints@kilowatt.energy"
SUPPLIER_WEBSITE = "kilowatt.energy"
TERMS_AND_CONDITIONS = "Kilowatt Terms and Conditions of Supply, version 3 (April 2026)"

_LONDON = zoneinfo.ZoneInfo("Europe/London")

_BRAND = (0, 94, 124)  # the invoices' deep teal
_LIGHT = (228, 241, 245)
_GREY = (96, 96, 96)
_RULE = (190, 190, 190)
_ELECTRICITY = (0, 122, 160)
_GAS = (240, 150, 40)
_WHITE = (255, 255, 255)
_LEFT = 15.0
_WIDTH = 180.0
_BOTTOM = 280.0  # the last y a block may reach before the footer
_FONT = pdf_text.FONT
_latin1 = pdf_text.latin1
_text = pdf_text.text
_measure = pdf_text.measure

_CHANNELS = {
    "WEB": "online, on our website",
    "AGENT": "with one of our sales agents",
    "TELESALES": "by telephone",
    "PARTNER": "through one of our partners",
}
_PAYMENT = {
    "DIRECT_DEBIT": (
        "Direct Debit",
        "We collect what you owe by Direct Debit. The Direct Debit Guarantee protects you: "
        "we tell you the amount and date before each collection changes, and you can cancel "
        "the Direct Debit with your bank at any time.",
    ),
    "ON_RECEIPT": (
        "Pay on receipt of bill",
        "We send a bill after each billing period and you pay it within 14 days by bank "
        "transfer, debit card or at any PayPoint. You can change to Direct Debit at any time.",
    ),
    "PREPAYMENT": (
        "Prepayment (pay as you go)",
        "You pay for energy before you use it by topping up your meter, online, in our app "
        "or at any PayPoint. Standing charges are taken every day, including days you use "
        "no energy. Ask us about emergency and friendly-hours credit.",
    ),
}


def cooling_off_ends(made_on: datetime.date, days: int = 14) -> datetime.date:
    """Return the last day the customer may cancel: the period starts the day after the
    contract is made, so with 14 days a contract made on 1 March can be cancelled until
    15 March (inclusive). A last day on a weekend or bank holiday is not moved."""
    if days < 0:
        raise ValueError("cooling-off days cannot be negative")
    return made_on + datetime.timedelta(days=days)


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _money(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}\u00a3{pounds:,}.{rest:02d}"


def _pence(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}p"


def _kwh(amount: Decimal) -> str:
    whole = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{int(whole):,} kWh"


def _band(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text.capitalize() if text.isupper() else text


def _identifier(supply: SupplyTerms) -> str:
    if supply.fuel == ELECTRICITY:
        digits = supply.identifier.replace(" ", "")
        if len(digits) == 13 and digits.isdigit():
            return f"MPAN {digits[:2]} {digits[2:6]} {digits[6:10]} {digits[10:]}"
        return f"MPAN {supply.identifier}"
    return f"MPRN {supply.identifier}"


def _fuel(supply: SupplyTerms) -> str:
    return "Electricity" if supply.fuel == ELECTRICITY else "Gas"


class _Document(FPDF):
    reference = ""
    pages_text: str | None = None  # "of N" fixed for a signed copy; None: fpdf2's alias
    audit_from = 0  # the first page of the audit record (0: none)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_draw_color(*_RULE)
        self.set_line_width(0.2)
        self.line(_LEFT, self.get_y(), _LEFT + _WIDTH, self.get_y())
        self.set_font(_FONT, "", 6.5)
        self.set_text_color(*_GREY)
        if self.audit_from and self.page_no() >= self.audit_from:
            where = "Signature record"
        else:
            where = f"Page {self.page_no()} of {self.pages_text or '{nb}'}"
        self.cell(_WIDTH - 50, 3.5, f"{SUPPLIER_NAME}  |  Energy supply contract")
        self.cell(50, 3.5, f"Contract {self.reference}  |  {where}", align="R")
        self.set_xy(_LEFT, self.get_y() + 3.5)
        registered = (
            f"Registered in England and Wales, company number {SUPPLIER_COMPANY_NUMBER}. "
            f"Registered office: {', '.join(SUPPLIER_ADDRESS)}. VAT {SUPPLIER_VAT_NUMBER}."
        )
        self.cell(_WIDTH, 3.2, _latin1(registered))


@functools.lru_cache(maxsize=1024)
def _wrap(text: str, style: str, size: float, usable: float) -> tuple[str, ...]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        while _measure(word, style, size) > usable:
            cut = len(word)
            while cut > 1 and _measure(word[:cut], style, size) > usable:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if line and _measure(candidate, style, size) > usable:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return tuple(lines)


def _lines(pdf: FPDF, text: str, *, style: str, size: float, width: float) -> list[str]:
    """Return ``text`` broken into lines that fit ``width`` mm (a word too long for a line,
    such as a user agent's token, is cut where it must); leaves the font set for them."""
    pdf.set_font(_FONT, style, size)
    return list(_wrap(_latin1(text), style, size, width - 2 * pdf.c_margin))


def _paragraph(
    pdf: FPDF,
    text: str,
    *,
    size: float = 8.5,
    width: float = _WIDTH,
    height: float = 4.0,
    style: str = "",
    colour: tuple[int, int, int] = (0, 0, 0),
    gap: float = 1.2,
) -> None:
    x = pdf.get_x()
    lines = _lines(pdf, text, style=style, size=size, width=width)
    pdf.set_text_color(*colour)
    for line in lines:
        pdf.set_x(x)
        pdf.cell(width, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(gap)


def _room(pdf: FPDF, needed: float) -> None:
    """Start a new page unless ``needed`` mm fit on this one."""
    if pdf.get_y() + needed > _BOTTOM:
        pdf.add_page()
        pdf.set_y(16)


def _heading(pdf: FPDF, text: str, *, needed: float = 30) -> None:
    _room(pdf, needed)
    pdf.ln(2.5)
    _text(pdf, text, size=11.5, style="B", colour=_BRAND, height=6.5)
    pdf.set_draw_color(*_BRAND)
    pdf.set_line_width(0.5)
    pdf.line(_LEFT, pdf.get_y(), _LEFT + _WIDTH, pdf.get_y())
    pdf.ln(2)


def _is_home(terms: ContractTerms) -> bool:
    return terms.customer.kind != BUSINESS


def _with_vat(terms: ContractTerms, amount: Decimal) -> Decimal:
    return amount * (100 + terms.vat_rate_percent) / 100 if _is_home(terms) else amount


def _letterhead(pdf: FPDF) -> None:
    pdf.set_xy(_LEFT, 12)
    _text(pdf, "kilowatt", size=24, style="B", colour=_BRAND, height=10, new_line=False)
    pdf.set_xy(120, 12)
    _text(pdf, SUPPLIER_NAME, size=9, style="B", width=75, align="R", height=4.2)
    for line in (
        ", ".join(SUPPLIER_ADDRESS),
        f"{SUPPLIER_PHONE}  |  {SUPPLIER_EMAIL}  |  {SUPPLIER_WEBSITE}",
        f"Company number {SUPPLIER_COMPANY_NUMBER}  |  VAT {SUPPLIER_VAT_NUMBER}",
    ):
        pdf.set_x(120)
        _text(pdf, line, size=6.5, width=75, align="R", height=3.2, colour=_GREY)


def _title(pdf: FPDF, terms: ContractTerms) -> None:
    pdf.set_xy(_LEFT, 30)
    title = "Your energy supply contract" if _is_home(terms) else "Business energy supply contract"
    _text(pdf, title, size=17, style="B", colour=_BRAND, height=9)
    made = _long_date(terms.made_on)
    channel = _CHANNELS.get(terms.channel, terms.channel.lower())
    _text(
        pdf,
        f"Contract {terms.reference}, issued on {made}. Arranged {channel}.",
        size=9,
        colour=_GREY,
        height=5,
    )


def _party_box(pdf: FPDF, x: float, top: float, title: str, lines: list[tuple[str, str]]) -> float:
    pdf.set_xy(x, top)
    pdf.set_fill_color(*_BRAND)
    _text(pdf, f"  {title}", size=9, style="B", colour=_WHITE, width=87, fill=True, height=6)
    y = top + 7.5
    for style, line in lines:
        pdf.set_xy(x + 2, y)
        colour = (0, 0, 0) if style == "B" or not line.startswith("  ") else _GREY
        _text(pdf, line.strip(), size=8.5, style=style, width=85, height=4.3, colour=colour)
        y += 4.3
    return y


def _parties(pdf: FPDF, terms: ContractTerms) -> None:
    top = pdf.get_y() + 3
    supplier = [
        ("B", SUPPLIER_NAME),
        *[("", line) for line in SUPPLIER_ADDRESS],
        ("", f"  Company number {SUPPLIER_COMPANY_NUMBER}"),
        ("", f"  {SUPPLIER_PHONE}  |  {SUPPLIER_EMAIL}"),
    ]
    customer = terms.customer
    lines = [("B", customer.name)]
    if customer.kind == BUSINESS and customer.contact_name:
        lines.append(("", f"  Signing for the business: {customer.contact_name}"))
    lines.extend(("", line) for line in customer.address)
    if customer.company_number:
        lines.append(("", f"  Company number {customer.company_number}"))
    lines.append(("", f"  {customer.phone}  |  {customer.email}"))
    left = _party_box(pdf, _LEFT, top, "The supplier (we, us)", supplier)
    right = _party_box(pdf, _LEFT + 93, top, "The customer (you)", lines)
    pdf.set_y(max(left, right) + 2)


def _glance(pdf: FPDF, terms: ContractTerms) -> None:
    home = _is_home(terms)
    total = sum(supply.estimated_annual_cost_pence for supply in terms.supplies)
    sites = len({supply.site_address for supply in terms.supplies})
    facts = (
        (
            "Supplies",
            f"{len(terms.supplies)} meter point{'s' if len(terms.supplies) != 1 else ''}"
            + (f" at {sites} sites" if sites > 1 else ""),
        ),
        ("Paying by", _PAYMENT.get(terms.payment_method, (terms.payment_method, ""))[0]),
        (
            "Estimated cost a year",
            f"{_money(total)} " + ("including VAT" if home else "excluding VAT"),
        ),
        ("Cancel free of charge", f"for {terms.cooling_off_days} days after you sign"),
    )
    top = pdf.get_y() + 1
    pdf.set_fill_color(*_LIGHT)
    pdf.rect(_LEFT, top, _WIDTH, 6 + 5 * len(facts), style="F")
    pdf.set_xy(_LEFT + 3, top + 2)
    _text(pdf, "At a glance", size=9.5, style="B", colour=_BRAND, height=5)
    y = top + 7
    for label, value in facts:
        pdf.set_xy(_LEFT + 3, y)
        _text(pdf, label, size=8.5, colour=_GREY, width=55, new_line=False, height=5)
        _text(pdf, value, size=8.5, style="B", width=115, height=5)
        y += 5
    pdf.set_y(top + 8 + 5 * len(facts))


def _supply_rows(terms: ContractTerms, supply: SupplyTerms) -> tuple[list, list]:
    if supply.tariff_kind == FIXED and supply.term_months:
        kind = f"Fixed prices for {supply.term_months} months from your supply start"
    elif supply.tariff_kind == FIXED:
        kind = "Fixed prices"
    else:
        kind = "Variable prices, no fixed term"
    exit_fee = (
        f"{_money(supply.exit_fee_pence)} if you leave before the fixed term ends"
        if supply.exit_fee_pence
        else "None"
    )
    cost_basis = "incl. VAT" if _is_home(terms) else "excl. VAT"
    left = [
        ("Tariff", f"{supply.tariff_name} ({supply.tariff_code})"),
        ("Prices", kind),
        ("Exit fee", exit_fee),
        ("Estimated use", f"{_kwh(supply.annual_kwh)} a year"),
        (
            "Estimated cost",
            f"{_money(supply.estimated_annual_cost_pence)} a year ({cost_basis})",
        ),
    ]
    right = [
        (
            "Standing charge",
            f"{_pence(_with_vat(terms, supply.standing_charge_pence_per_day))} a day",
        )
    ]
    for band, rate in supply.unit_rates:
        label = "Unit rate" if len(supply.unit_rates) == 1 else f"Unit rate, {_band(band)}"
        right.append((label, f"{_pence(_with_vat(terms, rate))} per kWh"))
    return left, right


def _supply_block(pdf: FPDF, terms: ContractTerms, supply: SupplyTerms) -> None:
    left, right = _supply_rows(terms, supply)
    rows = max(len(left), len(right) + 1)
    _room(pdf, 7 + rows * 4.2 + 2)
    top = pdf.get_y()
    colour = _ELECTRICITY if supply.fuel == ELECTRICITY else _GAS
    pdf.set_fill_color(*colour)
    pdf.rect(_LEFT, top, 1.6, 6 + rows * 4.2, style="F")
    pdf.set_xy(_LEFT + 3, top)
    _text(pdf, _fuel(supply), size=9, style="B", colour=colour, width=25, new_line=False)
    _text(pdf, _identifier(supply), size=9, style="B", width=70, new_line=False)
    vat = (
        f"Prices include VAT at {terms.vat_rate_percent.normalize():f}%"
        if _is_home(terms)
        else f"Prices exclude VAT at {terms.vat_rate_percent.normalize():f}%"
    )
    _text(pdf, vat, size=7.5, colour=_GREY, width=82, align="R")
    y = top + 5.2
    for label, value in left:
        pdf.set_xy(_LEFT + 3, y)
        _text(pdf, label, size=8, colour=_GREY, width=25, new_line=False, height=4.2)
        _text(pdf, _fit(pdf, value, 8, 75), size=8, width=77, new_line=False, height=4.2)
        y += 4.2
    y = top + 5.2
    for label, value in right:
        pdf.set_xy(_LEFT + 108, y)
        _text(pdf, _fit(pdf, label, 8, 38), size=8, colour=_GREY, width=38, new_line=False)
        _text(pdf, value, size=8, style="B", width=34, align="R", height=4.2)
        y += 4.2
    pdf.set_y(top + 6 + rows * 4.2 + 1.5)


def _fit(pdf: FPDF, text: str, size: float, width: float) -> str:
    lines = _lines(pdf, text, style="", size=size, width=width + 2)
    return text if len(lines) <= 1 else lines[0].rstrip(",") + "..."


def _supplies(pdf: FPDF, terms: ContractTerms) -> None:
    _heading(pdf, "Your sites, meter points and tariffs", needed=45)
    sites: dict[tuple[str, ...], list[SupplyTerms]] = {}
    for supply in terms.supplies:
        sites.setdefault(supply.site_address, []).append(supply)
    for number, (address, supplies) in enumerate(sites.items(), start=1):
        _room(pdf, 36)
        label = f"Site {number}: " if len(sites) > 1 else "Supply address: "
        pdf.set_fill_color(*_LIGHT)
        _text(
            pdf,
            "  " + label + ", ".join(address),
            size=8.5,
            style="B",
            width=_WIDTH,
            fill=True,
            height=5.5,
        )
        pdf.ln(1.2)
        for supply in supplies:
            _supply_block(pdf, terms, supply)
    pdf.ln(1)
    if _is_home(terms):
        note = (
            f"Prices are shown including VAT at {terms.vat_rate_percent.normalize():f}%, "
            "rounded to two decimal places; we charge the exact rates. "
        )
    else:
        note = (
            "Prices are shown excluding VAT, which we add at "
            f"{terms.vat_rate_percent.normalize():f}% (or the rate in force when we bill), "
            "and the Climate Change Levy, which we add where it applies. "
        )
    note += (
        "The estimated cost assumes the yearly consumption shown for each meter point at "
        "these prices, with the standing charge for 365 days; what you pay depends on the "
        "energy you actually use."
    )
    _paragraph(pdf, note, size=7.5, height=3.6, colour=_GREY)


def _term_and_payment(pdf: FPDF, terms: ContractTerms) -> None:
    home = _is_home(terms)
    _heading(pdf, "How long the contract lasts, and leaving it")
    fixed = [s for s in terms.supplies if s.tariff_kind == FIXED]
    if fixed:
        text = (
            "On a fixed tariff your unit rates and standing charge do not change for the term "
            "shown for the meter point, which starts on the day we start supplying it. If you "
            "leave before the term ends you pay the exit fee shown for that meter point."
        )
        if home:
            text += (
                " You pay no exit fee if you switch in the last 49 days of a fixed term, or "
                "if you leave because we change your prices or terms."
            )
        text += (
            " Before a fixed term ends we write to tell you your options and our cheapest "
            "tariffs; if you choose nothing you move to our standard variable tariff, which "
            "you can leave at any time without an exit fee."
        )
        _paragraph(pdf, text)
    if any(s.tariff_kind != FIXED for s in terms.supplies):
        _paragraph(
            pdf,
            "On a variable tariff there is no fixed term and no exit fee: you can leave at "
            "any time. Its prices can change; we tell you at least 30 days before any change, "
            "and you can leave without charge if you do not want to accept it.",
        )
    _paragraph(
        pdf,
        f"This document, with our {TERMS_AND_CONDITIONS} (at {SUPPLIER_WEBSITE}/terms, or on "
        "paper if you ask), is the whole contract between you and us. Where they differ, "
        "this document applies.",
    )
    _heading(pdf, "Paying for your energy", needed=24)
    name, text = _PAYMENT.get(terms.payment_method, (terms.payment_method, ""))
    _text(pdf, name, size=8.5, style="B", height=4.4)
    if text:
        _paragraph(pdf, text)


def _cooling_off(pdf: FPDF, terms: ContractTerms) -> None:
    days = terms.cooling_off_days
    last_day = _long_date(cooling_off_ends(terms.made_on, days))
    _heading(pdf, "Your right to cancel (cooling-off period)", needed=42)
    top = pdf.get_y()
    pdf.set_fill_color(*_LIGHT)
    pdf.rect(_LEFT, top, _WIDTH, 11, style="F")
    pdf.set_xy(_LEFT + 3, top + 1.5)
    _text(
        pdf,
        f"You can cancel this contract for {days} days after you sign it.",
        size=10,
        style="B",
        colour=_BRAND,
        height=5,
    )
    pdf.set_x(_LEFT + 3)
    _text(
        pdf,
        f"From the day after you sign: if you sign on {_long_date(terms.made_on)}, "
        f"until the end of {last_day}.",
        size=8,
        colour=_GREY,
        height=4,
    )
    pdf.set_y(top + 13)
    who = "the law gives you" if _is_home(terms) else "we give your business"
    _paragraph(
        pdf,
        f"Within this cooling-off period {who} the right to cancel without giving a reason "
        f"and without any charge or exit fee. To cancel, call us on {SUPPLIER_PHONE}, email "
        f"{SUPPLIER_EMAIL} or write to us at the address above, quoting contract "
        f"{terms.reference}; you may use the model cancellation form at "
        f"{SUPPLIER_WEBSITE}/cancel but you do not have to. If you asked us to start your "
        "supply within the cooling-off period and then cancel, you pay only for the energy "
        "supplied until then, at this contract's prices. Cancelling never leaves you without "
        "energy: your current supplier goes on supplying you.",
    )


def _complaints(pdf: FPDF, terms: ContractTerms) -> None:
    _heading(pdf, "If you are unhappy: how to complain", needed=44)
    _paragraph(
        pdf,
        f"Tell us first: call {SUPPLIER_PHONE}, email {SUPPLIER_COMPLAINTS_EMAIL} or write to "
        f"Complaints, {SUPPLIER_NAME}, {', '.join(SUPPLIER_ADDRESS)}. We record every "
        "complaint, tell you who is dealing with it, and aim to put things right quickly. "
        f"Our complaints procedure is at {SUPPLIER_WEBSITE}/complaints.",
    )
    eligible = (
        ""
        if _is_home(terms)
        else " (open to microbusinesses and small businesses; its website explains who can use it)"
    )
    _paragraph(
        pdf,
        "If we have not resolved your complaint within 8 weeks, or we write to say we cannot "
        "resolve it (a 'deadlock letter'), you can take it to the Energy Ombudsman"
        f"{eligible}. The Ombudsman is free to use and independent of energy suppliers; its "
        "decision is binding on us but not on you, so you remain free to take other action. "
        "Energy Ombudsman: www.energyombudsman.org, 0330 440 1624.",
        style="B",
    )
    _paragraph(
        pdf,
        "For free, impartial advice contact the Citizens Advice consumer service on "
        "0808 223 1133 or www.citizensadvice.org.uk. In an emergency: for a power cut "
        "call 105; if you smell gas call the National Gas Emergency Service on 0800 111 999.",
        colour=_GREY,
    )


def _signature_panel(pdf: FPDF, terms: ContractTerms) -> None:
    _heading(pdf, "Signatures", needed=62)
    customer = terms.customer
    top = pdf.get_y() + 1
    height = 40.0
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.3)
    for x in (_LEFT, _LEFT + 93):
        pdf.rect(x, top, 87, height)
    pdf.set_xy(_LEFT + 3, top + 2)
    _text(pdf, "Signed by the customer", size=9, style="B", colour=_BRAND, height=5)
    pdf.set_x(_LEFT + 3)
    if customer.kind == BUSINESS:
        signer = customer.contact_name or "An authorised signatory"
        _text(pdf, f"Name: {signer}", size=8.5, height=4.6)
        pdf.set_x(_LEFT + 3)
        _text(pdf, f"For and on behalf of {customer.name}", size=8.5, height=4.6)
    else:
        _text(pdf, f"Name: {customer.name}", size=8.5, height=4.6)
        pdf.ln(4.6)
    for label, y in (("Signature", top + 26), ("Date", top + 34)):
        pdf.set_xy(_LEFT + 3, y - 4)
        _text(pdf, label, size=8, colour=_GREY, width=20, new_line=False)
        pdf.line(_LEFT + 22, y, _LEFT + 84, y)
    pdf.set_xy(_LEFT + 96, top + 2)
    _text(pdf, f"Sealed by {SUPPLIER_NAME}", size=9, style="B", colour=_BRAND, height=5)
    pdf.set_x(_LEFT + 96)
    _paragraph(
        pdf,
        "When you sign, we add a record of your signature to this contract and seal the "
        "file with our digital signing certificate. Any later change to the file breaks "
        "the seal, which a PDF reader that checks signatures will show.",
        size=7.5,
        width=82,
        height=3.6,
    )
    pdf.set_y(top + height + 3)
    _paragraph(
        pdf,
        "How to sign: we send a one-time code to your email address or mobile phone to confirm "
        "it is you, then you sign in your web browser. You can also ask us for a paper copy to "
        "sign and return. We send you the signed, sealed copy to keep; when you sign online, "
        "the signature record at its end takes the place of a handwritten signature.",
        size=7.5,
        height=3.6,
        colour=_GREY,
    )


def _contract_pages(pdf: _Document, terms: ContractTerms) -> None:
    pdf.add_page()
    _letterhead(pdf)
    _title(pdf, terms)
    _parties(pdf, terms)
    _glance(pdf, terms)
    _supplies(pdf, terms)
    _term_and_payment(pdf, terms)
    _cooling_off(pdf, terms)
    _complaints(pdf, terms)
    _signature_panel(pdf, terms)


def _new_document(terms: ContractTerms, *, created: datetime.datetime) -> _Document:
    pdf = _Document(orientation="P", unit="mm", format="A4")
    pdf.reference = terms.reference
    pdf.set_creation_date(created)
    pdf.set_title(_latin1(f"Energy supply contract {terms.reference}"))
    pdf.set_author(SUPPLIER_NAME)
    pdf.set_subject(_latin1(f"Contract between {SUPPLIER_NAME} and {terms.customer.name}"))
    pdf.set_margins(_LEFT, 12, 15)
    pdf.set_auto_page_break(True, margin=18)
    return pdf


def _made_at(terms: ContractTerms) -> datetime.datetime:
    return datetime.datetime.combine(terms.made_on, datetime.time(), tzinfo=datetime.UTC)


def render_contract(terms: ContractTerms) -> bytes:
    """Return the contract as the bytes of an A4 PDF, the same bytes for the same terms."""
    _check(terms)
    pdf = _new_document(terms, created=_made_at(terms))
    _contract_pages(pdf, terms)
    return bytes(pdf.output())


def _check(terms: ContractTerms) -> None:
    if not terms.supplies:
        raise ValueError("a contract needs at least one supply")
    if terms.cooling_off_days < 0:
        raise ValueError("cooling-off days cannot be negative")


def _audit_page(pdf: _Document, terms: ContractTerms, signature: SignatureRecord) -> None:
    pdf.add_page()
    pdf.audit_from = pdf.page_no()
    _letterhead(pdf)
    pdf.set_xy(_LEFT, 30)
    _text(pdf, "Signature record", size=17, style="B", colour=_BRAND, height=9)
    _text(
        pdf,
        f"The record of how contract {terms.reference} was signed. It is part of this file "
        "and covered by the seal.",
        size=9,
        colour=_GREY,
        height=5,
    )
    pdf.ln(4)
    pdf.set_fill_color(*_LIGHT)
    top = pdf.get_y()
    pdf.rect(_LEFT, top, _WIDTH, 26, style="F")
    pdf.set_xy(_LEFT + 4, top + 3)
    _text(pdf, "Signed electronically by", size=8, colour=_GREY, height=4)
    pdf.set_x(_LEFT + 4)
    _text(pdf, signature.signer_name, size=20, style="I", font="times", height=11)
    pdf.set_x(_LEFT + 4)
    signed_for = (
        f"for and on behalf of {terms.customer.name}"
        if terms.customer.kind == BUSINESS
        else "the customer"
    )
    _text(pdf, signed_for, size=8.5, colour=_GREY, height=4.5)
    pdf.set_y(top + 30)
    local = signature.signed_at.astimezone(_LONDON)
    utc = signature.signed_at.astimezone(datetime.UTC)
    rows = (
        ("Contract", f"{terms.reference}, issued on {_long_date(terms.made_on)}"),
        ("Signer", signature.signer_name),
        ("Identified by", signature.identified_by),
        (
            "Signed at (UK time)",
            f"{_long_date(local.date())}, {local:%H:%M:%S} {local.tzname()}",
        ),
        ("Signed at (UTC)", f"{utc:%Y-%m-%d %H:%M:%S} UTC"),
        ("IP address", signature.ip_address),
        ("Browser (user agent)", signature.user_agent),
        ("Pages signed", f"1 to {pdf.audit_from - 1} of this file"),
    )
    for label, value in rows:
        lines = _lines(pdf, value, style="", size=9, width=130)
        _text(pdf, label, size=8.5, colour=_GREY, width=48, new_line=False, height=5)
        for index, line in enumerate(lines or [""]):
            if index:
                pdf.set_x(_LEFT + 48)
            _text(pdf, line, size=9, width=132, height=5)
        pdf.set_draw_color(*_RULE)
        pdf.set_line_width(0.15)
        pdf.line(_LEFT, pdf.get_y() + 0.6, _LEFT + _WIDTH, pdf.get_y() + 0.6)
        pdf.ln(1.5)
    pdf.ln(3)
    _text(pdf, "Document fingerprint (SHA-256)", size=8.5, colour=_GREY, height=5)
    _text(pdf, signature.document_sha256.lower(), size=9.5, font="courier", style="B", height=6)
    pdf.ln(2)
    _paragraph(
        pdf,
        "The signer was shown the contract document whose SHA-256 fingerprint is above (the "
        f"contract as issued, pages 1 to {pdf.audit_from - 1} here) and signed it in their web "
        "browser after confirming their identity as recorded above. The same terms always "
        "produce the same document, so the fingerprint identifies exactly what was signed.",
    )
    _paragraph(
        pdf,
        f"This PDF is sealed with {SUPPLIER_NAME}'s signing certificate (a PAdES digital "
        "signature over the whole file, this page included). Any change to the file after "
        "sealing, however small, breaks the seal: a PDF reader that checks signatures shows "
        "it as invalid, and so does our own check.",
        style="B",
    )


def render_signed_contract(terms: ContractTerms, signature: SignatureRecord) -> bytes:
    """Return the contract's pages, numbered as in ``render_contract``, followed by a
    signature record page: the PDF to seal. Raises ``ValueError`` for a naive
    ``signed_at`` or a fingerprint that is not a hex SHA-256."""
    _check(terms)
    if signature.signed_at.tzinfo is None or signature.signed_at.utcoffset() is None:
        raise ValueError("signed_at must be timezone-aware")
    digest = signature.document_sha256
    if len(digest) != 64 or any(char not in "0123456789abcdefABCDEF" for char in digest):
        raise ValueError("document_sha256 must be 64 hexadecimal characters")
    # The contract's own page count, for "Page n of N" on its pages (the record page is
    # not counted in it): laid out once to count, then again for good.
    counting = _new_document(terms, created=_made_at(terms))
    _contract_pages(counting, terms)
    pdf = _new_document(terms, created=signature.signed_at)
    pdf.pages_text = str(counting.page_no())
    _contract_pages(pdf, terms)
    _audit_page(pdf, terms, signature)
    return bytes(pdf.output())
