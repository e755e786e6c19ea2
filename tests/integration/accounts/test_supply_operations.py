"""Opening accounts and supplying meter points under tariffs: the rules hold in the database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kilowatt.accounts import models, operations, queries
from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.customers import operations as customer_operations
from kilowatt.customers.domain.customers import CustomerDetails
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Role
from kilowatt.metering import operations as metering_operations
from kilowatt.metering.domain.supply import MeterDetails, MeterPointDetails, RegisterDetails
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.properties import operations as property_operations
from kilowatt.properties.domain.addresses import Address

AS_AT = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)
START = datetime.date(2026, 12, 1)
SYSTEM = audit.SYSTEM


def tariff(by, **overrides):
    values = dict(
        code="KW-VAR-E-13-DD",
        name="Kilowatt Flexible",
        fuel="ELECTRICITY",
        region="13",
        customer_kind="RESIDENTIAL",
        payment_method="DIRECT_DEBIT",
        kind="VARIABLE",
        standing_charge_pence_per_day=Decimal("53.68"),
        unit_rates=(("ANYTIME", Decimal("26.35")),),
        valid_from=datetime.date(2026, 10, 1),
    )
    return operations.create_tariff(
        by=by, details=TariffDetails(**{**values, **overrides}), as_at=AS_AT
    )


@pytest.fixture
def staff(make_user):
    return identity_queries.principal_for(make_user(Role.SYSADMIN))


@pytest.fixture
def home_account(staff):
    customer = customer_operations.create_customer(
        by=staff,
        details=CustomerDetails(kind="RESIDENTIAL", first_name="Ada", last_name="Lovelace"),
        as_at=AS_AT,
    )
    site = property_operations.create_site(
        address=Address(address_line_1="12 Analytical Row", town="London", postcode="se1 7pb"),
        actor=SYSTEM,
        as_at=AS_AT,
    )
    point = metering_operations.register_meter_point(
        site_id=site.id,
        details=MeterPointDetails(fuel="ELECTRICITY", identifier="01 801 100 1312345678907"),
        meters=(
            MeterDetails(
                serial_number="E12Z0001",
                type="SMART",
                digits=6,
                units="KWH",
                installed_date=datetime.date(2021, 5, 1),
                registers=(RegisterDetails("1", "ANYTIME"),),
            ),
        ),
        actor=SYSTEM,
        as_at=AS_AT,
    )
    account = operations.create_account(
        by=staff,
        customer_number=customer.number,
        payment_method="DIRECT_DEBIT",
        bill_delivery="EMAIL",
        as_at=AS_AT,
    )
    return account, point


@pytest.mark.django_db
class TestAddAgreement:
    def test_supplies_the_meter_point_and_records_it_on_the_account_trail(
        self, staff, home_account
    ):
        account, point = home_account
        tariff(staff)

        agreement = operations.add_agreement(
            by=staff,
            account_number=account.number,
            meter_point_identifier=point.identifier,
            tariff_code="KW-VAR-E-13-DD",
            valid_from=START,
            as_at=AS_AT,
        )

        assert agreement.meter_point_id == point.id
        customer_number = customer_operations.customer_number(account.customer_id)
        view = queries.customer_view(staff, number=customer_number)
        assert [a.id for acc in view.accounts for a in acc.agreements.all()] == [agreement.id]
        assert {r.entity for r in view.trail} >= {
            "customer",
            "account",
            "agreement",
            "meter_point",
            "site",
        }

    def test_refuses_a_tariff_of_another_region_and_writes_nothing(self, staff, home_account):
        account, point = home_account
        tariff(staff, code="KW-VAR-E-10-DD", region="10")

        with pytest.raises(InvalidInput) as refused:
            operations.add_agreement(
                by=staff,
                account_number=account.number,
                meter_point_identifier=point.identifier,
                tariff_code="KW-VAR-E-10-DD",
                valid_from=START,
                as_at=AS_AT,
            )

        assert [(p.field, p.rule) for p in refused.value.problems] == [("tariff", "region_matches")]
        assert not models.Agreement.objects.filter(account_id=account.id).exists()

    def test_refuses_a_second_agreement_over_the_same_dates(self, staff, home_account):
        account, point = home_account
        tariff(staff)
        supply = dict(
            by=staff,
            account_number=account.number,
            meter_point_identifier=point.identifier,
            tariff_code="KW-VAR-E-13-DD",
            as_at=AS_AT,
        )
        operations.add_agreement(valid_from=START, valid_to=datetime.date(2027, 1, 1), **supply)

        with pytest.raises(InvalidInput, match="already has an agreement"):
            operations.add_agreement(valid_from=datetime.date(2026, 12, 31), **supply)
        operations.add_agreement(valid_from=datetime.date(2027, 1, 1), **supply)

        assert models.Agreement.objects.filter(account_id=account.id).count() == 2

    def test_an_agent_who_did_not_sign_the_customer_up_cannot_see_the_account(
        self, make_user, home_account
    ):
        account, _point = home_account
        agent = identity_queries.principal_for(make_user(Role.AGENT))

        with pytest.raises(NotFound):
            queries.account_for(agent, number=account.number)


@pytest.mark.django_db
class TestTariffs:
    def test_a_variable_home_tariff_above_the_price_cap_is_refused(self, staff):
        operations.record_price_cap(
            by=staff,
            region="13",
            fuel="ELECTRICITY",
            payment_method="DIRECT_DEBIT",
            standing_charge_pence_per_day=Decimal("53.68"),
            unit_rate_pence_per_kwh=Decimal("26.35"),
            valid_from=datetime.date(2026, 10, 1),
            valid_to=datetime.date(2027, 1, 1),
            as_at=AS_AT,
        )

        with pytest.raises(InvalidInput) as refused:
            tariff(staff, unit_rates=(("ANYTIME", Decimal("27.00")),))

        assert [(p.field, p.rule) for p in refused.value.problems] == [
            ("unit_rates.0.rate", "price_cap")
        ]
        assert not models.Tariff.objects.exists()

    def test_only_pricing_roles_create_tariffs(self, make_user):
        telesales = identity_queries.principal_for(make_user(Role.TELESALES))

        with pytest.raises(NotAllowed):
            tariff(telesales)

    def test_a_tariff_code_is_unique(self, staff):
        tariff(staff)

        with pytest.raises(InvalidInput, match="taken"):
            tariff(staff)


@pytest.mark.django_db
def test_a_meter_point_is_recorded_once(home_account):
    _account, point = home_account

    with pytest.raises(InvalidInput) as refused:
        metering_operations.register_meter_point(
            site_id=point.site_id,
            details=MeterPointDetails(
                fuel="ELECTRICITY", identifier="1312345678907", profile_class="01"
            ),
            actor=SYSTEM,
            as_at=AS_AT,
        )

    assert refused.value.problems[0].rule == "duplicate"
