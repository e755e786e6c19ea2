"""/api/v1/cases: the open cases and closing one, refused to whoever may not."""

from __future__ import annotations

import pytest

from kilowatt.cases import models
from kilowatt.identity.domain.roles import Role
from tests.integration.cases.conftest import MAY_NOT, MAY_WORK, open_silent_case

pytestmark = pytest.mark.django_db


def assert_refused(response, status: int) -> None:
    """A refusal shows no data: only the fixed words of its status."""
    words = {401: "Unauthorized", 403: "Not allowed", 404: "Not found"}
    assert response.status_code == status, response.content
    assert response.json() == {"detail": words[status]}


def problems(response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.content
    return [(p["field"], p["rule"]) for p in response.json()["detail"]]


class TestWhoMayUseIt:
    def test_anonymous_callers_are_unauthorized(self, api, silent_case):
        assert_refused(api(None, "get", "/cases"), 401)
        assert_refused(api(None, "post", f"/cases/{silent_case.id}/closure", {"note": "x"}), 401)

    @pytest.mark.parametrize("role", MAY_NOT)
    def test_others_are_refused_and_nothing_changes(self, api, silent_case, role):
        assert_refused(api(role, "get", "/cases"), 403)
        assert_refused(api(role, "get", f"/cases/{silent_case.id}"), 403)
        assert_refused(api(role, "post", f"/cases/{silent_case.id}/closure", {"note": "x"}), 403)
        assert models.Case.objects.get(id=silent_case.id).status == "OPEN"

    @pytest.mark.parametrize("role", MAY_WORK)
    def test_those_who_work_cases_list_them(self, api, silent_case, role):
        response = api(role, "get", "/cases")

        assert response.status_code == 200
        (item,) = response.json()["items"]
        assert item["id"] == silent_case.id
        assert item["meter_point"] == silent_case.meter_point.identifier
        assert (item["kind"], item["status"]) == ("SMART_METER_SILENT", "OPEN")
        assert item["days_open"] >= 0


class TestListing:
    def test_newest_first_paged_by_id(self, api):
        first, second, third = (open_silent_case() for _ in range(3))

        page_one = api(Role.ADMIN, "get", "/cases?limit=2").json()
        page_two = api(Role.ADMIN, "get", f"/cases?limit=2&after={page_one['next_after']}").json()

        assert [c["id"] for c in page_one["items"]] == [third.id, second.id]
        assert [c["id"] for c in page_two["items"]] == [first.id]
        assert page_two["next_after"] is None

    def test_closed_cases_are_listed_when_asked_for(self, api, silent_case):
        api(Role.ADMIN, "post", f"/cases/{silent_case.id}/closure", {"note": "fixed"})

        assert api(Role.ADMIN, "get", "/cases").json()["items"] == []
        (closed,) = api(Role.ADMIN, "get", "/cases?status=CLOSED").json()["items"]
        assert (closed["id"], closed["resolution"]) == (silent_case.id, "fixed")

    def test_an_unknown_status_is_refused_naming_it(self, api, db):
        assert problems(api(Role.ADMIN, "get", "/cases?status=SHUT")) == [
            ("status", "literal_error")
        ]


class TestClosure:
    def test_a_note_closes_the_case(self, api, silent_case):
        response = api(
            Role.COMPLAINTS, "post", f"/cases/{silent_case.id}/closure", {"note": "Hub replaced."}
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["resolution"]) == ("CLOSED", "Hub replaced.")
        assert body["closed_by"].startswith("complaints-")

    @pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   "}])
    def test_closing_needs_a_note(self, api, silent_case, body):
        response = api(Role.COMPLAINTS, "post", f"/cases/{silent_case.id}/closure", body)

        assert problems(response) == [("note", "required")]
        assert models.Case.objects.get(id=silent_case.id).status == "OPEN"

    def test_closing_twice_is_refused_naming_the_case(self, api, silent_case):
        api(Role.COMPLAINTS, "post", f"/cases/{silent_case.id}/closure", {"note": "done"})

        response = api(Role.COMPLAINTS, "post", f"/cases/{silent_case.id}/closure", {"note": "x"})

        assert problems(response) == [("case", "already_closed")]

    def test_a_missing_case_is_not_found(self, api, db):
        assert_refused(api(Role.COMPLAINTS, "post", "/cases/999999/closure", {"note": "x"}), 404)
        assert_refused(api(Role.COMPLAINTS, "get", "/cases/999999"), 404)
