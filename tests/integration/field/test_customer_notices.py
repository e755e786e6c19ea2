"""What the customer gets from a field visit, on the real database: a missed appointment's
£30 credited at once to the account supplying the meter point (once, the ledger balanced)
with an apology by email; a booking confirmed by email, once per slot booked."""

from __future__ import annotations

import logging

import pytest

from kilowatt.accounts import models as account_models
from kilowatt.comms.models import OutboundEmail
from kilowatt.field import models, operations
from kilowatt.field.operations import _jobs
from kilowatt.identity.domain.roles import Role
from kilowatt.ledger import models as ledger_models
from kilowatt.ledger import queries as ledger_queries
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput
from kilowatt.platform.models import AuditEntry, OutboxEvent
from tests.factories import screens
from tests.integration.field.conftest import AS_AT, TOMORROW
from tests.integration.field.test_jobs import VISIT, move

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(db) -> screens.Supplied:
    """Ada, supplied since 1 February 2026 at one electricity meter point (a smart meter,
    so the visit is an exchange) in region 23, emailed at ada@example.org."""
    return screens.home_customer(by=screens.principal(Role.AGENT), region="23", with_gas=False)


@pytest.fixture
def account(home) -> account_models.Account:
    return account_models.Account.objects.get(number=home.accounts[0])


def slot_of(slot: str = "AM") -> models.Capacity:
    return models.Capacity.objects.get(region="23", date=TOMORROW, slot=slot)


def book(admin, identifier: str, slot: str = "AM", kind: str = "METER_EXCHANGE") -> models.Job:
    return operations.book_appointment(
        by=admin, identifier=identifier, capacity_id=slot_of(slot).id, kind=kind, as_at=AS_AT
    )


@pytest.fixture
def booked(plan, home, admin) -> models.Job:
    plan()
    return book(admin, home.mpans[0])


def compensation_postings() -> list[ledger_models.Transaction]:
    return list(ledger_models.Transaction.objects.filter(kind="COMPENSATION"))


def compensation_audit_actions() -> list[str]:
    return list(
        AuditEntry.objects.filter(entity="compensation")
        .order_by("id")
        .values_list("action", flat=True)
    )


class TestMissedAppointmentIsPaid:
    def test_credits_the_supplying_account_thirty_pounds_and_names_it(self, booked, admin, account):
        before = ledger_queries.balance_for_account(holder=account.id)

        move(admin, booked, "MISSED")

        assert ledger_queries.balance_for_account(holder=account.id) == before - 3000
        (posted,) = compensation_postings()
        assert posted.reference == f"missed-appointment:{booked.id}"
        totals = ledger_queries.trial_balance()
        assert sum(totals.values()) == 0
        assert totals["COMPENSATION"] == 3000
        (owed,) = models.Compensation.objects.all()
        assert (owed.account_id, owed.paid_at, owed.amount_pence) == (account.id, VISIT, 3000)
        (event,) = OutboxEvent.objects.filter(name="field.compensation.owed.v1")
        assert event.payload["account_id"] == account.id
        assert compensation_audit_actions() == ["PAID"]

    def test_pays_once_however_often_it_is_marked_or_replayed(self, booked, admin, account):
        move(admin, booked, "MISSED")
        with pytest.raises(InvalidInput):
            move(admin, booked, "MISSED")
        booked.refresh_from_db()
        # A retried worker reaching the payment step again (the row is already there).
        _jobs._owe_for_missed(booked, "x", actor=audit.SYSTEM, as_at=VISIT)

        assert len(compensation_postings()) == 1
        assert ledger_queries.balance_for_account(holder=account.id) == -3000
        assert models.Compensation.objects.count() == 1
        assert OutboxEvent.objects.filter(name="field.compensation.owed.v1").count() == 1
        assert OutboundEmail.objects.filter(idempotency_key__endswith=":missed").count() == 1

    def test_apologises_to_the_customer_by_email_saying_what_was_credited(
        self, booked, admin, home
    ):
        move(admin, booked, "MISSED")

        (email,) = OutboundEmail.objects.filter(idempotency_key=f"field-job:{booked.id}:missed")
        assert email.to_address == "ada@example.org"
        assert "£30" in email.subject
        assert home.accounts[0] in email.subject
        assert "Hello Ada Lovelace" in email.text_body
        assert "£30.00 to your account " + home.accounts[0] in email.text_body
        assert "Tuesday 24 November 2026 (morning, 08:00 to 12:00)" in email.text_body
        assert f"/meter-points/{home.mpans[0]}/book/" in email.text_body
        assert "0330 123 4567" in email.text_body

    def test_a_customer_without_an_address_is_paid_but_not_emailed(self, plan, admin):
        plan()
        home = screens.home_customer(
            by=screens.principal(Role.AGENT), region="23", with_gas=False, email=""
        )
        job = book(admin, home.mpans[0])
        supplied = account_models.Account.objects.get(number=home.accounts[0])

        move(admin, job, "MISSED")

        assert ledger_queries.balance_for_account(holder=supplied.id) == -3000
        assert not OutboundEmail.objects.filter(idempotency_key__endswith=":missed").exists()


