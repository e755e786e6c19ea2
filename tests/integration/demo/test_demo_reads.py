"""``kilowatt demo_reads``: a reading history for the demo book, through validation."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from kilowatt.metering.models import Read

pytestmark = pytest.mark.django_db


def test_the_demo_gets_monthly_reads_and_a_few_held_ones():
    call_command("seed", customers=300, seed=1, stdout=io.StringIO())

    out = io.StringIO()
    call_command("demo_reads", months=4, if_empty=True, stdout=out)

    assert "held for review" in out.getvalue()
    assert Read.objects.filter(status="ACCEPTED").count() > 1000
    assert Read.objects.filter(status="HELD").exists()
    assert not Read.objects.filter(status="REFUSED").exists()
    assert Read.objects.filter(annualised_kwh__isnull=False).exists()  # EACs recalculated


def test_with_if_empty_a_second_run_changes_nothing():
    call_command("seed", customers=50, seed=1, stdout=io.StringIO())
    call_command("demo_reads", months=2, if_empty=True, stdout=io.StringIO())
    before = Read.objects.count()

    call_command("demo_reads", months=2, if_empty=True, stdout=io.StringIO())

    assert Read.objects.count() == before
