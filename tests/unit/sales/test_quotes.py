"""Quotes: which tariffs a site may take, what a year costs (hand-checked), and which
requests are refused."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.sales.domain import quotes
from kilowatt.sales.domain.quotes import FuelUsage, QuoteRequest, SiteRequest

TODAY = datetime.date(2026, 5, 1)
LEEDS = "LS1 4AP"  # region 23


def tariff(code: str, **changes) -> TariffDetails:
    base = TariffDetails(
        code=code,
        name=code.title(),
        fuel="ELECTRICITY",
        region="23",
        customer_kind="RESIDENTIAL",
        payment_method="DIRECT_DEBIT",
        kind="VARIABLE",
        standing_charge_pence_per_day=Decimal("50"),
        unit_rates=(("ANYTIME", Decimal("25")),),
        valid_from=datetime.date(2026, 1, 1),
    )
    return dataclasses.replace(base, **changes)


def home(*fuels: FuelUsage, meter_type: str = "STANDARD", **site) -> QuoteRequest:
    return QuoteRequest(
        customer_kind="RESIDENTIAL",
        payment_method="DIRECT_DEBIT",
        sites=(
            SiteRequest(
                postcode=site.pop("postcode", LEEDS),
                fuels=fuels or (FuelUsage("ELECTRICITY", level="MEDIUM"),),
                meter_type=meter_type,
                **site,
            ),
        ),
    )


def only_offer(request: QuoteRequest, offers: list[TariffDetails]) -> quotes.Offer:
    (offer,) = quotes.price(request, offers=offers, today=TODAY).sites[0].fuels[0].offers
    return offer


def rules(request: QuoteRequest) -> list[tuple[str, str]]:
    return [(p.field, p.rule) for p in quotes.quote_problems(request)]


class TestPricing:
    def test_a_home_on_a_single_rate_sees_prices_with_vat(self):
        # 50p x 365 = 18,250p; 2,700 kWh (Ofgem's medium) x 25p = 67,500p; net 85,750p;
        # with 5% VAT 90,037.5p, rounded half up once: 90,038p.
        offer = only_offer(home(), [tariff("VAR")])

        assert offer.net_pence == 85_750
        assert offer.total_pence == 90_038
        assert offer.vat_pence == 4_288
        assert offer.estimated_annual_cost_pence == 90_038
        assert offer.prices_include_vat and offer.vat_rate == 5
        assert offer.standing_charge_pence_per_day == Decimal("52.5000")
        assert offer.unit_rates == (
            quotes.RateLine(band="ANYTIME", rate_pence_per_kwh=Decimal("26.2500"), kwh=2700),
        )

    def test_economy_7_splits_ofgems_e7_figure_58_day_42_night(self):
        # 3,900 kWh: 2,262 day x 30p = 67,860p; 1,638 night x 15p = 24,570p;
        # 40p x 365 = 14,600p; net 107,030p; x 1.05 = 112,381.5p -> 112,382p.
        e7 = tariff(
            "E7",
            standing_charge_pence_per_day=Decimal("40"),
            unit_rates=(("DAY", Decimal("30")), ("NIGHT", Decimal("15"))),
        )
        offer = only_offer(home(meter_type="ECONOMY_7"), [e7, tariff("VAR")])

        assert [(line.band, line.kwh) for line in offer.unit_rates] == [
            ("DAY", Decimal("2262.00")),
            ("NIGHT", Decimal("1638.00")),
        ]
        assert (offer.net_pence, offer.total_pence) == (107_030, 112_382)

    def test_gas_is_single_rate_whatever_the_electricity_meter(self):
        # 30p x 365 = 10,950p; 11,500 kWh x 6p = 69,000p; 79,950p x 1.05 = 83,947.5p.
        gas = tariff(
            "GAS",
            fuel="GAS",
            standing_charge_pence_per_day=Decimal("30"),
            unit_rates=(("ANYTIME", Decimal("6")),),
        )
        request = home(FuelUsage("GAS", level="MEDIUM"), meter_type="ECONOMY_7")

        assert only_offer(request, [gas]).total_pence == 83_948

    def test_a_business_sees_prices_without_vat_and_pays_the_levy_above_de_minimis(self):
        # 20,000 kWh is 54.8 kWh a day, above 33: VAT 20% and the levy (0.801p from
        # April 2026). Net 60p x 365 + 20,000 x 28p = 581,900p; levy 16,020p;
        # total 597,920p x 1.2 = 717,504p; VAT 119,584p; headline without VAT 597,920p.
        offer = only_offer(
            dataclasses.replace(
                home(FuelUsage("ELECTRICITY", annual_kwh=Decimal(20_000))),
                customer_kind="BUSINESS",
            ),
            [
                tariff(
                    "BIZ",
                    customer_kind="BUSINESS",
                    standing_charge_pence_per_day=Decimal("60"),
                    unit_rates=(("ANYTIME", Decimal("28")),),
                )
            ],
        )

        assert not offer.prices_include_vat
        assert offer.standing_charge_pence_per_day == Decimal("60.0000")
        assert (offer.net_pence, offer.ccl_pence, offer.vat_pence) == (581_900, 16_020, 119_584)
        assert (offer.total_pence, offer.estimated_annual_cost_pence) == (717_504, 597_920)

    def test_a_small_business_within_de_minimis_is_charged_like_a_home(self):
        # LOW: 5,000 kWh, 13.7 a day: 5%, no levy. 21,900p + 140,000p = 161,900p.
        request = dataclasses.replace(
            home(FuelUsage("ELECTRICITY", level="LOW")), customer_kind="BUSINESS"
        )
        offer = only_offer(
            request,
            [
                tariff(
                    "BIZ",
                    customer_kind="BUSINESS",
                    standing_charge_pence_per_day=Decimal("60"),
                    unit_rates=(("ANYTIME", Decimal("28")),),
                )
            ],
        )

        assert (offer.vat_rate, offer.ccl_pence, offer.vat_pence) == (5, 0, 8_095)
        assert offer.estimated_annual_cost_pence == 161_900

    def test_only_eligible_tariffs_on_sale_today_cheapest_first(self):
        offers = [
            tariff("DEAR", standing_charge_pence_per_day=Decimal("60")),
            tariff(
                "CHEAP",
                standing_charge_pence_per_day=Decimal("40"),
                kind="FIXED",
                term_months=12,
                exit_fee_pence=7_500,
            ),
            tariff("OTHER-REGION", region="12"),
            tariff("GAS", fuel="GAS"),
            tariff("BUSINESS", customer_kind="BUSINESS"),
            tariff("ON-RECEIPT", payment_method="ON_RECEIPT"),
            tariff("ENDED", valid_to=TODAY),
            tariff("FUTURE", valid_from=TODAY + datetime.timedelta(days=1)),
            tariff("E7", unit_rates=(("DAY", Decimal("1")), ("NIGHT", Decimal("1")))),
            tariff("STARTS-TODAY", valid_from=TODAY, valid_to=TODAY + datetime.timedelta(1)),
        ]
        fuel = quotes.price(home(), offers=offers, today=TODAY).sites[0].fuels[0]

        assert [o.tariff_code for o in fuel.offers] == ["CHEAP", "STARTS-TODAY", "DEAR"]
        assert (fuel.offers[0].term_months, fuel.offers[0].exit_fee_pence) == (12, 7_500)
        assert fuel.estimated and fuel.annual_kwh == 2_700

    def test_the_mpans_region_wins_over_the_postcodes(self):
        request = home(mpan="1312345678907")  # a Merseyside MPAN at a Leeds postcode
        site = quotes.price(request, offers=[tariff("X", region="13")], today=TODAY).sites[0]

        assert site.region == "13"
        assert [o.tariff_code for o in site.fuels[0].offers] == ["X"]

    def test_no_tariff_on_sale_is_an_empty_list_not_a_refusal(self):
        assert quotes.price(home(), offers=[], today=TODAY).sites[0].fuels[0].offers == ()

    def test_a_refused_request_is_not_priced(self):
        with pytest.raises(ValueError):
            quotes.price(home(postcode="nope"), offers=[], today=TODAY)


class TestRefusals:
    def test_a_good_request_breaks_no_rule(self):
        assert rules(home()) == []

    @pytest.mark.parametrize(
        ("site", "expected"),
        [
            ({"postcode": "junk M1 1AA"}, ("sites.0.postcode", "postcode_format")),
            ({"postcode": "BT1 1AA"}, ("sites.0.postcode", "postcode_area")),
            ({"mpan": "1312345678906"}, ("sites.0.mpan", "mpan")),
            ({"meter_type": "SMART"}, ("sites.0.meter_type", "choice")),
        ],
    )
    def test_each_site_rule_is_named(self, site, expected):
        assert rules(home(**site)) == [expected]

    def test_a_valid_mpan_answers_for_a_postcode_in_no_region(self):
        assert rules(home(postcode="BT1 1AA", mpan="1312345678907")) == []

    @pytest.mark.parametrize(
        ("fuels", "expected"),
        [
            (
                (FuelUsage("ELECTRICITY", level="LOW"), FuelUsage("ELECTRICITY", level="LOW")),
                ("sites.0.fuels", "unique"),
            ),
            ((FuelUsage("OIL", level="LOW"),), ("sites.0.fuels.0.fuel", "choice")),
            ((FuelUsage("GAS", level="HUGE"),), ("sites.0.fuels.0.level", "choice")),
            ((FuelUsage("GAS"),), ("sites.0.fuels.0.annual_kwh", "consumption_required")),
            (
                (FuelUsage("GAS", annual_kwh=Decimal(1), level="LOW"),),
                ("sites.0.fuels.0.level", "consumption_one_of"),
            ),
            (
                (FuelUsage("GAS", annual_kwh=Decimal(-1)),),
                ("sites.0.fuels.0.annual_kwh", "not_negative"),
            ),
            (
                (FuelUsage("GAS", annual_kwh=Decimal("NaN")),),
                ("sites.0.fuels.0.annual_kwh", "not_negative"),
            ),
            (
                (FuelUsage("ELECTRICITY", annual_kwh=Decimal(100_001)),),
                ("sites.0.fuels.0.annual_kwh", "too_large"),
            ),
        ],
    )
    def test_each_fuel_rule_is_named(self, fuels, expected):
        assert rules(home(*fuels)) == [expected]

    def test_no_fuel_is_refused(self):
        request = home()
        request = dataclasses.replace(
            request, sites=(dataclasses.replace(request.sites[0], fuels=()),)
        )
        assert rules(request) == [("sites.0.fuels", "required")]

    def test_a_home_quote_is_for_one_site_and_a_business_for_up_to_200(self):
        site = home().sites[0]
        two_homes = QuoteRequest("RESIDENTIAL", "DIRECT_DEBIT", (site, site))
        assert rules(two_homes) == [("sites", "one_home")]
        assert rules(dataclasses.replace(two_homes, customer_kind="BUSINESS")) == []
        many = QuoteRequest("BUSINESS", "DIRECT_DEBIT", (site,) * 201)
        assert rules(many) == [("sites", "max_sites")]
        assert rules(QuoteRequest("BUSINESS", "DIRECT_DEBIT", ())) == [("sites", "required")]

    def test_kind_and_payment_method_are_choices(self):
        request = QuoteRequest("CHARITY", "CASH", home().sites)
        assert rules(request) == [("customer_kind", "choice"), ("payment_method", "choice")]


class TestTypicalUse:
    def test_ofgems_tdcvs_for_homes(self):
        def kwh(fuel, meter, level):
            return quotes.typical_kwh(
                customer_kind="RESIDENTIAL", fuel=fuel, meter_type=meter, level=level
            )

        assert [kwh("ELECTRICITY", "STANDARD", lv) for lv in quotes.LEVELS] == [1800, 2700, 4100]
        assert [kwh("ELECTRICITY", "ECONOMY_7", lv) for lv in quotes.LEVELS] == [2200, 3900, 6700]
        assert [kwh("GAS", "ECONOMY_7", lv) for lv in quotes.LEVELS] == [7500, 11500, 17000]


kwh_values = st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False)
rates = st.decimals(min_value=0, max_value=200, places=4, allow_nan=False)


@given(low=kwh_values, high=kwh_values, kind=st.sampled_from(quotes.CUSTOMER_KINDS))
def test_a_year_costs_no_less_for_more_kwh(low, high, kind):
    low, high = sorted((low, high))
    offer = tariff("T", customer_kind=kind)

    def cost(kwh):
        return quotes.price_offer(offer, annual_kwh=kwh, customer_kind=kind, day=TODAY).total_pence

    assert cost(low) <= cost(high)


@given(
    prices=st.lists(st.tuples(rates, rates), min_size=1, max_size=8),
    kwh=kwh_values,
)
def test_offers_come_cheapest_first_and_the_parts_add_up(prices, kwh):
    offers = [
        tariff(f"T{index}", standing_charge_pence_per_day=standing, unit_rates=(("ANYTIME", unit),))
        for index, (standing, unit) in enumerate(prices)
    ]
    request = home(FuelUsage("ELECTRICITY", annual_kwh=kwh))
    priced = quotes.price(request, offers=offers, today=TODAY).sites[0].fuels[0].offers

    costs = [offer.estimated_annual_cost_pence for offer in priced]
    assert costs == sorted(costs) and len(priced) == len(offers)
    for offer in priced:
        assert offer.net_pence + offer.ccl_pence + offer.vat_pence == offer.total_pence
