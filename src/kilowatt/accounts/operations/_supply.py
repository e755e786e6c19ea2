"""Sites and meter points changed by a person: the access checks around properties and
metering's own writes.

Properties and metering sit below accounts and know nothing of who may see what: a site
or meter point is seen through the accounts that supply it (``accounts.queries``). So a
person's change comes through here: check the permission, check that the thing is
visible (``NotFound`` alike for missing and not yours), then make the lower context's
change in the same transaction, audited under the person's name.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.accounts import queries
from kilowatt.identity.domain.roles import Permission, Principal
from kilowatt.metering import operations as metering_operations
from kilowatt.metering.domain.supply import MeterDetails, MeterPointDetails
from kilowatt.platform import audit
from kilowatt.platform.errors import NotAllowed
from kilowatt.properties import operations as property_operations
from kilowatt.properties.domain.addresses import Address


def _actor(principal: Principal) -> audit.Actor:
    return audit.Actor(id=principal.user_id, name=principal.username)


def _require(principal: Principal, permission: Permission, doing: str) -> None:
    if not principal.may(permission):
        raise NotAllowed(f"{principal.username} may not {doing}")


@transaction.atomic
def create_site(*, by: Principal, address: Address, as_at: datetime.datetime):
    """Record a new supply address on behalf of ``by``.

    A new site supplies no account yet, so only people who see every customer can read
    it back until an agreement ties one of its meter points to an account.

    :raises NotAllowed: ``by`` may not sign up customers.
    :raises InvalidInput: the address breaks a rule (for example a malformed postcode).
    """
    _require(by, Permission.CREATE_CUSTOMERS, "record sites")
    return property_operations.create_site(address=address, actor=_actor(by), as_at=as_at)


@transaction.atomic
def update_site(*, by: Principal, site_id: int, changes: dict[str, str], as_at: datetime.datetime):
    """Correct the address of a site ``by`` may see.

    :raises NotFound: no such site, or ``by`` may not see it.
    :raises NotAllowed: ``by`` may not change customers' details.
    :raises InvalidInput: a field is unknown or the corrected address breaks a rule.
    """
    site = queries.site_for(by, site_id=site_id)
    _require(by, Permission.EDIT_CUSTOMERS, "change sites")
    return property_operations.update_site(
        site_id=site.id, changes=changes, actor=_actor(by), as_at=as_at
    )


@transaction.atomic
def register_meter_point(
    *,
    by: Principal,
    site_id: int,
    details: MeterPointDetails,
    meters: tuple[MeterDetails, ...] = (),
    as_at: datetime.datetime,
):
    """Record a meter point (MPAN or MPRN) with its meters at a site ``by`` may see.

    :raises NotFound: no such site, or ``by`` may not see it.
    :raises NotAllowed: ``by`` may not sign up customers.
    :raises InvalidInput: the identifier, region or a meter breaks a rule (an MPRN whose
        check digits fail is refused unless ``details.accept_mprn_check_warning``), or the
        meter point is already recorded.
    """
    site = queries.site_for(by, site_id=site_id)
    _require(by, Permission.CREATE_CUSTOMERS, "record meter points")
    return metering_operations.register_meter_point(
        site_id=site.id, details=details, meters=meters, actor=_actor(by), as_at=as_at
    )


@transaction.atomic
def update_meter_point(
    *, by: Principal, identifier: str, changes: dict[str, str], as_at: datetime.datetime
):
    """Correct the profile class, MTC, LLFC or region of a meter point ``by`` may see.

    :raises NotFound: no such meter point, or ``by`` may not see it.
    :raises NotAllowed: ``by`` may not change customers' details.
    :raises InvalidInput: a field is unknown or the corrected meter point breaks a rule.
    """
    point = queries.meter_point_for(by, identifier=identifier)
    _require(by, Permission.EDIT_CUSTOMERS, "change meter points")
    return metering_operations.update_meter_point(
        identifier=point.identifier, changes=changes, actor=_actor(by), as_at=as_at
    )
