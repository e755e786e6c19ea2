"""Rating: from prices, consumption and credits to the lines and totals of one bill.

Pure: no Django, no clock, no database. ``rate_bill`` is the one set of rules; a
vectorised engine over frames must give the same lines to the penny, so the rules are
written out here exactly. Kilowatt-hours are ``Decimal`` to the thousandth, rates are
``Decimal`` pence, money is whole pence (``int``); periods are half-open ``[start, end)``.
"Round half up" is ``decimal.ROUND_HALF_UP`` (a tie goes away from zero); in integers
for quantities that are not negative, ``round(a / b) = (2a + b) // 2b``.

1. Standing charge. For each supply, for each price segment (oldest first) overlapping
   ``[period_start, period_end)``: days in the overlap (less the days before the
   back-billing cutoff, rule 3) x p/day, rounded half up to whole pence per line. One
   ``STANDING_CHARGE`` line per (supply, segment) with at least one day charged. Days no
   segment covers are not charged.
2. Energy. Each consumption is taken whole (it is not clipped to the period: it runs
   from the last billed read, which may be before ``period_start``). Its days are cut at
   every price segment boundary inside it and at the back-billing cutoff if that is
   inside it (rule 3), giving pieces in date order. Days no segment covers (a gap
   between agreements, or before the first or after the last) are no piece: like the
   standing charge, they are not priced, and the consumption's kWh go to the days that
   are. Its kWh are apportioned by days over the pieces: every piece but the last gets
   ``round_half_up(kwh x piece_days / covered_days, 3 dp)`` (``covered_days``: the
   pieces' days together), the last gets the remainder, so the pieces sum exactly to
   the consumption's kWh. (With tiny kWh over many pieces the remainder can come out
   below zero; it is kept.) A consumption with ``start == end`` (reads on the same day)
   is one piece with all its kWh, at the segment in force that day. Each charged piece
   is one ``ENERGY`` line: ``round_half_up(piece_kwh x unit rate of the consumption's
   band)`` in whole pence. No segment in force on any day of a consumption (its kWh
   cannot be priced), or no rate for its band: ValueError naming the meter point (the
   bill run's engine holds such a bill instead: ``missing_rates``).
3. Back-billing. For a ``RESIDENTIAL`` customer, or a ``BUSINESS`` one with
   ``is_micro_business``, unless ``back_billing_obstructed``: ``cutoff`` is the same
   calendar day 12 months before ``bill_date`` (29 February -> 28 February). Pieces
   starting before the cutoff (a same-day piece: dated before it) and standing-charge
   days before it are not charged. Each supply with any of them gets one
   ``BACK_BILLING`` line: quantity = the kWh not charged, amount 0, vat_rate 0, from
   the first such day to the last (end exclusive), the description naming the kWh, the
   standing-charge days dropped, the dates and why.
4. VAT and CCL, per supply. ``RESIDENTIAL``: 5%, no levy. ``BUSINESS``: de minimis when
   the supply's charged kWh <= 33 (electricity) or 145 (gas) x days in
   ``[period_start, period_end)`` -- then 5% and no levy; otherwise 20% and the Climate
   Change Levy on every charged kWh (``vat.tax_treatment``). A supply's standing charge
   and energy lines carry its rate. The levy's rate is that in force
   (``levy.CCL_PENCE_PER_KWH``) on each charged piece's last day (``end - 1 day``; a
   same-day piece: its day). One ``CCL`` line per (supply, levy rate), in order of their
   first day: quantity = the kWh at that rate, amount ``round_half_up(kWh x rate)``,
   vat_rate 20.
5. VAT. One ``VAT`` line per rate present on the lines above (5 before 20): quantity =
   the rate in percent, unit ``PCT``, amount ``round_half_up(sum of the amounts of the
   lines at that rate x rate / 100)``, vat_rate 0.
6. Credits and compensation: one line each, amount ``-amount_pence``, vat_rate 0
   (outside the scope of VAT).
7. Totals: ``net`` = standing charge + energy + credit + compensation lines; ``ccl`` =
   CCL lines; ``vat`` = VAT lines; ``total = net + ccl + vat``. Positions 1..n: each
   supply in the request's order (standing charges, energy lines by consumption then
   date, its back-billing line, its CCL lines), then credits and compensation in the
   request's order, then the VAT lines.

The lines' fields, kind by kind (``InvoiceLine`` holds them as they are):

=============== ========== ===== =========== ======== ====== ========== =================
kind            meter_pt   band  start/end   quantity unit   rate_pence read_from/read_to
=============== ========== ===== =========== ======== ====== ========== =================
STANDING_CHARGE supply's   ""    days billed days     DAY    p/day      ""
ENERGY          supply's   band  the piece   kWh      KWH    p/kWh      the consumption's
BACK_BILLING    supply's   ""    not charged kWh      KWH    None       ""
CCL             supply's   ""    its pieces  kWh      KWH    p/kWh      ""
CREDIT/COMP.    ""         ""    None        None     ""     None       ""
VAT             ""         ""    None        rate     PCT    None       ""
=============== ========== ===== =========== ======== ====== ========== =================
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from kilowatt.billing.domain import back_billing, levy, vat
from kilowatt.metering.domain import energy
from kilowatt.platform.money import Pence, format_pence, round_pence

FUELS = ("ELECTRICITY", "GAS")
CUSTOMER_KINDS = ("RESIDENTIAL", "BUSINESS")
CREDIT_KINDS = ("CREDIT", "COMPENSATION")

STANDING_CHARGE = "STANDING_CHARGE"
ENERGY = "ENERGY"
CCL = "CCL"
VAT = "VAT"
CREDIT = "CREDIT"
COMPENSATION = "COMPENSATION"
BACK_BILLING = "BACK_BILLING"
NET_KINDS = frozenset({STANDING_CHARGE, ENERGY, CREDIT, COMPENSATION})

_THOUSANDTH = Decimal("0.001")
READ_WORDS = {  # a read's source, as the bill says it
    "ACTUAL": "actual read",
    "CUSTOMER": "customer read",
    "SMART": "smart read",
    "AGENT": "read given by phone",
    "FIELD": "field read",
    "INDUSTRY": "industry read",
    "ESTIMATE": "estimated read",
}


@dataclasses.dataclass(frozen=True)
class PriceSegment:
    """The tariff in force over ``[start, end)`` (``end`` None: open-ended)."""

    start: datetime.date
    end: datetime.date | None
    standing_charge_pence_per_day: Decimal
    unit_rates: Mapping[str, Decimal]  # band -> p/kWh

    def __post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"price segment end {self.end} must be after its start {self.start}")


@dataclasses.dataclass(frozen=True)
class Consumption:
    """The energy of one band between two reads, ``[start, end)``; ``read_from`` and
    ``read_to`` are the reads' sources (ACTUAL, CUSTOMER, SMART, ESTIMATE, ...). Gas
    carries the volume and calorific value it was computed from."""

    meter_point: str
    band: str
    start: datetime.date
    end: datetime.date
    kwh: Decimal
    read_from: str
    read_to: str
    cubic_metres: Decimal | None = None
    calorific_value: Decimal | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(
                f"consumption of {self.meter_point} ends {self.end} before it starts {self.start}"
            )
        if self.kwh < 0 or self.kwh != self.kwh.quantize(_THOUSANDTH):
            raise ValueError(
                f"consumption of {self.meter_point} must be kWh to the thousandth, not negative"
            )


@dataclasses.dataclass(frozen=True)
class Supply:
    meter_point: str  # MPAN or MPRN
    fuel: str  # ELECTRICITY or GAS
    prices: Sequence[PriceSegment]
    consumptions: Sequence[Consumption]


@dataclasses.dataclass(frozen=True)
class Credit:
    kind: str  # CREDIT or COMPENSATION
    description: str
    amount_pence: Pence  # positive: credited to the customer


@dataclasses.dataclass(frozen=True)
class BillRequest:
    customer_kind: str  # RESIDENTIAL or BUSINESS
    is_micro_business: bool
    bill_date: datetime.date
    period_start: datetime.date
    period_end: datetime.date  # exclusive
    supplies: Sequence[Supply]
    credits: Sequence[Credit] = ()
    back_billing_obstructed: bool = False

    def __post_init__(self) -> None:
        if self.period_end <= self.period_start:
            raise ValueError(
                f"bill period end {self.period_end} must be after its start {self.period_start}"
            )
        if self.customer_kind not in CUSTOMER_KINDS:
            raise ValueError(f"unknown customer kind {self.customer_kind!r}")


@dataclasses.dataclass(frozen=True)
class BillLine:
    """One line of a bill; the fields of ``billing.models.InvoiceLine``."""

    position: int
    kind: str
    meter_point: str
    band: str
    start_date: datetime.date | None
    end_date: datetime.date | None  # exclusive
    quantity: Decimal | None  # to the thousandth
    unit: str  # DAY, KWH, PCT or ""
    rate_pence: Decimal | None
    amount_pence: Pence
    vat_rate: int  # percent charged on this line's amount: 5, 20 or 0
    read_from: str
    read_to: str
    description: str


@dataclasses.dataclass(frozen=True)
class Bill:
    lines: tuple[BillLine, ...]
    net_pence: Pence
    ccl_pence: Pence
    vat_pence: Pence
    total_pence: Pence


def gas_consumption(
    *,
    meter_point: str,
    band: str,
    start: datetime.date,
    end: datetime.date,
    cubic_metres: Decimal,
    calorific_value: Decimal,
    read_from: str,
    read_to: str,
) -> Consumption:
    """Return the consumption of a metric gas meter's advance, its kWh computed from the
    volume and calorific value (``metering.domain.energy.kwh_from_advance``).

    :raises ValueError: as ``Consumption`` does.
    """
    kwh = energy.kwh_from_advance(
        advance=cubic_metres, units="METRIC", calorific_value=calorific_value
    )
    return Consumption(
        meter_point=meter_point,
        band=band,
        start=start,
        end=end,
        kwh=kwh,
        read_from=read_from,
        read_to=read_to,
        cubic_metres=cubic_metres,
        calorific_value=calorific_value,
    )


def apportion(kwh: Decimal, days: Sequence[int]) -> tuple[Decimal, ...]:
    """Share ``kwh`` among pieces of ``days`` days: each but the last gets its share of
    the days rounded half up to the thousandth, the last gets what is left, so the
    pieces sum to ``kwh`` exactly.

    :raises ValueError: no pieces, or more than one piece and no days.
    """
    if not days:
        raise ValueError("nothing to apportion among")
    if len(days) == 1:
        return (kwh,)
    total = sum(days)
    if total <= 0:
        raise ValueError("pieces of a consumption must have days")
    shares = [(kwh * piece / total).quantize(_THOUSANDTH, ROUND_HALF_UP) for piece in days[:-1]]
    return (*shares, kwh - sum(shares, Decimal(0)))


def rate_bill(request: BillRequest) -> Bill:
    """Rate one bill: its lines in order and its totals (the rules are the module's).

    :raises ValueError: a consumption with no price in force on any of its days or no
        rate for its band, a consumption of another meter point, overlapping price
        segments, an unknown fuel or credit kind, or a levy rate not recorded for a day a
        business is charged.
    """
    cutoff = (
        back_billing.cutoff(request.bill_date)
        if back_billing.protects(
            customer_kind=request.customer_kind,
            is_micro_business=request.is_micro_business,
            obstructed=request.back_billing_obstructed,
        )
        else None
    )
    lines: list[BillLine] = []
    for supply in request.supplies:
        lines.extend(_supply_lines(request, supply, cutoff))
    lines.extend(_credit_line(credit) for credit in request.credits)
    lines.extend(_vat_lines(lines))
    numbered = tuple(
        dataclasses.replace(line, position=position) for position, line in enumerate(lines, 1)
    )
    net = sum(line.amount_pence for line in numbered if line.kind in NET_KINDS)
    ccl = sum(line.amount_pence for line in numbered if line.kind == CCL)
    vat_total = sum(line.amount_pence for line in numbered if line.kind == VAT)
    return Bill(
        lines=numbered,
        net_pence=net,
        ccl_pence=ccl,
        vat_pence=vat_total,
        total_pence=net + ccl + vat_total,
    )


@dataclasses.dataclass(frozen=True)
class _Piece:
    consumption: Consumption
    start: datetime.date
    end: datetime.date
    segment: PriceSegment
    kwh: Decimal
    charged: bool
    whole: bool  # the consumption was not cut
    covered_days: int  # the days of the consumption with a price in force

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1) if self.end > self.start else self.start


def _supply_lines(
    request: BillRequest, supply: Supply, cutoff: datetime.date | None
) -> list[BillLine]:
    if supply.fuel not in FUELS:
        raise ValueError(f"meter point {supply.meter_point}: unknown fuel {supply.fuel!r}")
    segments = _in_order(supply)
    pieces = [
        piece
        for consumption in supply.consumptions
        for piece in _pieces(supply, segments, consumption, cutoff)
    ]
    charged = [piece for piece in pieces if piece.charged]
    treatment = vat.tax_treatment(
        customer_kind=request.customer_kind,
        fuel=supply.fuel,
        charged_kwh=sum((piece.kwh for piece in charged), Decimal(0)),
        days=(request.period_end - request.period_start).days,
    )

    lines: list[BillLine] = []
    dropped_days: list[tuple[datetime.date, datetime.date]] = []
    for segment in segments:
        start = max(segment.start, request.period_start)
        end = request.period_end if segment.end is None else min(segment.end, request.period_end)
        if start >= end:
            continue
        if cutoff is not None and start < cutoff:
            dropped_days.append((start, min(end, cutoff)))
            start = min(max(start, cutoff), end)
        days = (end - start).days
        if days == 0:
            continue
        rate = segment.standing_charge_pence_per_day
        lines.append(
            _line(
                kind=STANDING_CHARGE,
                meter_point=supply.meter_point,
                start_date=start,
                end_date=end,
                quantity=Decimal(days).quantize(_THOUSANDTH),
                unit="DAY",
                rate_pence=rate,
                amount_pence=round_pence(days * rate),
                vat_rate=treatment.vat_rate,
                description=f"{days} {'day' if days == 1 else 'days'} x {_pence(rate)}p",
            )
        )

    for piece in charged:
        rate = _unit_rate(supply, piece)
        lines.append(
            _line(
                kind=ENERGY,
                meter_point=supply.meter_point,
                band=piece.consumption.band,
                start_date=piece.start,
                end_date=piece.end,
                quantity=piece.kwh,
                unit="KWH",
                rate_pence=rate,
                amount_pence=round_pence(piece.kwh * rate),
                vat_rate=treatment.vat_rate,
                read_from=piece.consumption.read_from,
                read_to=piece.consumption.read_to,
                description=_energy_description(piece, rate),
            )
        )

    not_charged = [piece for piece in pieces if not piece.charged]
    if not_charged or dropped_days:
        lines.append(_back_billing_line(request, supply, not_charged, dropped_days))

    if treatment.charges_ccl:
        lines.extend(_ccl_lines(supply, charged))
    return lines


def _in_order(supply: Supply) -> list[PriceSegment]:
    segments = sorted(supply.prices, key=lambda segment: segment.start)
    for earlier, later in itertools.pairwise(segments):
        if earlier.end is None or earlier.end > later.start:
            raise ValueError(
                f"meter point {supply.meter_point}: price segments from {earlier.start} "
                f"and {later.start} overlap"
            )
    return segments


def _segment_on(segments: list[PriceSegment], day: datetime.date) -> PriceSegment | None:
    for segment in segments:
        if segment.start <= day and (segment.end is None or day < segment.end):
            return segment
    return None


def _pieces(
    supply: Supply,
    segments: list[PriceSegment],
    consumption: Consumption,
    cutoff: datetime.date | None,
) -> list[_Piece]:
    if consumption.meter_point != supply.meter_point:
        raise ValueError(
            f"a consumption of meter point {consumption.meter_point} "
            f"is in the supply of {supply.meter_point}"
        )
    start, end = consumption.start, consumption.end
    inside = {
        boundary
        for segment in segments
        for boundary in (segment.start, segment.end)
        if boundary is not None and start < boundary < end
    }
    if cutoff is not None and start < cutoff < end:
        inside.add(cutoff)
    edges = [start, *sorted(inside), end] if start < end else [start, end]
    # A span between two edges lies wholly inside one segment or wholly outside all.
    priced = [
        (since, to, segment)
        for since, to in itertools.pairwise(edges)
        if (segment := _segment_on(segments, since)) is not None
    ]
    if not priced:
        raise ValueError(
            f"meter point {supply.meter_point}: no price in force on any day from "
            f"{start.isoformat()} to {end.isoformat()} (the consumption's reads)"
        )
    shares = apportion(consumption.kwh, [(to - since).days for since, to, _ in priced])
    whole = len(priced) == 1 and (priced[0][0], priced[0][1]) == (start, end)
    return [
        _Piece(
            consumption=consumption,
            start=since,
            end=to,
            segment=segment,
            kwh=share.quantize(_THOUSANDTH),
            charged=cutoff is None or since >= cutoff,
            whole=whole,
            covered_days=sum((to - since).days for since, to, _ in priced),
        )
        for (since, to, segment), share in zip(priced, shares, strict=True)
    ]


def _unit_rate(supply: Supply, piece: _Piece) -> Decimal:
    band = piece.consumption.band
    try:
        return piece.segment.unit_rates[band]
    except KeyError:
        raise ValueError(
            f"meter point {supply.meter_point}: no unit rate for band {band!r} "
            f"in the price from {piece.segment.start.isoformat()}"
        ) from None


def _energy_description(piece: _Piece, rate: Decimal) -> str:
    consumption = piece.consumption
    reads = _reads(consumption)
    how = f"{_kwh(consumption.kwh)} kWh"
    if consumption.cubic_metres is not None and consumption.calorific_value is not None:
        how = (
            f"{_kwh(consumption.cubic_metres)} m3 x {energy.VOLUME_CORRECTION} x "
            f"{_number(consumption.calorific_value, 0)} MJ/m3 / {energy.MEGAJOULES_PER_KWH} "
            f"= {how}"
        )
    if piece.whole:
        return f"{how} x {_pence(rate)}p{reads}"
    days = (piece.end - piece.start).days
    total = (consumption.end - consumption.start).days
    of = f"{piece.covered_days} days"
    if piece.covered_days != total:
        of = f"{piece.covered_days} priced days ({total} between the reads)"
    return f"{_kwh(piece.kwh)} kWh x {_pence(rate)}p: {days} of {of} of {how}{reads}"


def _reads(consumption: Consumption) -> str:
    if not consumption.read_from and not consumption.read_to:
        return ""
    return f" ({_read_words(consumption.read_from)} to {_read_words(consumption.read_to)})"


def _read_words(source: str) -> str:
    return READ_WORDS.get(source, f"{source.lower()} read" if source else "a read")


def _back_billing_line(
    request: BillRequest,
    supply: Supply,
    not_charged: list[_Piece],
    dropped_days: list[tuple[datetime.date, datetime.date]],
) -> BillLine:
    kwh = sum((piece.kwh for piece in not_charged), Decimal(0))
    days = sum((end - start).days for start, end in dropped_days)
    spans = [(piece.start, piece.end) for piece in not_charged] + dropped_days
    first = min(start for start, _ in spans)
    end = max(end for _, end in spans)
    last = max(end - datetime.timedelta(days=1) if end > start else start for start, end in spans)
    what: list[str] = []
    if not_charged:
        what.append(f"{_kwh(kwh)} kWh")
    if days:
        what.append(f"{days} {'day' if days == 1 else 'days'}' standing charge")
    return _line(
        kind=BACK_BILLING,
        meter_point=supply.meter_point,
        start_date=first,
        end_date=end,
        quantity=kwh.quantize(_THOUSANDTH),
        unit="KWH",
        amount_pence=0,
        vat_rate=vat.OUTSIDE_SCOPE,
        description=(
            f"Not charged: {' and '.join(what)} from {_day(first)} to {_day(last)}: energy "
            f"used more than 12 months before this bill of {_day(request.bill_date)}"
        ),
    )


def _ccl_lines(supply: Supply, charged: list[_Piece]) -> list[BillLine]:
    by_rate: dict[Decimal, list[_Piece]] = {}
    for piece in charged:
        rate = levy.ccl_rate(fuel=supply.fuel, on=piece.last_day)
        by_rate.setdefault(rate, []).append(piece)
    lines: list[BillLine] = []
    for rate, pieces in sorted(by_rate.items(), key=lambda item: min(p.start for p in item[1])):
        kwh = sum((piece.kwh for piece in pieces), Decimal(0))
        lines.append(
            _line(
                kind=CCL,
                meter_point=supply.meter_point,
                start_date=min(piece.start for piece in pieces),
                end_date=max(piece.end for piece in pieces),
                quantity=kwh,
                unit="KWH",
                rate_pence=rate,
                amount_pence=round_pence(kwh * rate),
                vat_rate=vat.STANDARD_RATE,
                description=f"{_kwh(kwh)} kWh x {_pence(rate)}p Climate Change Levy",
            )
        )
    return lines


def _credit_line(credit: Credit) -> BillLine:
    if credit.kind not in CREDIT_KINDS:
        raise ValueError(f"unknown credit kind {credit.kind!r}")
    return _line(
        kind=credit.kind,
        amount_pence=-credit.amount_pence,
        vat_rate=vat.OUTSIDE_SCOPE,
        description=credit.description,
    )


def _vat_lines(lines: list[BillLine]) -> list[BillLine]:
    by_rate: dict[int, int] = {}
    for line in lines:
        if line.vat_rate:
            by_rate[line.vat_rate] = by_rate.get(line.vat_rate, 0) + line.amount_pence
    return [
        _line(
            kind=VAT,
            quantity=Decimal(rate).quantize(_THOUSANDTH),
            unit="PCT",
            amount_pence=round_pence(Decimal(subtotal) * rate / 100),
            description=f"VAT at {rate}% of {format_pence(subtotal)}",
        )
        for rate, subtotal in sorted(by_rate.items())
    ]


def _line(
    *,
    kind: str,
    amount_pence: Pence,
    description: str,
    meter_point: str = "",
    band: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    quantity: Decimal | None = None,
    unit: str = "",
    rate_pence: Decimal | None = None,
    vat_rate: int = 0,
    read_from: str = "",
    read_to: str = "",
) -> BillLine:
    return BillLine(
        position=0,  # numbered once the bill's lines are all known
        kind=kind,
        meter_point=meter_point,
        band=band,
        start_date=start_date,
        end_date=end_date,
        quantity=quantity,
        unit=unit,
        rate_pence=rate_pence,
        amount_pence=amount_pence,
        vat_rate=vat_rate,
        read_from=read_from,
        read_to=read_to,
        description=description,
    )


def _number(value: Decimal, min_places: int) -> str:
    exponent = value.normalize().as_tuple().exponent
    places = max(min_places, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return f"{value:.{places}f}"


def _pence(rate: Decimal) -> str:
    return _number(rate, 2)


def _kwh(kwh: Decimal) -> str:
    return f"{kwh:.3f}"


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"
