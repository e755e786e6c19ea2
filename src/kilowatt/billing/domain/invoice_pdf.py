"""An invoice document laid out as an A4 PDF: page 1 what is owed, by when, and why in
brief with a year of consumption; page 2 the details, tariffs and how to complain.

The rendering path was chosen by measurement: one dual-fuel Economy 7 home invoice, the
same two-page document both ways, one core of the 2-core build machine, median of 30-100
renders after warm-up (November 2026):

    WeasyPrint 70, HTML + CSS, SVG bar chart, DejaVu Sans     134 ms a PDF, ~7 PDFs/s
    fpdf2 2.8.9, drawn directly, PDF core font Helvetica       7.3 ms a PDF, ~135 PDFs/s
      (fpdf2 with its own ``multi_cell`` for paragraphs:      18.7 ms; see ``_wrapped``)

(With other work sharing the cores the two were 224 ms and 17 ms.) A full HTML-to-PDF
engine lays text out with a CSS box model, shapes it with HarfBuzz and embeds a subset
TrueType font in every file; a bill is a fixed form, so it is drawn straight onto the
page here with the standard Helvetica every PDF reader carries (no font embedded: files
of about 5 kB). That path is 15-20 times faster; with the database reads and the store,
``make bench`` (``invoice_pdfs``) measured about 70 PDFs/s in one process against the goal
of 60/s on 2 cores. The cost: text is Latin-1 (names are folded to it, ``_latin1``) and
the layout is code, not a template.

Pure: the PDF is made in memory; its creation date is the ``as_at`` given, so the same
document renders to the same bytes.
"""

from __future__ import annotations

import datetime
import functools

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from kilowatt.billing.domain.invoice_document import (
    InvoiceDocument,
    long_date,
    short_date,
)
from kilowatt.platform import pdf_text
from kilowatt.platform.money import format_pence

RENDERER = "fpdf2-2.8.9"

_BRAND = (0, 94, 124)  # a deep teal
_LIGHT = (228, 241, 245)
_GREY = (96, 96, 96)
_RULE = (190, 190, 190)
_ELECTRICITY = (0, 122, 160)
_GAS = (240, 150, 40)
_LEFT = 15.0
_WIDTH = 180.0
_FONT = pdf_text.FONT
_latin1 = pdf_text.latin1
_text = pdf_text.text


def _fit(text: str, style: str, size: float, width: float) -> str:
    """Return ``text`` cut (with "...") to fit ``width`` mm on one line."""
    lines = _wrapped(_latin1(text), style, size, width + 2)
    return text if len(lines) <= 1 else lines[0].rstrip(",") + "..."


def _money(pence: int) -> str:
    return format_pence(pence)


