from __future__ import annotations

import dataclasses
import datetime

from django.db import transaction

from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, NotFound, raise_if
from kilowatt.properties import models, queries
from kilowatt.properties.domain import addresses


@transaction.atomic
def create_site(
    *, address: addresses.Address, actor: audit.Actor, as_at: datetime.datetime
) -> models.Site:
    """Record a new supply address.

    :raises InvalidInput: the address breaks a rule (for example a malformed postcode).
    """
    address = addresses.normalise(address)
    raise_if(addresses.problems(address))
    site = models.Site.objects.create(created_at=as_at, **dataclasses.asdict(address))
    audit.record(
        trail=queries.trail_key(site.id),
        entity="site",
        entity_id=site.id,
        action="CREATED",
        changes=audit.created(dataclasses.asdict(address)),
        actor=actor,
        at=as_at,
    )
    return site


@transaction.atomic
def update_site(
    *, site_id: int, changes: dict[str, str], actor: audit.Actor, as_at: datetime.datetime
) -> models.Site:
    """Correct a site's address (the caller has checked that the actor may).

    :raises NotFound: no such site.
    :raises InvalidInput: the corrected address breaks a rule.
    """
    site = models.Site.objects.select_for_update().filter(id=site_id).first()
    if site is None:
        raise NotFound(f"site {site_id}")
    fields = [field.name for field in dataclasses.fields(addresses.Address)]
    before = {field: getattr(site, field) for field in fields}
    unknown = set(changes) - set(fields)
    if unknown:
        raise InvalidInput.one(
            field=sorted(unknown)[0], rule="unknown_field", message="not a field that can change"
        )
    address = addresses.normalise(addresses.Address(**{**before, **changes}))
    raise_if(addresses.problems(address))
    after = dataclasses.asdict(address)
    for field, value in after.items():
        setattr(site, field, value)
    site.save(update_fields=fields)
    if changed := audit.diff(before, after):
        audit.record(
            trail=queries.trail_key(site.id),
            entity="site",
            entity_id=site.id,
            action="UPDATED",
            changes=changed,
            actor=actor,
            at=as_at,
        )
    return site
