"""The back office shows when each meter's certification ends; a recertification completed
on the field jobs page renews it."""

from __future__ import annotations

import datetime

import pytest

from kilowatt.field import models as field_models
from kilowatt.field import operations
from kilowatt.identity.domain.roles import Role
from kilowatt.metering import models as metering_models
from kilowatt.metering.domain import certification
from kilowatt.platform import audit, clock, periods
from tests.factories import screens

pytestmark = pytest.mark.django_db


def test_each_meter_shows_the_day_its_certification_ends(book, signed_in):
    metering_models.Meter.objects.filter(meter_point__identifier=book.home.mprns[0]).update(
        certified_until=None
    )  # a meter recorded before it was kept

    body = signed_in(Role.COMPLAINTS).get(f"/customers/{book.home.number}/").content.decode()

    assert '<th scope="col">Certified until</th>' in body
    assert "1 May 2031" in body  # the smart electricity meter installed 1 May 2021: 10 years
    assert "not recorded" in body


def test_a_recertification_completed_on_the_jobs_page_renews_the_certification(book, signed_in):
    operations.plan_capacity(
        region="12", start=clock.today() + datetime.timedelta(days=1), days=1, engineers=1,
        actor=audit.SYSTEM, as_at=clock.now(),
    )  # fmt: skip
    job = operations.book_appointment(
        by=screens.principal(Role.ADMIN),
        identifier=book.home.mpans[0],
        capacity_id=field_models.Capacity.objects.order_by("slot").first().id,
        kind="RECERTIFICATION",
        as_at=clock.now(),
    )
    client = signed_in(Role.ADMIN)
    client.post(f"/field/jobs/{job.id}/", {"status": "EN_ROUTE"})

    listing = client.get("/field/jobs/").content.decode()
    response = client.post(f"/field/jobs/{job.id}/", {"status": "COMPLETED", "new_serial": ""})

    assert "leave empty: recertified in place" in listing
    assert response.status_code == 302
    meter = metering_models.Meter.objects.get(meter_point__identifier=book.home.mpans[0])
    assert meter.certified_until == certification.add_years(periods.london_date(clock.now()), 10)
