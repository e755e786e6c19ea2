"""/sites: a site is seen through the accounts that supply it; its postcode is checked."""

from __future__ import annotations

import pytest

from kilowatt.properties.models import Site
from tests.integration.api.conftest import assert_refused, audit_count, problems

pytestmark = pytest.mark.django_db

ADDRESS = {"address_line_1": " 1  Dock Road ", "town": "Liverpool", "postcode": "l3  4aa"}


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def _site(api, whose: str, index: int = 0) -> int:
    return getattr(api, whose).sites[index].id


class TestList:
    @pytest.mark.parametrize(
        ("who", "sees"),
        [
            ("agent", [("home", 0)]),
            ("corporate_manager", [("business", 0), ("business", 1)]),
            ("sales_manager", [("home", 0), ("other_home", 0)]),
            ("customer", [("home", 0)]),
            ("telesales", [("home", 0), ("other_home", 0), ("business", 0), ("business", 1)]),
        ],
    )
    def test_each_role_lists_the_sites_it_may_see(self, api, who, sees):
        assert _ids(api.call(who, "GET", "/sites")) == [_site(api, w, i) for w, i in sees]

    def test_filters_by_postcode_in_any_case_and_spacing(self, api):
        assert _ids(api.call("admin", "GET", "/sites?postcode=ll111aa")) == [
            _site(api, "business", 1)
        ]

    def test_pages_by_id(self, api):
        first = api.call("admin", "GET", "/sites?limit=3").json()
        rest = api.call("admin", "GET", f"/sites?after={first['next_after']}").json()

        assert len(first["items"]) == 3
        assert [s["id"] for s in rest["items"]] == [_site(api, "business", 1)]
        assert rest["next_after"] is None


class TestRead:
    def test_shows_the_address(self, api):
        response = api.call("customer", "GET", f"/sites/{_site(api, 'home')}")

        assert response.status_code == 200
        assert response.json()["postcode"] == "L1 8JQ"

    @pytest.mark.parametrize(
        ("who", "whose"),
        [
            ("agent", "other_home"),
            ("corporate_manager", "home"),
            ("sales_manager", "business"),
            ("customer", "business"),
        ],
    )
    def test_a_site_the_caller_may_not_see_is_not_found(self, api, who, whose):
        assert_refused(api.call(who, "GET", f"/sites/{_site(api, whose)}"), 404)

    def test_a_missing_site_gets_the_same_answer(self, api):
        assert_refused(api.call("admin", "GET", "/sites/999999"), 404)


class TestCreate:
    def test_records_the_address_normalised_and_audited(self, api):
        before = audit_count()

        response = api.call("telesales", "POST", "/sites", ADDRESS)

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["address_line_1"], body["postcode"]) == ("1 Dock Road", "L3 4AA")
        assert audit_count() == before + 1

    @pytest.mark.parametrize("postcode", ["junk M1 1AA", "M1 1AA junk", "QA1 1AA", "M1 1AC"])
    def test_a_malformed_postcode_is_refused(self, api, postcode):
        sites = Site.objects.count()

        response = api.call("admin", "POST", "/sites", {**ADDRESS, "postcode": postcode})

        assert problems(response) == [("postcode", "postcode_format")]
        assert Site.objects.count() == sites

    def test_a_missing_first_line_is_named(self, api):
        response = api.call("admin", "POST", "/sites", {"town": "Leeds", "postcode": "LS1 4DY"})

        assert problems(response) == [("address_line_1", "missing")]

    @pytest.mark.parametrize("who", ["billing", "complaints", "customer"])
    def test_a_role_that_may_not_sign_up_customers_records_no_site(self, api, who):
        sites, before = Site.objects.count(), audit_count()

        assert_refused(api.call(who, "POST", "/sites", ADDRESS), 403)
        assert (Site.objects.count(), audit_count()) == (sites, before)


class TestUpdate:
    def test_the_agent_corrects_their_customers_address(self, api):
        response = api.call(
            "agent", "PATCH", f"/sites/{_site(api, 'home')}", {"address_line_2": "Flat 2"}
        )

        assert response.status_code == 200, response.content
        assert response.json()["address_line_2"] == "Flat 2"

    def test_a_malformed_postcode_is_refused(self, api):
        response = api.call(
            "agent", "PATCH", f"/sites/{_site(api, 'home')}", {"postcode": "junk M1 1AA"}
        )

        assert problems(response) == [("postcode", "postcode_format")]

    @pytest.mark.parametrize(
        ("who", "whose", "status"),
        [
            ("other_agent", "home", 404),
            ("corporate_manager", "home", 404),
            ("customer", "home", 403),
            ("business_contact", "business", 403),
        ],
    )
    def test_a_refused_correction_changes_nothing(self, api, who, whose, status):
        site_id = _site(api, whose)
        row, before = Site.objects.filter(id=site_id).values_list().get(), audit_count()

        response = api.call(who, "PATCH", f"/sites/{site_id}", {"town": "Elsewhere"})

        assert_refused(response, status)
        assert Site.objects.filter(id=site_id).values_list().get() == row
        assert audit_count() == before
