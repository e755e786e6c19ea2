"""Public reads of sites. Who may see a site is decided by ``accounts.queries`` (a site is
seen through the accounts that supply it), so these reads take ids already gated there.
"""

from __future__ import annotations

from django.db.models import QuerySet

from kilowatt.platform.errors import NotFound
from kilowatt.properties import models


def sites_by_ids(*, ids: list[int] | QuerySet) -> list[models.Site]:
    """Return the sites with these ids, in id order."""
    return list(models.Site.objects.filter(id__in=ids).order_by("id"))


def site_by_id(*, site_id: int) -> models.Site:
    """Return one site.

    :raises NotFound: no such site.
    """
    site = models.Site.objects.filter(id=site_id).first()
    if site is None:
        raise NotFound(f"site {site_id}")
    return site


def site_ids_at_postcode(*, postcode: str) -> QuerySet:
    """Return the ids of the sites at a (normalised) postcode, as a subquery."""
    return models.Site.objects.filter(postcode=postcode).values("id")


def trail_key(site_id: int) -> str:
    """Return the audit trail key of a site."""
    return f"site:{site_id}"


def sites_page(
    *, ids: QuerySet | None, postcode: str | None, after_id: int, limit: int
) -> list[models.Site]:
    """Return one page of sites in id order among ``ids`` (None: all), optionally at a postcode."""
    sites = models.Site.objects.filter(id__gt=after_id)
    if ids is not None:
        sites = sites.filter(id__in=ids)
    if postcode:
        sites = sites.filter(postcode=postcode)
    return list(sites.order_by("id")[:limit])
