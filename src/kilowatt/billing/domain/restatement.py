"""A restated bill as a plain difference: the original bill beside its replacement.

A bill whose reads changed after it was issued is credited in full and replaced by a new
bill for the same period (``billing.operations.restate_invoice``). What a customer and an
agent need to know is small: which period, which meter reading changed, and the old and
new amounts. ``compare`` takes the two bills' lines and returns, per meter point and kind
of line, the old and new quantity and amount side by side, and which reads differ.

Which reads differ is told from the ``ENERGY`` lines alone:
an energy line runs from one read to the next, ``[start_date, end_date)``, with the two
reads' sources in ``read_from`` and ``read_to``. Pieces of one consumption split by a
tariff change are joined back first (by their closing read's id where the lines carry
one, else ``Line.part_of``, from the piece's description);
then a read is known by its meter point, band and date, its value by the energy used
from the bill's opening read up to it.

Pure: no Django, no I/O, no clock. Money is integer pence.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from kilowatt.platform.money import format_pence

ENERGY = "ENERGY"
EN_DASH = "\u2013"

# How a reading's change is said.
CORRECTED = "CORRECTED"  # a read of that date in both bills, with other figures or source
ADDED = "ADDED"  # a read the new bill uses and the old one did not
REMOVED = "REMOVED"  # a read the old bill used and the new one does not

KIND_WORDS = {
    "STANDING_CHARGE": "Standing charge",
    "ENERGY": "Energy",
    "CCL": "Climate Change Levy",
    "VAT": "VAT",
    "CREDIT": "Credit",
    "COMPENSATION": "Compensation",
    "ADJUSTMENT": "Adjustment",
    "BACK_BILLING": "Not charged: more than 12 months ago",
}
_SOURCE_WORDS = {
    "ACTUAL": "meter reader's reading",
    "CUSTOMER": "your reading",
    "SMART": "smart meter reading",
    "ESTIMATE": "estimate",
    "ESTIMATED": "estimate",
}


@dataclasses.dataclass(frozen=True)
class Line:
    """One line of a bill, as compared."""

    kind: str
    meter_point: str
    band: str
    start_date: datetime.date | None
    end_date: datetime.date | None  # exclusive: the closing read's day for energy
    quantity: Decimal | None
    unit: str
    amount_pence: int
    read_from: str = ""
    read_to: str = ""
    # Energy priced in pieces (a tariff change between two reads): what the pieces of
    # one consumption share, empty for a consumption priced whole (``piece_of``).
    part_of: str = ""
    read_id: int | None = None  # an energy line's closing read, when the line names it


def piece_of(description: str) -> str:
    """Return what an energy line priced in pieces shares with the other pieces of its
    consumption (``rating`` describes a piece as ``"<kWh> x <rate>p: <days> of <the
    consumption>"``), or "" for a consumption priced whole."""
    head, separator, rest = description.partition("p: ")
    days, of, consumption = rest.partition(" of ")
    if not separator or not of or not days.isdigit() or " x " not in head:
        return ""
    return consumption


@dataclasses.dataclass(frozen=True)
class LineDifference:
    """The lines of one meter point, kind and band, summed, before and after."""

    meter_point: str
    kind: str
    band: str
    unit: str
    old_quantity: Decimal | None
    new_quantity: Decimal | None
    old_amount_pence: int
    new_amount_pence: int

    @property
    def kind_label(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind.replace("_", " ").capitalize())

    @property
    def quantity_difference(self) -> Decimal | None:
        if self.old_quantity is None and self.new_quantity is None:
            return None
        return (self.new_quantity or Decimal(0)) - (self.old_quantity or Decimal(0))

    @property
    def difference_pence(self) -> int:
        return self.new_amount_pence - self.old_amount_pence

    @property
    def changed(self) -> bool:
        return self.difference_pence != 0 or (self.quantity_difference or 0) != 0


@dataclasses.dataclass(frozen=True)
class ReadChange:
    """A meter reading the two bills use differently.

    ``old_kwh``/``new_kwh`` are the energy used from the read before up to this one (from
    ``old_since``/``new_since``), as each bill has it; None where that bill has no read
    of that day."""

    meter_point: str
    band: str
    day: datetime.date
    change: str  # CORRECTED, ADDED or REMOVED
    old_source: str
    new_source: str
    old_kwh: Decimal | None
    new_kwh: Decimal | None
    old_since: datetime.date | None
    new_since: datetime.date | None
    is_opening: bool = False  # the read the bill's energy starts from, not one it ends at

    @property
    def fuel(self) -> str:
        return fuel_of(self.meter_point)

    def sentence(self) -> str:
        """Say the change in plain words, as the customer reads it."""
        what = f"{self.fuel} meter reading of {day_words(self.day)}"
        if self.band and self.band != "ANYTIME":
            what = f"{self.fuel} {self.band.lower().replace('_', '-')} meter reading of " + (
                day_words(self.day)
            )
        if self.change == ADDED:
            return f"we used a new {what}" + _used(self.new_kwh)
        if self.change == REMOVED:
            return f"we no longer use the {what}" + _used(self.old_kwh)
        if self.old_kwh is not None and self.new_kwh is not None and self.old_kwh != self.new_kwh:
            return (
                f"we corrected the {what} ({kwh_words(self.old_kwh)} → {kwh_words(self.new_kwh)})"
            )
        if self.old_source != self.new_source:
            return (
                f"we replaced the {what}: {source_words(self.old_source)} → "
                f"{source_words(self.new_source)}"
            )
        return f"we corrected the {what}"


def _used(kwh: Decimal | None) -> str:
    return "" if kwh is None else f" ({kwh_words(kwh)})"


@dataclasses.dataclass(frozen=True)
class BillSummary:
    """A bill, credit note or replacement as the difference names it."""

    id: int
    number: str
    kind: str
    period_start: datetime.date
    period_end: datetime.date  # exclusive
    bill_date: datetime.date
    total_pence: int

    @property
    def last_day(self) -> datetime.date:
        return self.period_end - datetime.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class Restatement:
    """An original bill, its credit note and its replacement, and what differs."""

    original: BillSummary
    credit_note: BillSummary
    replacement: BillSummary
    reason: str
    lines: tuple[LineDifference, ...]
    reads: tuple[ReadChange, ...]

    @property
    def difference_pence(self) -> int:
        """What the replacement charges more (positive) or less (negative)."""
        return self.replacement.total_pence - self.original.total_pence

    @property
    def changed_lines(self) -> tuple[LineDifference, ...]:
        return tuple(line for line in self.lines if line.changed)

    def summary(self) -> str:
        """Say the whole restatement in a few plain sentences."""
        original, replacement = self.original, self.replacement
        words = [
            f"Your bill {original.number} for "
            f"{period_words(original.period_start, original.period_end)} was "
            f"{format_pence(original.total_pence)}."
        ]
        if self.reads:
            changes = [change.sentence() for change in self.reads]
            text = _join(changes)
            words.append(f"{text[0].upper()}{text[1:]}.")
        elif self.reason:
            words.append(f"{self.reason.rstrip('.')}.")
        words.append(f"New bill {replacement.number}: {format_pence(replacement.total_pence)}.")
        words.append(f"Difference: {difference_words(self.difference_pence)}.")
        return " ".join(words)


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{'; '.join(parts[:-1])} and {parts[-1]}"


def difference_words(pence: int) -> str:
    """Say a change of total: ``£13.05 credited``, ``£4.10 more to pay`` or ``none``."""
    if pence < 0:
        return f"{format_pence(-pence)} credited"
    if pence > 0:
        return f"{format_pence(pence)} more to pay"
    return "none"


def day_words(day: datetime.date) -> str:
    return f"{day.day} {day:%B}"


def period_words(start: datetime.date, end: datetime.date) -> str:
    """Say a half-open period ``[start, end)`` by its first and last days:
    ``1 Feb \u2013 28 Feb 2026`` (an en dash)."""
    last = end - datetime.timedelta(days=1)
    if start.year == last.year:
        return f"{start.day} {start:%b} {EN_DASH} {last.day} {last:%b %Y}"
    return f"{start.day} {start:%b %Y} {EN_DASH} {last.day} {last:%b %Y}"


def kwh_words(kwh: Decimal) -> str:
    text = f"{kwh:,.3f}".rstrip("0").rstrip(".")
    return f"{text} kWh"


def source_words(source: str) -> str:
    return _SOURCE_WORDS.get(source, source.lower().replace("_", " ") or "a reading")


def fuel_of(meter_point: str) -> str:
    """Return ``electricity`` for an MPAN core (13 digits), else ``gas`` (an MPRN)."""
    return "electricity" if len(meter_point) == 13 else "gas"


# --- the comparison ---------------------------------------------------------------------


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) if present else None


