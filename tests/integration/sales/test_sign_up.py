"""A sign-up through the operations: refused whole or taken whole, signed with a one-time
code and sealed, activated, registered, live; cancelled in cooling-off; reversed."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from kilowatt.accounts import models as account_models
from kilowatt.comms import models as comms_models
from kilowatt.customers import models as customer_models
from kilowatt.identity.domain.roles import ANONYMOUS, Role
from kilowatt.ledger import queries as ledger_queries
from kilowatt.metering import models as metering_models
from kilowatt.platform.errors import InvalidInput, NotAllowed
from kilowatt.platform.models import OutboxEvent
from kilowatt.sales import models, operations
from kilowatt.sales.domain import orders
from kilowatt.sales.domain import seal as sealing
from kilowatt.sales.operations._seal import trust_roots
from tests.factories import book, people
from tests.factories.sales import NOW, REGION, business_order, code_sent_to, home_order, sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tariffs(db):
    book.price_list(by=book.principal(Role.SYSADMIN, username="pricing"), region=REGION)


def _submit(request=None, *, by=ANONYMOUS, channel="WEB", key=None, at=NOW):
    return operations.submit_order(
        by=by, channel=channel, request=request or home_order(), idempotency_key=key, as_at=at
    )


def _rules(error: InvalidInput) -> set[tuple[str, str]]:
    return {(p.field, p.rule) for p in error.problems}


def test_a_web_sign_up_waits_for_its_signature_with_the_contract_emailed():
    submitted = _submit()
    order = submitted.order
    assert submitted.created
    assert order.status == "AWAITING_SIGNATURE"
    assert order.reference == f"S{order.id:08d}"
    assert order.region == REGION
    contract = models.Contract.objects.get(order=order)
    assert bytes(contract.document).startswith(b"%PDF")
    email = comms_models.OutboundEmail.objects.get(idempotency_key=f"contract:{contract.id}:issued")
    assert email.to_address == "ada@example.com"
    assert "/sign/" in email.text_body
    assert email.attachments.get().content_type == "application/pdf"
    assert not customer_models.Customer.objects.exists()  # nothing recorded before signing


def test_signing_seals_the_contract_and_activates_the_account():
    order = _submit().order
    contract = sign(order)
    order.refresh_from_db()
    assert contract.status == "SIGNED"
    assert order.status == "SIGNED"
    verification = sealing.verify(bytes(contract.signed_document), trust_roots_pem=trust_roots())
    assert verification.ok, verification.problem
    assert contract.cooling_off_ends == datetime.date(2026, 1, 26)  # 14 days from the 13th
    account = account_models.Account.objects.get(id=order.account_id)
    assert account.status == "ACTIVE"
    assert account.payment_method == "DIRECT_DEBIT"
    customer = customer_models.Customer.objects.get(id=order.customer_id)
    assert customer.last_name == "Lovelace"
    assert customer.signed_up_by_id is None
    identifiers = {s.identifier for s in order.supplies.all()}
    assert (
        set(
            metering_models.MeterPoint.objects.filter(identifier__in=identifiers).values_list(
                "identifier", flat=True
            )
        )
        == identifiers
    )
    assert OutboxEvent.objects.filter(name="sales.order.signed.v1").count() == 1
    signed_mail = comms_models.OutboundEmail.objects.get(
        idempotency_key=f"contract:{contract.id}:signed"
    )
    assert "/sign-up/cancel/" in signed_mail.text_body


def test_a_changed_signed_contract_fails_verification():
    contract = sign(_submit().order)
    pdf = bytearray(bytes(contract.signed_document))
    at = pdf.index(b"Lovelace")
    pdf[at] = ord("X")
    assert not sealing.verify(bytes(pdf), trust_roots_pem=trust_roots()).ok


def test_accepted_registrations_start_the_agreements_and_the_order_goes_live():
    order = _submit().order
    sign(order)
    start = datetime.date(2026, 1, 13)
    for supply in order.supplies.all():
        operations.record_registration_outcome(
            supply_id=supply.id, outcome="ACCEPTED", supply_start_date=start, as_at=NOW
        )
        # told twice: nothing more happens
        operations.record_registration_outcome(
            supply_id=supply.id, outcome="ACCEPTED", supply_start_date=start, as_at=NOW
        )
    order.refresh_from_db()
    assert order.status == "LIVE"
    agreements = account_models.Agreement.objects.filter(account_id=order.account_id)
    assert agreements.count() == 2
    assert {a.valid_from for a in agreements} == {start}
    assert not models.OrderSupply.objects.filter(order=order, is_open=True).exists()
    assert comms_models.OutboundEmail.objects.filter(
        idempotency_key=f"order:{order.id}:live"
    ).exists()
    # once supplied, the meter point cannot be signed up again
    again = home_order(supplies=order_supplies(order))
    with pytest.raises(InvalidInput) as refused:
        _submit(again)
    assert ("supplies.0.identifier", "already_supplied") in _rules(refused.value)


def order_supplies(order):
    return tuple(orders.from_json(order.details).supplies)


def test_the_same_submission_twice_is_one_order():
    request = home_order()
    first = _submit(request, key="abc-123")
    second = _submit(request, key="abc-123")
    assert not second.created
    assert second.order.id == first.order.id
    assert models.Order.objects.count() == 1
    with pytest.raises(InvalidInput) as refused:
        _submit(dataclasses.replace(request, bill_delivery="PAPER"), key="abc-123")
    assert ("idempotency_key", "reused") in _rules(refused.value)


def test_a_meter_point_in_an_open_sign_up_is_a_duplicate():
    first = _submit().order
    with pytest.raises(InvalidInput) as refused:
        _submit(home_order(supplies=order_supplies(first)))
    assert ("supplies.0.identifier", "already_in_sign_up") in _rules(refused.value)
    assert models.Order.objects.count() == 1


def test_every_bad_field_is_named_and_nothing_is_written():
    request = home_order()
    bad = dataclasses.replace(
        request,
        sites=(dataclasses.replace(request.sites[0], postcode="NOT A CODE"),),
        supplies=(
            dataclasses.replace(request.supplies[0], identifier="1234567890123"),
            dataclasses.replace(request.supplies[1], identifier="12AB"),
        ),
        bank=orders.BankDetails("A Lovelace", "089999", "66374959"),
        consents=orders.Consents(terms=False, direct_debit_mandate=False),
    )
    with pytest.raises(InvalidInput) as refused:
        _submit(bad)
    assert {
        ("sites.0.postcode", "postcode_format"),
        ("supplies.0.identifier", "mpan"),
        ("supplies.1.identifier", "mprn"),
        ("bank.account_number", "bank_account"),
        ("consents.terms", "required"),
        ("consents.direct_debit_mandate", "required"),
    } <= _rules(refused.value)
    assert not models.Order.objects.exists()
    assert not comms_models.OutboundEmail.objects.exists()


def test_a_gas_check_digit_warning_waits_for_a_person_who_can_proceed_or_reject():
    request = home_order()
    gas = request.supplies[1]
    wrong = gas.identifier[:-2] + ("00" if gas.identifier[-2:] != "00" else "01")
    order = _submit(
        dataclasses.replace(
            request, supplies=(request.supplies[0], dataclasses.replace(gas, identifier=wrong))
        )
    ).order
    assert order.status == "EXCEPTION"
    assert order.exception_rule == "mprn_check_digits"
    assert not models.Contract.objects.filter(order=order).exists()
    agent = book.principal(Role.AGENT)
    with pytest.raises(NotAllowed):
        operations.proceed_with_order(by=agent, reference=order.reference, as_at=NOW)
    admin = book.principal(Role.ADMIN)
    operations.proceed_with_order(
        by=admin, reference=order.reference, note="MPRN confirmed", as_at=NOW
    )
    order.refresh_from_db()
    assert order.status == "AWAITING_SIGNATURE"
    assert models.Contract.objects.filter(order=order).exists()
    sign(order)  # the warned MPRN is recorded once a person accepted it
    order.refresh_from_db()
    assert order.status == "SIGNED"


def test_a_rejected_order_frees_its_meter_points():
    request = home_order(fuels=("GAS",))
    gas = request.supplies[0]
    wrong = gas.identifier[:-2] + ("00" if gas.identifier[-2:] != "00" else "01")
    order = _submit(
        dataclasses.replace(request, supplies=(dataclasses.replace(gas, identifier=wrong),))
    ).order
    admin = book.principal(Role.ADMIN)
    with pytest.raises(InvalidInput):
        operations.reject_order(by=admin, reference=order.reference, reason=" ", as_at=NOW)
    operations.reject_order(
        by=admin, reference=order.reference, reason="Not a gas supply", as_at=NOW
    )
    order.refresh_from_db()
    assert order.status == "REJECTED"
    assert not models.OrderSupply.objects.filter(is_open=True).exists()


def test_a_wrong_code_is_counted_and_signs_nothing():
    order = _submit().order
    contract = models.Contract.objects.get(order=order)
    operations.send_signing_code(contract_id=contract.id, as_at=NOW)
    right = code_sent_to("ada@example.com")
    wrong = "000000" if right != "000000" else "111111"
    with pytest.raises(InvalidInput) as refused:
        operations.sign_contract(
            contract_id=contract.id, code=wrong, ip_address="x", user_agent="y", as_at=NOW
        )
    assert ("code", "wrong_code") in _rules(refused.value)
    contract.refresh_from_db()
    assert contract.code_attempts == 1
    assert contract.status == "AWAITING_SIGNATURE"
    later = NOW + datetime.timedelta(minutes=31)
    with pytest.raises(InvalidInput):  # expired
        operations.sign_contract(
            contract_id=contract.id, code=right, ip_address="x", user_agent="y", as_at=later
        )
    assert not customer_models.Customer.objects.exists()


def test_cooling_off_cancellation_withdraws_and_closes_and_ends_on_its_last_day():
    order = _submit().order
    contract = sign(order)
    start = datetime.date(2026, 1, 14)
    for supply in order.supplies.all():
        operations.record_registration_outcome(
            supply_id=supply.id, outcome="ACCEPTED", supply_start_date=start, as_at=NOW
        )
    too_late = datetime.datetime.combine(
        contract.cooling_off_ends, datetime.time(12), datetime.UTC
    ) + datetime.timedelta(days=1)
    admin = book.principal(Role.ADMIN)
    with pytest.raises(InvalidInput) as refused:
        operations.cancel_order(by=admin, reference=order.reference, as_at=too_late)
    assert ("status", "cooling_off_ended") in _rules(refused.value)
    token = operations.cancellation_token(order.id)
    operations.cancel_order_by_link(
        token=token, reason="changed my mind", as_at=NOW + datetime.timedelta(hours=1)
    )
    order.refresh_from_db()
    assert order.status == "CANCELLED"
    assert account_models.Account.objects.get(id=order.account_id).status == "CLOSED"
    assert not account_models.Agreement.objects.filter(account_id=order.account_id).exists()
    assert OutboxEvent.objects.filter(name="sales.order.cancelled.v1").count() == 1


def test_an_erroneous_transfer_is_reversed_and_compensated():
    order = _submit().order
    sign(order)
    for supply in order.supplies.all():
        operations.record_registration_outcome(
            supply_id=supply.id,
            outcome="ACCEPTED",
            supply_start_date=datetime.date(2026, 1, 13),
            as_at=NOW,
        )
    admin = book.principal(Role.ADMIN)
    later = NOW + datetime.timedelta(days=20)
    operations.dispute_transfer(
        by=admin, reference=order.reference, reason="never agreed", as_at=later
    )
    assert OutboxEvent.objects.filter(name="sales.order.transfer_disputed.v1").count() == 1
    for supply in order.supplies.all():
        operations.record_registration_outcome(supply_id=supply.id, outcome="ANNULLED", as_at=later)
    order.refresh_from_db()
    assert order.status == "CANCELLED"
    assert ledger_queries.balance_for_account(holder=order.account_id) == -3000


def test_an_agent_earns_commission_by_their_managers_rule():
    manager = people.make_user(Role.SALES_MANAGER, username="manager")
    agent_user = people.make_user(Role.AGENT, username="shop-agent", manager_id=manager.id)
    models.CommissionRule.objects.create(
        manager=manager,
        product="Kilowatt Flexible Residential Electricity",
        amount_pence=2500,
        valid_from=datetime.date(2026, 1, 1),
        set_at=NOW,
    )
    from kilowatt.identity import queries as identity_queries

    agent = identity_queries.principal_for(agent_user)
    order = _submit(by=agent, channel="AGENT").order
    assert order.created_by_id == agent_user.id
    sign(order)
    earned = models.Commission.objects.get()
    assert (earned.agent_id, earned.amount_pence) == (agent_user.id, 2500)
    assert (
        customer_models.Customer.objects.get(
            id=models.Order.objects.get().customer_id
        ).signed_up_by_id
        == agent_user.id
    )


def test_only_the_right_people_take_sign_ups_on_each_channel():
    with pytest.raises(NotAllowed):
        _submit(by=ANONYMOUS, channel="AGENT")
    with pytest.raises(NotAllowed):
        _submit(by=book.principal(Role.BILLING), channel="PARTNER")
    with pytest.raises(NotAllowed):
        _submit(business_order(), by=book.principal(Role.SALES_MANAGER), channel="PARTNER")


def test_a_business_signs_many_sites_in_one_order():
    order = _submit(business_order(sites=3)).order
    assert order.supplies.count() == 3
    assert order.status == "CREDIT_CHECK"
    assert not models.Contract.objects.filter(order=order).exists()
    operations.record_credit_check(
        reference=order.reference, decision="PASS", agency_reference="CRA-1", as_at=NOW
    )
    sign(order)
    order.refresh_from_db()
    customer = customer_models.Customer.objects.get(id=order.customer_id)
    assert customer.kind == "BUSINESS"
    assert customer.contacts.get(role="PRIMARY").name == "Charles Babbage"


def test_unsigned_contracts_are_chased_then_lapse():
    order = _submit().order
    day = datetime.timedelta(days=1)
    assert operations.chase_unsigned_contracts(as_at=NOW + day) == (0, 0)
    assert operations.chase_unsigned_contracts(as_at=NOW + 2 * day) == (1, 0)
    assert operations.chase_unsigned_contracts(as_at=NOW + 2 * day) == (0, 0)  # once
    assert operations.chase_unsigned_contracts(as_at=NOW + 6 * day) == (1, 0)
    assert operations.chase_unsigned_contracts(as_at=NOW + 11 * day) == (1, 0)
    assert operations.chase_unsigned_contracts(as_at=NOW + 20 * day) == (0, 0)
    reminders = comms_models.OutboundEmail.objects.filter(idempotency_key__contains=":reminder:")
    assert reminders.count() == 3
    assert operations.chase_unsigned_contracts(as_at=NOW + 30 * day) == (0, 1)
    order.refresh_from_db()
    assert order.status == "CANCELLED"
    assert not models.OrderSupply.objects.filter(is_open=True).exists()


def test_a_business_that_fails_its_credit_check_waits_for_a_person():
    order = _submit(business_order(sites=1)).order
    operations.record_credit_check(
        reference=order.reference, decision="FAIL", reason="county court judgment", as_at=NOW
    )
    operations.record_credit_check(  # told twice: nothing more happens
        reference=order.reference, decision="FAIL", reason="county court judgment", as_at=NOW
    )
    order.refresh_from_db()
    assert (order.status, order.exception_rule) == ("EXCEPTION", "credit_check_failed")
    assert "county court judgment" in order.exception_message
    assert not models.Contract.objects.filter(order=order).exists()
    operations.proceed_with_order(
        by=book.principal(Role.ADMIN), reference=order.reference, note="deposit taken", as_at=NOW
    )
    order.refresh_from_db()
    assert order.status == "AWAITING_SIGNATURE"
    with pytest.raises(InvalidInput):
        operations.record_credit_check(reference=order.reference, decision="MAYBE", as_at=NOW)


def test_an_occupier_signing_up_properly_takes_over_without_a_switch():
    from kilowatt.accounts import operations as account_operations
    from kilowatt.customers import operations as customer_operations
    from kilowatt.customers.domain.customers import CustomerDetails

    setup = book.principal(Role.SYSADMIN)
    site = book.site(
        setup=setup, region=REGION, postcode="SW1A 2AA", profile_class="01", with_gas=False
    )
    occupier = customer_operations.create_customer(
        by=setup,
        details=CustomerDetails(kind="RESIDENTIAL", first_name="The", last_name="Occupier"),
        as_at=NOW,
    )
    deemed = account_operations.create_account(
        by=setup,
        customer_number=occupier.number,
        payment_method="DIRECT_DEBIT",
        bill_delivery="PAPER",
        as_at=NOW,
        occupier=True,
    )
    agreement_id = account_operations.add_agreement(
        by=setup,
        account_number=deemed.number,
        meter_point_identifier=site.mpan,
        tariff_code=book.tariff_code(
            fuel="ELECTRICITY",
            region=REGION,
            customer_kind="RESIDENTIAL",
            payment_method="DIRECT_DEBIT",
        ),
        valid_from=datetime.date(2026, 1, 2),  # moved in ten days ago
        as_at=NOW,
    ).id
    request = home_order(fuels=("ELECTRICITY",))
    request = dataclasses.replace(
        request, supplies=(dataclasses.replace(request.supplies[0], identifier=site.mpan),)
    )
    order = _submit(request).order  # not refused: the occupier is not under contract
    sign(order)
    order.refresh_from_db()
    tomorrow = datetime.date(2026, 1, 13)
    assert order.status == "LIVE"
    supply = order.supplies.get()
    assert (supply.registration, supply.supply_start_date) == ("ACCEPTED", tomorrow)
    assert account_models.Agreement.objects.get(id=agreement_id).valid_to == tomorrow
    new = account_models.Agreement.objects.get(account_id=order.account_id)
    assert new.valid_from == tomorrow
    # and nobody else can sign it up now
    with pytest.raises(InvalidInput) as refused:
        _submit(request)
    assert ("supplies.0.identifier", "already_supplied") in _rules(refused.value)


def test_a_cancelled_takeover_gives_the_supply_back_to_the_occupier():
    from kilowatt.accounts import operations as account_operations
    from kilowatt.customers import operations as customer_operations
    from kilowatt.customers.domain.customers import CustomerDetails

    setup = book.principal(Role.SYSADMIN)
    site = book.site(
        setup=setup, region=REGION, postcode="SW1A 2AA", profile_class="01", with_gas=False
    )
    occupier = customer_operations.create_customer(
        by=setup,
        details=CustomerDetails(kind="RESIDENTIAL", first_name="The", last_name="Occupier"),
        as_at=NOW,
    )
    deemed = account_operations.create_account(
        by=setup,
        customer_number=occupier.number,
        payment_method="DIRECT_DEBIT",
        bill_delivery="PAPER",
        as_at=NOW,
        occupier=True,
    )
    tariff = book.tariff_code(
        fuel="ELECTRICITY",
        region=REGION,
        customer_kind="RESIDENTIAL",
        payment_method="DIRECT_DEBIT",
    )
    account_operations.add_agreement(
        by=setup,
        account_number=deemed.number,
        meter_point_identifier=site.mpan,
        tariff_code=tariff,
        valid_from=datetime.date(2026, 1, 2),
        as_at=NOW,
    )
    request = home_order(fuels=("ELECTRICITY",))
    request = dataclasses.replace(
        request, supplies=(dataclasses.replace(request.supplies[0], identifier=site.mpan),)
    )
    order = _submit(request).order
    sign(order)
    later = NOW + datetime.timedelta(days=3)
    operations.cancel_order_by_link(token=operations.cancellation_token(order.id), as_at=later)
    order.refresh_from_db()
    supplied = sorted(
        account_models.Agreement.objects.filter(meter_point__identifier=site.mpan).values_list(
            "account_id", "valid_from", "valid_to"
        ),
        key=lambda row: row[1],
    )
    assert supplied == [
        (deemed.id, datetime.date(2026, 1, 2), datetime.date(2026, 1, 13)),
        (order.account_id, datetime.date(2026, 1, 13), datetime.date(2026, 1, 15)),
        (deemed.id, datetime.date(2026, 1, 15), None),
    ]


def test_a_full_mpan_keeps_its_profile_class_mtc_and_llfc():
    request = home_order(fuels=("ELECTRICITY",))
    core = request.supplies[0].identifier
    full = f"02 811 5AB {core}"
    order = _submit(
        dataclasses.replace(
            request,
            supplies=(dataclasses.replace(request.supplies[0], identifier=full),),
        )
    ).order
    sign(order)
    point = metering_models.MeterPoint.objects.get(identifier=core)
    assert (point.profile_class, point.meter_timeswitch_code, point.line_loss_factor_class) == (
        "02",
        "811",
        "5AB",
    )
