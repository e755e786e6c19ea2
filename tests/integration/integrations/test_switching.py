"""Registrations at the Central Switching Service (the simulator, over HTTP on 127.0.0.1):
a signed order's meter points are registered and accepted from the next working day, or
rejected, or objected to; a cooling-off cancellation withdraws them; an erroneous
transfer is annulled and compensated; a loss is recorded and announced. The same inbound
message twice changes nothing; a post that fails is tried again."""

from __future__ import annotations

import datetime
import socket

import pytest
from django.core.management import call_command

from kilowatt.identity.domain.roles import ANONYMOUS, Role
from kilowatt.integrations import operations
from kilowatt.integrations.models import SwitchingMessage
from kilowatt.integrations.operations import _switching
from kilowatt.ledger import queries as ledger_queries
from kilowatt.platform import events
from kilowatt.platform.models import AuditEntry, OutboxEvent
from kilowatt.sales import models as sales_models
from kilowatt.sales import operations as sales_operations
from kilowatt.simulators.switching_service import SwitchingServiceServer
from tests.factories import book
from tests.factories.sales import REGION, home_order, sign

pytestmark = pytest.mark.django_db
FRIDAY = datetime.datetime(2026, 1, 16, 10, 0, tzinfo=datetime.UTC)
MONDAY = datetime.date(2026, 1, 19)
MAUNDY_THURSDAY = datetime.datetime(2026, 4, 2, 10, 0, tzinfo=datetime.UTC)
EASTER_TUESDAY = datetime.date(2026, 4, 7)  # after Good Friday, the weekend, Easter Monday


@pytest.fixture(autouse=True)
def tariffs(db):
    book.price_list(by=book.principal(Role.SYSADMIN, username="pricing"), region=REGION)


@pytest.fixture
def css(settings):
    with SwitchingServiceServer() as server:
        settings.CSS_URL = server.url
        settings.CSS_API_KEY = ""
        settings.CSS_PARTICIPANT_ID = "KWLT"
        yield server


def signed_order(at: datetime.datetime) -> sales_models.Order:
    """A dual-fuel home order signed at ``at``, its signing announced (dispatched)."""
    order = sales_operations.submit_order(
        by=ANONYMOUS, channel="WEB", request=home_order(), as_at=at
    ).order
    sign(order, at=at)
    events.dispatch(as_at=at + datetime.timedelta(minutes=5))
    order.refresh_from_db()
    return order


def exchange(at: datetime.datetime) -> tuple[int, int]:
    """Send what is queued and fetch the answers; return (sent, applied)."""
    return (
        operations.send_switching_messages(as_at=at, limit=100),
        operations.fetch_switching_messages(as_at=at + datetime.timedelta(minutes=1)),
    )


def registrations(order: sales_models.Order) -> dict[str, tuple[str, datetime.date | None]]:
    return {
        s.fuel: (s.registration, s.supply_start_date)
        for s in sales_models.OrderSupply.objects.filter(order=order)
    }


def supply(order: sales_models.Order, fuel: str) -> sales_models.OrderSupply:
    return sales_models.OrderSupply.objects.get(order=order, fuel=fuel)


def test_a_signed_order_is_registered_and_accepted_from_the_next_working_day(css):
    order = signed_order(FRIDAY)
    assert registrations(order) == {"ELECTRICITY": ("REQUESTED", None), "GAS": ("REQUESTED", None)}
    queued = SwitchingMessage.objects.filter(direction="OUTBOUND", status="QUEUED")
    assert queued.count() == 2
    assert exchange(FRIDAY + datetime.timedelta(minutes=10)) == (2, 8)
    assert registrations(order) == {
        "ELECTRICITY": ("ACCEPTED", MONDAY),
        "GAS": ("ACCEPTED", MONDAY),
    }
    order.refresh_from_db()
    assert order.status == "LIVE"
    received = [
        m for m in css.service.sent() if m["header"]["recipient"] == "KWLT"
    ]  # everything the CSS said to us was fetched and acknowledged
    assert not css.service.messages_for("KWLT") and len(received) == 8
    electricity = supply(order, "ELECTRICITY")
    request = SwitchingMessage.objects.get(key=f"SwitchRequest:{electricity.id}")
    assert request.status == "SENT" and request.attempts == 1
    assert request.payload["body"] == {
        "supplierGeneratedReference": f"{order.reference}/{electricity.id}",
        "mpxn": electricity.identifier,
        "fuelType": "E",
        "domesticPremisesInd": True,
        "changeOfOccupancyInd": False,
    }
    # the same order announced again queues nothing more
    assert operations.request_registrations(order_id=order.id, as_at=FRIDAY) == 0
    assert exchange(FRIDAY + datetime.timedelta(minutes=20)) == (0, 0)


