"""The back office's cases pages: who may see them, the open cases newest first, and
closing one with a note."""

from __future__ import annotations

import datetime

import pytest

from kilowatt.cases import models
from kilowatt.identity.domain.roles import Role
from kilowatt.portals.interfaces.pages._shapes import group_digits
from tests.integration.cases.conftest import AS_AT, MAY_NOT, MAY_WORK, open_silent_case


def shown(case) -> bytes:
    """The meter point as the list shows it."""
    return group_digits(case.meter_point.identifier, is_electricity=True).encode()


class TestWhoMaySeeCases:
    def test_anonymous_visitors_sign_in_first(self, signed_in, silent_case):
        for path in ("/cases/", f"/cases/{silent_case.id}/"):
            response = signed_in(None).get(path)

            assert response.status_code == 302
            assert response["Location"].startswith("/login/")

    @pytest.mark.parametrize("role", MAY_NOT)
    def test_others_are_refused_see_nothing_and_change_nothing(self, signed_in, silent_case, role):
        client = signed_in(role)

        listing = client.get("/cases/")
        one = client.get(f"/cases/{silent_case.id}/")
        closing = client.post(f"/cases/{silent_case.id}/", {"note": "not mine to close"})

        assert (listing.status_code, one.status_code, closing.status_code) == (403, 403, 403)
        for response in (listing, one, closing):
            assert silent_case.meter_point.identifier.encode() not in response.content
            assert shown(silent_case) not in response.content
            assert b"Smart meter silent" not in response.content
        assert b'href="/cases/"' not in listing.content  # no nav link either
        assert models.Case.objects.get(id=silent_case.id).status == "OPEN"

    @pytest.mark.parametrize("role", MAY_WORK)
    def test_those_who_work_cases_see_them(self, signed_in, silent_case, role):
        response = signed_in(role).get("/cases/")

        assert response.status_code == 200
        assert shown(silent_case) in response.content
        assert b"Smart meter silent" in response.content
        assert b'href="/cases/"' in response.content


class TestTheList:
    def test_open_cases_newest_first_with_kind_meter_point_opened_and_days_open(
        self, signed_in, db
    ):
        older = open_silent_case(as_at=AS_AT - datetime.timedelta(days=9))
        newer = open_silent_case()

        response = signed_in(Role.COMPLAINTS).get("/cases/")

        body = response.content.decode()
        assert response.status_code == 200
        assert body.index(shown(newer).decode()) < body.index(shown(older).decode())
        assert 'data-testid="case-count">2<' in body
        assert "Opened 23 Nov 2026" in body
        assert "Opened 14 Nov 2026" in body
        assert "day open" in body or "days open" in body

    def test_closed_cases_leave_the_list(self, signed_in, silent_case):
        client = signed_in(Role.ADMIN)
        client.post(f"/cases/{silent_case.id}/", {"note": "Comms hub replaced."})

        response = client.get("/cases/")

        assert b"No open cases" in response.content
        assert shown(silent_case) not in response.content

    def test_the_list_is_a_few_queries(self, signed_in, db, django_assert_max_num_queries):
        for _ in range(5):
            open_silent_case()
        client = signed_in(Role.ADMIN)

        # session, user, the page of cases with their meter points, the count
        with django_assert_max_num_queries(4):
            assert client.get("/cases/").status_code == 200


class TestClosingACase:
    def test_the_case_page_shows_the_case_and_a_close_form(self, signed_in, silent_case):
        response = signed_in(Role.SYSADMIN).get(f"/cases/{silent_case.id}/")

        assert response.status_code == 200
        assert silent_case.summary.encode() in response.content
        assert b'name="note"' in response.content

    def test_a_note_closes_it(self, signed_in, silent_case):
        response = signed_in(Role.COMPLAINTS).post(
            f"/cases/{silent_case.id}/", {"note": "DCC reset the comms hub; data flowing."}
        )

        assert response.status_code == 302
        assert response["Location"] == "/cases/"
        case = models.Case.objects.get(id=silent_case.id)
        assert (case.status, case.resolution) == (
            "CLOSED",
            "DCC reset the comms hub; data flowing.",
        )

    def test_without_a_note_it_is_answered_beside_the_field_and_stays_open(
        self, signed_in, silent_case
    ):
        response = signed_in(Role.COMPLAINTS).post(f"/cases/{silent_case.id}/", {"note": "  "})

        assert response.status_code == 422
        assert b"say how the case was resolved" in response.content
        assert models.Case.objects.get(id=silent_case.id).status == "OPEN"

    def test_a_closed_case_shows_its_resolution_and_no_form(self, signed_in, silent_case):
        client = signed_in(Role.COMPLAINTS)
        client.post(f"/cases/{silent_case.id}/", {"note": "Customer away; meter fine."})

        response = client.get(f"/cases/{silent_case.id}/")

        assert b"Customer away; meter fine." in response.content
        assert b'name="note"' not in response.content

    def test_a_missing_case_is_not_found(self, signed_in, db):
        client = signed_in(Role.COMPLAINTS)

        assert client.get("/cases/999999/").status_code == 404
        assert client.post("/cases/999999/", {"note": "x"}).status_code == 404
