"""/customers: each role sees, signs up and changes only whom the access rules allow."""

from __future__ import annotations

import pytest

from kilowatt.customers.models import Contact, Customer, MarketingConsent, PriorityNeed
from tests.integration.api.conftest import assert_refused, audit_count, problems

pytestmark = pytest.mark.django_db


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def _rows_of(number: str) -> tuple[int, ...]:
    """Count what a change to a customer could touch."""
    customer = Customer.objects.get(number=number)
    return (
        Contact.objects.filter(customer=customer).count(),
        MarketingConsent.objects.filter(customer=customer).count(),
        PriorityNeed.objects.filter(customer=customer).count(),
        hash(tuple(Customer.objects.filter(number=number).values_list().get())),
    )


HOME = {
    "kind": "RESIDENTIAL",
    "title": "Dr",
    "first_name": "Grace",
    "last_name": "Hopper",
    "date_of_birth": "1956-12-09",
    "email": "Grace@Example.org",
    "phone": "07700 900456",
    "consents": [{"channel": "EMAIL", "granted": True}, {"channel": "POST", "granted": False}],
    "priority_needs": ["medical_equipment"],
    "contacts": [{"role": "JOINT_HOLDER", "name": "Vincent Hopper"}],
}
BUSINESS = {
    "kind": "BUSINESS",
    "company_name": "Analytical Engines plc",
    "company_number": "sc123456",
    "sector": "MANUFACTURING",
    "is_micro_business": False,
    "contacts": [
        {"role": "ACCOUNT_MANAGER", "name": "Charles Babbage"},
        {"role": "BILLING_OFFICER", "name": "Ada King", "email": "ada@engines.example"},
    ],
}


class TestList:
    def test_staff_who_see_everyone_list_everyone(self, api):
        numbers = _numbers(api.call("admin", "GET", "/customers"))

        assert numbers == [api.home.number, api.other_home.number, api.business.number]

    @pytest.mark.parametrize(
        ("who", "sees"),
        [
            ("agent", ["home"]),
            ("other_agent", ["other_home"]),
            ("sales_manager", ["home", "other_home"]),
            ("corporate_manager", ["business"]),
            ("customer", ["home"]),
            ("business_contact", ["business"]),
        ],
    )
    def test_each_role_lists_only_whom_it_may_see(self, api, who, sees):
        numbers = _numbers(api.call(who, "GET", "/customers"))

        assert numbers == [getattr(api, name).number for name in sees]

    def test_pages_follow_one_another_by_next_after(self, api):
        first = api.call("admin", "GET", "/customers?limit=2").json()
        second = api.call("admin", "GET", f"/customers?limit=2&after={first['next_after']}").json()

        assert [c["number"] for c in first["items"]] == [api.home.number, api.other_home.number]
        assert [c["number"] for c in second["items"]] == [api.business.number]
        assert second["next_after"] is None

    def test_filters_by_kind_and_name_prefix(self, api):
        assert _numbers(api.call("admin", "GET", "/customers?kind=BUSINESS")) == [
            api.business.number
        ]
        assert _numbers(api.call("admin", "GET", "/customers?name=somer")) == [
            api.other_home.number
        ]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("limit=201", [("limit", "less_than_equal")]),
            ("limit=0", [("limit", "greater_than_equal")]),
            ("after=x", [("after", "int_parsing")]),
            ("kind=HOME", [("kind", "literal_error")]),
        ],
    )
    def test_bad_paging_and_filters_answer_422_naming_the_parameter(self, api, query, expected):
        assert problems(api.call("admin", "GET", f"/customers?{query}")) == expected


class TestRead:
    def test_shows_contacts_consents_and_priority_needs(self, api):
        response = api.call("agent", "GET", f"/customers/{api.home.number}")

        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "Ms Ada Lovelace"
        assert [c["role"] for c in body["contacts"]] == ["PRIMARY"]
        assert [(c["channel"], c["granted"]) for c in body["consents"]] == [
            ("EMAIL", True),
            ("SMS", False),
        ]
        assert [n["need"] for n in body["priority_needs"]] == ["PENSIONABLE_AGE"]

    @pytest.mark.parametrize(
        ("who", "whose"),
        [
            ("agent", "other_home"),  # another agent signed them up
            ("other_agent", "home"),
            ("corporate_manager", "home"),  # never a home customer
            ("sales_manager", "business"),  # homes only
            ("customer", "other_home"),  # only their own
            ("business_contact", "home"),
        ],
    )
    def test_a_customer_the_caller_may_not_see_is_not_found(self, api, who, whose):
        response = api.call(who, "GET", f"/customers/{getattr(api, whose).number}")

        assert_refused(response, 404)

    def test_a_missing_customer_gets_the_same_answer(self, api):
        assert_refused(api.call("admin", "GET", "/customers/C99999999"), 404)


