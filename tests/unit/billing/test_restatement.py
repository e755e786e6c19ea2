"""A restated bill as a plain difference: lines side by side, which reads changed, and
the sentence the customer reads."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from kilowatt.billing.domain import restatement as r

MPAN = "1300000000001"
MPRN = "1234567890"
FEB_1 = datetime.date(2026, 2, 1)
FEB_15 = datetime.date(2026, 2, 15)
FEB_20 = datetime.date(2026, 2, 20)
MAR_1 = datetime.date(2026, 3, 1)


def line(
    kind: str,
    amount: int,
    *,
    point: str = MPAN,
    quantity: str | None = None,
    start: datetime.date | None = FEB_1,
    end: datetime.date | None = MAR_1,
    band: str = "",
    unit: str = "KWH",
    read_from: str = "",
    read_to: str = "",
) -> r.Line:
    return r.Line(
        kind=kind,
        meter_point=point,
        band=band,
        start_date=start,
        end_date=end,
        quantity=None if quantity is None else Decimal(quantity),
        unit=unit,
        amount_pence=amount,
        read_from=read_from,
        read_to=read_to,
    )


def energy(kwh: str, amount: int, **kwargs) -> r.Line:
    part_of = kwargs.pop("part_of", "")
    kwargs.setdefault("read_from", "CUSTOMER")
    kwargs.setdefault("read_to", "CUSTOMER")
    return dataclasses.replace(line("ENERGY", amount, quantity=kwh, **kwargs), part_of=part_of)


def bill(id: int, number: str, total: int, kind: str = "INVOICE") -> r.BillSummary:
    return r.BillSummary(
        id=id,
        number=number,
        kind=kind,
        period_start=FEB_1,
        period_end=MAR_1,
        bill_date=MAR_1,
        total_pence=total,
    )


def restated(old: list[r.Line], new: list[r.Line], *, reason: str = "") -> r.Restatement:
    return r.compare(
        original=bill(1, "KWE000000012", 22477),
        credit_note=bill(2, "KWE000000014", -22477, "CREDIT_NOTE"),
        replacement=bill(3, "KWE000000015", 21172),
        old_lines=old,
        new_lines=new,
        reason=reason,
    )


def test_a_corrected_closing_read_is_said_plainly_with_the_difference_credited():
    standing = line("STANDING_CHARGE", 1500, quantity="28", unit="DAY")
    old = [standing, energy("300", 7458), line("VAT", 1070, start=None, end=None)]
    new = [standing, energy("250", 6215), line("VAT", 1008, start=None, end=None)]

    change = restated(old, new, reason="The read of 1 March 2026 was corrected")

    assert change.difference_pence == -1305
    assert change.summary() == (
        "Your bill KWE000000012 for 1 Feb \u2013 28 Feb 2026 was £224.77. We corrected the "
        "electricity meter reading of 1 March (300 kWh → 250 kWh). New bill KWE000000015: "
        "£211.72. Difference: £13.05 credited."
    )
    (read,) = change.reads
    assert (read.day, read.change, read.old_kwh, read.new_kwh) == (
        MAR_1,
        r.CORRECTED,
        Decimal(300),
        Decimal(250),
    )
    by_kind = {d.kind: d for d in change.lines}
    assert not by_kind["STANDING_CHARGE"].changed
    assert by_kind["ENERGY"].quantity_difference == Decimal(-50)
    assert by_kind["ENERGY"].difference_pence == -1243
    assert by_kind["VAT"].difference_pence == -62
    assert [d.kind for d in change.changed_lines] == ["ENERGY", "VAT"]


def test_pieces_split_by_a_tariff_change_are_one_read_to_read():
    def piece(kwh: str, amount: int, total: str, **kwargs) -> r.Line:
        description = f"{kwh} kWh x 25p: 14 of 28 days of {total} kWh (your reading to yours)"
        return energy(kwh, amount, part_of=r.piece_of(description), **kwargs)

    old = [piece("100", 2500, "300", end=FEB_15), piece("200", 5000, "300", start=FEB_15)]
    new = [piece("90", 2250, "270", end=FEB_15), piece("180", 4500, "270", start=FEB_15)]

    (read,) = r.read_changes(old, new)

    assert (read.day, read.old_kwh, read.new_kwh) == (MAR_1, Decimal(300), Decimal(270))


def test_a_read_used_only_by_the_new_bill_is_added_and_the_next_is_corrected():
    old = [energy("300", 7458)]
    new = [
        energy("200", 4972, end=FEB_20, read_to="ACTUAL"),
        energy("100", 2486, start=FEB_20, read_from="ACTUAL"),
    ]

    changes = r.read_changes(old, new)

    # 1 March's read is unchanged: 300 kWh since 1 February in both bills.
    assert [(c.day, c.change, c.old_kwh, c.new_kwh) for c in changes] == [
        (FEB_20, r.ADDED, None, Decimal(200)),
    ]
    assert changes[0].sentence() == (
        "we used a new electricity meter reading of 20 February (200 kWh)"
    )


def test_a_withdrawn_read_replaced_by_an_estimate_names_both_sources():
    old = [energy("300", 7458)]
    new = [energy("300", 7458, read_to="ESTIMATE")]

    (read,) = r.read_changes(old, new)

    assert read.sentence() == (
        "we replaced the electricity meter reading of 1 March: your reading → estimate"
    )


def test_gas_and_electricity_each_get_their_own_rows_and_reads():
    old = [energy("300", 7458), energy("445.417", 2900, point=MPRN)]
    new = [energy("300", 7458), energy("400", 2604, point=MPRN)]

    change = restated(old, new)

    assert [(c.meter_point, c.fuel) for c in change.reads] == [(MPRN, "gas")]
    assert [(d.meter_point, d.changed) for d in change.lines] == [(MPAN, False), (MPRN, True)]
    assert "gas meter reading of 1 March (445.417 kWh → 400 kWh)" in change.summary()


def test_without_a_read_that_differs_the_reason_is_said():
    old = [line("STANDING_CHARGE", 1500, quantity="28", unit="DAY")]
    new = [line("STANDING_CHARGE", 1400, quantity="28", unit="DAY")]

    change = restated(old, new, reason="The tariff was corrected")

    assert change.reads == ()
    assert "The tariff was corrected." in change.summary()


def test_the_difference_is_said_as_more_to_pay_or_none():
    assert r.difference_words(410) == "£4.10 more to pay"
    assert r.difference_words(-1305) == "£13.05 credited"
    assert r.difference_words(0) == "none"
    assert r.period_words(datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)) == (
        "1 Dec \u2013 31 Dec 2025"
    )
    assert r.period_words(datetime.date(2025, 12, 15), datetime.date(2026, 1, 15)) == (
        "15 Dec 2025 \u2013 14 Jan 2026"
    )


def test_a_corrected_read_mid_period_changes_only_itself_not_the_read_after():
    old = [
        energy("100", 2500, end=FEB_15),
        energy("200", 5000, start=FEB_15),
    ]
    new = [energy("60", 1500, end=FEB_15), energy("240", 6000, start=FEB_15)]

    (read,) = r.read_changes(old, new)

    assert (read.day, read.old_kwh, read.new_kwh) == (FEB_15, Decimal(100), Decimal(60))
    assert read.sentence() == (
        "we corrected the electricity meter reading of 15 February (100 kWh → 60 kWh)"
    )


def test_a_piece_is_known_by_its_description():
    assert r.piece_of("120 kWh x 24.86p: 10 of 28 days of 300 kWh (your reading to yours)") == (
        "28 days of 300 kWh (your reading to yours)"
    )
    assert r.piece_of("300 kWh x 24.86p (your reading to your reading)") == ""
    assert r.piece_of("28 days x 53.68p") == ""


def test_pieces_closing_on_the_same_read_id_are_one_consumption():
    old = [
        dataclasses.replace(energy("100", 2500, end=FEB_15), read_id=7),
        dataclasses.replace(energy("200", 5000, start=FEB_15), read_id=7),
    ]
    new = [
        dataclasses.replace(energy("90", 2250, end=FEB_15), read_id=8),
        dataclasses.replace(energy("180", 4500, start=FEB_15), read_id=8),
    ]

    (read,) = r.read_changes(old, new)

    assert (read.day, read.old_kwh, read.new_kwh) == (MAR_1, Decimal(300), Decimal(270))
