"""/accounts and agreements: who sees and changes which account, and the supply rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.accounts.models import Account, Agreement
from kilowatt.metering.domain.supply import MeterPointDetails
from tests.factories import book
from tests.integration.api.conftest import assert_refused, audit_count, problems

pytestmark = pytest.mark.django_db


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def _state(number: str) -> tuple:
    account = Account.objects.filter(number=number).values_list().get()
    agreements = list(Agreement.objects.filter(account__number=number).order_by("id").values_list())
    return account, agreements


class TestList:
    @pytest.mark.parametrize(
        ("who", "sees"),
        [
            ("admin", ["home", "other_home", "business"]),
            ("agent", ["home"]),
            ("sales_manager", ["home", "other_home"]),
            ("corporate_manager", ["business"]),
            ("customer", ["home"]),
            ("business_contact", ["business"]),
        ],
    )
    def test_each_role_lists_only_the_accounts_of_customers_it_may_see(self, api, who, sees):
        assert _numbers(api.call(who, "GET", "/accounts")) == [
            getattr(api, name).account for name in sees
        ]

    def test_filters_by_customer_and_status(self, api):
        assert _numbers(api.call("admin", "GET", f"/accounts?customer={api.business.number}")) == [
            api.business.account
        ]
        assert _numbers(api.call("admin", "GET", "/accounts?status=PENDING&limit=1")) == [
            api.home.account
        ]
        assert _numbers(api.call("admin", "GET", "/accounts?status=ACTIVE")) == []

    def test_another_agents_customer_filter_finds_nothing(self, api):
        assert (
            _numbers(api.call("agent", "GET", f"/accounts?customer={api.other_home.number}")) == []
        )


class TestRead:
    def test_shows_the_dual_fuel_agreements(self, api):
        response = api.call("customer", "GET", f"/accounts/{api.home.account}")

        assert response.status_code == 200
        body = response.json()
        assert body["customer_number"] == api.home.number
        site = api.home.sites[0]
        assert [
            (a["meter_point"], a["tariff"], a["valid_from"], a["valid_to"])
            for a in body["agreements"]
        ] == [
            (site.mpan, "BOOK-RES-ELEC-13-DI", "2026-02-01", None),
            (site.mprn, "BOOK-RES-GAS-13-DI", "2026-02-01", None),
        ]

    @pytest.mark.parametrize(
        ("who", "whose"),
        [
            ("agent", "other_home"),
            ("corporate_manager", "home"),
            ("sales_manager", "business"),
            ("customer", "other_home"),
            ("business_contact", "home"),
        ],
    )
    def test_an_account_the_caller_may_not_see_is_not_found(self, api, who, whose):
        assert_refused(api.call(who, "GET", f"/accounts/{getattr(api, whose).account}"), 404)

    def test_a_missing_account_gets_the_same_answer(self, api):
        assert_refused(api.call("admin", "GET", "/accounts/A99999999"), 404)


class TestCreate:
    def test_the_agent_opens_a_second_account_for_their_customer(self, api):
        before = audit_count()

        response = api.call(
            "agent",
            "POST",
            "/accounts",
            {
                "customer_number": api.home.number,
                "payment_method": "on_receipt",
                "bill_delivery": "PAPER",
            },
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["status"], body["payment_method"], body["agreements"]) == (
            "PENDING",
            "ON_RECEIPT",
            [],
        )
        assert audit_count() == before + 1

    @pytest.mark.parametrize(
        ("who", "whose", "status"),
        [
            ("agent", "other_home", 404),
            ("corporate_manager", "home", 404),
            ("customer", "home", 403),
            ("business_contact", "business", 403),
        ],
    )
    def test_a_refused_opening_writes_nothing(self, api, who, whose, status):
        accounts, before = Account.objects.count(), audit_count()

        response = api.call(
            who,
            "POST",
            "/accounts",
            {
                "customer_number": getattr(api, whose).number,
                "payment_method": "DIRECT_DEBIT",
                "bill_delivery": "EMAIL",
            },
        )

        assert_refused(response, status)
        assert (Account.objects.count(), audit_count()) == (accounts, before)

    def test_a_business_account_is_paperless(self, api):
        response = api.call(
            "corporate_manager",
            "POST",
            "/accounts",
            {
                "customer_number": api.business.number,
                "payment_method": "CHEQUE",
                "bill_delivery": "PAPER",
            },
        )

        assert problems(response) == [
            ("payment_method", "choice"),
            ("bill_delivery", "business_paperless"),
        ]


class TestUpdate:
    def test_billing_activates_an_account(self, api):
        before = audit_count()

        response = api.call(
            "billing", "PATCH", f"/accounts/{api.business.account}", {"status": "ACTIVE"}
        )

        assert response.status_code == 200
        assert response.json()["status"] == "ACTIVE"
        assert audit_count() == before + 1

    @pytest.mark.parametrize(
        ("who", "whose", "status"),
        [
            ("other_agent", "home", 404),
            ("sales_manager", "business", 404),
            ("customer", "home", 403),
        ],
    )
    def test_a_refused_change_changes_nothing(self, api, who, whose, status):
        number = getattr(api, whose).account
        state, before = _state(number), audit_count()

        response = api.call(who, "PATCH", f"/accounts/{number}", {"status": "CLOSED"})

        assert_refused(response, status)
        assert (_state(number), audit_count()) == (state, before)

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({"status": "ASLEEP"}, [("status", "choice")]),
            ({"customer_number": "C1"}, [("customer_number", "extra_forbidden")]),
        ],
    )
    def test_a_bad_change_answers_422(self, api, changes, expected):
        assert (
            problems(api.call("agent", "PATCH", f"/accounts/{api.home.account}", changes))
            == expected
        )


@pytest.fixture
def new_mpan(api) -> str:
    """A meter point at the home's site that no agreement supplies yet."""
    core = book.mpan_core("13")
    account_operations.register_meter_point(
        by=api.people["sysadmin"],
        site_id=api.home.sites[0].id,
        details=MeterPointDetails(fuel="ELECTRICITY", identifier=core, profile_class="01"),
        as_at=book.AS_AT,
    )
    return core