def line_differences(old: Sequence[Line], new: Sequence[Line]) -> tuple[LineDifference, ...]:
    """Return, per meter point, kind and band (in the order they first appear, the old
    bill's first), the two bills' quantities and amounts summed, side by side."""
    keys: dict[tuple[str, str, str], str] = {}
    for line in (*old, *new):
        keys.setdefault((line.meter_point, line.kind, line.band), line.unit)
    differences = []
    for (point, kind, band), unit in keys.items():
        before = [x for x in old if (x.meter_point, x.kind, x.band) == (point, kind, band)]
        after = [x for x in new if (x.meter_point, x.kind, x.band) == (point, kind, band)]
        differences.append(
            LineDifference(
                meter_point=point,
                kind=kind,
                band=band,
                unit=unit,
                old_quantity=_sum(x.quantity for x in before),
                new_quantity=_sum(x.quantity for x in after),
                old_amount_pence=sum(x.amount_pence for x in before),
                new_amount_pence=sum(x.amount_pence for x in after),
            )
        )
    return tuple(differences)


@dataclasses.dataclass(frozen=True)
class _Consumption:
    start: datetime.date
    end: datetime.date
    kwh: Decimal
    read_from: str
    read_to: str
    part_of: str
    read_id: int | None


def _consumptions(lines: Sequence[Line]) -> dict[tuple[str, str], list[_Consumption]]:
    """Return each meter point and band's energy from read to read, in date order, the
    pieces a tariff change split joined back together."""
    by_register: dict[tuple[str, str], list[_Consumption]] = {}
    energy = sorted(
        (
            line
            for line in lines
            if line.kind == ENERGY and line.start_date is not None and line.end_date is not None
        ),
        key=lambda line: (line.meter_point, line.band, line.start_date),
    )
    for line in energy:
        assert line.start_date is not None and line.end_date is not None  # filtered above
        pieces = by_register.setdefault((line.meter_point, line.band), [])
        piece = _Consumption(
            start=line.start_date,
            end=line.end_date,
            kwh=line.quantity or Decimal(0),
            read_from=line.read_from,
            read_to=line.read_to,
            part_of=line.part_of,
            read_id=line.read_id,
        )
        last = pieces[-1] if pieces else None
        same_read = piece.read_id is not None and last is not None and last.read_id == piece.read_id
        same_part = (
            last is not None
            and bool(piece.part_of)
            and (last.part_of, last.read_from, last.read_to)
            == (piece.part_of, piece.read_from, piece.read_to)
        )
        if last is not None and last.end == piece.start and (same_read or same_part):
            pieces[-1] = dataclasses.replace(last, end=piece.end, kwh=last.kwh + piece.kwh)
        else:
            pieces.append(piece)
    return by_register


