"""A meter exchange is told to the industry: metering announces it, integrations queues
the flows once (however often the event is delivered), and ``kilowatt flows outbound``
writes them out and marks them sent."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from kilowatt.integrations import models, operations
from kilowatt.integrations.domain import d0010, d0150, gas_exchange
from kilowatt.integrations.interfaces import handlers
from kilowatt.metering import models as metering_models
from kilowatt.metering import operations as metering_operations
from kilowatt.metering.domain.supply import MeterDetails, RegisterDetails
from kilowatt.platform import audit, events
from kilowatt.platform.models import OutboxEvent
from tests.factories import supply

pytestmark = pytest.mark.django_db
D = datetime.date
VISIT = datetime.datetime(2026, 11, 24, 10, 30, tzinfo=datetime.UTC)  # 10:30 on the UK clock
LATER = VISIT + datetime.timedelta(minutes=5)


def exchange(point, *, serial="SMRT0001", final=("1500",), first=("0",), units="KWH", bands=None):
    bands = bands or tuple(
        metering_models.Register.objects.filter(meter__meter_point=point)
        .order_by("identifier")
        .values_list("band", flat=True)
    )
    return metering_operations.exchange_meter(
        identifier=point.identifier,
        exchanged_at=VISIT,
        final_reads=[
            metering_operations.RegisterRead(str(n), Decimal(v)) for n, v in enumerate(final, 1)
        ],
        new_meter=MeterDetails(
            serial_number=serial,
            type="SMART",
            digits=6,
            installed_date=VISIT.date(),
            units=units,
            registers=tuple(RegisterDetails(str(n), band) for n, band in enumerate(bands, 1)),
        ),
        first_reads=[
            metering_operations.RegisterRead(str(n), Decimal(v)) for n, v in enumerate(first, 1)
        ],
        received_by="engineer",
        reference="field-job-1",
        actor=audit.SYSTEM,
        as_at=VISIT,
    )


def deliver() -> int:
    return events.dispatch(as_at=LATER)


def queued() -> list[models.OutboundFlow]:
    return list(models.OutboundFlow.objects.order_by("id"))


class TestElectricity:
    def test_the_exchange_queues_its_d0150_and_its_readings_once(self):
        point = supply.meter_point(profile_class="02", bands=("DAY", "NIGHT"),
                                   annual_kwh=("2000", "1500"))  # fmt: skip
        old_serial = metering_models.Meter.objects.get(meter_point=point).serial_number
        exchange(point, final=("1500", "700"), first=("0", "0"))

        deliver()

        mtd, reads = queued()
        assert (mtd.flow, mtd.key, mtd.recipient, mtd.sent_at) == (
            "D0150",
            f"meter_exchange:{metering_models.Meter.objects.get(serial_number='SMRT0001').id}:D0150",
            "D UDMS",
            None,
        )
        (system,) = d0150.parse(mtd.content).details
        assert (system.mpan_core, system.effective_from) == (point.identifier, D(2026, 11, 24))
        (meter,) = system.installed
        assert (meter.meter_id, meter.meter_type, meter.installed_on) == (
            "SMRT0001",
            "S2A",
            D(2026, 11, 24),
        )
        assert meter.certification_expires_on == D(2036, 11, 24)
        assert [(r.register_id, r.digits) for r in meter.registers] == [("01", 6), ("02", 6)]
        assert system.removed == (
            d0150.RemovedMeter(meter_id=old_serial, removed_on=D(2026, 11, 24)),
        )
        # The D0150 carries no readings: the exchange's readings travel as a D0010.
        parsed = d0010.parse(reads.content)
        assert (parsed.header.from_role, parsed.header.to_participant) == ("M", "UDMS")
        assert [
            (r.meter_serial, r.register, r.reading_type, r.value, r.read_local)
            for r in parsed.readings
        ] == [
            (old_serial, "01", "F", Decimal("1500"), datetime.datetime(2026, 11, 24, 10, 30)),  # noqa: DTZ001
            (old_serial, "02", "F", Decimal("700"), datetime.datetime(2026, 11, 24, 10, 30)),  # noqa: DTZ001
            ("SMRT0001", "01", "I", Decimal("0"), datetime.datetime(2026, 11, 24, 10, 30)),  # noqa: DTZ001
            ("SMRT0001", "02", "I", Decimal("0"), datetime.datetime(2026, 11, 24, 10, 30)),  # noqa: DTZ001
        ]

    def test_exactly_one_d0150_and_one_d0010_however_often_the_event_arrives(self):
        point = supply.meter_point()
        exchange(point)
        (event,) = OutboxEvent.objects.filter(name="metering.meter.exchanged.v1")
        delivered = events.Event(
            id=event.id, name=event.name, payload=event.payload, occurred_at=event.occurred_at
        )

        assert deliver() == 1
        assert deliver() == 0  # delivered already
        handlers.meter_exchanged(delivered, as_at=LATER)  # and delivered again by hand
        handlers.meter_exchanged(delivered, as_at=LATER + datetime.timedelta(hours=1))

        assert [flow.flow for flow in queued()] == ["D0150", "D0010"]

    def test_a_field_job_completed_with_a_new_meter_is_told_too(self):
        from kilowatt.field import models as field_models
        from kilowatt.field import operations as field_operations
        from kilowatt.identity.domain.roles import Role
        from tests.factories import screens

        admin = screens.principal(Role.ADMIN)
        point = supply.meter_point()
        field_operations.plan_capacity(
            region="23", start=VISIT.date(), days=1, engineers=2, actor=audit.SYSTEM,
            as_at=supply.AS_AT,
        )  # fmt: skip
        capacity = field_models.Capacity.objects.filter(region="23").order_by("date", "slot")[0]
        job = field_operations.book_appointment(
            by=admin, identifier=point.identifier, capacity_id=capacity.id, kind="METER_EXCHANGE",
            as_at=supply.AS_AT,
        )  # fmt: skip
        field_operations.move_job(by=admin, job_id=job.id, status="EN_ROUTE", as_at=VISIT)
        field_operations.complete_job(
            by=admin,
            job_id=job.id,
            done=field_operations.ExchangeIn(
                final_reads=[("1", Decimal("1500"))],
                new_serial="SMRT0077",
                new_digits=6,
                first_reads=[("1", Decimal("0"))],
            ),
            as_at=VISIT,
        )

        deliver()

        mtd, _reads = queued()
        assert d0150.parse(mtd.content).details[0].installed[0].meter_id == "SMRT0077"


class TestGas:
    def test_the_exchange_queues_one_record_for_the_transporters_agency(self):
        point = supply.meter_point(fuel="GAS", annual_kwh=("12000",))
        old_serial = metering_models.Meter.objects.get(meter_point=point).serial_number
        exchange(point, serial="E6S0000001", final=("8123.5",), first=("0",), units="METRIC")

        deliver()
        deliver()

        (flow,) = queued()
        assert (flow.flow, flow.recipient, flow.filename.endswith(".csv")) == (
            "ONUPD",
            "CDSP XOSERVE",
            True,
        )
        parsed = gas_exchange.parse(flow.content)
        assert parsed.header.originator == "KWLT"
        assert parsed.exchanges == (
            gas_exchange.Exchange(
                mprn=point.identifier,
                exchanged_on=D(2026, 11, 24),
                removed_serial=old_serial,
                final_read=Decimal("8123.5"),
                installed_serial="E6S0000001",
                meter_type="SMART",
                units="M",
                dials=6,
                first_read=Decimal("0"),
                certification_expires_on=D(2046, 11, 24),
            ),
        )


class TestSending:
    def test_the_command_writes_each_pending_flow_once_and_marks_it_sent(self, tmp_path, capsys):
        exchange(supply.meter_point())
        exchange(supply.meter_point(fuel="GAS"), serial="E6S0000002", units="METRIC")
        deliver()

        call_command("flows", "outbound", "--out", str(tmp_path / "out"))
        call_command("flows", "outbound", "--out", str(tmp_path / "out"))

        written = sorted(path.name for path in (tmp_path / "out").iterdir())
        assert written == sorted(flow.filename for flow in queued())
        assert len(written) == 3
        assert all(flow.sent_at is not None for flow in queued())
        for flow in queued():
            assert (tmp_path / "out" / flow.filename).read_text() == flow.content
        out = capsys.readouterr().out
        assert "3 outbound flows written" in out
        assert "0 outbound flows written" in out

    def test_a_transport_that_fails_marks_nothing_sent(self):
        exchange(supply.meter_point())
        deliver()
        delivered = []

        def broken(flow: operations.PendingFlow) -> None:
            delivered.append(flow.flow)
            if len(delivered) == 2:
                raise OSError("disk full")

        with pytest.raises(OSError):
            operations.send_pending_flows(deliver=broken, as_at=LATER)

        assert delivered == ["D0150", "D0010"]
        assert all(flow.sent_at is None for flow in queued())

    def test_an_unwritable_directory_is_a_one_line_error(self, tmp_path):
        exchange(supply.meter_point())
        deliver()
        blocker = tmp_path / "file"
        blocker.write_text("not a directory")

        with pytest.raises(CommandError, match="cannot"):
            call_command("flows", "outbound", "--out", str(blocker))
        assert all(flow.sent_at is None for flow in queued())