class TestNoAccountSupplies:
    def test_the_payment_stays_owed_unpaid_and_nothing_fails(self, plan, point, admin, caplog):
        plan()
        job = book(admin, point.identifier, kind="SMART_INSTALL")  # a meter point nobody buys

        with caplog.at_level(logging.WARNING, logger="kilowatt.field.operations._jobs"):
            move(admin, job, "MISSED")

        (owed,) = models.Compensation.objects.all()
        assert (owed.account_id, owed.paid_at, owed.amount_pence) == (None, None, 3000)
        assert compensation_postings() == []
        assert not OutboundEmail.objects.exists()
        (event,) = OutboxEvent.objects.filter(name="field.compensation.owed.v1")
        assert event.payload["account_id"] is None
        assert f"compensation {owed.id} is left unpaid" in caplog.text
        assert compensation_audit_actions() == ["OWED"]


class TestBookingConfirmation:
    def test_confirms_the_visit_by_email_once(self, booked, admin, home):
        with pytest.raises(InvalidInput):  # a retry of the same booking is refused
            book(admin, home.mpans[0])

        (email,) = OutboundEmail.objects.all()
        assert email.idempotency_key == f"field-job:{booked.id}:booked:{slot_of().id}"
        assert email.to_address == "ada@example.org"
        assert email.subject == (
            "Your meter exchange is booked: Tuesday 24 November 2026, morning, 08:00 to 12:00"
        )
        body = email.text_body
        assert "booked for Tuesday 24 November 2026, in the morning, 08:00 to 12:00" in body
        assert f"Meter point: {home.mpans[0]} (account {home.accounts[0]})" in body
        assert "Someone aged 16 or over" in body
        assert "access to the meter" in body
        assert "call us on 0330 123 4567" in body

    def test_a_rebooking_into_another_slot_confirms_it_again(self, booked, admin, home):
        move(admin, booked, "ABORTED", reason="the customer asked for the afternoon", as_at=AS_AT)

        rebooked = book(admin, home.mpans[0], slot="PM")

        emails = list(OutboundEmail.objects.order_by("id"))
        assert [e.idempotency_key for e in emails] == [
            f"field-job:{booked.id}:booked:{slot_of('AM').id}",
            f"field-job:{rebooked.id}:booked:{slot_of('PM').id}",
        ]
        assert "afternoon, 12:00 to 18:00" in emails[1].subject

    def test_a_meter_point_nobody_is_supplied_at_gets_no_email(self, plan, point, admin):
        plan()

        book(admin, point.identifier, kind="SMART_INSTALL")

        assert not OutboundEmail.objects.exists()