_NONE: tuple[None, None] = (None, None)


def _by_closing_day(
    pieces: Sequence[_Consumption],
) -> dict[datetime.date, tuple[_Consumption, Decimal]]:
    """Return each consumption by the day of its closing read, with the energy used from
    the bill's opening read up to that read."""
    total = Decimal(0)
    by_day = {}
    for piece in pieces:
        total += piece.kwh
        by_day[piece.end] = (piece, total)
    return by_day


def read_changes(old: Sequence[Line], new: Sequence[Line]) -> tuple[ReadChange, ...]:
    """Return the reads the two bills use differently, by meter point, band and day: a
    read of the same day whose value (the energy from the bill's opening read up to it)
    or source differs, a read only the new bill uses, and one only the old bill used.
    Each is shown with the energy used since the read before it, old and new."""
    before, after = _consumptions(old), _consumptions(new)
    changes: list[ReadChange] = []
    for register in dict.fromkeys([*before, *after]):
        point, band = register
        was = before.get(register, [])
        now = after.get(register, [])
        # The opening read: where the bill's energy starts.
        if was and now and was[0].start == now[0].start and was[0].read_from != now[0].read_from:
            changes.append(
                ReadChange(
                    meter_point=point,
                    band=band,
                    day=was[0].start,
                    change=CORRECTED,
                    old_source=was[0].read_from,
                    new_source=now[0].read_from,
                    old_kwh=None,
                    new_kwh=None,
                    old_since=None,
                    new_since=None,
                    is_opening=True,
                )
            )
        old_by_day, new_by_day = _by_closing_day(was), _by_closing_day(now)
        for day in sorted({*old_by_day, *new_by_day}):
            (o, o_total), (n, n_total) = old_by_day.get(day, _NONE), new_by_day.get(day, _NONE)
            if o is not None and n is not None:
                # A read is the same when the energy from the bill's opening read up to it
                # is: a later read's usage changes with the read before it, not itself.
                if (o_total, o.read_to) == (n_total, n.read_to):
                    continue
                change = CORRECTED
            else:
                change = ADDED if o is None else REMOVED
            changes.append(
                ReadChange(
                    meter_point=point,
                    band=band,
                    day=day,
                    change=change,
                    old_source=o.read_to if o else "",
                    new_source=n.read_to if n else "",
                    old_kwh=o.kwh if o else None,
                    new_kwh=n.kwh if n else None,
                    old_since=o.start if o else None,
                    new_since=n.start if n else None,
                )
            )
    return tuple(changes)


def compare(
    *,
    original: BillSummary,
    credit_note: BillSummary,
    replacement: BillSummary,
    old_lines: Sequence[Line],
    new_lines: Sequence[Line],
    reason: str = "",
) -> Restatement:
    """Put an original bill and its replacement side by side."""
    return Restatement(
        original=original,
        credit_note=credit_note,
        replacement=replacement,
        reason=reason,
        lines=line_differences(old_lines, new_lines),
        reads=read_changes(old_lines, new_lines),
    )
