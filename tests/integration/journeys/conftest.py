"""A home supplied with electricity and gas in region 13, the deemed tariffs for new
occupiers and a fixed tariff for retention offers on sale, and its customer's login."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.metering import models as metering_models
from kilowatt.metering import operations as metering
from tests.factories import book

UK_MIDNIGHT_1_FEB = datetime.datetime(2026, 2, 1, 0, 0, tzinfo=datetime.UTC)
UK_MIDNIGHT_1_MAR = datetime.datetime(2026, 3, 1, 0, 0, tzinfo=datetime.UTC)


@dataclasses.dataclass(frozen=True)
class World:
    staff: dict[Role, Principal]
    home: book.Customer
    other: book.Customer
    customer: Principal  # the home's login
    other_customer: Principal


def read(identifier: str, at: datetime.datetime, value: str) -> None:
    (outcome,) = metering.record_reads(
        reads=[metering.ReadIn(meter_point=identifier, read_at=at, value=Decimal(value))],
        source="CUSTOMER",
        received_by="test",
        as_at=at + datetime.timedelta(hours=9),
    )
    assert outcome.status == "ACCEPTED", outcome


def tariff(by: Principal, *, code: str, fuel: str, kind: str, payment: str, rate: str) -> None:
    account_operations.create_tariff(
        by=by,
        details=TariffDetails(
            code=code,
            name=f"Kilowatt {code}",
            fuel=fuel,
            region="13",
            customer_kind="RESIDENTIAL",
            payment_method=payment,
            kind=kind,
            term_months=12 if kind == "FIXED" else None,
            standing_charge_pence_per_day=Decimal("45.00"),
            unit_rates=(("ANYTIME", Decimal(rate)),),
            valid_from=book.ON_SALE_FROM,
        ),
        as_at=book.AS_AT,
    )


@pytest.fixture
def world(db) -> World:
    staff = {role: book.principal(role) for role in (Role.BILLING, Role.SYSADMIN, Role.AGENT)}
    book.price_list(by=staff[Role.BILLING], region="13")
    for fuel in ("ELECTRICITY", "GAS"):
        tariff(
            staff[Role.BILLING],
            code=f"DEEMED-{fuel[:4]}-13",
            fuel=fuel,
            kind="VARIABLE",
            payment="ON_RECEIPT",
            rate="27.50",
        )
        tariff(
            staff[Role.BILLING],
            code=f"FIX12-{fuel[:4]}-13",
            fuel=fuel,
            kind="FIXED",
            payment="DIRECT_DEBIT",
            rate="21.00",
        )
    metering_models.CalorificValue.objects.update_or_create(
        valid_from=datetime.date(2026, 1, 1),
        defaults={"megajoules_per_cubic_metre": Decimal("39.2")},
    )
    home = book.home(by=staff[Role.AGENT], setup=staff[Role.SYSADMIN])
    other = book.home(by=staff[Role.AGENT], setup=staff[Role.SYSADMIN], last_name="Somerville")
    for customer in (home, other):
        account_operations.update_account(
            by=staff[Role.BILLING],
            number=customer.account,
            changes={"status": "ACTIVE"},
            as_at=book.AS_AT,
        )
        (site,) = customer.sites
        read(site.mpan, UK_MIDNIGHT_1_FEB, "1000")
        read(site.mprn, UK_MIDNIGHT_1_FEB, "500")
        read(site.mpan, UK_MIDNIGHT_1_MAR, "1300")
        read(site.mprn, UK_MIDNIGHT_1_MAR, "540")
    return World(
        staff=staff,
        home=home,
        other=other,
        customer=book.login_for(home.contact_ids[0]),
        other_customer=book.login_for(other.contact_ids[0]),
    )
