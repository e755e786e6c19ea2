"""Writers of reads take turns per meter point, not for the whole table, and draw ids in
blocks: on PostgreSQL, with two real connections."""

from __future__ import annotations

import datetime
from decimal import Decimal

import psycopg
import pytest
from django.db import connection

from kilowatt.metering import models, operations
from kilowatt.metering.operations import _reads
from kilowatt.platform import bulk
from tests.factories import supply

AS_AT = supply.AS_AT
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="locks and id blocks are PostgreSQL's"
)


def reading(point, value="1000"):
    return operations.ReadIn(
        meter_point=point.identifier,
        read_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        value=Decimal(value),
    )


def record(point):
    return operations.record_reads(
        reads=[reading(point)], source="CUSTOMER", received_by="test", as_at=AS_AT
    )


def slice_of(point) -> int:
    return int(point.identifier[-6:]) % _reads.READ_LOCK_SLICES


def other_session_may_lock(number: int) -> bool:
    """Whether a second session gets a read lock slice at once (it gives it back)."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        (taken,) = other.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", [_reads.READ_LOCK_CLASS, number]
        ).fetchone()
        if taken:
            other.execute("SELECT pg_advisory_unlock(%s, %s)", [_reads.READ_LOCK_CLASS, number])
        return bool(taken)


@pytest.mark.django_db
def test_a_batch_holds_only_its_own_meter_points_slices_until_it_ends():
    busy = supply.meter_point()
    other = supply.meter_point()
    while slice_of(other) == slice_of(busy):
        other = supply.meter_point()

    (outcome,) = record(busy)  # the test's transaction is still open: so are its locks

    assert outcome.status == "ACCEPTED"
    assert not other_session_may_lock(slice_of(busy))  # a batch of it would wait
    assert other_session_may_lock(slice_of(other))  # a batch of another slice goes ahead


@pytest.mark.django_db
def test_a_decision_on_a_read_takes_its_meter_points_slice():
    point = supply.meter_point()
    _reads.lock_reads_of(meter_point_id=point.id)

    assert not other_session_may_lock(slice_of(point))


@pytest.mark.django_db
def test_ids_come_in_blocks_that_never_overlap():
    first = bulk.reserve_id_blocks(models.Read, 1500)
    second = bulk.reserve_id_blocks(models.Read, 10)
    single = models.Read.objects.create(
        meter_point_id=1,
        meter_id=1,
        register_id=1,
        read_at=AS_AT,
        value=Decimal(1),
        source="CUSTOMER",
        status="ACCEPTED",
        received_at=AS_AT,
        received_by="test",
    )

    ids = [*first.to_list(), *second.to_list(), single.id]
    assert (first.len(), second.len()) == (1500, 10)
    assert len(set(ids)) == len(ids)
    assert first.to_list() == sorted(first.to_list())
