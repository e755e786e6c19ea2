"""The demo tariff catalogue and price caps meet the product's own tariff rules."""

from __future__ import annotations

import collections
import datetime

from kilowatt.accounts.domain import tariffs as tariff_rules
from kilowatt.demo.domain import catalogue
from kilowatt.validation import REGIONS

TODAY = datetime.date(2026, 5, 20)


def test_every_region_fuel_kind_and_payment_method_has_each_product():
    offers = catalogue.tariffs(TODAY)
    keys = {offer.key for offer in offers}
    assert len(keys) == len(offers)
    for region in REGIONS:
        for kind in catalogue.CUSTOMER_KINDS:
            for method in catalogue.PAYMENT_METHODS:
                assert (region, "GAS", kind, method, catalogue.VARIABLE) in keys
                assert (region, "GAS", kind, method, catalogue.FIXED_12) in keys
                for product in catalogue.PRODUCTS:
                    assert (region, "ELECTRICITY", kind, method, product) in keys


def test_the_cap_is_recorded_for_this_quarter_per_region_fuel_and_payment_method():
    caps = catalogue.price_caps(TODAY)
    assert {(c.valid_from, c.valid_to) for c in caps} == {
        (datetime.date(2026, 4, 1), datetime.date(2026, 7, 1))
    }
    assert len({(c.region, c.fuel, c.payment_method) for c in caps}) == len(caps) == 14 * 2 * 3


def test_every_tariff_passes_the_tariff_rules_under_this_quarters_cap():
    caps = {(c.region, c.fuel, c.payment_method): c for c in catalogue.price_caps(TODAY)}
    for offer in catalogue.tariffs(TODAY):
        cap = caps[(offer.region, offer.fuel, offer.payment_method)]
        details = tariff_rules.TariffDetails(
            code=offer.code,
            name=offer.name,
            fuel=offer.fuel,
            region=offer.region,
            customer_kind=offer.customer_kind,
            payment_method=offer.payment_method,
            kind=offer.kind,
            standing_charge_pence_per_day=offer.standing_charge_pence_per_day,
            unit_rates=offer.unit_rates,
            # Judged as if it went on sale today, under today's cap.
            valid_from=cap.valid_from,
            term_months=offer.term_months,
            exit_fee_pence=offer.exit_fee_pence,
        )
        cap_rule = tariff_rules.Cap(
            cap.standing_charge_pence_per_day, cap.unit_rate_pence_per_kwh, cap.valid_from
        )
        assert tariff_rules.problems(details, cap=cap_rule) == [], offer.code


def test_fixes_carry_an_exit_fee_and_economy_7_a_day_and_a_night_rate():
    for offer in catalogue.tariffs(TODAY):
        bands = collections.Counter(band for band, _rate in offer.unit_rates)
        if offer.product == catalogue.FIXED_12:
            assert offer.term_months == 12 and offer.exit_fee_pence > 0
        if offer.product == catalogue.ECONOMY_7:
            assert set(bands) == {"DAY", "NIGHT"}
            day, night = (rate for _band, rate in offer.unit_rates)
            assert night < day


def test_quarters():
    assert catalogue.quarter_of(datetime.date(2026, 12, 31)) == (
        datetime.date(2026, 10, 1),
        datetime.date(2027, 1, 1),
    )
    assert catalogue.on_sale_from(datetime.date(2026, 2, 1)) == datetime.date(2023, 1, 1)
