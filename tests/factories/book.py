"""A small book of business for API tests: homes with dual fuel, a business with two sites.

Built through the product's own operations (so every rule, the audit trail and the
access checks apply), with valid MPANs and MPRNs made up from a counter. Sites and meter
points are recorded by a ``setup`` person who sees every customer (a new site supplies
no account yet, so only such a person may see it); customers, accounts and agreements by
whoever the test says signed them up, since that decides who sees them.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from decimal import Decimal

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.customers import operations as customer_operations
from kilowatt.customers.domain.customers import ContactDetails, CustomerDetails
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.metering.domain.supply import MeterDetails, MeterPointDetails, RegisterDetails
from kilowatt.properties.domain.addresses import Address
from kilowatt.validation.mpan import check_digit
from kilowatt.validation.mprn import check_digits
from tests.factories import people

AS_AT = datetime.datetime(2026, 1, 12, 9, 30, tzinfo=datetime.UTC)
ON_SALE_FROM = datetime.date(2025, 10, 1)
SUPPLY_START = datetime.date(2026, 2, 1)
CAP_STANDING_CHARGE = Decimal("53.68")
CAP_UNIT_RATE = Decimal("26.35")
_serial = itertools.count(1)


def principal(role: Role, *, username: str | None = None) -> Principal:
    """Create a user with ``role`` and return them as the access rules see them."""
    return identity_queries.principal_for(people.make_user(role, username=username))


def mpan_core(region: str) -> str:
    """Return a new, valid 13-digit MPAN core in a region (distributor ID)."""
    first_twelve = f"{region}9{next(_serial):09d}"
    return first_twelve + str(check_digit(first_twelve))


def mprn() -> str:
    """Return a new 10-digit MPRN whose check digits pass."""
    body = f"9{next(_serial):07d}"
    return body + check_digits(body)


def tariff_code(*, fuel: str, region: str, customer_kind: str, payment_method: str) -> str:
    """Return the code the book gives the variable tariff for these terms."""
    return f"BOOK-{customer_kind[:3]}-{fuel[:4]}-{region}-{payment_method[:2]}"


def price_list(*, by: Principal, region: str) -> list[str]:
    """Record the price cap for a region and put the book's variable tariffs on sale there.

    ``by`` needs to manage tariffs. Returns the tariff codes.
    """
    codes = []
    for fuel in ("ELECTRICITY", "GAS"):
        account_operations.record_price_cap(
            by=by,
            region=region,
            fuel=fuel,
            payment_method="DIRECT_DEBIT",
            standing_charge_pence_per_day=CAP_STANDING_CHARGE,
            unit_rate_pence_per_kwh=CAP_UNIT_RATE,
            valid_from=ON_SALE_FROM,
            valid_to=None,
            as_at=AS_AT,
        )
        for customer_kind in ("RESIDENTIAL", "BUSINESS"):
            code = tariff_code(
                fuel=fuel, region=region, customer_kind=customer_kind, payment_method="DIRECT_DEBIT"
            )
            account_operations.create_tariff(
                by=by,
                details=TariffDetails(
                    code=code,
                    name=f"Kilowatt Flexible {customer_kind.title()} {fuel.title()}",
                    fuel=fuel,
                    region=region,
                    customer_kind=customer_kind,
                    payment_method="DIRECT_DEBIT",
                    kind="VARIABLE",
                    standing_charge_pence_per_day=Decimal("51.37"),
                    unit_rates=(("ANYTIME", Decimal("24.86")),),
                    valid_from=ON_SALE_FROM,
                ),
                as_at=AS_AT,
            )
            codes.append(code)
    return codes


def _meter(fuel: str) -> MeterDetails:
    electricity = fuel == "ELECTRICITY"
    return MeterDetails(
        serial_number=f"{'E' if electricity else 'G'}{next(_serial):07d}",
        type="SMART" if electricity else "CREDIT",
        digits=6 if electricity else 5,
        units="KWH" if electricity else "METRIC",
        installed_date=datetime.date(2021, 5, 1),
        registers=(RegisterDetails("1", "ANYTIME"),),
    )


@dataclasses.dataclass(frozen=True)
class Site:
    """A site as built: its id and the identifiers of its meter points."""

    id: int
    postcode: str
    mpan: str  # 13-digit core
    mprn: str | None


def site(
    *, setup: Principal, region: str, postcode: str, profile_class: str, with_gas: bool
) -> Site:
    """Record a site with an electricity meter point (and a gas one), each with a meter."""
    row = account_operations.create_site(
        by=setup,
        address=Address(
            address_line_1=f"{next(_serial)} Volta Street", town="Town", postcode=postcode
        ),
        as_at=AS_AT,
    )
    core = mpan_core(region)
    account_operations.register_meter_point(
        by=setup,
        site_id=row.id,
        details=MeterPointDetails(fuel="ELECTRICITY", identifier=core, profile_class=profile_class),
        meters=(_meter("ELECTRICITY"),),
        as_at=AS_AT,
    )
    gas = mprn() if with_gas else None
    if gas is not None:
        account_operations.register_meter_point(
            by=setup,
            site_id=row.id,
            details=MeterPointDetails(fuel="GAS", identifier=gas, region=region),
            meters=(_meter("GAS"),),
            as_at=AS_AT,
        )
    return Site(id=row.id, postcode=row.postcode, mpan=core, mprn=gas)


def supply(
    *, by: Principal, account_number: str, customer_kind: str, region: str, site: Site
) -> list[int]:
    """Supply a site's meter points on an account under the book's variable tariffs
    (a dual-fuel pair where the site has gas). Returns the agreement ids."""
    points = [("ELECTRICITY", site.mpan)] + ([("GAS", site.mprn)] if site.mprn else [])
    return [
        account_operations.add_agreement(
            by=by,
            account_number=account_number,
            meter_point_identifier=identifier,
            tariff_code=tariff_code(
                fuel=fuel, region=region, customer_kind=customer_kind, payment_method="DIRECT_DEBIT"
            ),
            valid_from=SUPPLY_START,
            as_at=AS_AT,
        ).id
        for fuel, identifier in points
    ]


@dataclasses.dataclass(frozen=True)
class Customer:
    """A customer as built: numbers and ids a test asks the API about."""

    number: str
    contact_ids: tuple[int, ...]
    account: str
    sites: tuple[Site, ...]
    agreement_ids: tuple[int, ...]


def home(
    *,
    by: Principal,
    setup: Principal,
    last_name: str = "Lovelace",
    region: str = "13",
    postcode: str = "L1 8JQ",
) -> Customer:
    """Sign up a home customer (``by`` becomes their agent) with one account supplying
    electricity and gas at one address. The price list must be on sale in ``region``."""
    customer = customer_operations.create_customer(
        by=by,
        details=CustomerDetails(
            kind="RESIDENTIAL",
            title="Ms",
            first_name="Ada",
            last_name=last_name,
            date_of_birth=datetime.date(1954, 12, 10),
            email=f"{last_name.lower()}@example.org",
            consents=(("EMAIL", True), ("SMS", False)),
            priority_needs=("PENSIONABLE_AGE",),
            contacts=(ContactDetails(role="PRIMARY", name=f"Ada {last_name}"),),
        ),
        as_at=AS_AT,
    )
    account = account_operations.create_account(
        by=by,
        customer_number=customer.number,
        payment_method="DIRECT_DEBIT",
        bill_delivery="EMAIL",
        as_at=AS_AT,
    )
    at = site(setup=setup, region=region, postcode=postcode, profile_class="01", with_gas=True)
    agreements = supply(
        by=by, account_number=account.number, customer_kind="RESIDENTIAL", region=region, site=at
    )
    return Customer(
        number=customer.number,
        contact_ids=tuple(contact.id for contact in customer.contacts.order_by("id")),
        account=account.number,
        sites=(at,),
        agreement_ids=tuple(agreements),
    )


def business(
    *,
    by: Principal,
    setup: Principal,
    company_name: str = "Babbage Engines Ltd",
    region: str = "13",
    postcodes: tuple[str, str] = ("CH1 1AA", "LL11 1AA"),
) -> Customer:
    """Sign up a business with an account manager and a billing officer, one account
    supplying electricity at two sites. The price list must be on sale in ``region``."""
    customer = customer_operations.create_customer(
        by=by,
        details=CustomerDetails(
            kind="BUSINESS",
            company_name=company_name,
            company_number="01234567",
            sector="MANUFACTURING",
            is_micro_business=True,
            email="accounts@babbage.example",
            contacts=(
                ContactDetails(role="ACCOUNT_MANAGER", name="Charles Babbage"),
                ContactDetails(role="BILLING_OFFICER", name="Ada King"),
            ),
        ),
        as_at=AS_AT,
    )
    account = account_operations.create_account(
        by=by,
        customer_number=customer.number,
        payment_method="DIRECT_DEBIT",
        bill_delivery="EMAIL",
        as_at=AS_AT,
    )
    sites = tuple(
        site(setup=setup, region=region, postcode=postcode, profile_class="03", with_gas=False)
        for postcode in postcodes
    )
    agreements = [
        agreement_id
        for at in sites
        for agreement_id in supply(
            by=by, account_number=account.number, customer_kind="BUSINESS", region=region, site=at
        )
    ]
    return Customer(
        number=customer.number,
        contact_ids=tuple(contact.id for contact in customer.contacts.order_by("id")),
        account=account.number,
        sites=sites,
        agreement_ids=tuple(agreements),
    )


def login_for(contact_id: int, *, username: str | None = None) -> Principal:
    """Create a customer login and link it to a contact (it then sees that customer)."""
    user = people.make_user(Role.CUSTOMER, username=username)
    customer_operations.link_login(contact_id=contact_id, user_id=user.id)
    return identity_queries.principal_for(user)