def test_over_a_bank_holiday_weekend_the_supply_starts_the_next_working_day(css):
    order = signed_order(MAUNDY_THURSDAY)
    exchange(MAUNDY_THURSDAY + datetime.timedelta(minutes=10))
    assert registrations(order) == {
        "ELECTRICITY": ("ACCEPTED", EASTER_TUESDAY),
        "GAS": ("ACCEPTED", EASTER_TUESDAY),
    }


def test_a_rejected_registration_stops_the_order_for_a_person(css):
    order = sales_operations.submit_order(
        by=ANONYMOUS, channel="WEB", request=home_order(fuels=("ELECTRICITY",)), as_at=FRIDAY
    ).order
    identifier = order.supplies.get().identifier
    css.service.script(identifier, "reject", reason="DEENERGISED")
    sign(order, at=FRIDAY)
    events.dispatch(as_at=FRIDAY)
    exchange(FRIDAY + datetime.timedelta(minutes=10))
    electricity = supply(order, "ELECTRICITY")
    assert electricity.registration == "REJECTED"
    assert electricity.registration_reason == "DEENERGISED"
    order.refresh_from_db()
    assert order.status == "EXCEPTION" and order.exception_rule == "registration_rejected"


def test_an_objection_is_recorded_with_its_reason(css):
    order = sales_operations.submit_order(
        by=ANONYMOUS, channel="WEB", request=home_order(), as_at=FRIDAY
    ).order
    gas = order.supplies.get(fuel="GAS")
    css.service.script(gas.identifier, "object", reason="outstanding debt")
    sign(order, at=FRIDAY)
    events.dispatch(as_at=FRIDAY)
    exchange(FRIDAY + datetime.timedelta(minutes=10))
    assert registrations(order) == {"ELECTRICITY": ("ACCEPTED", MONDAY), "GAS": ("OBJECTED", None)}
    assert supply(order, "GAS").registration_reason == "outstanding debt"
    order.refresh_from_db()
    assert order.status == "EXCEPTION" and order.exception_rule == "registration_objected"


def test_a_cooling_off_cancellation_withdraws_the_registrations(css):
    order = signed_order(FRIDAY)
    exchange(FRIDAY + datetime.timedelta(minutes=10))
    cancelled_at = FRIDAY + datetime.timedelta(days=3)
    sales_operations.cancel_order_by_link(
        token=sales_operations.cancellation_token(order.id),
        reason="changed my mind",
        as_at=cancelled_at,
    )
    events.dispatch(as_at=cancelled_at)
    withdrawals = SwitchingMessage.objects.filter(message_type="WithdrawalRequest")
    assert withdrawals.count() == 2
    # each names the CSS's registration, learnt from its answers
    assert all(w.payload["body"]["registrationId"].startswith("R") for w in withdrawals)
    assert exchange(cancelled_at) == (2, 2)
    assert {r for r, _ in registrations(order).values()} == {"WITHDRAWN"}
    assert {r["registrationStatus"] for r in css.service.registrations()} == {"Withdrawn"}
    for identifier in order.supplies.values_list("identifier", flat=True):
        assert css.service.holder(identifier) == "PREV"


