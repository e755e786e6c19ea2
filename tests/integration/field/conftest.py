"""Meter points with capacity in their region, and a person who works field jobs."""

from __future__ import annotations

import datetime

import pytest

from kilowatt.field import operations
from kilowatt.identity.domain.roles import Role
from kilowatt.platform import audit
from tests.factories import screens, supply

AS_AT = supply.AS_AT  # 2026-11-23 09:00 UTC
TODAY = AS_AT.date()
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def admin(db):
    return screens.principal(Role.ADMIN)


@pytest.fixture
def point(db):
    return supply.meter_point()  # region 23, a credit meter with one ANYTIME register


@pytest.fixture
def plan(db):
    def plan(*, engineers: int = 2, region: str = "23", start=TOMORROW, days: int = 3) -> None:
        operations.plan_capacity(
            region=region,
            start=start,
            days=days,
            engineers=engineers,
            actor=audit.SYSTEM,
            as_at=AS_AT,
        )

    return plan
