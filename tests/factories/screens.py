"""Customers with accounts, sites, meter points and agreements, for the back-office pages.

Everything is built through the product's own operations (so the audit trail and every
rule apply), with valid MPANs and MPRNs made up from a counter.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from decimal import Decimal

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts import queries as account_queries
from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.customers import operations as customer_operations
from kilowatt.customers.domain.customers import ContactDetails, CustomerDetails
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.metering import operations as metering_operations
from kilowatt.metering.domain.supply import MeterDetails, MeterPointDetails, RegisterDetails
from kilowatt.platform import audit
from kilowatt.platform.errors import NotFound
from kilowatt.properties import operations as property_operations
from kilowatt.properties.domain.addresses import Address
from kilowatt.validation.mpan import check_digit
from kilowatt.validation.mprn import check_digits
from tests.factories import people

AS_AT = datetime.datetime(2026, 1, 12, 9, 30, tzinfo=datetime.UTC)
SUPPLY_START = datetime.date(2026, 2, 1)
TARIFFS_FROM = datetime.date(2025, 10, 1)
_serial = itertools.count(1)


def principal(role: Role, *, username: str | None = None) -> Principal:
    """Create a user with ``role`` and return them as the access rules see them."""
    return identity_queries.principal_for(people.make_user(role, username=username))


def mpan_core(region: str) -> str:
    """Return a new, valid 13-digit MPAN core in a region (distributor ID)."""
    first_twelve = f"{region}{next(_serial):010d}"
    return f"{first_twelve}{check_digit(first_twelve)}"


def mprn() -> str:
    """Return a new MPRN whose check digits pass."""
    body = f"7{next(_serial):07d}"
    return body + check_digits(body)


def _pricing() -> Principal:
    user = identity_queries.user_by_username(username="screens-pricing")
    if user is None:
        user = people.make_user(Role.BILLING, username="screens-pricing")
    return identity_queries.principal_for(user)


def tariff_code(*, fuel: str, region: str, customer_kind: str, payment_method: str) -> str:
    """Return the code of a variable tariff for these terms, putting it on sale if need be."""
    code = f"SCR-{customer_kind[:3]}-{fuel[:4]}-{region}-{payment_method[:2]}"
    try:
        account_queries.tariff_for(code=code)
    except NotFound:
        account_operations.create_tariff(
            by=_pricing(),
            details=TariffDetails(
                code=code,
                name=f"Kilowatt Flexible {'Business ' if customer_kind == 'BUSINESS' else ''}{fuel.title()}",
                fuel=fuel,
                region=region,
                customer_kind=customer_kind,
                payment_method=payment_method,
                kind="VARIABLE",
                standing_charge_pence_per_day=Decimal("51.37"),
                unit_rates=(("ANYTIME", Decimal("24.86")),),
                valid_from=TARIFFS_FROM,
            ),
            as_at=AS_AT,
        )
    return code


def _electricity(region: str, *, profile_class: str) -> tuple[MeterPointDetails, MeterDetails]:
    core = mpan_core(region)
    economy_7 = profile_class in ("02", "04")
    registers = (
        (RegisterDetails("1", "DAY"), RegisterDetails("2", "NIGHT"))
        if economy_7
        else (RegisterDetails("1", "ANYTIME"),)
    )
    return (
        MeterPointDetails(fuel="ELECTRICITY", identifier=f"{profile_class}801100{core}"),
        MeterDetails(
            serial_number=f"E{next(_serial):07d}",
            type="SMART",
            digits=6,
            units="KWH",
            installed_date=datetime.date(2021, 5, 1),
            registers=registers,
        ),
    )


def _gas(region: str) -> tuple[MeterPointDetails, MeterDetails]:
    return (
        MeterPointDetails(fuel="GAS", identifier=mprn(), region=region),
        MeterDetails(
            serial_number=f"G{next(_serial):07d}",
            type="CREDIT",
            digits=5,
            units="METRIC",
            installed_date=datetime.date(2019, 3, 14),
            registers=(RegisterDetails("1", "ANYTIME"),),
        ),
    )


@dataclasses.dataclass(frozen=True)
class Supplied:
    """A customer as built: their number, account numbers and meter point identifiers."""

    number: str
    name: str
    accounts: tuple[str, ...]
    mpans: tuple[str, ...]  # 13-digit cores
    full_mpans: tuple[str, ...]  # 21 characters
    mprns: tuple[str, ...]
    postcodes: tuple[str, ...]
    contact_ids: tuple[int, ...] = ()


def _supply(
    *,
    by: Principal,
    customer_number: str,
    customer_kind: str,
    payment_method: str,
    sites: list[tuple[Address, str, bool, str]],  # address, region, with gas, profile class
) -> tuple[str, list[str], list[str], list[str]]:
    account = account_operations.create_account(
        by=by,
        customer_number=customer_number,
        payment_method=payment_method,
        bill_delivery="EMAIL",
        as_at=AS_AT,
    )
    mpans, full_mpans, mprns = [], [], []
    for address, region, with_gas, profile_class in sites:
        site = property_operations.create_site(address=address, actor=audit.SYSTEM, as_at=AS_AT)
        supplies = [_electricity(region, profile_class=profile_class)]
        if with_gas:
            supplies.append(_gas(region))
        for details, meter in supplies:
            point = metering_operations.register_meter_point(
                site_id=site.id, details=details, meters=(meter,), actor=audit.SYSTEM, as_at=AS_AT
            )
            if point.fuel == "ELECTRICITY":
                mpans.append(point.identifier)
                full_mpans.append(details.identifier)
            else:
                mprns.append(point.identifier)
            account_operations.add_agreement(
                by=by,
                account_number=account.number,
                meter_point_identifier=point.identifier,
                tariff_code=tariff_code(
                    fuel=point.fuel,
                    region=region,
                    customer_kind=customer_kind,
                    payment_method=payment_method,
                ),
                valid_from=SUPPLY_START,
                as_at=AS_AT,
            )
    return account.number, mpans, full_mpans, mprns


def home_customer(
    *,
    by: Principal,
    first_name: str = "Ada",
    last_name: str = "Lovelace",
    postcode: str = "SE1 7PB",
    region: str = "12",
    with_gas: bool = True,
    email: str = "ada@example.org",
    priority_needs: tuple[str, ...] = (),
    consents: tuple[tuple[str, bool], ...] = (("EMAIL", True), ("SMS", False)),
    profile_class: str = "01",
    contact_name: str = "",
) -> Supplied:
    """Sign up a home customer (``by`` becomes their agent) supplied at one address
    (profile class 02 gives an Economy 7 meter, DAY and NIGHT registers); with a
    ``contact_name``, a PRIMARY contact a login can be linked to (``Supplied.contact_ids``)."""
    customer = customer_operations.create_customer(
        by=by,
        details=CustomerDetails(
            kind="RESIDENTIAL",
            title="Ms",
            first_name=first_name,
            last_name=last_name,
            date_of_birth=datetime.date(1954, 12, 10),
            email=email,
            phone="07700 900123",
            consents=consents,
            priority_needs=priority_needs,
            contacts=(ContactDetails(role="PRIMARY", name=contact_name),) if contact_name else (),
        ),
        as_at=AS_AT,
    )
    address = Address(address_line_1="12 Analytical Row", town="London", postcode=postcode)
    account, mpans, full_mpans, mprns = _supply(
        by=by,
        customer_number=customer.number,
        customer_kind="RESIDENTIAL",
        payment_method="DIRECT_DEBIT",
        sites=[(address, region, with_gas, profile_class)],
    )
    return Supplied(
        number=customer.number,
        name=customer.display_name,
        accounts=(account,),
        mpans=tuple(mpans),
        full_mpans=tuple(full_mpans),
        mprns=tuple(mprns),
        postcodes=(address.postcode.upper(),),
        contact_ids=tuple(contact.id for contact in customer.contacts.order_by("id")),
    )


def business_customer(
    *,
    by: Principal,
    company_name: str = "Babbage Engines Ltd",
    postcodes: tuple[str, ...] = ("M1 1AE", "LS1 4DY"),
    regions: tuple[str, ...] = ("16", "23"),
    towns: tuple[str, ...] = ("Manchester", "Leeds"),
    is_micro_business: bool = True,
) -> Supplied:
    """Sign up a business customer with an account manager and a billing officer, supplied
    at several sites (electricity everywhere, gas at the first)."""
    customer = customer_operations.create_customer(
        by=by,
        details=CustomerDetails(
            kind="BUSINESS",
            company_name=company_name,
            company_number="01234567",
            sector="MANUFACTURING",
            is_micro_business=is_micro_business,
            email="accounts@babbage.example",
            phone="0161 496 0000",
            consents=(("EMAIL", True), ("POST", False)),
            contacts=(
                ContactDetails(
                    role="ACCOUNT_MANAGER", name="Charles Babbage", email="cb@babbage.example"
                ),
                ContactDetails(role="BILLING_OFFICER", name="Ada King", phone="0161 496 0001"),
            ),
        ),
        as_at=AS_AT,
    )
    sites = [
        (
            Address(address_line_1=f"Unit {index + 1}, Difference Works", town=town, postcode=pc),
            region,
            index == 0,
            "03",
        )
        for index, (pc, region, town) in enumerate(zip(postcodes, regions, towns, strict=True))
    ]
    account, mpans, full_mpans, mprns = _supply(
        by=by,
        customer_number=customer.number,
        customer_kind="BUSINESS",
        payment_method="DIRECT_DEBIT",
        sites=sites,
    )
    return Supplied(
        number=customer.number,
        name=customer.display_name,
        accounts=(account,),
        mpans=tuple(mpans),
        full_mpans=tuple(full_mpans),
        mprns=tuple(mprns),
        postcodes=tuple(p.upper() for p in postcodes),
    )
