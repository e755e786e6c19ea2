"""``kilowatt demo_field``: slots in every region over the booking window, planned once."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from kilowatt.demo import operations
from kilowatt.field import models
from kilowatt.field.domain import slots as slot_rules
from kilowatt.validation.mpan import REGIONS

pytestmark = pytest.mark.django_db
AS_AT = datetime.datetime(2026, 11, 23, 17, 0, tzinfo=datetime.UTC)


def test_every_region_gets_every_slot_of_the_window():
    planned = operations.plan_demo_capacity(as_at=AS_AT)

    days = slot_rules.BOOKING_HORIZON_DAYS
    assert planned == len(REGIONS) * days * len(slot_rules.SLOTS)
    assert models.Capacity.objects.filter(engineers=operations.DEMO_ENGINEERS).count() == planned


def test_a_second_run_leaves_planned_days_as_the_team_set_them():
    operations.plan_demo_capacity(as_at=AS_AT)
    busy = models.Capacity.objects.order_by("id").first()
    models.Capacity.objects.filter(id=busy.id).update(engineers=5, booked=4)
    closed = models.Capacity.objects.order_by("id").last()
    models.Capacity.objects.filter(id=closed.id).update(engineers=0)

    again = operations.plan_demo_capacity(as_at=AS_AT + datetime.timedelta(days=1))

    assert again == len(REGIONS) * len(slot_rules.SLOTS)  # only the window's new last day
    assert models.Capacity.objects.get(id=busy.id).engineers == 5
    assert models.Capacity.objects.get(id=closed.id).engineers == 0


def test_the_command_says_what_it_planned(capsys):
    call_command("demo_field")

    assert "engineer slots planned" in capsys.readouterr().out