class TestAgreements:
    def _add(
        self,
        api,
        who,
        meter_point,
        *,
        tariff="BOOK-RES-ELEC-13-DI",
        valid_from="2027-01-01",
        account=None,
    ):
        return api.call(
            who,
            "POST",
            f"/accounts/{account or api.home.account}/agreements",
            {"meter_point": meter_point, "tariff": tariff, "valid_from": valid_from},
        )

    def test_the_agent_supplies_a_new_meter_point(self, api, new_mpan):
        before = audit_count()

        response = self._add(api, "agent", new_mpan)

        assert response.status_code == 201, response.content
        assert response.json()["meter_point"] == new_mpan
        assert audit_count() == before + 1
        account = api.call("agent", "GET", f"/accounts/{api.home.account}").json()
        assert new_mpan in [a["meter_point"] for a in account["agreements"]]

    def test_an_overlapping_agreement_is_refused(self, api):
        response = self._add(api, "agent", api.home.sites[0].mpan, valid_from="2026-06-01")

        assert problems(response) == [("valid_from", "no_overlap")]

    def test_a_tariff_of_another_region_or_fuel_does_not_fit(self, api, new_mpan):
        account_operations.create_tariff(
            by=api.people["billing"],
            details=TariffDetails(
                code="ELSEWHERE",
                name="Elsewhere",
                fuel="GAS",
                region="10",
                customer_kind="RESIDENTIAL",
                payment_method="DIRECT_DEBIT",
                kind="FIXED",
                term_months=12,
                standing_charge_pence_per_day=Decimal("30"),
                unit_rates=(("ANYTIME", Decimal("6")),),
                valid_from=book.ON_SALE_FROM,
            ),
            as_at=book.AS_AT,
        )
        agreements = Agreement.objects.count()

        response = self._add(api, "agent", new_mpan, tariff="ELSEWHERE")

        assert problems(response) == [("tariff", "fuel_matches"), ("tariff", "region_matches")]
        assert Agreement.objects.count() == agreements

    def test_a_business_tariff_does_not_supply_a_home(self, api, new_mpan):
        response = self._add(api, "agent", new_mpan, tariff="BOOK-BUS-ELEC-13-DI")

        assert problems(response) == [("tariff", "customer_kind_matches")]

    def test_an_unknown_tariff_and_a_bad_date_are_named(self, api, new_mpan):
        assert problems(self._add(api, "agent", new_mpan, tariff="NOPE")) == [("tariff", "exists")]
        assert problems(self._add(api, "agent", new_mpan, valid_from="2027-02-30")) == [
            ("valid_from", "date_from_datetime_parsing")
        ]

    @pytest.mark.parametrize(
        ("who", "status"), [("other_agent", 404), ("corporate_manager", 404), ("customer", 403)]
    )
    def test_a_refused_agreement_writes_nothing(self, api, new_mpan, who, status):
        state, before = _state(api.home.account), audit_count()

        assert_refused(self._add(api, who, new_mpan), status)
        assert (_state(api.home.account), audit_count()) == (state, before)

    def test_the_agent_ends_an_agreement(self, api):
        agreement = api.home.agreement_ids[1]

        response = api.call(
            "agent", "POST", f"/agreements/{agreement}/end", {"valid_to": "2027-03-01"}
        )

        assert response.status_code == 200, response.content
        assert response.json()["valid_to"] == "2027-03-01"

    def test_an_agreement_cannot_end_before_it_starts(self, api):
        agreement = api.home.agreement_ids[0]

        response = api.call(
            "agent", "POST", f"/agreements/{agreement}/end", {"valid_to": "2026-01-01"}
        )

        assert problems(response) == [("valid_to", "after_valid_from")]

    @pytest.mark.parametrize(
        ("who", "status"), [("other_agent", 404), ("business_contact", 404), ("customer", 403)]
    )
    def test_a_refused_ending_changes_nothing(self, api, who, status):
        state, before = _state(api.home.account), audit_count()

        response = api.call(
            who, "POST", f"/agreements/{api.home.agreement_ids[0]}/end", {"valid_to": "2027-03-01"}
        )

        assert_refused(response, status)
        assert (_state(api.home.account), audit_count()) == (state, before)
