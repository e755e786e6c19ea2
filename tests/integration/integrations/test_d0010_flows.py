"""D0010 import and export on the real database, through metering's validation path."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from kilowatt.integrations import models, operations
from kilowatt.integrations.domain import d0010
from kilowatt.metering import models as metering_models
from kilowatt.metering import operations as metering_operations
from kilowatt.platform.errors import InvalidInput
from tests.factories import supply

pytestmark = pytest.mark.django_db
AS_AT = supply.AS_AT


def uk(*parts: int) -> datetime.datetime:
    """A naive UK clock time, as a D0010 file carries it."""
    return datetime.datetime(*parts, tzinfo=d0010.LONDON).replace(tzinfo=None)


def london(year: int, month: int, day: int) -> datetime.datetime:
    """Midnight on the UK clock."""
    return datetime.datetime(year, month, day, tzinfo=d0010.LONDON)


def reading(point, when: datetime.datetime, value: str, *, register="01", **extra) -> d0010.Reading:
    return d0010.Reading(
        mpan_core=point.identifier,
        meter_serial=point.meters.get().serial_number,
        register=register,
        read_local=d0010.to_local(when),
        value=Decimal(value),
        **extra,
    )


def d0010_file(*readings: d0010.Reading, file_id: str = "DC00000001") -> bytes:
    header = d0010.Header(
        file_id=file_id,
        from_role="D",
        from_participant="UDMS",
        to_role="X",
        to_participant="KWLT",
        created_local=uk(2026, 11, 22, 18, 0),
    )
    return d0010.write(header=header, readings=readings).encode("ascii")


def stored_reads() -> list[tuple]:
    return sorted(
        metering_models.Read.objects.filter(status="ACCEPTED").values_list(
            "meter_point__identifier",
            "meter__serial_number",
            "register__identifier",
            "read_at",
            "value",
        )
    )


class TestRoundTrip:
    def test_exported_reads_imported_again_are_the_same_reads(self):
        single = supply.meter_point()
        economy_7 = supply.meter_point(
            profile_class="02", bands=("DAY", "NIGHT"), annual_kwh=("1700", "1200")
        )
        for register, readings in [
            ("", [(london(2026, 1, 1), "1000"), (london(2026, 2, 1), "1250.5")]),
            ("", [(london(2026, 6, 1), "2100.125")]),  # British Summer Time
        ]:
            metering_operations.record_reads(
                reads=[
                    metering_operations.ReadIn(
                        meter_point=single.identifier,
                        read_at=at,
                        value=Decimal(v),
                        register=register,
                    )
                    for at, v in readings
                ],
                source="CUSTOMER",
                received_by="test",
                as_at=AS_AT,
            )
        metering_operations.record_reads(
            reads=[
                metering_operations.ReadIn(
                    meter_point=economy_7.identifier, read_at=at, value=Decimal(v), register=r
                )
                for r, at, v in [
                    ("1", london(2026, 3, 1), "500"),
                    ("2", london(2026, 3, 1), "300"),
                    ("1", london(2026, 7, 1), "1000"),
                    ("2", london(2026, 7, 1), "650"),
                ]
            ],
            source="SMART",
            received_by="test",
            as_at=AS_AT,
        )
        before = stored_reads()
        assert len(before) == 7

        content = operations.export_d0010(
            since=london(2026, 1, 1), until=london(2026, 12, 1), as_at=AS_AT
        )
        metering_models.AnnualConsumptionChange.objects.all().delete()
        metering_models.Read.objects.all().delete()
        report = operations.import_d0010(content=content, filename="export.d0010", as_at=AS_AT)

        assert report.counts["ACCEPTED"] == 7
        assert stored_reads() == before
        assert b"030|01|20260601000000|2100.125|||T|N|" in content  # the UK clock, not UTC

    def test_an_export_holds_only_accepted_reads_of_the_period(self):
        point = supply.meter_point()
        metering_operations.record_reads(
            reads=[
                metering_operations.ReadIn(
                    meter_point=point.identifier, read_at=at, value=Decimal(v)
                )
                for at, v in [
                    (london(2026, 1, 1), "1000"),
                    (london(2026, 2, 1), "990"),  # held: lower than the last
                    (london(2026, 4, 1), "1400"),  # outside the period
                ]
            ],
            source="CUSTOMER",
            received_by="test",
            as_at=AS_AT,
        )

        content = operations.export_d0010(
            since=london(2026, 1, 1), until=london(2026, 3, 1), as_at=AS_AT
        )

        readings = d0010.parse(content.decode()).readings
        assert [(r.read_local, r.value, r.reading_type) for r in readings] == [
            (uk(2026, 1, 1), Decimal("1000"), "C")
        ]


class TestImport:
    def test_every_record_is_reported_with_the_reason_it_was_not_accepted(self):
        point = supply.meter_point()
        content = d0010_file(
            reading(point, london(2026, 1, 1), "1000"),
            reading(point, london(2026, 2, 1), "990"),
            reading(point, london(2026, 12, 25), "1500"),
            reading(point, london(2026, 3, 1), "1200", reading_flag="F"),
            reading(point, london(2026, 3, 1), "1200", register="05"),
        )

        report = operations.import_d0010(content=content, filename="a.d0010", as_at=AS_AT)

        assert [(r.line, r.status, r.rule) for r in report.records] == [
            (4, "ACCEPTED", ""),
            (5, "HELD", "negative_advance"),
            (6, "REFUSED", "read_date_future"),
            (7, "REFUSED", "failed_industry_validation"),
            (8, "REFUSED", "unknown_register"),
        ]
        assert all(r.message for r in report.records[1:])
        flow_file = models.FlowFile.objects.get()
        assert (flow_file.accepted, flow_file.held, flow_file.refused) == (1, 1, 3)
        read = metering_models.Read.objects.get(id=report.records[0].read_id)
        assert (read.source, read.reference, read.received_by) == (
            "INDUSTRY",
            "DC00000001",
            "D0010 DC00000001",
        )
        assert models.UnmatchedReading.objects.get().rule == "unknown_register"

    def test_the_same_file_twice_changes_nothing_and_answers_with_the_first_report(self):
        point = supply.meter_point()
        content = d0010_file(reading(point, london(2026, 1, 1), "1000"))
        first = operations.import_d0010(content=content, filename="a.d0010", as_at=AS_AT)

        again = operations.import_d0010(content=content, filename="b.d0010", as_at=AS_AT)

        assert (first.repeat, again.repeat) == (False, True)
        assert again.records == first.records
        assert again.filename == "a.d0010"
        assert metering_models.Read.objects.count() == 1
        assert models.FlowFile.objects.count() == 1

    def test_a_reading_already_accepted_from_another_file_is_a_duplicate(self):
        point = supply.meter_point()
        operations.import_d0010(
            content=d0010_file(reading(point, london(2026, 1, 1), "1000")),
            filename="a",
            as_at=AS_AT,
        )

        report = operations.import_d0010(
            content=d0010_file(reading(point, london(2026, 1, 1), "1000"), file_id="DC00000002"),
            filename="b",
            as_at=AS_AT,
        )

        assert [r.status for r in report.records] == ["DUPLICATE"]
        assert models.FlowFile.objects.get(file_id="DC00000002").duplicate == 1

    def test_readings_for_unknown_meter_points_are_kept_for_review(self):
        content = d0010_file(
            d0010.Reading(
                mpan_core="2399999999996",
                meter_serial="X1234",
                register="01",
                read_local=uk(2026, 7, 1, 0, 0),
                value=Decimal("4321.5"),
                reading_type="C",
            )
        )

        report = operations.import_d0010(content=content, filename="a", as_at=AS_AT)

        assert [(r.status, r.rule) for r in report.records] == [("UNKNOWN", "unknown_meter_point")]
        kept = models.UnmatchedReading.objects.get()
        assert (
            kept.line,
            kept.mpan_core,
            kept.meter_serial,
            kept.register,
            kept.read_at,
            kept.value,
            kept.reading_type,
            kept.rule,
        ) == (
            4,
            "2399999999996",
            "X1234",
            "01",
            datetime.datetime(2026, 6, 30, 23, 0, tzinfo=datetime.UTC),
            Decimal("4321.500"),
            "C",
            "unknown_meter_point",
        )
        assert models.FlowFile.objects.get().unknown == 1

    def test_a_bad_file_is_refused_whole_and_nothing_is_written(self):
        point = supply.meter_point()
        content = d0010_file(
            reading(point, london(2026, 1, 1), "1000"), reading(point, london(2026, 2, 1), "1200")
        ).replace(b"|1200.0|", b"|12O0.0|")

        with pytest.raises(InvalidInput) as caught:
            operations.import_d0010(content=content, filename="a", as_at=AS_AT)

        assert caught.value.problems[0].field == "line 5: register_reading"
        assert models.FlowFile.objects.count() == 0
        assert metering_models.Read.objects.count() == 0


class TestCommand:
    def test_import_prints_a_line_per_record_and_a_summary(self, tmp_path):
        point = supply.meter_point()
        path = tmp_path / "DC00000001.d0010"
        path.write_bytes(
            d0010_file(
                reading(point, london(2026, 1, 1), "1000"),
                reading(point, london(2026, 12, 25), "1500"),
            )
        )
        out = io.StringIO()

        call_command("flows", "import", str(path), stdout=out)

        lines = out.getvalue().splitlines()
        assert lines[0].startswith(f"DC00000001.d0010 line 4 {point.identifier} ")
        assert lines[0].endswith(" 1000.0 ACCEPTED")
        assert "REFUSED read_date_future: " in lines[1]
        assert lines[2] == (
            "DC00000001.d0010: D0010 file DC00000001, 2 records: "
            "1 accepted, 0 held, 1 refused, 0 duplicate, 0 unknown"
        )

    def test_a_bad_file_among_several_stops_with_one_line_and_imports_none(self, tmp_path):
        point = supply.meter_point()
        good = tmp_path / "good.d0010"
        good.write_bytes(d0010_file(reading(point, london(2026, 1, 1), "1000")))
        bad = tmp_path / "bad.d0010"
        bad.write_bytes(
            d0010_file(reading(point, london(2026, 2, 1), "1200"), file_id="DC2").replace(
                b"|3||1|", b"|9||1|"
            )
        )

        with pytest.raises(CommandError) as caught:
            call_command("flows", "import", str(good), str(bad), stdout=io.StringIO())

        assert str(caught.value) == (
            "bad.d0010: line 5: record_count: the trailer counts '9' records but the file has 3"
        )
        assert models.FlowFile.objects.count() == 0
        assert metering_models.Read.objects.count() == 0

    def test_export_writes_a_d0010_file_of_those_days(self, tmp_path):
        point = supply.meter_point()
        operations.import_d0010(
            content=d0010_file(
                reading(point, london(2026, 1, 1), "1000"),
                reading(point, london(2026, 2, 1), "1250"),
            ),
            filename="in",
            as_at=AS_AT,
        )
        out = tmp_path / "out.d0010"

        call_command(
            "flows",
            "export",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--out",
            str(out),
            stdout=io.StringIO(),
        )

        readings = d0010.parse(out.read_text()).readings
        assert [(r.mpan_core, r.register, r.value) for r in readings] == [
            (point.identifier, "01", Decimal("1000"))
        ]

    def test_export_with_a_bad_date_writes_nothing(self, tmp_path):
        out = tmp_path / "out.d0010"

        with pytest.raises(CommandError, match="'2026-02-30' is not a date"):
            call_command(
                "flows", "export", "--from", "2026-02-30", "--to", "2026-03-01", "--out", str(out)
            )

        assert not out.exists()
