"""EAC/AQ recalculated when a person decides a read (a held read accepted, a read
withdrawn or replaced), and the flagged changes worked on their own page and API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl
import pytest
from django.test import Client

from kilowatt.identity import operations as identity_operations
from kilowatt.identity.domain.roles import Role
from kilowatt.metering import models, operations, queries
from kilowatt.metering.domain import settlement
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, NotFound
from kilowatt.platform.models import AuditEntry
from tests.factories import people, supply
from tests.integration.metering.test_record_reads import AS_AT, at, record

pytestmark = pytest.mark.django_db
PERSON = audit.Actor(id=None, name="reviewer")
MAY_WORK = [Role.BILLING, Role.ADMIN, Role.SYSADMIN]
MAY_NOT = [Role.CUSTOMER, Role.AGENT, Role.TELESALES, Role.COLLECTIONS, Role.COMPLAINTS,
           Role.CORPORATE_MANAGER, Role.SALES_MANAGER]  # fmt: skip


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def eac(point) -> Decimal | None:
    """The register's EAC/AQ in force: its latest accepted read's figure."""
    register = models.Register.objects.get(meter__meter_point=point)
    return queries.annual_kwh_in_force(register_id=register.id)


def figure(outcome) -> Decimal | None:
    return models.Read.objects.get(id=outcome.read_id).annual_kwh


def standing(point) -> list[models.AnnualConsumptionChange]:
    return list(
        models.AnnualConsumptionChange.objects.filter(
            register__meter__meter_point=point, superseded_at__isnull=True
        ).order_by("id")
    )


def change_of(read_id: int) -> models.AnnualConsumptionChange:
    return models.AnnualConsumptionChange.objects.get(read_id=read_id, superseded_at__isnull=True)


def one_by_one(point, *readings):
    """Record readings one batch each, as they would arrive month by month."""
    return [record(point, reading)[0] for reading in readings]


def held_large_change(point=None):
    """A read held as far too high, accepted on review: its EAC change is flagged."""
    point = point or supply.meter_point(annual_kwh=("2900",))
    record(point, (at(2026, 1, 1), "1000"))
    (held,) = record(point, (at(2026, 2, 1), "9000"))
    assert (held.status, held.rule) == ("HELD", "advance_too_high")
    operations.resolve_held_read(
        read_id=held.read_id, decision="ACCEPT", note="photo", actor=PERSON, as_at=AS_AT
    )
    return point, change_of(held.read_id)


class TestAcceptingAHeldRead:
    def test_recalculates_the_eac_as_a_batch_would(self):
        point, change = held_large_change()
        # What the batch's settlement makes of January to February's 8,000 kWh from 2,900.
        (expected,) = settlement.recalculate(
            pl.DataFrame(
                {
                    "fuel": ["ELECTRICITY"],
                    "previous_date": [datetime.date(2026, 1, 1)],
                    "read_date": [datetime.date(2026, 2, 1)],
                    "consumption_milli": [8_000_000],
                    "annual_kwh": [2900.0],
                }
            )
        ).iter_rows(named=True)

        assert change.previous_kwh == Decimal("2900.0")
        assert change.effective_date == datetime.date(2026, 2, 1)
        assert change.annualised_kwh == Decimal(str(expected["annualised_kwh"]))
        assert change.new_kwh == Decimal(str(expected["new_kwh"]))
        assert change.flagged == expected["flagged"] == "large_change"
        assert eac(point) == change.new_kwh

    def test_an_opening_read_accepted_moves_nothing(self):
        point = supply.meter_point(annual_kwh=("2900",), digits=5)
        # Held for another reason with no read before it: far in the past of the meter.
        (held,) = record(point, (at(2026, 1, 1), "1000"))
        models.Read.objects.filter(id=held.read_id).update(status="HELD", rule="checked")

        operations.resolve_held_read(
            read_id=held.read_id, decision="ACCEPT", note="", actor=PERSON, as_at=AS_AT
        )

        assert standing(point) == []
        assert eac(point) == Decimal("2900.0")

    def test_a_refusal_moves_nothing(self):
        point = supply.meter_point(annual_kwh=("2900",))
        record(point, (at(2026, 1, 1), "1000"))
        (held,) = record(point, (at(2026, 2, 1), "9000"))

        operations.resolve_held_read(
            read_id=held.read_id, decision="REFUSE", note="misread", actor=PERSON, as_at=AS_AT
        )

        assert standing(point) == []
        assert eac(point) == Decimal("2900.0")


class TestWithdrawingARead:
    def test_the_latest_read_withdrawn_reverts_to_the_value_before_it(self):
        point = supply.meter_point(annual_kwh=("2900",))
        _opening, february, march = one_by_one(
            point, (at(2026, 1, 1), "1000"), (at(2026, 2, 1), "1250"), (at(2026, 3, 1), "5000")
        )
        operations.resolve_held_read(
            read_id=march.read_id, decision="ACCEPT", note="photo", actor=PERSON, as_at=AS_AT
        )
        march_change = change_of(march.read_id)  # a large change, logged for review

        operations.withdraw_read(read_id=march.read_id, reason="misread", actor=PERSON, as_at=AS_AT)

        march_change.refresh_from_db()
        assert march_change.superseded_at == AS_AT
        assert eac(point) == figure(february) != Decimal("2900.0")
        assert standing(point) == []

    def test_a_middle_read_withdrawn_recalculates_over_the_longer_period(self):
        point = supply.meter_point(annual_kwh=("2900",))
        _opening, february, march = one_by_one(
            point, (at(2026, 1, 1), "1000"), (at(2026, 2, 1), "1250"), (at(2026, 3, 1), "1480")
        )
        # The same register without the February read: January to March in one step.
        twin = supply.meter_point(annual_kwh=("2900",))
        _twin_opening, twin_march = one_by_one(
            twin, (at(2026, 1, 1), "1000"), (at(2026, 3, 1), "1480")
        )

        operations.withdraw_read(
            read_id=february.read_id, reason="misread", actor=PERSON, as_at=AS_AT
        )

        restated = models.Read.objects.get(id=march.read_id)
        twin_read = models.Read.objects.get(id=twin_march.read_id)
        assert (restated.advance, restated.annualised_kwh, restated.annual_kwh) == (
            twin_read.advance,
            twin_read.annualised_kwh,
            twin_read.annual_kwh,
        )
        assert eac(point) == eac(twin) == restated.annual_kwh

    def test_the_opening_read_withdrawn_leaves_nothing_to_settle_from(self):
        point = supply.meter_point(annual_kwh=("2900",))
        opening, february = one_by_one(point, (at(2026, 1, 1), "1000"), (at(2026, 2, 1), "1250"))

        operations.withdraw_read(
            read_id=opening.read_id, reason="wrong meter", actor=PERSON, as_at=AS_AT
        )

        assert standing(point) == []
        assert eac(point) == Decimal("2900.0")
        assert models.Read.objects.get(id=february.read_id).advance is None

    def test_a_held_read_withdrawn_moves_nothing(self):
        point = supply.meter_point(annual_kwh=("2900",))
        record(point, (at(2026, 1, 1), "1000"))
        (held,) = record(point, (at(2026, 2, 1), "9000"))

        operations.withdraw_read(read_id=held.read_id, reason="dupe", actor=PERSON, as_at=AS_AT)

        assert standing(point) == []
        assert eac(point) == Decimal("2900.0")

    def test_a_replaced_read_settles_as_if_the_right_value_came_first(self):
        point = supply.meter_point(annual_kwh=("2900",))
        _opening, wrong = one_by_one(point, (at(2026, 1, 1), "1000"), (at(2026, 2, 1), "1300"))
        twin = supply.meter_point(annual_kwh=("2900",))
        one_by_one(twin, (at(2026, 1, 1), "1000"), (at(2026, 2, 1), "1200"))

        outcome = operations.replace_read(
            read_id=wrong.read_id, value=Decimal("1200"), reason="typo", actor=PERSON, as_at=AS_AT
        )

        assert standing(point) == []
        assert eac(point) == eac(twin) == figure(outcome)


class TestReviewingAFlag:
    def test_a_reviewed_flag_leaves_the_list_with_who_and_when(self):
        point, change = held_large_change()
        assert [row.id for row in _flags()] == [change.id]

        operations.review_settlement_flag(
            change_id=change.id, note="customer confirmed", actor=PERSON, as_at=AS_AT
        )

        change.refresh_from_db()
        assert (change.reviewed_at, change.reviewed_by) == (AS_AT, "reviewer")
        assert _flags() == []
        entry = AuditEntry.objects.filter(trail=f"meter_point:{point.id}").latest("id")
        assert entry.changes["note"] == [None, "customer confirmed"]

    def test_twice_is_refused(self):
        _point, change = held_large_change()
        operations.review_settlement_flag(change_id=change.id, actor=PERSON, as_at=AS_AT)

        with pytest.raises(InvalidInput) as refused:
            operations.review_settlement_flag(change_id=change.id, actor=PERSON, as_at=AS_AT)

        assert refused.value.problems[0].rule == "reviewed"

    def test_a_change_whose_read_was_withdrawn_leaves_the_list(self):
        _point, change = held_large_change()

        operations.withdraw_read(read_id=change.read_id, reason="wrong", actor=PERSON, as_at=AS_AT)

        assert _flags() == []
        with pytest.raises(InvalidInput) as refused:
            operations.review_settlement_flag(change_id=change.id, actor=PERSON, as_at=AS_AT)
        assert refused.value.problems[0].rule == "superseded"

    def test_an_unflagged_change_is_not_logged_nor_a_flag(self):
        point = supply.meter_point(annual_kwh=("2900",))
        _opening, february = one_by_one(point, (at(2026, 1, 1), "1000"), (at(2026, 2, 1), "1250"))

        assert figure(february) != Decimal("2900.0")  # recalculated, on the read
        assert standing(point) == []
        with pytest.raises(NotFound):
            operations.review_settlement_flag(change_id=10**9, actor=PERSON, as_at=AS_AT)


def _flags():
    return queries.settlement_flags()


def _signed_in(role: Role | None) -> Client:
    client = Client()
    if role is not None:
        user = people.make_user(role)
        assert client.login(username=user.username, password=people.PASSWORD)
    return client


class TestTheFlagsPage:
    @pytest.mark.parametrize("role", MAY_WORK)
    def test_the_team_sees_each_flag_with_its_numbers(self, role):
        point, change = held_large_change()

        response = _signed_in(role).get("/reads/settlement-flags/")

        body = response.content.decode()
        assert response.status_code == 200
        assert point.identifier in body
        assert "2,900" in body  # previous
        assert f"{change.new_kwh:,.1f}".rstrip("0").rstrip(".") in body
        assert "Large change (applied)" in body
        assert "1 Feb 2026" in body

    def test_marking_one_reviewed_takes_it_off_the_list(self):
        _point, change = held_large_change()
        client = _signed_in(Role.BILLING)

        response = client.post(f"/reads/settlement-flags/{change.id}/review/")

        assert (response.status_code, response["Location"]) == (303, "/reads/settlement-flags/")
        assert b"Nothing flagged" in client.get("/reads/settlement-flags/").content
        change.refresh_from_db()
        assert change.reviewed_by is not None

    def test_marking_one_twice_says_why_not(self):
        _point, change = held_large_change()
        client = _signed_in(Role.BILLING)
        client.post(f"/reads/settlement-flags/{change.id}/review/")

        again = client.post(f"/reads/settlement-flags/{change.id}/review/")

        assert again.status_code == 422
        assert b"already reviewed" in again.content

    @pytest.mark.parametrize("role", MAY_NOT)
    def test_others_are_refused_and_change_nothing(self, role):
        point, change = held_large_change()
        client = _signed_in(role)

        listing = client.get("/reads/settlement-flags/")
        reviewed = client.post(f"/reads/settlement-flags/{change.id}/review/")

        assert (listing.status_code, reviewed.status_code) == (403, 403)
        assert point.identifier.encode() not in listing.content + reviewed.content
        change.refresh_from_db()
        assert change.reviewed_at is None

    def test_anonymous_visitors_sign_in_first_and_change_nothing(self):
        _point, change = held_large_change()
        client = _signed_in(None)

        for response in (
            client.get("/reads/settlement-flags/"),
            client.post(f"/reads/settlement-flags/{change.id}/review/"),
        ):
            assert response.status_code == 302
            assert response["Location"].startswith("/login/")
        change.refresh_from_db()
        assert change.reviewed_at is None

    def test_a_missing_flag_is_not_found(self):
        assert (
            _signed_in(Role.BILLING).post("/reads/settlement-flags/999999/review/").status_code
            == 404
        )


def _token(role: Role) -> dict[str, str]:
    user = people.make_user(role)
    token, _expires = identity_operations.issue_token(
        username=user.username, password=people.PASSWORD, as_at=datetime.datetime.now(datetime.UTC)
    )
    return {"Authorization": f"Bearer {token}"}


class TestTheFlagsApi:
    def test_the_team_lists_and_reviews_flags(self):
        point, change = held_large_change()
        client = Client(headers=_token(Role.BILLING))

        listing = client.get("/api/v1/settlement/flags")
        reviewed = client.post(
            f"/api/v1/settlement/flags/{change.id}/review",
            {"note": "checked the photo"},
            content_type="application/json",
        )
        again = client.post(
            f"/api/v1/settlement/flags/{change.id}/review", {}, content_type="application/json"
        )

        (item,) = listing.json()["items"]
        assert (item["id"], item["meter_point"], item["meter_register"]) == (
            change.id,
            point.identifier,
            "1",
        )
        assert (item["rule"], item["previous_kwh"], item["effective_date"]) == (
            "large_change",
            "2900.0",
            "2026-02-01",
        )
        assert reviewed.status_code == 200
        assert reviewed.json()["id"] == change.id
        assert again.status_code == 422
        assert [(p["field"], p["rule"]) for p in again.json()["detail"]] == [("change", "reviewed")]
        assert client.get("/api/v1/settlement/flags").json()["items"] == []

    @pytest.mark.parametrize("role", MAY_NOT)
    def test_others_are_refused_and_change_nothing(self, role):
        _point, change = held_large_change()
        client = Client(headers=_token(role))

        listing = client.get("/api/v1/settlement/flags")
        reviewed = client.post(
            f"/api/v1/settlement/flags/{change.id}/review", {}, content_type="application/json"
        )

        for response in (listing, reviewed):
            assert (response.status_code, response.json()) == (403, {"detail": "Not allowed"})
        change.refresh_from_db()
        assert change.reviewed_at is None

    def test_anonymous_callers_are_refused(self):
        _point, change = held_large_change()

        listing = Client().get("/api/v1/settlement/flags")
        reviewed = Client().post(
            f"/api/v1/settlement/flags/{change.id}/review", {}, content_type="application/json"
        )

        assert (listing.status_code, reviewed.status_code) == (401, 401)
        change.refresh_from_db()
        assert change.reviewed_at is None

    def test_a_missing_flag_is_not_found(self):
        response = Client(headers=_token(Role.BILLING)).post(
            "/api/v1/settlement/flags/999999/review", {}, content_type="application/json"
        )

        assert (response.status_code, response.json()) == (404, {"detail": "Not found"})


def _expected(annual: str, since: datetime.date, until: datetime.date, kwh: int) -> Decimal:
    (row,) = settlement.recalculate(
        pl.DataFrame(
            {
                "fuel": ["ELECTRICITY"],
                "previous_date": [since],
                "read_date": [until],
                "consumption_milli": [kwh * 1000],
                "annual_kwh": [float(annual)],
            }
        )
    ).iter_rows(named=True)
    return Decimal(str(row["new_kwh"]))


class TestFiguresInForceOnTheirOwnDate:
    def test_a_back_dated_read_carries_the_figure_of_its_date_and_the_next_is_reblended(self):
        point = supply.meter_point(annual_kwh=("2900",))
        _opening, march = one_by_one(point, (at(2026, 1, 1), "1000"), (at(2026, 3, 1), "1480"))
        assert figure(march) != Decimal("2900.0")

        (february,) = record(point, (at(2026, 2, 1), "1250"))

        assert figure(february) == Decimal("2900.0")  # January's, not March's
        assert figure(march) == _expected(
            "2900.0", datetime.date(2026, 2, 1), datetime.date(2026, 3, 1), 230
        )

    def test_a_held_read_accepted_before_a_later_one_restates_it_from_its_own_figure(self):
        point = supply.meter_point(annual_kwh=("2900",))
        _december, january = one_by_one(point, (at(2025, 12, 1), "700"), (at(2026, 1, 1), "1000"))
        (february,) = record(point, (at(2026, 2, 1), "1250"))
        models.Read.objects.filter(id=february.read_id).update(
            status="HELD", rule="checked", annual_kwh=None
        )
        (april,) = record(point, (at(2026, 4, 1), "1700"))  # judged against January

        operations.resolve_held_read(
            read_id=february.read_id, decision="ACCEPT", note="", actor=PERSON, as_at=AS_AT
        )

        assert figure(february) == figure(january) != Decimal("2900.0")
        assert figure(april) == _expected(
            str(figure(january)), datetime.date(2026, 2, 1), datetime.date(2026, 4, 1), 450
        )
