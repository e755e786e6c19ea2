"""What a tariff and an agreement must be, including Ofgem's price cap."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from kilowatt.accounts.domain import agreements, tariffs
from kilowatt.platform.periods import DatePeriod

CAP = tariffs.Cap(
    standing_charge_pence_per_day=Decimal("53.68"),
    unit_rate_pence_per_kwh=Decimal("26.35"),
    valid_from=datetime.date(2026, 10, 1),
)
VARIABLE = tariffs.TariffDetails(
    code="KW-VAR-E-12",
    name="Kilowatt Flexible",
    fuel="ELECTRICITY",
    region="12",
    customer_kind="RESIDENTIAL",
    payment_method="DIRECT_DEBIT",
    kind="VARIABLE",
    standing_charge_pence_per_day=Decimal("53.68"),
    unit_rates=(("ANYTIME", Decimal("26.35")),),
    valid_from=datetime.date(2026, 10, 1),
)


def broken(details, cap=CAP):
    return {p.field: p.rule for p in tariffs.problems(details, cap=cap)}


class TestPriceCap:
    def test_a_variable_home_tariff_at_the_cap_is_allowed(self):
        assert broken(VARIABLE) == {}

    def test_a_variable_home_tariff_above_the_cap_is_refused_band_by_band(self):
        details = dataclasses.replace(
            VARIABLE,
            standing_charge_pence_per_day=Decimal("53.69"),
            unit_rates=(("ANYTIME", Decimal("26.36")),),
        )

        assert broken(details) == {
            "standing_charge_pence_per_day": "price_cap",
            "unit_rates.0.rate": "price_cap",
        }

    def test_fixed_and_business_tariffs_are_outside_the_cap(self):
        fixed = dataclasses.replace(
            VARIABLE,
            kind="FIXED",
            term_months=12,
            exit_fee_pence=7500,
            unit_rates=(("ANYTIME", Decimal("30")),),
        )
        business = dataclasses.replace(
            VARIABLE, customer_kind="BUSINESS", unit_rates=(("ANYTIME", Decimal("30")),)
        )

        assert broken(fixed) == {}
        assert broken(business) == {}


class TestTariffShape:
    def test_a_variable_tariff_has_no_term_or_exit_fee(self):
        details = dataclasses.replace(VARIABLE, term_months=12, exit_fee_pence=100)

        assert broken(details) == {
            "term_months": "variable_no_term",
            "exit_fee_pence": "variable_no_exit_fee",
        }

    def test_gas_has_one_rate(self):
        details = dataclasses.replace(
            VARIABLE,
            fuel="GAS",
            unit_rates=(("DAY", Decimal("6")), ("NIGHT", Decimal("5"))),
        )

        assert broken(details, cap=None) == {"unit_rates": "gas_single_rate"}

    def test_region_and_dates_are_checked(self):
        details = dataclasses.replace(VARIABLE, region="09", valid_to=datetime.date(2026, 10, 1))

        assert broken(details) == {"region": "region", "valid_to": "after_valid_from"}


class TestAgreement:
    TARIFF = agreements.TariffFacts(
        fuel="ELECTRICITY",
        region="12",
        customer_kind="RESIDENTIAL",
        payment_method="DIRECT_DEBIT",
        valid_from=datetime.date(2026, 10, 1),
        valid_to=None,
    )

    def broken(self, *, point, existing=(), start=datetime.date(2026, 11, 1)):
        return {
            p.rule
            for p in agreements.problems(
                period=DatePeriod(start),
                tariff=self.TARIFF,
                meter_point=point,
                customer_kind="RESIDENTIAL",
                payment_method="DIRECT_DEBIT",
                existing=list(existing),
            )
        }

    def test_a_fitting_tariff_breaks_no_rule(self):
        assert self.broken(point=agreements.MeterPointFacts("ELECTRICITY", "12")) == set()

    def test_fuel_and_region_must_match(self):
        assert self.broken(point=agreements.MeterPointFacts("GAS", "10")) == {
            "fuel_matches",
            "region_matches",
        }

    def test_one_agreement_at_a_time(self):
        earlier = DatePeriod(datetime.date(2026, 1, 1), datetime.date(2026, 11, 2))
        ended = DatePeriod(datetime.date(2026, 1, 1), datetime.date(2026, 11, 1))
        point = agreements.MeterPointFacts("ELECTRICITY", "12")

        assert self.broken(point=point, existing=[earlier]) == {"no_overlap"}
        assert self.broken(point=point, existing=[ended]) == set()

    def test_the_tariff_must_be_on_sale(self):
        point = agreements.MeterPointFacts("ELECTRICITY", "12")

        assert self.broken(point=point, start=datetime.date(2026, 9, 30)) == {"tariff_on_sale"}