def test_a_request_never_sent_is_cancelled_instead_of_withdrawn(css):
    order = signed_order(FRIDAY)
    sales_operations.cancel_order_by_link(
        token=sales_operations.cancellation_token(order.id), as_at=FRIDAY
    )
    events.dispatch(as_at=FRIDAY + datetime.timedelta(minutes=6))
    assert {r for r, _ in registrations(order).values()} == {"WITHDRAWN"}
    assert set(
        SwitchingMessage.objects.filter(direction="OUTBOUND").values_list("status", flat=True)
    ) == {"CANCELLED"}
    assert exchange(FRIDAY + datetime.timedelta(minutes=10)) == (0, 0)
    assert css.service.registrations() == []


def test_an_erroneous_transfer_is_annulled_and_compensated(css):
    order = signed_order(FRIDAY)
    exchange(FRIDAY + datetime.timedelta(minutes=10))
    later = FRIDAY + datetime.timedelta(days=20)
    sales_operations.dispute_transfer(
        by=book.principal(Role.ADMIN), reference=order.reference, reason="never agreed", as_at=later
    )
    events.dispatch(as_at=later)
    annulments = SwitchingMessage.objects.filter(message_type="AnnulmentRequest")
    assert [a.payload["body"]["annulmentReason"] for a in annulments] == ["never agreed"] * 2
    assert exchange(later) == (2, 2)
    assert {r for r, _ in registrations(order).values()} == {"ANNULLED"}
    order.refresh_from_db()
    assert order.status == "CANCELLED"
    assert ledger_queries.balance_for_account(holder=order.account_id) == -3000


def test_the_same_inbound_message_fetched_twice_changes_nothing(css, monkeypatch):
    order = signed_order(FRIDAY)
    assert (
        operations.send_switching_messages(as_at=FRIDAY + datetime.timedelta(minutes=5), limit=100)
        == 2
    )
    lost = []
    monkeypatch.setattr(_switching, "_acknowledge", lambda **kwargs: lost.append(kwargs["ids"]))
    assert operations.fetch_switching_messages(as_at=FRIDAY) == 8
    assert sum(len(ids) for ids in lost) == 8
    kept = SwitchingMessage.objects.filter(direction="INBOUND").count()
    trail = AuditEntry.objects.count()
    events_before = OutboxEvent.objects.count()
    monkeypatch.undo()
    # the acknowledgements were lost: the CSS sends the same messages again
    assert len(css.service.messages_for("KWLT")) == 8
    assert operations.fetch_switching_messages(as_at=FRIDAY + datetime.timedelta(hours=1)) == 0
    assert SwitchingMessage.objects.filter(direction="INBOUND").count() == kept == 8
    assert AuditEntry.objects.count() == trail
    assert OutboxEvent.objects.count() == events_before
    assert css.service.messages_for("KWLT") == []  # acknowledged this time
    assert registrations(order)["GAS"] == ("ACCEPTED", MONDAY)


def test_a_post_that_fails_is_tried_again_later_and_sent_once(css):
    signed_order(FRIDAY)
    css.service.fail_next_posts(1)
    at = FRIDAY + datetime.timedelta(minutes=10)
    assert operations.send_switching_messages(as_at=at, limit=100) == 1
    failed = SwitchingMessage.objects.get(direction="OUTBOUND", attempts=1, status="QUEUED")
    assert failed.last_error.startswith("503")
    assert failed.next_attempt_at == at + datetime.timedelta(minutes=1)
    assert operations.send_switching_messages(as_at=at, limit=100) == 0  # not due yet
    assert operations.send_switching_messages(as_at=failed.next_attempt_at, limit=100) == 1
    failed.refresh_from_db()
    assert failed.status == "SENT" and failed.attempts == 2
    assert len(css.service.registrations()) == 2


def test_an_unreachable_css_is_retried_and_a_message_sent_twice_is_one_registration(css, settings):
    signed_order(FRIDAY)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.CSS_URL = f"http://127.0.0.1:{closed.getsockname()[1]}"
    assert (
        operations.send_switching_messages(as_at=FRIDAY + datetime.timedelta(minutes=5), limit=100)
        == 0
    )
    assert set(SwitchingMessage.objects.values_list("attempts", "status")) == {(1, "QUEUED")}
    assert "unreachable" in SwitchingMessage.objects.first().last_error  # type: ignore[union-attr]
    settings.CSS_URL = css.url
    later = FRIDAY + datetime.timedelta(minutes=10)
    assert operations.send_switching_messages(as_at=later, limit=100) == 2
    # a crash after the CSS's answer and before our commit: the same message goes again
    SwitchingMessage.objects.filter(direction="OUTBOUND").update(status="QUEUED")
    assert operations.send_switching_messages(as_at=later, limit=100) == 2
    assert len(css.service.registrations()) == 2
    assert len(css.service.messages_for("KWLT")) == 8


