"""POST /api/v1/quotes: public prices for anyone, every refusal named, one email a quote."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.billing.domain import levy
from kilowatt.comms.models import OutboundEmail
from kilowatt.identity.domain.roles import Role
from kilowatt.platform import clock
from kilowatt.sales import queries
from kilowatt.sales.domain.quotes import FuelUsage, QuoteRequest, SiteRequest
from tests.factories import book

pytestmark = pytest.mark.django_db

AS_AT = datetime.datetime(2025, 9, 1, 9, 0, tzinfo=datetime.UTC)
ON_SALE_FROM = datetime.date(2025, 10, 1)
TODAY = datetime.date(2026, 5, 1)


def _tariff(code: str, region: str, **changes) -> TariffDetails:
    details = {
        "code": code,
        "name": f"Kilowatt {code}",
        "fuel": "ELECTRICITY",
        "region": region,
        "customer_kind": "RESIDENTIAL",
        "payment_method": "DIRECT_DEBIT",
        "kind": "VARIABLE",
        "standing_charge_pence_per_day": Decimal("50"),
        "unit_rates": (("ANYTIME", Decimal("25")),),
        "valid_from": ON_SALE_FROM,
        **changes,
    }
    return TariffDetails(**details)


@pytest.fixture
def catalogue(db):
    pricing = book.principal(Role.BILLING)
    for region in ("23", "16", "13"):
        for details in (
            _tariff(f"VAR-{region}", region),
            _tariff(
                f"FIX-{region}",
                region,
                kind="FIXED",
                term_months=12,
                exit_fee_pence=7_500,
                standing_charge_pence_per_day=Decimal("40"),
            ),
            _tariff(
                f"E7-{region}",
                region,
                unit_rates=(("DAY", Decimal("30")), ("NIGHT", Decimal("15"))),
                standing_charge_pence_per_day=Decimal("40"),
            ),
            _tariff(
                f"GAS-{region}",
                region,
                fuel="GAS",
                standing_charge_pence_per_day=Decimal("30"),
                unit_rates=(("ANYTIME", Decimal("6")),),
            ),
            _tariff(
                f"BIZ-{region}",
                region,
                customer_kind="BUSINESS",
                standing_charge_pence_per_day=Decimal("60"),
                unit_rates=(("ANYTIME", Decimal("28")),),
            ),
            _tariff(
                f"BIZGAS-{region}",
                region,
                fuel="GAS",
                customer_kind="BUSINESS",
                unit_rates=(("ANYTIME", Decimal("7")),),
            ),
        ):
            account_operations.create_tariff(by=pricing, details=details, as_at=AS_AT)


def post(body, **headers):
    return Client(headers=headers).post(
        "/api/v1/quotes", data=body, content_type="application/json"
    )


def problems(response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.content
    return [(p["field"], p["rule"]) for p in response.json()["detail"]]


HOME = {
    "customer_kind": "RESIDENTIAL",
    "payment_method": "DIRECT_DEBIT",
    "sites": [
        {
            "postcode": "ls1 4ap",
            "fuels": [
                {"fuel": "ELECTRICITY", "level": "MEDIUM"},
                {"fuel": "GAS", "level": "MEDIUM"},
            ],
        }
    ],
}


def _site(body, index=0):
    return body["sites"][index]


class TestQuote:
    def test_anyone_gets_every_eligible_tariff_cheapest_first_with_vat(self, catalogue):
        response = post(HOME)  # anonymous: no token, no session

        assert response.status_code == 200, response.content
        site = _site(response.json())
        assert (site["postcode"], site["region"]) == ("LS1 4AP", "23")
        electricity, gas = site["fuels"]
        assert [o["tariff_code"] for o in electricity["offers"]] == ["FIX-23", "VAR-23"]
        variable = electricity["offers"][1]
        # 50p x 365 + 2,700 kWh x 25p = 85,750p; with 5% VAT 90,037.5p -> 90,038p.
        assert variable["estimated_annual_cost_pence"] == 90_038
        assert variable["standing_charge_pence_per_day"] == "52.50"
        assert variable["unit_rates"] == [{"band": "ANYTIME", "rate": "26.25", "kwh": "2700.00"}]
        assert (variable["exit_fee_pence"], variable["term_months"]) == (0, None)
        assert electricity["offers"][0]["exit_fee_pence"] == 7_500
        assert electricity["estimated"] is True
        # 30p x 365 + 11,500 kWh x 6p = 79,950p; x 1.05 = 83,947.5p -> 83,948p.
        assert [(o["tariff_code"], o["total_pence"]) for o in gas["offers"]] == [("GAS-23", 83_948)]

    def test_an_economy_7_meter_gets_day_and_night_tariffs_only(self, catalogue):
        body = {
            **HOME,
            "sites": [
                {
                    "postcode": "LS1 4AP",
                    "meter_type": "ECONOMY_7",
                    "fuels": [{"fuel": "ELECTRICITY", "annual_kwh": "3900"}],
                }
            ],
        }
        (offer,) = _site(post(body).json())["fuels"][0]["offers"]

        assert offer["tariff_code"] == "E7-23"
        assert [(r["band"], r["kwh"]) for r in offer["unit_rates"]] == [
            ("DAY", "2262.00"),
            ("NIGHT", "1638.00"),
        ]
        assert offer["total_pence"] == 112_382  # 107,030p net x 1.05, rounded half up

    def test_a_business_quotes_many_sites_in_regions_of_their_own(self, catalogue):
        body = {
            "customer_kind": "BUSINESS",
            "payment_method": "DIRECT_DEBIT",
            "sites": [
                {"postcode": "LS1 4AP", "fuels": [{"fuel": "ELECTRICITY", "annual_kwh": "20000"}]},
                {"postcode": "M1 1AE", "fuels": [{"fuel": "GAS", "level": "LOW"}]},
                # A Leeds postcode, but the MPAN says Merseyside and North Wales.
                {
                    "postcode": "LS2 7HY",
                    "mpan": "1312345678907",
                    "fuels": [{"fuel": "ELECTRICITY", "level": "HIGH"}],
                },
            ],
        }
        response = post(body)

        assert response.status_code == 200, response.content
        sites = response.json()["sites"]
        assert [s["region"] for s in sites] == ["23", "16", "13"]
        assert [[o["tariff_code"] for f in s["fuels"] for o in f["offers"]] for s in sites] == [
            ["BIZ-23"],
            ["BIZGAS-16"],
            ["BIZ-13"],
        ]
        offer = sites[0]["fuels"][0]["offers"][0]
        assert offer["prices_include_vat"] is False
        # 20,000 kWh is above the de minimis: the levy and VAT at 20%, as the bill charges.
        ccl = int(20_000 * levy.ccl_rate(fuel="ELECTRICITY", on=clock.today()))
        assert (offer["net_pence"], offer["ccl_pence"], offer["vat_rate"]) == (581_900, ccl, 20)
        assert offer["estimated_annual_cost_pence"] == 581_900 + ccl  # without VAT
        assert offer["total_pence"] == (581_900 + ccl) * 6 // 5

    def test_the_offers_take_two_queries_however_many_sites(
        self, catalogue, django_assert_max_num_queries
    ):
        sites = tuple(
            SiteRequest(postcode=postcode, fuels=(FuelUsage("ELECTRICITY", level="LOW"),))
            for postcode in ("LS1 4AP", "M1 1AE", "L1 8JQ") * 20
        )
        with django_assert_max_num_queries(2):
            result = queries.quote(
                request=QuoteRequest("BUSINESS", "DIRECT_DEBIT", sites), today=TODAY
            )
        assert all(site.fuels[0].offers for site in result.sites)


class TestRefusals:
    @pytest.mark.parametrize(
        ("site", "expected"),
        [
            ({"postcode": "junk M1 1AA"}, ("sites.0.postcode", "postcode_format")),
            ({"postcode": "BT1 1AA"}, ("sites.0.postcode", "postcode_area")),
            ({"mpan": "1312345678906"}, ("sites.0.mpan", "mpan")),
            ({"fuels": []}, ("sites.0.fuels", "required")),
            (
                {"fuels": [{"fuel": "GAS", "level": "LOW"}, {"fuel": "GAS", "level": "HIGH"}]},
                ("sites.0.fuels", "unique"),
            ),
            ({"fuels": [{"fuel": "GAS"}]}, ("sites.0.fuels.0.annual_kwh", "consumption_required")),
            (
                {"fuels": [{"fuel": "GAS", "annual_kwh": "-5"}]},
                ("sites.0.fuels.0.annual_kwh", "not_negative"),
            ),
            (
                {"fuels": [{"fuel": "GAS", "annual_kwh": "9999999"}]},
                ("sites.0.fuels.0.annual_kwh", "too_large"),
            ),
            (
                {"fuels": [{"fuel": "GAS", "annual_kwh": 1.5}]},
                ("sites.0.fuels.0.annual_kwh", "decimal_as_text"),
            ),
            (
                {"fuels": [{"fuel": "OIL", "level": "LOW"}]},
                ("sites.0.fuels.0.fuel", "literal_error"),
            ),
            ({"meter_type": "SMART"}, ("sites.0.meter_type", "literal_error")),
        ],
    )
    def test_each_rule_is_named_by_field(self, catalogue, site, expected):
        body = {**HOME, "sites": [{**HOME["sites"][0], **site}]}
        assert problems(post(body)) == [expected]

    def test_a_home_quote_is_for_one_site(self, catalogue):
        body = {**HOME, "sites": HOME["sites"] * 2}
        assert problems(post(body)) == [("sites", "one_home")]

    def test_a_missing_postcode_and_kind_are_named(self, catalogue):
        body = {"payment_method": "DIRECT_DEBIT", "sites": [{"fuels": []}]}
        assert set(problems(post(body))) == {
            ("customer_kind", "missing"),
            ("sites.0.postcode", "missing"),
        }


class TestEmail:
    def test_the_quote_is_queued_once_however_often_it_is_asked_for(self, catalogue):
        body = {**HOME, "email": "ada@example.com"}
        first = post(body)
        second = post(body)

        assert first.status_code == second.status_code == 200, first.content
        assert first.json()["email_id"] == second.json()["email_id"] is not None
        (email,) = OutboundEmail.objects.all()
        assert email.to_address == "ada@example.com"
        assert "energy quote" in email.subject
        assert "Kilowatt FIX-23" in email.text_body and "£900.38" in email.text_body
        assert "Kilowatt VAR-23" in email.html_body

    def test_another_address_is_another_email(self, catalogue):
        post({**HOME, "email": "ada@example.com"})
        post({**HOME, "email": "bob@example.com"})
        assert OutboundEmail.objects.count() == 2

    def test_a_bad_address_is_named_and_nothing_is_queued(self, catalogue):
        assert problems(post({**HOME, "email": "not an address"})) == [("email", "email_format")]
        assert not OutboundEmail.objects.exists()

    def test_a_refused_quote_sends_nothing(self, catalogue):
        body = {
            **HOME,
            "email": "ada@example.com",
            "sites": [{**HOME["sites"][0], "postcode": "X"}],
        }
        assert problems(post(body)) == [("sites.0.postcode", "postcode_format")]
        assert not OutboundEmail.objects.exists()

    def test_no_quote_without_email_queues_anything(self, catalogue):
        assert post(HOME).json()["email_id"] is None
        assert not OutboundEmail.objects.exists()


def test_the_schema_says_quotes_are_public_and_declares_refusals():
    operation = Client().get("/api/v1/openapi.json").json()["paths"]["/api/v1/quotes"]["post"]

    assert not operation.get("security")
    assert "422" in operation["responses"]
