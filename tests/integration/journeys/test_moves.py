"""Moves and losses end to end: the journey rows, the agreements, the emails, billing's
final bill and the account closed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kilowatt.accounts import models as account_models
from kilowatt.billing import models as billing_models
from kilowatt.billing import operations as billing_operations
from kilowatt.comms import models as comms_models
from kilowatt.config.events import HANDLERS
from kilowatt.identity.domain import roles
from kilowatt.identity.domain.roles import Role
from kilowatt.journeys import models, operations
from kilowatt.journeys.interfaces import handlers
from kilowatt.metering import models as metering_models
from kilowatt.platform import events
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.properties.domain.addresses import Address
from tests.integration.journeys.conftest import World

pytestmark = pytest.mark.django_db

RECORDED = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)
MOVING_DAY = datetime.date(2026, 3, 20)
FORWARDING = Address(address_line_1="1 New Road", town="Chester", postcode="ch1 2ab")
FINAL_BILLS = {"billing.invoice.final_issued.v1": (handlers.final_bill_issued,)}
LOSSES = {"integrations.supply.loss_notified.v1": (handlers.loss_notified,)}


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), datetime.UTC)


def _agreements(number: str) -> list[tuple[str, datetime.date | None]]:
    return list(
        account_models.Agreement.objects.filter(account__number=number)
        .order_by("meter_point__fuel")
        .values_list("meter_point__fuel", "valid_to")
    )


def _emails(prefix: str) -> list[comms_models.OutboundEmail]:
    return list(
        comms_models.OutboundEmail.objects.filter(idempotency_key__startswith=prefix).order_by("id")
    )


def _move_out(world: World, **overrides):
    arguments = {
        "by": world.customer,
        "account_number": world.home.account,
        "moving_out_on": MOVING_DAY,
        "forwarding_address": FORWARDING,
        "as_at": RECORDED,
    } | overrides
    return operations.record_move_out(**arguments)


def test_the_wiring_reacts_to_losses_and_final_bills():
    assert handlers.loss_notified in HANDLERS["integrations.supply.loss_notified.v1"]
    assert handlers.final_bill_issued in HANDLERS["billing.invoice.final_issued.v1"]


# --- moving out ---------------------------------------------------------------------------


def test_a_move_out_ends_the_supply_then_the_final_bill_closes_the_account(world):
    journey = _move_out(world)

    assert _agreements(world.home.account) == [
        ("ELECTRICITY", MOVING_DAY),
        ("GAS", MOVING_DAY),
    ]
    assert (journey.status, journey.origin, journey.forwarding_postcode) == (
        "OPEN",
        "CUSTOMER",
        "CH1 2AB",
    )
    (asked,) = _emails(f"move-out:{journey.id}:reading")
    assert asked.to_address == "lovelace@example.org"
    assert "/my/move-home/" in asked.text_body and "Friday 20 March 2026" in asked.text_body

    (site,) = world.home.sites
    operations.record_final_reading(
        by=world.customer,
        account_number=world.home.account,
        readings=[
            operations.FinalReading(site.mpan, "1", Decimal("1500")),
            operations.FinalReading(site.mprn, "1", Decimal("560")),
        ],
        as_at=at(MOVING_DAY, 8),
    )
    closing = metering_models.Read.objects.filter(
        meter_point__identifier=site.mpan, reference=f"move out {journey.id}"
    ).get()
    assert (closing.source, closing.read_at) == ("CUSTOMER", at(MOVING_DAY, 8))

    (final_id,) = billing_operations.issue_due_final_bills(
        as_at=at(MOVING_DAY + datetime.timedelta(days=3), 5)
    )
    final = billing_models.Invoice.objects.get(id=final_id)
    assert (final.is_final, final.period_end) == (True, MOVING_DAY)
    events.dispatch(as_at=at(MOVING_DAY, 6), handlers=FINAL_BILLS)

    journey.refresh_from_db()
    assert (journey.status, journey.final_invoice_id) == ("COMPLETED", final_id)
    account = account_models.Account.objects.get(number=world.home.account)
    assert account.status == "CLOSED"
    assert operations.advance_journeys(as_at=at(MOVING_DAY, 7)).readings_reminded == 0


def test_no_final_reading_by_the_day_after_brings_one_reminder(world):
    journey = _move_out(world)

    assert operations.advance_journeys(as_at=at(MOVING_DAY)).readings_reminded == 0
    day_after = MOVING_DAY + datetime.timedelta(days=1)
    assert operations.advance_journeys(as_at=at(day_after)).readings_reminded == 1
    assert operations.advance_journeys(as_at=at(day_after, 12)).readings_reminded == 0
    (reminder,) = _emails(f"move-out:{journey.id}:reading-reminder")
    assert world.home.account in reminder.text_body


def test_a_reading_given_with_the_move_out_on_the_day_asks_for_nothing(world):
    (site,) = world.home.sites
    journey = _move_out(
        world,
        as_at=at(MOVING_DAY, 9),
        final_reading=[operations.FinalReading(site.mpan, "1", Decimal("1490"))],
    )
    assert journey.final_reading_at is not None
    assert _emails(f"move-out:{journey.id}") == []


def test_bad_move_outs_are_refused_naming_the_field_and_rule_and_keep_nothing(world):
    cases = [
        ({"moving_out_on": datetime.date(2026, 2, 1)}, ("moving_out_on", "too_far_in_past")),
        ({"moving_out_on": datetime.date(2026, 7, 1)}, ("moving_out_on", "too_far_ahead")),
        (
            {"forwarding_address": Address(address_line_1="", town="X", postcode="L1 8JQ")},
            ("forwarding_address.address_line_1", "required"),
        ),
        (
            {"final_reading": [operations.FinalReading("x", "1", Decimal(1))]},
            ("final_reading", "before_moving_day"),
        ),
    ]
    for overrides, expected in cases:
        with pytest.raises(InvalidInput) as refused:
            _move_out(world, **overrides)
        assert (refused.value.problems[0].field, refused.value.problems[0].rule) == expected
    assert not models.MoveOut.objects.exists()
    assert _agreements(world.home.account) == [("ELECTRICITY", None), ("GAS", None)]

    _move_out(world)
    with pytest.raises(InvalidInput) as again:
        _move_out(world)
    assert again.value.problems[0].rule == "already_moving_out"


def test_an_account_not_active_cannot_move_out(world):
    account_models.Account.objects.filter(number=world.home.account).update(status="PENDING")
    with pytest.raises(InvalidInput) as refused:
        _move_out(world)
    assert (refused.value.problems[0].field, refused.value.problems[0].rule) == (
        "account",
        "not_active",
    )


def test_a_customer_moving_another_customers_account_is_not_found(world):
    with pytest.raises(NotFound):
        _move_out(world, by=world.other_customer)
    assert not models.MoveOut.objects.exists()
    assert not _emails("move-out:")


def test_staff_with_edit_customers_record_a_move_out_and_without_it_are_refused(world, monkeypatch):
    journey = _move_out(world, by=world.staff[Role.BILLING])
    assert journey.origin == "STAFF"

    monkeypatch.setitem(
        roles.PERMISSIONS,
        Role.BILLING,
        roles.PERMISSIONS[Role.BILLING] - {roles.Permission.EDIT_CUSTOMERS},
    )
    with pytest.raises(NotAllowed):
        _move_out(world, by=world.staff[Role.BILLING], account_number=world.other.account)
    assert models.MoveOut.objects.count() == 1


# --- moving in -----------------------------------------------------------------------------


def test_a_move_in_opens_an_occupier_account_and_greets_them(world):
    (site,) = world.home.sites
    journey = operations.record_move_in(
        by=world.staff[Role.BILLING],
        meter_point_identifiers=[site.mpan, site.mprn],
        moving_in_on=MOVING_DAY,
        email="new.occupier@example.org",
        as_at=RECORDED,
    )

    account = account_models.Account.objects.select_related("customer").get(id=journey.account_id)
    assert (account.status, account.payment_method) == ("ACTIVE", "ON_RECEIPT")
    assert (account.customer.first_name, account.customer.last_name) == ("The", "Occupier")
    assert list(
        account_models.Agreement.objects.filter(account=account)
        .order_by("tariff__code")
        .values_list("tariff__code", "valid_from", "valid_to")
    ) == [("DEEMED-ELEC-13", MOVING_DAY, None), ("DEEMED-GAS-13", MOVING_DAY, None)]
    # The previous occupier's supply ends the same day, as their move out.
    assert _agreements(world.home.account) == [("ELECTRICITY", MOVING_DAY), ("GAS", MOVING_DAY)]
    previous = models.MoveOut.objects.get(account__number=world.home.account)
    assert previous.origin == "MOVE_IN"
    (greeting,) = _emails(f"move-in:{journey.id}:greeting")
    assert greeting.to_address == "new.occupier@example.org"
    assert account.number in greeting.text_body and "/sign-up/" in greeting.text_body
    assert journey.status == "INVITED"

    # Reminded once, 14 days after the invitation, when they have not signed up.
    assert operations.advance_journeys(as_at=at(datetime.date(2026, 3, 23))).occupiers_reminded == 0
    done = operations.advance_journeys(as_at=at(datetime.date(2026, 3, 24)))
    assert done.occupiers_reminded == 1
    assert len(_emails(f"move-in:{journey.id}:reminder")) == 1
    # The previous occupier (gone) is not asked for a reading.
    assert done.readings_reminded == 0


def test_a_move_in_without_a_deemed_tariff_or_with_bad_input_is_refused(world):
    (site,) = world.home.sites
    account_models.Tariff.objects.filter(code="DEEMED-GAS-13").update(
        valid_to=datetime.date(2026, 3, 1)
    )
    with pytest.raises(InvalidInput) as refused:
        operations.record_move_in(
            by=world.staff[Role.BILLING],
            meter_point_identifiers=[site.mpan, site.mprn],
            moving_in_on=MOVING_DAY,
            occupier_name="Cher",
            email="not an email",
            as_at=RECORDED,
        )
    rules = {(p.field, p.rule) for p in refused.value.problems}
    assert rules == {
        ("meter_point_identifiers.1", "no_deemed_tariff"),
        ("occupier_name", "full_name"),
        ("email", "email_format"),
    }
    assert not models.MoveIn.objects.exists()
    assert _agreements(world.home.account) == [("ELECTRICITY", None), ("GAS", None)]


def test_only_staff_who_edit_customers_record_a_move_in(world):
    (site,) = world.home.sites
    with pytest.raises(NotAllowed):
        operations.record_move_in(
            by=world.customer,
            meter_point_identifiers=[site.mpan],
            moving_in_on=MOVING_DAY,
            as_at=RECORDED,
        )


# --- losses -------------------------------------------------------------------------------


def _announce_loss(identifier: str, point_id: int, end: datetime.date, registration: str) -> None:
    events.publish(
        name="integrations.supply.loss_notified.v1",
        payload={
            "identifier": identifier,
            "meter_point_id": point_id,
            "supply_end_date": end.isoformat(),
            "gaining_supplier": "OTHR",
            "registration_id": registration,
        },
        at=RECORDED,
    )


def test_a_loss_offers_to_keep_the_customer_then_ends_and_is_finally_billed(world):
    (site,) = world.home.sites
    end = datetime.date(2026, 3, 25)
    points = dict(
        metering_models.MeterPoint.objects.filter(
            identifier__in=[site.mpan, site.mprn]
        ).values_list("identifier", "id")
    )
    _announce_loss(site.mpan, points[site.mpan], end, "REG-1")
    _announce_loss(site.mpan, points[site.mpan], end, "REG-1")  # the same notice again
    _announce_loss(site.mprn, points[site.mprn], end, "REG-2")
    events.dispatch(as_at=RECORDED, handlers=LOSSES)

    losses = list(models.Loss.objects.order_by("id"))
    assert [(loss.identifier, loss.status) for loss in losses] == [
        (site.mpan, "PENDING"),
        (site.mprn, "PENDING"),
    ]
    offers = _emails(f"loss:{losses[0].id}:")
    assert len(offers) == 1
    assert "Kilowatt FIX12-ELEC-13" in offers[0].text_body
    assert losses[0].offer_tariff_code == "FIX12-ELEC-13"
    assert losses[0].offer_annual_pence < losses[0].current_annual_pence

    day_before = end - datetime.timedelta(days=1)
    assert operations.advance_journeys(as_at=at(day_before)).supplies_ended == 0
    assert _agreements(world.home.account) == [("ELECTRICITY", None), ("GAS", None)]
    assert operations.advance_journeys(as_at=at(end, 5)).supplies_ended == 2
    assert _agreements(world.home.account) == [("ELECTRICITY", end), ("GAS", end)]

    (final_id,) = billing_operations.issue_due_final_bills(
        as_at=at(end + datetime.timedelta(days=3), 6)
    )
    events.dispatch(as_at=at(end + datetime.timedelta(days=3), 7), handlers=FINAL_BILLS)
    assert set(models.Loss.objects.values_list("status", flat=True)) == {"COMPLETED"}
    assert account_models.Account.objects.get(number=world.home.account).status == "CLOSED"
    assert billing_models.Invoice.objects.get(id=final_id).period_end == end


def test_a_cancelled_loss_ends_nothing(world):
    (site,) = world.home.sites
    point = metering_models.MeterPoint.objects.get(identifier=site.mpan)
    end = datetime.date(2026, 3, 25)
    operations.record_loss(
        meter_point_id=point.id,
        identifier=site.mpan,
        supply_end_date=end,
        registration_id="REG-9",
        as_at=RECORDED,
    )
    operations.cancel_loss(registration_id="REG-9", as_at=at(datetime.date(2026, 3, 20)))

    assert operations.advance_journeys(as_at=at(end)).supplies_ended == 0
    assert _agreements(world.home.account) == [("ELECTRICITY", None), ("GAS", None)]
    assert models.Loss.objects.get().status == "CANCELLED"
