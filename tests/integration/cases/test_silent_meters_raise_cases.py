"""Issue 4 end to end: metering announces the smart meters that went quiet, the outbox
delivers the event, and cases opens one case a meter point, however often it runs."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from kilowatt.cases import models
from kilowatt.metering import operations as metering_operations
from kilowatt.platform import events
from kilowatt.platform.models import OutboxEvent
from tests.factories import supply
from tests.integration.cases.conftest import AS_AT, TODAY, smart_point

pytestmark = pytest.mark.django_db


def detect_and_deliver(*, today=TODAY, as_at=AS_AT) -> None:
    metering_operations.detect_silent_smart_meters(today=today, as_at=as_at)
    events.dispatch(as_at=as_at)


class TestSilentSmartMetersRaiseCases:
    def test_a_silent_smart_meter_gets_a_case_and_others_do_not(self):
        silent = smart_point()
        credit = supply.meter_point()

        detect_and_deliver()

        (case,) = models.Case.objects.all()
        assert (case.meter_point_id, case.kind, case.status) == (
            silent.id,
            "SMART_METER_SILENT",
            "OPEN",
        )
        assert "since it was installed" in case.summary
        assert not models.Case.objects.filter(meter_point_id=credit.id).exists()
        assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()

    def test_running_every_day_keeps_one_case_a_meter_point(self):
        point = smart_point()

        detect_and_deliver()
        later = AS_AT + datetime.timedelta(days=1)
        detect_and_deliver(today=TODAY + datetime.timedelta(days=1), as_at=later)
        events.dispatch(as_at=later)

        assert models.Case.objects.filter(meter_point_id=point.id).count() == 1
        assert OutboxEvent.objects.filter(name="metering.smart_meter.silent.v1").count() == 2

    def test_the_same_event_delivered_twice_opens_nothing_more(self):
        smart_point()
        metering_operations.detect_silent_smart_meters(today=TODAY, as_at=AS_AT)
        events.dispatch(as_at=AS_AT)
        OutboxEvent.objects.update(dispatched_at=None)  # as if delivery was interrupted

        assert events.dispatch(as_at=AS_AT) == 1
        assert models.Case.objects.count() == 1

    def test_a_handler_that_fails_leaves_its_event_for_the_next_run(self):
        smart_point()
        metering_operations.detect_silent_smart_meters(today=TODAY, as_at=AS_AT)

        def broken(event, *, as_at):
            raise RuntimeError("down")

        assert (
            events.dispatch(as_at=AS_AT, handlers={"metering.smart_meter.silent.v1": [broken]}) == 0
        )
        assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 1
        assert OutboxEvent.objects.get().last_error == "RuntimeError: down"
        assert events.dispatch(as_at=AS_AT) == 1
        assert models.Case.objects.count() == 1

    def test_an_event_that_keeps_failing_is_set_aside_and_holds_up_nothing(self):
        smart_point()
        metering_operations.detect_silent_smart_meters(today=TODAY, as_at=AS_AT)
        events.publish(name="test.other.happened.v1", payload={}, at=AS_AT)
        delivered = []

        def broken(event, *, as_at):
            raise RuntimeError("down")

        wiring = {
            "metering.smart_meter.silent.v1": [broken],
            "test.other.happened.v1": [lambda event, *, as_at: delivered.append(event.id)],
        }
        for _ in range(events.MAX_ATTEMPTS):
            events.dispatch(as_at=AS_AT, handlers=wiring, limit=1)

        stuck = OutboxEvent.objects.get(name="metering.smart_meter.silent.v1")
        assert (stuck.attempts, stuck.failed_at) == (events.MAX_ATTEMPTS, AS_AT)
        assert events.dispatch(as_at=AS_AT, handlers=wiring, limit=1) == 1  # the one behind
        assert len(delivered) == 1
        assert events.dispatch(as_at=AS_AT, handlers=wiring) == 0  # not retried any more

    def test_the_commands_detect_and_deliver(self, capsys):
        smart_point()

        call_command("metering", "detect_silent_smart_meters", "--today", TODAY.isoformat())
        call_command("events", "dispatch")

        out = capsys.readouterr().out
        assert "1 smart meter points silent for 3 days on 2026-11-23" in out
        assert "1 events delivered" in out
        assert models.Case.objects.count() == 1

    def test_the_scheduled_tasks_detect_and_deliver(self):
        from kilowatt.metering.interfaces.tasks import detect_silent_smart_meters
        from kilowatt.platform.interfaces.tasks import dispatch_events

        smart_point()  # never heard from since 2024: silent whatever today is

        assert detect_silent_smart_meters.delay().get() == 1
        assert dispatch_events.delay().get() == 1
        assert models.Case.objects.count() == 1