class _Page(FPDF):
    document: InvoiceDocument

    def footer(self) -> None:
        self.set_y(-13)
        self.set_draw_color(*_RULE)
        self.set_line_width(0.2)
        self.line(_LEFT, self.get_y(), _LEFT + _WIDTH, self.get_y())
        self.set_font(_FONT, "", 6.5)
        self.set_text_color(*_GREY)
        doc = self.document
        self.cell(
            _WIDTH - 60,
            3.5,
            _latin1(f"{doc.legal_entity}, {doc.company_lines[0]}."),
            new_x=XPos.RIGHT,
            new_y=YPos.TOP,
        )
        self.cell(
            60,
            3.5,
            f"{doc.number}  |  {doc.account_number}  |  Page {self.page_no()} of {{nb}}",
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.cell(_WIDTH, 3.2, _latin1(doc.company_lines[1]))


def _paragraph(
    pdf: FPDF,
    text: str,
    *,
    size: float = 8,
    width: float = _WIDTH,
    height: float = 3.8,
    colour: tuple[int, int, int] = (0, 0, 0),
    style: str = "",
) -> None:
    pdf.set_font(_FONT, style, size)
    pdf.set_text_color(*colour)
    x = pdf.get_x()
    for line in _wrapped(_latin1(text), style, size, width):
        pdf.set_x(x)
        pdf.cell(width, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


@functools.lru_cache(maxsize=512)
def _wrapped(text: str, style: str, size: float, width: float) -> tuple[str, ...]:
    """Return ``text`` broken into lines no wider than ``width`` mm (fpdf2's own
    ``multi_cell`` measures every candidate line again character by character: two
    thirds of a page's time; the fixed paragraphs of every bill are wrapped once here)."""
    widths = pdf_text.WIDTHS[style]
    scale = size / 1000 * 25.4 / 72  # font units at this size, in mm
    usable = width - 2  # fpdf2's cell margins, 1 mm each side
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    space = widths.get(" ", 278) * scale
    for word in text.split():
        wide = sum(widths.get(char, 556) for char in word) * scale
        if line and used + space + wide > usable:
            lines.append(" ".join(line))
            line, used = [], 0.0
        used += (space if line else 0.0) + wide
        line.append(word)
    if line:
        lines.append(" ".join(line))
    return tuple(lines)


def _rule(pdf: FPDF, *, width: float = _WIDTH, x: float = _LEFT) -> None:
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.2)
    pdf.line(x, pdf.get_y(), x + width, pdf.get_y())


def _heading(pdf: FPDF, text: str, *, size: float = 11) -> None:
    pdf.ln(2)
    _text(pdf, text, size=size, style="B", colour=_BRAND, height=6)
    pdf.set_draw_color(*_BRAND)
    pdf.set_line_width(0.5)
    pdf.line(_LEFT, pdf.get_y(), _LEFT + _WIDTH, pdf.get_y())
    pdf.ln(1.5)


def _letterhead(pdf: FPDF, doc: InvoiceDocument) -> None:
    pdf.set_xy(_LEFT, 12)
    _text(pdf, "kilowatt", size=24, style="B", colour=_BRAND, height=10, new_line=False)
    pdf.set_xy(120, 12)
    _text(pdf, doc.legal_entity, size=9, style="B", width=75, align="R", height=4.2)
    for line in doc.company_lines:
        pdf.set_x(120)
        _text(pdf, line, size=6.5, width=75, align="R", height=3.2, colour=_GREY)


def _address_and_facts(pdf: FPDF, doc: InvoiceDocument) -> None:
    # The address sits where a DL window envelope shows it.
    pdf.set_xy(_LEFT + 5, 45)
    _text(pdf, doc.customer_name, size=10, style="B", height=4.8)
    for line in doc.address_lines:
        pdf.set_x(_LEFT + 5)
        _text(pdf, line, size=10, height=4.8)
    facts = (
        ("Invoice number" if not doc.is_credit_note else "Credit note number", doc.number),
        ("Date", long_date(doc.invoice_date)),
        ("Account number", doc.account_number),
        ("Billing period", f"{short_date(doc.period_start)} to {short_date(doc.last_day)}"),
    )
    pdf.set_fill_color(*_LIGHT)
    pdf.rect(118, 43, 77, 26, style="F")
    y = 45.0
    for label, value in facts:
        pdf.set_xy(121, y)
        _text(pdf, label, size=8, width=30, colour=_GREY, new_line=False, height=5)
        _text(pdf, value, size=8.5, style="B", width=41, align="R", height=5, new_line=False)
        y += 5.5


def _headline(pdf: FPDF, doc: InvoiceDocument) -> None:
    pdf.set_xy(_LEFT, 76)
    title = doc.title + (f"  -  {doc.label}" if doc.label else "")
    _text(pdf, title, size=15, style="B", colour=_BRAND, height=8)
    top = pdf.get_y() + 1
    pdf.set_fill_color(*_BRAND)
    pdf.rect(_LEFT, top, _WIDTH, 24, style="F")
    pdf.set_xy(_LEFT + 5, top + 3)
    _text(
        pdf,
        doc.headline,
        size=11,
        style="B",
        colour=(255, 255, 255),
        width=80,
        height=6,
        new_line=False,
    )
    pdf.set_xy(_LEFT + 5, top + 9.5)
    _text(
        pdf,
        _money(doc.headline_pence),
        size=22,
        style="B",
        colour=(255, 255, 255),
        width=70,
        height=10,
        new_line=False,
    )
    pdf.set_xy(_LEFT + 82, top + 4)
    _paragraph(
        pdf, doc.payment_text, size=8.5, width=_WIDTH - 87, height=4.2, colour=(255, 255, 255)
    )
    pdf.set_y(top + 27)


def _amount_row(
    pdf: FPDF,
    label: str,
    pence: int,
    *,
    bold: bool = False,
    width: float = 85,
    x: float = _LEFT,
    size: float = 9,
) -> None:
    pdf.set_x(x)
    style = "B" if bold else ""
    label = _fit(label, style, size, width - 30)
    _text(pdf, label, size=size, style=style, width=width - 28, new_line=False, height=5.2)
    _text(pdf, _money(pence), size=size, style=style, width=28, align="R", height=5.2)


def _summary(pdf: FPDF, doc: InvoiceDocument) -> None:
    top = pdf.get_y()
    # Left: the account's balance; right: what this bill is made of.
    pdf.set_xy(_LEFT, top)
    _text(pdf, "Your account", size=10.5, style="B", colour=_BRAND, height=6)
    for index, row in enumerate(doc.summary):
        last = index == len(doc.summary) - 1
        if last:
            _rule(pdf, width=85)
        _amount_row(pdf, row.label, row.amount_pence, bold=last)
    if not doc.ledger_known:
        _paragraph(
            pdf,
            "Your balance could not be shown on this bill; it is on your online account.",
            size=7,
            width=85,
            colour=_GREY,
        )
    left_end = pdf.get_y()
    pdf.set_xy(110, top)
    _text(
        pdf,
        "Credit note summary" if doc.is_credit_note else "This bill's charges",
        size=10.5,
        style="B",
        colour=_BRAND,
        height=6,
    )
    for section in doc.sections:
        _amount_row(pdf, section.short_label, section.subtotal_pence, x=110)
    if len(doc.sections) > 1 or doc.ccl_pence or doc.vat_pence:
        _rule(pdf, width=85, x=110)
        _amount_row(pdf, "Charges before VAT", doc.net_pence + doc.ccl_pence, x=110)
    for vat in doc.vat_rows:
        _amount_row(pdf, f"VAT at {vat.rate}%", vat.vat_pence, x=110)
    _rule(pdf, width=85, x=110)
    _amount_row(pdf, "Total this bill", doc.total_pence, bold=True, x=110)
    pdf.set_y(max(left_end, pdf.get_y()) + 3)


def _chart(pdf: FPDF, doc: InvoiceDocument) -> None:
    bars = doc.consumption
    if not bars:
        return
    _heading(pdf, "Your energy use over the last 12 months (kWh)", size=10.5)
    top = pdf.get_y() + 2
    height = 34.0
    has_gas = any(bar.gas_kwh for bar in bars)
    has_electricity = any(bar.electricity_kwh for bar in bars)
    biggest = max(max(bar.electricity_kwh, bar.gas_kwh) for bar in bars) or 1
    slot = (_WIDTH - 12) / len(bars)
    series = [
        s
        for s in (("electricity", _ELECTRICITY), ("gas", _GAS))
        if (s[0] == "gas" and has_gas) or (s[0] == "electricity" and has_electricity)
    ]
    bar_width = (slot * 0.7) / max(len(series), 1)
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.2)
    base = top + height
    pdf.line(_LEFT + 12, base, _LEFT + _WIDTH, base)
    pdf.set_font(_FONT, "", 6)
    pdf.set_text_color(*_GREY)
    for fraction in (0.5, 1.0):
        y = base - height * fraction
        pdf.line(_LEFT + 12, y, _LEFT + _WIDTH, y)
        pdf.set_xy(_LEFT, y - 1.5)
        pdf.cell(11, 3, f"{round(biggest * fraction):,}", align="R")
    for index, bar in enumerate(bars):
        x = _LEFT + 12 + index * slot + slot * 0.15
        for name, colour in series:
            kwh = bar.gas_kwh if name == "gas" else bar.electricity_kwh
            if kwh:
                tall = height * kwh / biggest
                pdf.set_fill_color(*colour)
                pdf.rect(x, base - tall, bar_width, tall, style="F")
            x += bar_width
        pdf.set_xy(_LEFT + 12 + index * slot, base + 0.8)
        pdf.set_text_color(*_GREY)
        pdf.cell(slot, 3, bar.label, align="C")
    pdf.set_xy(_LEFT + 12, base + 5)
    for name, colour in series:
        pdf.set_fill_color(*colour)
        pdf.rect(pdf.get_x(), pdf.get_y() + 0.8, 3, 3, style="F")
        pdf.set_x(pdf.get_x() + 4)
        _text(pdf, name.capitalize(), size=7.5, width=22, new_line=False, height=4.6)
    total_e = sum(bar.electricity_kwh for bar in bars)
    total_g = sum(bar.gas_kwh for bar in bars)
    totals = []
    if has_electricity:
        totals.append(f"electricity {total_e:,} kWh")
    if has_gas:
        totals.append(f"gas {total_g:,} kWh")
    _text(pdf, "Total over the 12 months: " + ", ".join(totals), size=7.5, colour=_GREY, height=4.6)
    pdf.ln(1)