def test_a_loss_of_a_meter_point_we_hold_is_recorded_and_announced(css):
    order = signed_order(FRIDAY)
    exchange(FRIDAY + datetime.timedelta(minutes=10))
    electricity = supply(order, "ELECTRICITY")
    css.service.announce_loss(
        electricity.identifier, gaining_supplier="OTHR", supply_start_date=datetime.date(2026, 3, 2)
    )
    css.service.announce_loss("1312345678907", incumbent="KWLT")  # not ours
    later = FRIDAY + datetime.timedelta(days=30)
    assert operations.fetch_switching_messages(as_at=later) == 1
    event = OutboxEvent.objects.get(name="integrations.supply.loss_notified.v1")
    assert event.payload["identifier"] == electricity.identifier
    assert event.payload["supply_end_date"] == "2026-03-02"
    assert event.payload["gaining_supplier"] == "OTHR"
    assert event.payload["meter_point_id"] > 0
    losses = SwitchingMessage.objects.filter(message_type="LossNotification").order_by("id")
    assert [loss.status for loss in losses] == ["APPLIED", "REFUSED"]
    assert "meter point" in losses[1].last_error
    # fetched again: nothing more
    assert operations.fetch_switching_messages(as_at=later) == 0
    assert OutboxEvent.objects.filter(name="integrations.supply.loss_notified.v1").count() == 1


def test_the_command_sends_fetches_and_reports(css, capsys):
    signed_order(FRIDAY)
    call_command("css", "send")
    call_command("css", "fetch")
    call_command("css", "status")
    out = capsys.readouterr().out
    assert "2 messages sent to the CSS" in out
    assert "8 messages from the CSS applied" in out
    assert "outbound sent      2" in out and "inbound  applied   8" in out


def test_a_loss_cancelled_before_its_date_stops_the_loss_journey(css):
    from kilowatt.journeys import models as journey_models

    order = signed_order(FRIDAY)
    exchange(FRIDAY + datetime.timedelta(minutes=10))
    electricity = supply(order, "ELECTRICITY")
    registration_id = css.service.announce_loss(
        electricity.identifier, gaining_supplier="OTHR", supply_start_date=datetime.date(2026, 3, 2)
    )
    later = FRIDAY + datetime.timedelta(days=30)
    operations.fetch_switching_messages(as_at=later)
    events.dispatch(as_at=later)
    assert journey_models.Loss.objects.get().status == "PENDING"

    css.service.cancel_loss(registration_id, reason="Withdrawn")
    assert operations.fetch_switching_messages(as_at=later) == 1
    events.dispatch(as_at=later)
    assert OutboxEvent.objects.filter(name="integrations.supply.loss_cancelled.v1").count() == 1
    assert journey_models.Loss.objects.get().status == "CANCELLED"


def test_a_rejected_registration_a_person_lets_go_on_is_asked_for_again(css):
    order = signed_order(FRIDAY)
    electricity = supply(order, "ELECTRICITY")
    css.service.script(electricity.identifier, "reject", reason="DEENERGISED")
    exchange(FRIDAY + datetime.timedelta(minutes=10))
    order.refresh_from_db()
    assert order.status == "EXCEPTION"
    sales_operations.proceed_with_order(
        by=book.principal(Role.ADMIN),
        reference=order.reference,
        note="energised again",
        as_at=FRIDAY + datetime.timedelta(hours=1),
    )
    events.dispatch(as_at=FRIDAY + datetime.timedelta(hours=1))
    exchange(FRIDAY + datetime.timedelta(hours=2))
    order.refresh_from_db()
    assert registrations(order)["ELECTRICITY"][0] == "ACCEPTED"
    assert order.status == "LIVE"
