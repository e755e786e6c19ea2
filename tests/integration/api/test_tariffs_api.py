"""/tariffs and /price-caps: readable by anyone signed in, priced only by pricing roles."""

from __future__ import annotations

import pytest

from kilowatt.accounts.models import PriceCap, Tariff
from tests.integration.api.conftest import assert_refused, audit_count, problems

pytestmark = pytest.mark.django_db

FIXED = {
    "code": "kw-fix-12m-e-13",
    "name": "Kilowatt Fixed 12M",
    "fuel": "ELECTRICITY",
    "region": "13",
    "customer_kind": "RESIDENTIAL",
    "payment_method": "DIRECT_DEBIT",
    "kind": "FIXED",
    "term_months": 12,
    "exit_fee_pence": 7500,
    "standing_charge_pence_per_day": "49.1234",
    "unit_rates": [{"band": "DAY", "rate": "27.5"}, {"band": "NIGHT", "rate": "14.05"}],
    "valid_from": "2026-12-01",
}
VARIABLE = {
    **FIXED,
    "code": "KW-VAR-E-13-NEW",
    "kind": "VARIABLE",
    "term_months": None,
    "exit_fee_pence": 0,
    "standing_charge_pence_per_day": "53.68",
    "unit_rates": [{"band": "ANYTIME", "rate": "26.35"}],
}
CAP = {
    "region": "12",
    "fuel": "GAS",
    "payment_method": "PREPAYMENT",
    "standing_charge_pence_per_day": "31.65",
    "unit_rate_pence_per_kwh": "6.2900",
    "valid_from": "2027-01-01",
}


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


class TestRead:
    @pytest.mark.parametrize("who", ["customer", "business_contact", "agent", "corporate_manager"])
    def test_anyone_signed_in_lists_and_reads_tariffs(self, api, who):
        assert _codes(api.call(who, "GET", "/tariffs")) == api.tariffs
        response = api.call(who, "GET", f"/tariffs/{api.tariffs[0]}")
        assert response.status_code == 200
        body = response.json()
        assert body["standing_charge_pence_per_day"] == "51.37"  # a decimal string, not a float
        assert body["unit_rates"] == [{"band": "ANYTIME", "rate": "24.86"}]
        assert body["exit_fee_pence"] == 0

    def test_filters_by_region_fuel_customer_kind_payment_method_and_sale_date(self, api):
        gas_homes = (
            "/tariffs?region=13&fuel=GAS&customer_kind=RESIDENTIAL&payment_method=DIRECT_DEBIT"
        )

        assert _codes(api.call("agent", "GET", gas_homes)) == ["BOOK-RES-GAS-13-DI"]
        assert _codes(api.call("agent", "GET", "/tariffs?region=12")) == []
        assert _codes(api.call("agent", "GET", "/tariffs?on_sale_on=2025-09-30")) == []
        assert _codes(api.call("agent", "GET", "/tariffs?on_sale_on=2026-11-22&limit=1")) == [
            api.tariffs[0]
        ]

    def test_a_bad_sale_date_is_named(self, api):
        assert problems(api.call("agent", "GET", "/tariffs?on_sale_on=tomorrow")) == [
            ("on_sale_on", "date_from_datetime_parsing")
        ]

    def test_a_missing_tariff_is_not_found(self, api):
        assert_refused(api.call("agent", "GET", "/tariffs/NOPE"), 404)


class TestCreate:
    def test_billing_puts_a_fixed_tariff_on_sale_with_exact_pence(self, api):
        before = audit_count()

        response = api.call("billing", "POST", "/tariffs", FIXED)

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["code"] == "KW-FIX-12M-E-13"
        assert body["standing_charge_pence_per_day"] == "49.1234"
        assert body["exit_fee_pence"] == 7500
        assert body["unit_rates"] == [
            {"band": "DAY", "rate": "27.50"},
            {"band": "NIGHT", "rate": "14.05"},
        ]
        assert audit_count() == before + 1

    def test_a_variable_home_tariff_at_the_cap_is_allowed(self, api):
        assert api.call("sysadmin", "POST", "/tariffs", VARIABLE).status_code == 201

    def test_a_variable_home_tariff_above_the_price_cap_is_refused(self, api):
        tariffs = Tariff.objects.count()
        above = {
            **VARIABLE,
            "standing_charge_pence_per_day": "53.69",
            "unit_rates": [{"band": "ANYTIME", "rate": "26.3501"}],
        }

        response = api.call("billing", "POST", "/tariffs", above)

        assert problems(response) == [
            ("standing_charge_pence_per_day", "price_cap"),
            ("unit_rates.0.rate", "price_cap"),
        ]
        assert Tariff.objects.count() == tariffs

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            (
                {"standing_charge_pence_per_day": 49.12},
                [("standing_charge_pence_per_day", "decimal_as_text")],
            ),
            (
                {"unit_rates": [{"band": "DAY", "rate": "lots"}]},
                [("unit_rates.0.rate", "decimal_parsing")],
            ),
            ({"term_months": None}, [("term_months", "fixed_term")]),
            ({"region": "99", "fuel": "COAL"}, [("fuel", "literal_error")]),
            ({"region": "99"}, [("region", "region")]),
            ({"fuel": "GAS"}, [("unit_rates", "gas_single_rate")]),
            ({"exit_fee_pence": "12.5"}, [("exit_fee_pence", "int_parsing")]),
            ({"code": "BOOK-RES-ELEC-13-DI"}, [("code", "unique")]),
        ],
    )
    def test_a_bad_tariff_answers_422_naming_field_and_rule(self, api, changes, expected):
        assert problems(api.call("billing", "POST", "/tariffs", {**FIXED, **changes})) == expected

    @pytest.mark.parametrize("who", ["telesales", "admin", "agent", "customer"])
    def test_a_role_without_pricing_creates_no_tariff(self, api, who):
        tariffs, before = Tariff.objects.count(), audit_count()

        assert_refused(api.call(who, "POST", "/tariffs", FIXED), 403)
        assert (Tariff.objects.count(), audit_count()) == (tariffs, before)


class TestPriceCaps:
    def test_billing_records_a_price_cap(self, api):
        response = api.call("billing", "POST", "/price-caps", CAP)

        assert response.status_code == 201, response.content
        assert response.json()["unit_rate_pence_per_kwh"] == "6.29"
        assert PriceCap.objects.filter(region="12", fuel="GAS").exists()

    def test_an_empty_period_is_named(self, api):
        response = api.call("billing", "POST", "/price-caps", {**CAP, "valid_to": "2026-12-31"})

        assert problems(response) == [("valid_to", "after_valid_from")]

    @pytest.mark.parametrize("who", ["telesales", "corporate_manager", "customer"])
    def test_a_role_without_pricing_records_no_cap(self, api, who):
        caps = PriceCap.objects.count()

        assert_refused(api.call(who, "POST", "/price-caps", CAP), 403)
        assert PriceCap.objects.count() == caps