def _details(pdf: FPDF, doc: InvoiceDocument) -> None:
    _heading(pdf, "Your charges in detail")
    widths = (62.0, 34.0, 58.0, 26.0)
    for section in doc.sections:
        if pdf.get_y() > 250:
            pdf.add_page()
        pdf.set_fill_color(*_LIGHT)
        title = section.heading + (f"  -  {section.tariff_name}" if section.tariff_name else "")
        _text(pdf, title, size=9, style="B", width=_WIDTH, fill=True, height=5.5)
        if section.address:
            _text(pdf, f"Supply address: {section.address}", size=7.5, colour=_GREY, height=4)
        for line in section.lines:
            _text(pdf, line.label, size=8.5, width=widths[0], new_line=False, height=4.6)
            _text(
                pdf, line.dates, size=8, width=widths[1], new_line=False, height=4.6, colour=_GREY
            )
            _text(pdf, line.detail, size=8, width=widths[2], new_line=False, height=4.6)
            _text(pdf, _money(line.amount_pence), size=8.5, width=widths[3], align="R", height=4.6)
            if line.note:
                pdf.set_x(_LEFT + 3)
                _paragraph(pdf, line.note, size=7, width=_WIDTH - 30, height=3.4, colour=_GREY)
        _rule(pdf)
        _text(
            pdf, "Subtotal", size=8.5, style="B", width=_WIDTH - widths[3], new_line=False, height=5
        )
        _text(
            pdf,
            _money(section.subtotal_pence),
            size=8.5,
            style="B",
            width=widths[3],
            align="R",
            height=5,
        )
        pdf.ln(1.5)


