"""Public reads of meter points. Who may see one is decided by ``accounts.queries``
(a meter point is seen through the account that it supplies)."""

from __future__ import annotations

import re

from django.db.models import Prefetch, QuerySet

from kilowatt.metering import models
from kilowatt.platform.errors import NotFound


def _with_meters(points: QuerySet[models.MeterPoint]) -> QuerySet[models.MeterPoint]:
    return points.prefetch_related(
        Prefetch(
            "meters",
            queryset=models.Meter.objects.order_by("id").prefetch_related(
                Prefetch("registers", queryset=models.Register.objects.order_by("identifier"))
            ),
        )
    )


def meter_points_by_ids(*, ids: list[int] | QuerySet) -> list[models.MeterPoint]:
    """Return the meter points with these ids, with meters and registers, in id order."""
    return list(_with_meters(models.MeterPoint.objects.filter(id__in=ids)).order_by("id"))


def meter_point_by_identifier(*, identifier: str) -> models.MeterPoint:
    """Return a meter point by MPAN (core or full) or MPRN, with meters and registers.

    :raises NotFound: no such meter point.
    """
    compact = re.sub(r"[\s-]", "", identifier).upper()
    if len(compact) == 21:
        compact = compact[8:]
    point = _with_meters(models.MeterPoint.objects.filter(identifier=compact)).first()
    if point is None:
        raise NotFound(f"meter point {identifier}")
    return point


def meter_point_ids_for_identifier(*, identifier: str) -> QuerySet:
    """Return the id of the meter point with this identifier, as a subquery (may be empty)."""
    compact = re.sub(r"[\s-]", "", identifier).upper()
    if len(compact) == 21:
        compact = compact[8:]
    return models.MeterPoint.objects.filter(identifier=compact).values("id")


def meter_point_ids_at_sites(*, site_ids: QuerySet | list[int]) -> QuerySet:
    """Return the ids of the meter points at these sites, as a subquery."""
    return models.MeterPoint.objects.filter(site_id__in=site_ids).values("id")


def site_ids_of_meter_points(*, meter_point_ids: QuerySet | list[int]) -> QuerySet:
    """Return the ids of the sites of these meter points, as a subquery."""
    return models.MeterPoint.objects.filter(id__in=meter_point_ids).values("site_id")


def trail_key(meter_point_id: int) -> str:
    """Return the audit trail key of a meter point."""
    return f"meter_point:{meter_point_id}"


def meter_points_page(
    *,
    ids: QuerySet | None,
    fuel: str | None,
    region: str | None,
    site_id: int | None,
    after_id: int,
    limit: int,
) -> list[models.MeterPoint]:
    """Return one page of meter points in id order among ``ids`` (None: all), filtered."""
    points = models.MeterPoint.objects.filter(id__gt=after_id)
    if ids is not None:
        points = points.filter(id__in=ids)
    if fuel:
        points = points.filter(fuel=fuel.upper())
    if region:
        points = points.filter(region=region)
    if site_id is not None:
        points = points.filter(site_id=site_id)
    return list(_with_meters(points.order_by("id")[:limit]))
