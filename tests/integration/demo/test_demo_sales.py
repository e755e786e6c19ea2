"""``kilowatt demo_sales``: the demo's sales team gets a pipeline at every stage."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from kilowatt.sales import models

pytestmark = pytest.mark.django_db


def test_the_demo_sales_team_gets_a_pipeline_and_a_second_run_changes_nothing():
    call_command("seed", customers=50, seed=1, stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_sales", if_empty=True, stdout=out)

    assert "12 demo sign-ups" in out.getvalue()
    statuses = set(models.Order.objects.values_list("status", flat=True))
    assert {"AWAITING_SIGNATURE", "SIGNED", "LIVE", "EXCEPTION"} <= statuses
    assert models.Commission.objects.exists()  # the agent's signed sign-ups earned
    assert models.SalesTarget.objects.count() == 1

    call_command("demo_sales", if_empty=True, stdout=io.StringIO())
    assert models.Order.objects.count() == 12