class TestCreate:
    def test_an_agent_signs_up_a_home_customer_and_then_sees_them(self, api):
        before = audit_count()

        response = api.call("agent", "POST", "/customers", HOME)

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["email"] == "grace@example.org"
        assert [(c["role"], c["name"]) for c in body["contacts"]] == [
            ("JOINT_HOLDER", "Vincent Hopper")
        ]
        assert [n["need"] for n in body["priority_needs"]] == ["MEDICAL_EQUIPMENT"]
        assert {c["channel"] for c in body["consents"]} == {"EMAIL", "POST"}
        assert audit_count() == before + 1
        assert api.call("agent", "GET", f"/customers/{body['number']}").status_code == 200
        assert_refused(api.call("other_agent", "GET", f"/customers/{body['number']}"), 404)

    def test_a_corporate_manager_signs_up_a_business_with_its_contacts(self, api):
        response = api.call("corporate_manager", "POST", "/customers", BUSINESS)

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["company_number"] == "SC123456"
        assert [c["role"] for c in body["contacts"]] == ["ACCOUNT_MANAGER", "BILLING_OFFICER"]

    @pytest.mark.parametrize(
        ("who", "details"),
        [
            ("billing", HOME),  # may edit customers, not sign them up
            ("collections", BUSINESS),
            ("corporate_manager", HOME),  # business customers only
            ("sales_manager", BUSINESS),  # home customers only
            ("customer", HOME),
        ],
    )
    def test_a_role_that_may_not_sign_up_this_kind_is_refused_and_nothing_is_written(
        self, api, who, details
    ):
        customers, before = Customer.objects.count(), audit_count()

        response = api.call(who, "POST", "/customers", details)

        assert_refused(response, 403)
        assert Customer.objects.count() == customers
        assert audit_count() == before

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({"company_number": "12-34"}, [("company_number", "company_number_format")]),
            (
                {"company_name": "", "sector": "MINING"},
                [
                    ("company_name", "required"),
                    ("sector", "choice"),
                ],
            ),
            ({"email": "not-an-email"}, [("email", "email_format")]),
            (
                {"contacts": [{"role": "BOSS", "name": ""}]},
                [("contacts.0.role", "choice"), ("contacts.0.name", "required")],
            ),
            (
                {"consents": [{"channel": "FAX", "granted": True}]},
                [("consents.0.channel", "choice")],
            ),
            ({"contacts": [{"role": "PRIMARY"}]}, [("contacts.0.name", "missing")]),
            ({"is_micro_business": "perhaps"}, [("is_micro_business", "bool_parsing")]),
        ],
    )
    def test_bad_details_answer_422_naming_field_and_rule(self, api, changes, expected):
        customers = Customer.objects.count()

        response = api.call("corporate_manager", "POST", "/customers", {**BUSINESS, **changes})

        assert problems(response) == expected
        assert Customer.objects.count() == customers

    def test_a_home_customer_needs_a_name_and_an_adult_holder(self, api):
        response = api.call(
            "agent",
            "POST",
            "/customers",
            {"kind": "RESIDENTIAL", "first_name": "Tim", "date_of_birth": "2015-01-01"},
        )

        assert problems(response) == [("last_name", "required"), ("date_of_birth", "adult")]


class TestUpdate:
    def test_the_agent_changes_their_customer_and_the_change_is_audited(self, api):
        before = audit_count()

        response = api.call(
            "agent",
            "PATCH",
            f"/customers/{api.home.number}",
            {"phone": "07700 900789", "priority_needs": ["OVER_75", "PENSIONABLE_AGE"]},
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["phone"] == "07700900789"
        assert [n["need"] for n in body["priority_needs"]] == ["OVER_75", "PENSIONABLE_AGE"]
        assert body["first_name"] == "Ada"  # untouched
        assert audit_count() == before + 1

    def test_billing_may_change_a_business(self, api):
        response = api.call(
            "billing", "PATCH", f"/customers/{api.business.number}", {"is_micro_business": False}
        )

        assert response.status_code == 200
        assert response.json()["is_micro_business"] is False

    @pytest.mark.parametrize(
        ("who", "whose", "status"),
        [
            ("other_agent", "home", 404),
            ("corporate_manager", "home", 404),
            ("sales_manager", "business", 404),
            ("business_contact", "home", 404),
            ("customer", "home", 403),  # sees their own, may not change it here
        ],
    )
    def test_a_refused_change_shows_nothing_and_changes_nothing(self, api, who, whose, status):
        number = getattr(api, whose).number
        rows, before = _rows_of(number), audit_count()

        response = api.call(
            who, "PATCH", f"/customers/{number}", {"last_name": "Byron", "priority_needs": []}
        )

        assert_refused(response, status)
        assert _rows_of(number) == rows
        assert audit_count() == before

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({"kind": "BUSINESS"}, [("kind", "extra_forbidden")]),
            ({"last_name": None}, [("last_name", "string_type")]),
            ({"date_of_birth": "2030-01-01"}, [("date_of_birth", "not_in_future")]),
            ({"company_name": "Lovelace Ltd"}, [("company_name", "business_only")]),
        ],
    )
    def test_a_bad_change_answers_422_and_changes_nothing(self, api, changes, expected):
        rows = _rows_of(api.home.number)

        response = api.call("agent", "PATCH", f"/customers/{api.home.number}", changes)

        assert problems(response) == expected
        assert _rows_of(api.home.number) == rows