def _vat_and_totals(pdf: FPDF, doc: InvoiceDocument) -> None:
    if pdf.get_y() > 235:
        pdf.add_page()
    _heading(pdf, "VAT and totals", size=10)
    x = _LEFT + _WIDTH - 95
    top = pdf.get_y()
    pdf.set_xy(_LEFT, top)
    _text(pdf, "VAT rate", size=8, style="B", width=25, new_line=False, height=4.8)
    _text(pdf, "Charged on", size=8, style="B", width=30, align="R", new_line=False, height=4.8)
    _text(pdf, "VAT", size=8, style="B", width=25, align="R", height=4.8)
    for row in doc.vat_rows:
        _text(pdf, f"{row.rate}%", size=8, width=25, new_line=False, height=4.6)
        _text(
            pdf, _money(row.taxable_pence), size=8, width=30, align="R", new_line=False, height=4.6
        )
        _text(pdf, _money(row.vat_pence), size=8, width=25, align="R", height=4.6)
    end = pdf.get_y()
    pdf.set_y(top)
    _amount_row(pdf, "Charges before VAT and levy", doc.net_pence, x=x, width=95, size=8.5)
    if doc.ccl_pence or doc.is_business:
        _amount_row(pdf, "Climate Change Levy", doc.ccl_pence, x=x, width=95, size=8.5)
    _amount_row(pdf, "VAT", doc.vat_pence, x=x, width=95, size=8.5)
    _rule(pdf, width=95, x=x)
    _amount_row(pdf, "Total", doc.total_pence, x=x, width=95, bold=True, size=9)
    pdf.set_y(max(end, pdf.get_y()) + 1)


