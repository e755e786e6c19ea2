"""Recording reads through the one validation path, on the real database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kilowatt.metering import models, operations, queries
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput
from tests.factories import supply

pytestmark = pytest.mark.django_db
AS_AT = supply.AS_AT
ACTOR = audit.Actor(id=None, name="reviewer")


def at(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, tzinfo=datetime.UTC)


def record(point, *readings, source="CUSTOMER", register="", serial=""):
    return operations.record_reads(
        reads=[
            operations.ReadIn(
                meter_point=point.identifier,
                read_at=when,
                value=Decimal(value),
                register=register,
                meter_serial=serial,
            )
            for when, value in readings
        ],
        source=source,
        received_by="test",
        as_at=AS_AT,
    )


class TestRecordReads:
    def test_an_opening_read_is_accepted_and_kept(self):
        point = supply.meter_point()

        (outcome,) = record(point, (at(2026, 1, 1), "1000"))

        assert (outcome.status, outcome.rule) == ("ACCEPTED", "")
        read = models.Read.objects.get(id=outcome.read_id)
        assert (read.value, read.source, read.advance) == (Decimal("1000.000"), "CUSTOMER", None)

    def test_a_later_read_records_its_advance_and_consumption(self):
        point = supply.meter_point()
        record(point, (at(2026, 1, 1), "1000"))

        (outcome,) = record(point, (at(2026, 2, 1), "1250.5"))

        read = models.Read.objects.get(id=outcome.read_id)
        assert (read.status, read.advance, read.consumption_kwh) == (
            "ACCEPTED",
            Decimal("250.500"),
            Decimal("250.500"),
        )

    def test_the_same_read_twice_is_a_harmless_duplicate(self):
        point = supply.meter_point()
        record(point, (at(2026, 1, 1), "1000"))

        (outcome,) = record(point, (at(2026, 1, 1), "1000"))

        assert (outcome.status, outcome.read_id) == ("DUPLICATE", None)
        assert models.Read.objects.filter(meter_point=point).count() == 1

    def test_a_lower_read_with_no_rollover_is_held_with_the_reason(self):
        point = supply.meter_point()
        record(point, (at(2026, 1, 1), "1000"))

        (outcome,) = record(point, (at(2026, 2, 1), "990"))

        assert (outcome.status, outcome.rule) == ("HELD", "negative_advance")
        assert "lower than the last one (1000 on 01 Jan 2026)" in outcome.message
        assert models.Read.objects.get(id=outcome.read_id).status == "HELD"

    def test_a_meter_that_wrapped_past_its_last_digit_rolls_over(self):
        point = supply.meter_point(digits=5)
        record(point, (at(2026, 1, 1), "99900"))

        (outcome,) = record(point, (at(2026, 2, 1), "150"))

        read = models.Read.objects.get(id=outcome.read_id)
        assert (read.status, read.rolled_over, read.advance) == ("ACCEPTED", True, Decimal("250"))

    def test_far_more_than_the_eac_expects_is_held(self):
        point = supply.meter_point(annual_kwh=("2900",))
        record(point, (at(2026, 1, 1), "1000"))

        (outcome,) = record(point, (at(2026, 2, 1), "9000"))

        assert (outcome.status, outcome.rule) == ("HELD", "advance_too_high")

    def test_a_future_date_more_digits_and_before_supply_are_refused(self):
        point = supply.meter_point(digits=5)

        outcomes = record(
            point,
            (at(2026, 12, 25), "100"),
            (at(2026, 3, 1), "123456"),
            (at(2024, 12, 1), "100"),
        )

        assert [(o.status, o.rule) for o in outcomes] == [
            ("REFUSED", "read_date_future"),
            ("REFUSED", "too_many_digits"),
            ("REFUSED", "before_supply_start"),
        ]
        assert models.Read.objects.filter(meter_point=point, status="REFUSED").count() == 3

    def test_an_unknown_meter_point_is_refused_and_not_stored(self):
        (outcome,) = operations.record_reads(
            reads=[
                operations.ReadIn(
                    meter_point="2399999999996", read_at=at(2026, 1, 1), value=Decimal(1)
                )
            ],
            source="INDUSTRY",
            received_by="test",
            as_at=AS_AT,
        )

        assert (outcome.status, outcome.rule, outcome.read_id) == (
            "REFUSED",
            "unknown_meter_point",
            None,
        )

    def test_economy_7_needs_the_register_named(self):
        point = supply.meter_point(
            profile_class="02", bands=("DAY", "NIGHT"), annual_kwh=("1700", "1200")
        )

        unnamed, named = record(point, (at(2026, 1, 1), "500")) + record(
            point, (at(2026, 1, 1), "700"), register="02"
        )

        assert (unnamed.status, unnamed.rule) == ("REFUSED", "register_ambiguous")
        assert named.status == "ACCEPTED"
        assert models.Read.objects.get(id=named.read_id).register.band == "NIGHT"

    def test_a_batch_of_daily_reads_is_judged_in_time_order(self):
        point = supply.meter_point()

        outcomes = record(
            point, (at(2026, 1, 3), "1020"), (at(2026, 1, 1), "1000"), (at(2026, 1, 2), "1010")
        )

        assert [o.status for o in outcomes] == ["ACCEPTED"] * 3
        advances = models.Read.objects.filter(meter_point=point).order_by("read_at")
        assert [r.advance for r in advances] == [None, Decimal("10"), Decimal("10")]

    def test_gas_volume_becomes_kwh_with_the_calorific_value(self):
        point = supply.meter_point(fuel="GAS", units="IMPERIAL", digits=4, annual_kwh=("12000",))
        models.CalorificValue.objects.create(
            valid_from=datetime.date(2026, 1, 1), megajoules_per_cubic_metre=Decimal("39.5")
        )
        record(point, (at(2026, 1, 1), "1000"))

        (outcome,) = record(point, (at(2026, 2, 1), "1050"))

        read = models.Read.objects.get(id=outcome.read_id)
        # 50 hundred cubic feet x 2.83 x 1.02264 x 39.5 / 3.6
        assert read.consumption_kwh == Decimal("1587.720")  # 1587.7196...

    def test_an_actual_read_recalculates_the_eac(self):
        point = supply.meter_point(annual_kwh=("2900",))
        (opening,) = record(point, (at(2026, 1, 1), "1000"))

        (outcome,) = record(point, (at(2026, 7, 1), "2600"))

        read = models.Read.objects.get(id=outcome.read_id)
        assert models.Read.objects.get(id=opening.read_id).annual_kwh == Decimal("2900.0")
        assert read.annualised_kwh is not None
        assert read.annual_kwh not in (None, Decimal("2900.0"))
        assert queries.annual_kwh_in_force(register_id=read.register_id) == read.annual_kwh
        # The register keeps the figure it was given; the reads carry the history.
        assert models.Register.objects.get(id=read.register_id).estimated_annual_kwh == Decimal(
            "2900"
        )

    def test_a_large_change_is_logged_for_review(self):
        point = supply.meter_point(annual_kwh=("2900",))
        record(point, (at(2026, 1, 1), "1000"))

        (outcome,) = record(point, (at(2026, 7, 1), "5000"))

        change = models.AnnualConsumptionChange.objects.get(read_id=outcome.read_id)
        assert (change.flagged, change.previous_kwh) == ("large_change", Decimal("2900.0"))
        assert change.new_kwh == models.Read.objects.get(id=outcome.read_id).annual_kwh

    def test_a_small_change_is_not_logged(self):
        point = supply.meter_point(annual_kwh=("2900",))
        record(point, (at(2026, 1, 1), "1000"))

        (outcome,) = record(point, (at(2026, 7, 1), "2400"))

        assert not models.AnnualConsumptionChange.objects.filter(read_id=outcome.read_id).exists()

    def test_a_batch_of_daily_reads_recalculates_once_on_the_last(self):
        point = supply.meter_point(annual_kwh=("2900",))
        record(point, (at(2026, 1, 1), "1000"))

        outcomes = record(
            point, *[(at(2026, 2, day), str(1000 + 8 * (31 + day))) for day in (1, 2, 3)]
        )

        reads = [models.Read.objects.get(id=o.read_id) for o in outcomes]
        assert [r.annual_kwh for r in reads[:2]] == [Decimal("2900.0")] * 2
        assert [r.annualised_kwh for r in reads[:2]] == [None, None]
        assert reads[2].annualised_kwh is not None

    def test_withdrawing_the_latest_read_puts_the_earlier_figure_back_in_force(self):
        point = supply.meter_point(annual_kwh=("2900",))
        record(point, (at(2026, 1, 1), "1000"))
        (outcome,) = record(point, (at(2026, 7, 1), "2600"))
        register_id = models.Read.objects.get(id=outcome.read_id).register_id

        operations.withdraw_read(
            read_id=outcome.read_id, reason="misread", actor=ACTOR, as_at=AS_AT
        )

        assert queries.annual_kwh_in_force(register_id=register_id) == Decimal("2900.0")

    def test_an_unknown_source_is_refused_naming_the_field(self):
        point = supply.meter_point()

        with pytest.raises(InvalidInput) as refused:
            record(point, (at(2026, 1, 1), "1"), source="PIGEON")

        assert refused.value.problems[0].field == "source"


class TestBackDatedReads:
    def test_a_read_between_two_restates_the_later_ones_advance(self):
        point = supply.meter_point()
        record(point, (at(2026, 1, 1), "1000"), (at(2026, 3, 1), "1400"))

        (outcome,) = record(point, (at(2026, 2, 1), "1200"))

        advances = [
            r.advance
            for r in models.Read.objects.filter(meter_point=point, status="ACCEPTED").order_by(
                "read_at"
            )
        ]
        assert outcome.status == "ACCEPTED"
        assert advances == [None, Decimal("200"), Decimal("200")]

    def test_a_late_read_does_not_hide_other_registers_history(self):
        late, ordinary = supply.meter_point(), supply.meter_point()
        record(late, (at(2026, 1, 1), "1000"), (at(2026, 3, 1), "1400"))
        record(ordinary, (at(2026, 3, 1), "5000"))

        outcomes = operations.record_reads(
            reads=[
                operations.ReadIn(
                    meter_point=late.identifier, read_at=at(2026, 2, 1), value=Decimal(1200)
                ),
                operations.ReadIn(
                    meter_point=ordinary.identifier, read_at=at(2026, 4, 1), value=Decimal(4000)
                ),
            ],
            source="INDUSTRY",
            received_by="test",
            as_at=AS_AT,
        )

        assert [(o.status, o.rule) for o in outcomes] == [
            ("ACCEPTED", ""),
            ("HELD", "negative_advance"),
        ]

    def test_a_negative_reading_is_refused_and_not_kept(self):
        point = supply.meter_point()

        (outcome,) = record(point, (at(2026, 1, 1), "-5"))

        assert (outcome.status, outcome.rule, outcome.read_id) == (
            "REFUSED",
            "negative_value",
            None,
        )

    def test_a_held_reading_offered_again_is_a_duplicate(self):
        point = supply.meter_point()
        record(point, (at(2026, 1, 1), "1000"))
        (first,) = record(point, (at(2026, 2, 1), "990"))

        (again,) = record(point, (at(2026, 2, 1), "990"))

        assert (first.status, again.status, again.read_id) == ("HELD", "DUPLICATE", None)
        assert models.Read.objects.filter(meter_point=point, status="HELD").count() == 1

    def test_a_billed_later_read_that_is_restated_is_announced(self):
        from kilowatt.platform.models import OutboxEvent

        point = supply.meter_point()
        (_opening, later) = record(point, (at(2026, 1, 1), "1000"), (at(2026, 3, 1), "1400"))
        operations.mark_reads_billed(read_ids=[later.read_id], bill_reference="INV-7")

        record(point, (at(2026, 2, 1), "1200"))

        event = OutboxEvent.objects.get(name="metering.read.restated.v1")
        assert (event.payload["read_id"], event.payload["billed_reference"]) == (
            later.read_id,
            "INV-7",
        )


class TestMeterExchange:
    def test_the_new_meter_starts_from_the_eac_in_force_on_the_old_one(self):
        from kilowatt.metering.domain import supply as supply_rules

        point = supply.meter_point(annual_kwh=("2900",))
        record(point, (at(2026, 1, 1), "1000"))
        (july,) = record(point, (at(2026, 7, 1), "2600"))
        in_force = models.Read.objects.get(id=july.read_id).annual_kwh

        exchange = operations.exchange_meter(
            identifier=point.identifier,
            exchanged_at=at(2026, 8, 1),
            final_reads=[operations.RegisterRead("1", Decimal("2800"))],
            new_meter=supply_rules.MeterDetails(
                serial_number="SMRT0001",
                type="SMART",
                digits=6,
                installed_date=datetime.date(2026, 8, 1),
                units="KWH",
                registers=(supply_rules.RegisterDetails("1", "ANYTIME"),),
            ),
            first_reads=[operations.RegisterRead("1", Decimal("0"))],
            received_by="engineer",
            actor=audit.SYSTEM,
            as_at=AS_AT,
        )

        new_register = models.Register.objects.get(meter_id=exchange.new_meter_id)
        final = models.Read.objects.get(id=exchange.final_read_ids[0])
        assert final.annual_kwh is not None and in_force != Decimal("2900.0")
        assert queries.annual_kwh_in_force(register_id=new_register.id) == final.annual_kwh


class TestABigBatchInParts:
    """A big batch is judged and stored part by part (a part stored while the next is
    judged): the outcome is the same as if it were one part."""

    def test_parts_keep_each_register_together_and_every_outcome(self, monkeypatch):
        from kilowatt.metering.operations import _reads

        monkeypatch.setattr(_reads, "PART_READINGS", 1)  # as many parts as allowed
        steady, lower, again = supply.meter_point(), supply.meter_point(), supply.meter_point()
        record(lower, (at(2026, 1, 1), "1000"))
        record(again, (at(2026, 1, 1), "1000"))
        (held,) = record(again, (at(2026, 2, 1), "990"))
        assert held.status == "HELD"

        outcomes = operations.record_reads(
            reads=[
                operations.ReadIn(meter_point=steady.identifier, read_at=when, value=Decimal(v))
                for when, v in ((at(2026, 1, 1), "500"), (at(2026, 2, 1), "800"))
            ]
            + [
                operations.ReadIn(
                    meter_point=lower.identifier, read_at=at(2026, 2, 1), value=Decimal("990")
                ),
                operations.ReadIn(
                    meter_point=again.identifier, read_at=at(2026, 2, 1), value=Decimal("990")
                ),
                operations.ReadIn(
                    meter_point="1999999999999", read_at=at(2026, 2, 1), value=Decimal("1")
                ),
            ],
            source="INDUSTRY",
            received_by="test",
            as_at=AS_AT,
        )

        assert [(o.row, o.status, o.rule) for o in outcomes] == [
            (0, "ACCEPTED", ""),
            (1, "ACCEPTED", ""),
            (2, "HELD", "negative_advance"),
            (3, "DUPLICATE", "duplicate"),
            (4, "REFUSED", "unknown_meter_point"),
        ]
        second = models.Read.objects.get(id=outcomes[1].read_id)
        assert (second.advance, second.value) == (Decimal("300.000"), Decimal("800.000"))
        kept = [o.read_id for o in outcomes if o.read_id is not None]
        assert len(kept) == 3 and models.Read.objects.filter(id__in=kept).count() == 3


class TestWritingWhileJudging:
    def test_reads_are_recorded_under_the_debug_cursor(self, settings):
        # DEBUG on (the embedded default) wraps cursors to log queries; the COPY that feeds
        # a part from a second thread goes round that wrapper.
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        point = supply.meter_point()
        with CaptureQueriesContext(connection):
            (outcome,) = record(point, (at(2026, 1, 1), "1000"))

        assert outcome.status == "ACCEPTED"
        assert models.Read.objects.filter(id=outcome.read_id).exists()

    def test_work_that_queries_during_the_copy_is_refused_and_nothing_is_kept(self):
        import polars as pl
        from django.db import connection, transaction

        from kilowatt.platform import frames

        if connection.vendor != "postgresql":
            pytest.skip("only PostgreSQL writes while the work runs")
        point = supply.meter_point()

        def queries():
            return models.Read.objects.count()

        register = models.Register.objects.filter(meter__meter_point=point).first()
        row = pl.DataFrame(
            {
                "meter_point_id": [point.id],
                "meter_id": [register.meter_id],
                "register_id": [register.id],
                "read_at": [at(2026, 1, 1)],
                "value": ["1.000"],
                "source": ["CUSTOMER"],
                "status": ["ACCEPTED"],
                "rolled_over": [False],
                "rule": [""],
                "message": [""],
                "received_at": [at(2026, 1, 2)],
                "received_by": ["test"],
                "reference": [""],
                "billed_reference": [""],
            }
        )
        with pytest.raises(RuntimeError, match="busy with a COPY"), transaction.atomic():
            frames.write_frame_while(models.Read, row, queries)

        assert not models.Read.objects.filter(meter_point=point).exists()
