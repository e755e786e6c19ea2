"""The customer's own meter readings page offers the visit to book on each meter point:
one already arranged, one we raised, or a smart meter; the link opens the booking page
with that visit chosen."""

from __future__ import annotations

import datetime

import pytest

from kilowatt.field import models, operations
from kilowatt.metering import models as metering_models
from kilowatt.platform import audit, clock
from tests.integration.pages.test_field_pages import owner

PAGE = "/my/meter-readings/"


@pytest.fixture
def point(book):
    """The business customer's first meter point, on a credit (not smart) meter."""
    mpan = book.business.mpans[0]
    metering_models.Meter.objects.filter(
        meter_point__identifier=mpan, removed_date__isnull=True
    ).update(type="CREDIT")
    return metering_models.MeterPoint.objects.get(identifier=mpan)


def offer_of(content: bytes, identifier: str) -> str:
    """The text of the meter point's section from its anchor to its readings."""
    text = content.decode()
    start = text.index(f'id="mp-{identifier}"')
    return text[start : text.index('data-testid="reading-history"', start)]


def test_a_meter_that_is_not_smart_is_offered_one(book, point, signed_in):
    client = signed_in(owner(book))

    section = offer_of(client.get(PAGE).content, point.identifier)
    booking = client.get(f"/meter-points/{point.identifier}/book/?kind=SMART_INSTALL")

    assert "Get a smart meter, free" in section
    assert f"/meter-points/{point.identifier}/book/?kind=SMART_INSTALL" in section
    assert b'<option value="SMART_INSTALL" selected>' in booking.content


def test_a_smart_meter_is_offered_nothing(book, point, signed_in):
    metering_models.Meter.objects.filter(meter_point=point).update(type="SMART")

    section = offer_of(signed_in(owner(book)).get(PAGE).content, point.identifier)

    assert 'data-testid="visit-offer"' not in section


def test_a_raised_must_read_asks_for_a_time(book, point, signed_in):
    models.Job.objects.create(
        kind="MUST_READ", meter_point=point, status="RAISED", created_at=clock.now(),
        created_by="test", updated_at=clock.now(),
    )  # fmt: skip

    section = offer_of(signed_in(owner(book)).get(PAGE).content, point.identifier)

    assert "We need to read your meter" in section
    assert "Choose a time" in section
    assert f"/meter-points/{point.identifier}/book/?kind=MUST_READ" in section


def test_a_booked_visit_says_when(book, point, signed_in):
    operations.plan_capacity(
        region=point.region, start=clock.today() + datetime.timedelta(days=1), days=1,
        engineers=1, actor=audit.SYSTEM, as_at=clock.now(),
    )  # fmt: skip
    slot = models.Capacity.objects.get(slot="AM")
    client = signed_in(owner(book))
    client.post(
        f"/meter-points/{point.identifier}/book/", {"slot": slot.id, "kind": "SMART_INSTALL"}
    )

    section = offer_of(client.get(PAGE).content, point.identifier)

    assert (
        "An engineer&#x27;s visit is booked" in section
        or "An engineer's visit is booked" in section
    )
    assert f"{slot.date:%A} {slot.date.day} {slot.date:%B %Y}, morning, 08:00 to 12:00" in section
    assert "Get a smart meter" not in section
    job = models.Job.objects.get()
    assert f"/meter-points/{point.identifier}/booked/?job={job.id}" in section


def test_a_must_read_is_not_asked_for_once_the_customer_has_read_the_meter(book, point, signed_in):
    from decimal import Decimal

    from kilowatt.metering import operations as metering_operations

    models.Job.objects.create(
        kind="MUST_READ", meter_point=point, status="RAISED", created_at=clock.now(),
        created_by="test", updated_at=clock.now(),
    )  # fmt: skip
    register = metering_models.Register.objects.filter(meter__meter_point=point).first()
    (outcome,) = metering_operations.record_reads(
        reads=[
            metering_operations.ReadIn(
                meter_point=point.identifier,
                read_at=clock.now() + datetime.timedelta(minutes=1),
                value=Decimal("1234"),
                register=register.identifier,
            )
        ],
        source="CUSTOMER",
        received_by="test",
        as_at=clock.now() + datetime.timedelta(minutes=2),
    )

    section = offer_of(signed_in(owner(book)).get(PAGE).content, point.identifier)

    assert outcome.status == "ACCEPTED"
    assert "We need to read your meter" not in section
    assert "Get a smart meter" in section  # what is left to offer
