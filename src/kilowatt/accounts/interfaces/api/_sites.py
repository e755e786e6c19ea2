"""Sites over HTTP, seen through the accounts that supply them."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kilowatt.accounts import operations, queries
from kilowatt.accounts.interfaces.api._shared import principal
from kilowatt.platform import clock
from kilowatt.platform.api import (
    LIST,
    READ,
    WRITE,
    PageParams,
    Patch,
    fields_of,
    page,
)
from kilowatt.properties.domain.addresses import Address

router = Router(tags=["sites"])


class SiteOut(Schema):
    id: int
    address_line_1: str
    address_line_2: str
    town: str
    county: str
    postcode: str
    created_at: datetime.datetime


class SitePage(Schema):
    items: list[SiteOut]
    next_after: int | None


class SiteFilters(PageParams):
    postcode: str | None = None


class AddressIn(Schema):
    address_line_1: str
    address_line_2: str = ""
    town: str
    county: str = ""
    postcode: str = Field(description="A UK postcode; case and spacing are normalised.")


class AddressPatch(Patch):
    """Only the fields sent change (the defaults are never applied)."""

    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    county: str = ""
    postcode: str = ""


@router.get("/sites", response={200: SitePage, **LIST})
def list_sites(request: HttpRequest, filters: Query[SiteFilters]) -> Any:
    """List the sites you may see (through the accounts supplying them), in id order."""
    rows = queries.sites_page(
        principal(request),
        postcode=filters.postcode,
        after_id=filters.after,
        limit=filters.fetch(),
    )
    return page(rows, filters)


@router.get("/sites/{site_id}", response={200: SiteOut, **READ})
def read_site(request: HttpRequest, site_id: int) -> Any:
    """Read a site's address."""
    return queries.site_for(principal(request), site_id=site_id)


@router.post("/sites", response={201: SiteOut, **WRITE})
def create_site(request: HttpRequest, payload: AddressIn) -> Any:
    """Record a supply address (its postcode checked and normalised)."""
    site = operations.create_site(
        by=principal(request), address=Address(**fields_of(payload)), as_at=clock.now()
    )
    return Status(201, site)


@router.patch("/sites/{site_id}", response={200: SiteOut, **WRITE})
def update_site(request: HttpRequest, site_id: int, payload: AddressPatch) -> Any:
    """Correct a site's address."""
    return operations.update_site(
        by=principal(request),
        site_id=site_id,
        changes=fields_of(payload, sent_only=True),
        as_at=clock.now(),
    )