def _tariffs(pdf: FPDF, doc: InvoiceDocument) -> None:
    if not doc.tariffs:
        return
    _heading(pdf, "Your tariffs", size=10.5)
    for tariff in doc.tariffs:
        _text(pdf, f"{tariff.heading}: {tariff.name}", size=8.5, style="B", height=4.4)
        _paragraph(
            pdf,
            ";  ".join(tariff.rates) + ". Rates shown exclude VAT.",
            size=7.5,
            height=3.6,
            colour=_GREY,
        )
        pdf.ln(0.6)


def _help(pdf: FPDF, doc: InvoiceDocument) -> None:
    if pdf.get_y() > 250:
        return
    pdf.ln(2)
    top = pdf.get_y()
    pdf.set_fill_color(*_LIGHT)
    pdf.rect(_LEFT, top, _WIDTH, 16, style="F")
    pdf.set_xy(_LEFT + 3, top + 2)
    _text(pdf, "Finding it hard to pay?", size=9, style="B", colour=_BRAND, height=4.6)
    pdf.set_x(_LEFT + 3)
    _paragraph(pdf, doc.help_text, size=7.5, width=_WIDTH - 6, height=3.6)
    pdf.set_y(top + 17)


def _complaints(pdf: FPDF, doc: InvoiceDocument) -> None:
    if pdf.get_y() > 240:
        pdf.add_page()
    _heading(pdf, "Not happy? How to complain", size=10)
    for paragraph in doc.complaints:
        _paragraph(pdf, paragraph, size=7.5, height=3.6)
        pdf.ln(0.8)
    pdf.ln(1)
    _paragraph(pdf, doc.emergencies, size=7.5, height=3.6, style="B", colour=_BRAND)
    _paragraph(pdf, doc.delivery_text, size=7, height=3.4, colour=_GREY)


def render_invoice_pdf(document: InvoiceDocument, *, as_at: datetime.datetime) -> bytes:
    """Return an invoice document as the bytes of a PDF (A4, one or two pages as a rule)."""
    pdf = _Page(orientation="P", unit="mm", format="A4")
    pdf.document = document
    pdf.set_creation_date(as_at)
    pdf.set_title(_latin1(f"{document.title} {document.number}"))
    pdf.set_author(_latin1(document.legal_entity))
    pdf.set_margins(_LEFT, 12, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    _letterhead(pdf, document)
    _address_and_facts(pdf, document)
    _headline(pdf, document)
    _summary(pdf, document)
    _chart(pdf, document)
    _tariffs(pdf, document)
    _help(pdf, document)
    pdf.add_page()
    _details(pdf, document)
    _vat_and_totals(pdf, document)
    _complaints(pdf, document)
    return bytes(pdf.output())


def render_text_only_pdf(document: InvoiceDocument, *, as_at: datetime.datetime) -> bytes:
    """Return a PDF of the document's text alone, a line each, with no layout: the floor
    the benchmark compares ``render_invoice_pdf`` with."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(as_at)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font(_FONT, "", 5)
    for line in document.plain_text():
        pdf.cell(0, 2.2, _latin1(line)[:220], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
