"""The read-exceptions queue: who may work it, and working it."""

from __future__ import annotations

import pytest

from kilowatt.identity.domain.roles import Role
from kilowatt.metering import models
from tests.factories import supply
from tests.integration.metering.test_record_reads import at, record

MAY_WORK = [Role.BILLING, Role.ADMIN, Role.SYSADMIN]
MAY_NOT = [Role.AGENT, Role.SALES_MANAGER, Role.TELESALES, Role.COLLECTIONS, Role.COMPLAINTS,
           Role.CORPORATE_MANAGER, Role.CUSTOMER]  # fmt: skip


@pytest.fixture
def held(db):
    point = supply.meter_point(annual_kwh=("2900",))
    record(point, (at(2026, 1, 1), "1000"))
    (outcome,) = record(point, (at(2026, 2, 1), "9000"))
    return outcome


class TestWhoMayWorkTheQueue:
    @pytest.mark.parametrize("role", MAY_NOT)
    def test_others_are_refused_and_change_nothing(self, signed_in, held, role):
        client = signed_in(role)

        listing = client.get("/reads/exceptions/")
        one = client.get(f"/reads/exceptions/{held.read_id}/")
        decided = client.post(f"/reads/exceptions/{held.read_id}/", {"decision": "ACCEPT"})

        assert (listing.status_code, one.status_code, decided.status_code) == (403, 403, 403)
        assert b"9,000" not in listing.content + one.content
        assert models.Read.objects.get(id=held.read_id).status == "HELD"

    def test_anonymous_visitors_sign_in_first(self, signed_in, held):
        response = signed_in(None).get("/reads/exceptions/")

        assert response.status_code == 302
        assert response["Location"].startswith("/login/")

    @pytest.mark.parametrize("role", MAY_WORK)
    def test_the_team_sees_each_held_read_and_why(self, signed_in, held, role):
        response = signed_in(role).get("/reads/exceptions/")

        assert response.status_code == 200
        assert b"advance_too_high" in response.content
        assert b"much higher than usual" in response.content


class TestWorkingTheQueue:
    def test_accepting_clears_it_from_the_queue(self, signed_in, held):
        client = signed_in(Role.BILLING)

        response = client.post(
            f"/reads/exceptions/{held.read_id}/", {"decision": "ACCEPT", "note": "photo"}
        )

        assert response.status_code == 302
        assert models.Read.objects.get(id=held.read_id).status == "ACCEPTED"
        assert b"Nothing held" in client.get("/reads/exceptions/").content

    def test_a_refusal_without_words_is_answered_beside_the_field(self, signed_in, held):
        response = signed_in(Role.BILLING).post(
            f"/reads/exceptions/{held.read_id}/", {"decision": "REFUSE", "note": ""}
        )

        assert response.status_code == 422
        assert b"say why" in response.content
        assert models.Read.objects.get(id=held.read_id).status == "HELD"

    def test_a_missing_read_is_not_found(self, signed_in, db):
        assert signed_in(Role.BILLING).get("/reads/exceptions/999999/").status_code == 404
