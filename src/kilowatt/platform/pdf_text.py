"""Text on PDF pages made with fpdf2's core fonts, as every document here writes it (the
invoice, the contract): names folded to what the fonts carry, widths measured from a
table read once (fpdf2's own measuring costs many times more), one-line cells."""

from __future__ import annotations

import unicodedata
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT = "helvetica"

# Letters NFKD does not take apart, and typographic marks people paste into names.
_FOLD = str.maketrans(
    {
        "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i",
        "\u0152": "OE", "\u0153": "oe", "\u2018": "'", "\u2019": "'", "\u201c": '"',
        "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ",
    }
)  # fmt: skip


def latin1(text: str) -> str:
    """Return ``text`` in what the PDF core fonts carry: accents kept where Latin-1 has
    them, others dropped (Łódź -> Lodz), anything else as '?'."""
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text.translate(_FOLD):
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)[0]
        out.append(base if ord(base) < 128 else "?")
    return "".join(out)


def _font_widths() -> dict[str, dict[str, int]]:
    probe = FPDF()
    widths = {}
    for style in ("", "B"):
        probe.set_font(FONT, style, 10)
        font: Any = probe.current_font
        widths[style] = dict(font.cw)  # character -> width in 1/1000 em
    return widths


WIDTHS = _font_widths()  # Helvetica's character widths by style, read once


def measure(text: str, style: str, size: float) -> float:
    """Return the width of ``text`` in mm at ``size`` points."""
    widths = WIDTHS.get(style, WIDTHS[""])
    return sum(widths.get(char, 556) for char in text) * size / 1000 * 25.4 / 72


def text(
    pdf: FPDF,
    words: str,
    *,
    size: float = 9,
    style: str = "",
    width: float = 0,
    height: float = 4.6,
    align: str = "L",
    colour: tuple[int, int, int] = (0, 0, 0),
    fill: bool = False,
    new_line: bool = True,
    font: str = FONT,
) -> None:
    """Write one line of text in a cell (then to the next line, unless ``new_line``)."""
    pdf.set_font(font, style, size)
    pdf.set_text_color(*colour)
    pdf.cell(
        width,
        height,
        latin1(words),
        align=align,
        fill=fill,
        new_x=XPos.LMARGIN if new_line else XPos.RIGHT,
        new_y=YPos.NEXT if new_line else YPos.TOP,
    )
