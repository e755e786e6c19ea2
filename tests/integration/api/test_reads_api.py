"""/meter-points/{identifier}/reads and /reads: giving a reading, seeing the history,
and working the held ones, each refused to whoever may not."""

from __future__ import annotations

import pytest

from kilowatt.metering.models import Read
from tests.integration.api.conftest import assert_refused, problems

pytestmark = pytest.mark.django_db

READING = {"read_at": "2026-03-01T09:00:00", "value": "1200"}


def _mpan(api, whose: str = "home") -> str:
    return getattr(api, whose).sites[0].mpan


def _give(api, who, identifier, body=READING):
    return api.call(who, "post", f"/meter-points/{identifier}/reads", body)


class TestGiveARead:
    def test_a_customer_gives_a_reading_for_their_own_meter(self, api):
        response = _give(api, "customer", _mpan(api))

        assert response.status_code == 201, response.content
        assert response.json()["status"] == "ACCEPTED"
        read = Read.objects.get(id=response.json()["read_id"])
        assert (read.source, read.received_by) == ("CUSTOMER", api.people["customer"].username)

    def test_an_agent_on_the_phone_gives_one_for_a_customer_they_see(self, api):
        response = _give(api, "telesales", _mpan(api))

        assert response.status_code == 201
        assert Read.objects.get(id=response.json()["read_id"]).source == "AGENT"

    def test_the_same_reading_twice_is_answered_200_and_kept_once(self, api):
        _give(api, "customer", _mpan(api))

        again = _give(api, "customer", _mpan(api))

        assert (again.status_code, again.json()["status"]) == (200, "DUPLICATE")
        assert Read.objects.filter(meter_point__identifier=_mpan(api)).count() == 1

    @pytest.mark.parametrize(
        ("who", "whose"),
        [("customer", "other_home"), ("agent", "other_home"), ("corporate_manager", "home")],
    )
    def test_a_meter_point_one_may_not_see_is_not_found_and_nothing_kept(self, api, who, whose):
        response = _give(api, who, _mpan(api, whose))

        assert_refused(response, 404)
        assert not Read.objects.filter(meter_point__identifier=_mpan(api, whose)).exists()

    def test_anonymous_callers_are_refused(self, api):
        assert_refused(_give(api, None, _mpan(api)), 401)

    @pytest.mark.parametrize(
        ("body", "field", "rule"),
        [
            ({"read_at": "2030-01-01T00:00:00", "value": "1"}, "read_at", "read_date_future"),
            ({"read_at": "2026-01-01T00:00:00", "value": "1"}, "read_at", "before_supply_start"),
            ({"read_at": "2026-03-01T00:00:00", "value": "1234567"}, "value", "too_many_digits"),
            ({"read_at": "2026-03-01T00:00:00", "value": "-5"}, "value", "greater_than_equal"),
            ({"read_at": "yesterday", "value": "5"}, "read_at", "datetime_from_date_parsing"),
        ],
    )
    def test_a_reading_that_cannot_be_right_names_the_field_and_rule(self, api, body, field, rule):
        response = _give(api, "customer", _mpan(api), body)

        assert problems(response) == [(field, rule)]
        assert not Read.objects.filter(meter_point__identifier=_mpan(api)).exists()


class TestReadHistory:
    def test_the_customer_sees_their_meter_points_reads(self, api):
        _give(api, "customer", _mpan(api))

        response = api.call("customer", "get", f"/meter-points/{_mpan(api)}/reads")

        assert response.status_code == 200
        assert [(r["value"], r["status"], r["meter_register"]) for r in response.json()] == [
            ("1200.000", "ACCEPTED", "1")
        ]

    def test_another_customer_is_refused(self, api):
        assert_refused(
            api.call("customer", "get", f"/meter-points/{_mpan(api, 'other_home')}/reads"), 404
        )


class TestReadExceptions:
    @pytest.fixture
    def held(self, api):
        _give(api, "customer", _mpan(api))
        response = _give(
            api, "customer", _mpan(api), {"read_at": "2026-04-01T09:00:00", "value": "1100"}
        )
        assert response.json()["status"] == "HELD"
        return response.json()["read_id"]

    def test_the_billing_team_lists_and_decides_held_reads(self, api, held):
        listing = api.call("billing", "get", "/reads/held")
        decided = api.call(
            "billing", "post", f"/reads/{held}/decision", {"decision": "REFUSE", "note": "misread"}
        )

        assert [item["id"] for item in listing.json()["items"]] == [held]
        assert decided.json() == {"id": held, "status": "REFUSED"}

    @pytest.mark.parametrize("who", ["customer", "agent", "telesales", "collections"])
    def test_others_are_refused_and_nothing_changes(self, api, held, who):
        listing = api.call(who, "get", "/reads/held")
        decided = api.call(who, "post", f"/reads/{held}/decision", {"decision": "ACCEPT"})
        withdrawn = api.call(who, "post", f"/reads/{held}/withdrawal", {"reason": "x"})

        for response in (listing, decided, withdrawn):
            assert_refused(response, 403)
        assert Read.objects.get(id=held).status == "HELD"

    def test_refusing_without_a_note_names_the_field(self, api, held):
        response = api.call("billing", "post", f"/reads/{held}/decision", {"decision": "REFUSE"})

        assert problems(response) == [("note", "required")]


class TestFormerOccupants:
    def test_a_customer_whose_supply_ended_can_no_longer_give_readings(self, api):
        from kilowatt.accounts.models import Agreement

        Agreement.objects.filter(meter_point__identifier=_mpan(api)).update(valid_to="2026-02-15")

        refused = _give(api, "customer", _mpan(api))
        staff = _give(api, "telesales", _mpan(api))

        assert_refused(refused, 404)
        assert staff.status_code == 201

    def test_a_customer_does_not_see_the_next_occupants_reads(self, api):
        from kilowatt.accounts.models import Agreement

        _give(api, "telesales", _mpan(api))  # 1 March
        Agreement.objects.filter(meter_point__identifier=_mpan(api)).update(valid_to="2026-02-15")

        response = api.call("customer", "get", f"/meter-points/{_mpan(api)}/reads")

        assert response.json() == []
