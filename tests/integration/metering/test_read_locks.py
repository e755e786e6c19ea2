"""Writers of reads take turns per meter point, not for the whole table, and draw ids in
blocks: on PostgreSQL, with two real connections."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.utils import OperationalError

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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_waits_only_for_batches_of_its_own_meter_points():
    busy = supply.meter_point()
    other = supply.meter_point()
    while slice_of(other) == slice_of(busy):
        other = supply.meter_point()
    holding, release = threading.Event(), threading.Event()

    def long_batch():
        try:
            with transaction.atomic():
                record(busy)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    worker = threading.Thread(target=long_batch)
    worker.start()
    try:
        assert holding.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            (outcome,) = record(other)  # another slice of the book: no waiting
        assert outcome.status == "ACCEPTED"
        with pytest.raises(OperationalError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            record(busy)  # the same meter point: waits for the long batch
    finally:
        release.set()
        worker.join(10)
    assert models.Read.objects.filter(meter_point=busy).count() == 1


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
