"""Messages of the Central Switching Service: what the client builds, what it reads back
and what it refuses (naming the field and rule); and the simulator's rules, apart from
HTTP: the next working day in England and Wales, the lifecycle of a registration, the
same message twice, withdrawals, annulments and losses."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.integrations.domain import css
from kilowatt.platform.errors import InvalidInput
from kilowatt.simulators import switching_service
from kilowatt.simulators.switching_service import Refused, SwitchingService

AT = datetime.datetime(2026, 1, 16, 10, 30, tzinfo=datetime.UTC)  # a Friday
MPAN = "1312345678907"
MPRN = "3938424403"


def _rules(error: InvalidInput) -> set[tuple[str, str]]:
    return {(problem.field, problem.rule) for problem in error.problems}


def _switch(*, message_id="0b9b6b1e-1111-4222-8333-444455556666", mpxn=MPAN, fuel="E", at=AT):
    return css.switch_request(
        message_id=message_id,
        created_at=at,
        sender="KWLT",
        reference=css.supplier_reference(order_reference="S00000001", supply_id=17),
        mpxn=mpxn,
        fuel=fuel,
        domestic=True,
    )


# --- the format ------------------------------------------------------------------------


def test_a_switch_request_is_the_documented_json():
    document = css.to_document(_switch())
    assert document == {
        "header": {
            "messageId": "0b9b6b1e-1111-4222-8333-444455556666",
            "messageType": "SwitchRequest",
            "createdAt": "2026-01-16T10:30:00Z",
            "sender": "KWLT",
            "recipient": "CSS",
            "correlationId": None,
        },
        "body": {
            "supplierGeneratedReference": "S00000001/17",
            "mpxn": MPAN,
            "fuelType": "E",
            "domesticPremisesInd": True,
            "changeOfOccupancyInd": False,
        },
    }
    assert css.FLOWS["SwitchRequest"] == "CSS1800"


def test_every_message_reads_back_as_built():
    messages = [
        _switch(),
        _switch(mpxn=MPRN, fuel="G"),
        css.withdrawal_request(
            message_id="aaaaaaaa-0001",
            created_at=AT,
            sender="KWLT",
            reference="S00000001/17",
            mpxn=MPAN,
            registration_id="R0123456789ABCDEF",
            reason="cooling-off",
        ),
        css.annulment_request(
            message_id="aaaaaaaa-0002",
            created_at=AT,
            sender="KWLT",
            reference="S00000001/17",
            mpxn=MPRN,
            registration_id=None,
            reason="never agreed",
        ),
    ]
    for message in messages:
        again = css.parse(json.loads(json.dumps(css.to_document(message))))
        assert again == message


def _inbound(message_type: str, body: dict) -> dict:
    return {
        "header": {
            "messageId": "c0ffee00-0000-4000-8000-000000000001",
            "messageType": message_type,
            "createdAt": "2026-01-16T10:30:01Z",
            "sender": "CSS",
            "recipient": "KWLT",
            "correlationId": "0b9b6b1e-1111-4222-8333-444455556666",
        },
        "body": body,
    }


ABOUT = {"supplierGeneratedReference": "S00000001/17", "mpxn": MPAN, "registrationId": "R1"}


def test_the_css_messages_are_read():
    rejected = css.parse(
        _inbound(
            "RegistrationValidation",
            {**ABOUT, "registrationRequestStatus": "Rejected", "rejectionReason": "UNKNOWN_MPXN"},
        )
    )
    assert rejected.body == css.RegistrationValidation(
        supplier_reference="S00000001/17",
        mpxn=MPAN,
        registration_id="R1",
        status="Rejected",
        rejection_reason="UNKNOWN_MPXN",
    )
    assert rejected.header.correlation_id == "0b9b6b1e-1111-4222-8333-444455556666"
    assert rejected.header.created_at == datetime.datetime(
        2026, 1, 16, 10, 30, 1, tzinfo=datetime.UTC
    )
    secured = css.parse(
        _inbound(
            "RegistrationStatusChange",
            {**ABOUT, "registrationStatus": "SecuredActive", "supplyStartDate": "2026-01-19"},
        )
    )
    assert secured.body.supply_start_date == datetime.date(2026, 1, 19)  # type: ignore[union-attr]
    cancelled = css.parse(
        _inbound(
            "RegistrationCancelled",
            {**ABOUT, "cancellationReason": "Objected", "cancellationDetail": "debt"},
        )
    )
    assert cancelled.body.reason == "Objected"  # type: ignore[union-attr]
    loss = css.parse(
        _inbound(
            "LossNotification",
            {
                "mpxn": MPAN,
                "registrationId": "R2",
                "gainingSupplierId": "OTHR",
                "supplyStartDate": "2026-02-02",
            },
        )
    )
    assert loss.body == css.LossNotification(
        mpxn=MPAN,
        registration_id="R2",
        gaining_supplier="OTHR",
        supply_start_date=datetime.date(2026, 2, 2),
    )
    # each type the CSS sends, in the documented shape, round-trips
    for message in (rejected, secured, cancelled, loss):
        assert css.parse(css.to_document(message)) == message


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("not an object", ("message", "type")),
        ({"body": {}}, ("header", "type")),
        (
            {**_inbound("RegistrationValidation", ABOUT), "header": {"messageType": "Nope"}},
            ("header.messageType", "unknown_type"),
        ),
        (
            _inbound(
                "RegistrationStatusChange",
                {**ABOUT, "registrationStatus": "SecuredActive", "supplyStartDate": "2026-02-30"},
            ),
            ("body.supplyStartDate", "date"),
        ),
        (
            _inbound(
                "RegistrationStatusChange",
                {**ABOUT, "registrationStatus": "Active", "supplyStartDate": "2026-02-02"},
            ),
            ("body.registrationStatus", "choice"),
        ),
        (
            _inbound("PendingRegistration", {**ABOUT, "registrationStatus": "Pending"}),
            ("body.supplyStartDate", "required"),
        ),
        (
            _inbound(
                "RegistrationCancelled",
                {**ABOUT, "mpxn": "13123456789", "cancellationReason": "Withdrawn"},
            ),
            ("body.mpxn", "mpxn_format"),
        ),
        (
            _inbound("RegistrationValidation", {**ABOUT, "registrationRequestStatus": "Rejected"}),
            ("body.rejectionReason", "required"),
        ),
        (
            _inbound(
                "LossNotification",
                {"mpxn": MPAN, "registrationId": 7, "gainingSupplierId": "OTHR"},
            ),
            ("body.registrationId", "type"),
        ),
    ],
)
def test_a_message_that_breaks_the_format_is_refused_naming_field_and_rule(document, expected):
    with pytest.raises(InvalidInput) as refused:
        css.parse(document)
    assert expected in _rules(refused.value)


def test_a_time_without_its_zone_is_refused():
    document = _inbound("LossNotification", {})
    document["header"]["createdAt"] = "2026-01-16T10:30:01"
    with pytest.raises(InvalidInput) as refused:
        css.parse(document)
    assert ("header.createdAt", "format") in _rules(refused.value)


def test_the_client_will_not_build_what_the_css_cannot_take():
    with pytest.raises(InvalidInput) as refused:
        _switch(mpxn=MPRN, fuel="E")
    assert ("body.mpxn", "mpxn_format") in _rules(refused.value)
    with pytest.raises(InvalidInput) as refused:
        _switch(fuel="X")
    assert ("body.fuelType", "choice") in _rules(refused.value)
    with pytest.raises(InvalidInput) as refused:
        _switch(message_id="short")
    assert ("header.messageId", "format") in _rules(refused.value)
    with pytest.raises(InvalidInput) as refused:
        css.withdrawal_request(
            message_id="aaaaaaaa-0001",
            created_at=AT,
            sender="KWLT",
            reference="has a space",
            mpxn=MPAN,
            registration_id=None,
            reason="",
        )
    assert {("body.supplierGeneratedReference", "format"), ("body.reason", "length")} <= _rules(
        refused.value
    )


@given(supply_id=st.integers(min_value=1, max_value=10**15), order=st.from_regex(r"S\d{8}"))
def test_a_reference_names_its_supply(supply_id, order):
    reference = css.supplier_reference(order_reference=order, supply_id=supply_id)
    assert css.supply_id_from_reference(reference) == supply_id


def test_a_reference_not_ours_names_no_supply():
    assert css.supply_id_from_reference("OTHR-12ab") is None
    assert css.supply_id_from_reference("S1/x") is None


# --- the simulator's rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 1, 14), datetime.date(2026, 1, 15)),  # Wednesday -> Thursday
        (datetime.date(2026, 1, 16), datetime.date(2026, 1, 19)),  # Friday -> Monday
        (datetime.date(2026, 1, 17), datetime.date(2026, 1, 19)),  # Saturday -> Monday
        (datetime.date(2026, 4, 2), datetime.date(2026, 4, 7)),  # Good Friday, Easter Monday
        (datetime.date(2026, 12, 24), datetime.date(2026, 12, 29)),  # Christmas, Boxing Day (Mon)
        (datetime.date(2026, 8, 28), datetime.date(2026, 9, 1)),  # summer bank holiday
    ],
)
def test_the_next_working_day_in_england_and_wales(day, expected):
    assert switching_service.next_working_day(day) == expected


def _post(service: SwitchingService, message: css.Message, **changes) -> dict:
    document = css.to_document(message)
    document["body"].update(changes)
    answer, replayed = service.receive(json.dumps(document).encode(), participant="KWLT")
    assert not replayed
    return answer


def _types(service: SwitchingService, participant: str = "KWLT") -> list[tuple[str, str]]:
    return [
        (
            m["header"]["messageType"],
            m["body"].get("registrationRequestStatus")
            or m["body"].get("registrationStatus")
            or m["body"].get("cancellationReason")
            or m["body"].get("gainingSupplierId"),
        )
        for m in service.messages_for(participant)
    ]


def test_a_switch_is_validated_pending_confirmed_and_secured_from_the_next_working_day():
    service = SwitchingService()
    answer = _post(service, _switch())
    assert answer["acknowledgement"] == "Accepted"
    assert _types(service) == [
        ("RegistrationValidation", "Validated"),
        ("PendingRegistration", "Pending"),
        ("RegistrationStatusChange", "Confirmed"),
        ("RegistrationStatusChange", "SecuredActive"),
    ]
    secured = service.messages_for("KWLT")[-1]
    assert secured["body"]["supplyStartDate"] == "2026-01-19"  # requested on a Friday
    assert {m["header"]["correlationId"] for m in service.messages_for("KWLT")} == {
        "0b9b6b1e-1111-4222-8333-444455556666"
    }
    assert service.holder(MPAN) == "KWLT"
    # the supplier it was with hears of the loss
    assert _types(service, "PREV") == [("LossNotification", "KWLT")]


def test_the_request_day_is_the_uk_day():
    service = SwitchingService()
    late_thursday = datetime.datetime(2026, 1, 15, 23, 30, tzinfo=datetime.UTC)  # GMT: Thursday
    _post(service, _switch(at=late_thursday))
    assert service.messages_for("KWLT")[1]["body"]["supplyStartDate"] == "2026-01-16"
    summer_evening = datetime.datetime(2026, 7, 16, 23, 30, tzinfo=datetime.UTC)  # Fri 00:30 BST
    _post(service, _switch(message_id="bbbbbbbb-0001", mpxn=MPRN, fuel="G", at=summer_evening))
    assert service.messages_for("KWLT")[5]["body"]["supplyStartDate"] == "2026-07-20"


def test_the_same_message_twice_changes_nothing_and_another_body_under_its_id_is_refused():
    service = SwitchingService()
    document = json.dumps(css.to_document(_switch())).encode()
    first, _ = service.receive(document, participant="KWLT")
    again, replayed = service.receive(document, participant="KWLT")
    assert replayed and again == first
    assert len(service.messages_for("KWLT")) == 4
    assert len(service.registrations()) == 1
    other = css.to_document(_switch(mpxn=MPRN, fuel="G"))
    with pytest.raises(Refused) as refused:
        service.receive(json.dumps(other).encode(), participant="KWLT")
    assert refused.value.code == "message_id_reused"


def test_scripted_rejection_and_objection_and_an_unknown_mpan():
    service = SwitchingService()
    service.script(MPAN, "reject", reason="DEENERGISED")
    _post(service, _switch())
    assert _types(service) == [("RegistrationValidation", "Rejected")]
    assert service.messages_for("KWLT")[0]["body"]["rejectionReason"] == "DEENERGISED"
    service.script(MPRN, "object", reason="outstanding debt")
    _post(service, _switch(message_id="bbbbbbbb-0002", mpxn=MPRN, fuel="G"))
    assert _types(service)[1:] == [
        ("RegistrationValidation", "Validated"),
        ("PendingRegistration", "Pending"),
        ("RegistrationCancelled", "Objected"),
    ]
    assert service.messages_for("KWLT")[-1]["body"]["cancellationDetail"] == "outstanding debt"
    _post(service, _switch(message_id="bbbbbbbb-0003", mpxn="1312345678901"))
    last = service.messages_for("KWLT")[-1]["body"]
    assert (last["registrationRequestStatus"], last["rejectionReason"]) == (
        "Rejected",
        "UNKNOWN_MPXN",
    )


def test_a_withdrawal_and_an_annulment_give_the_meter_point_back():
    service = SwitchingService()
    _post(service, _switch())
    registration = service.messages_for("KWLT")[0]["body"]["registrationId"]
    withdrawal = css.withdrawal_request(
        message_id="cccccccc-0001",
        created_at=AT,
        sender="KWLT",
        reference="S00000001/17",
        mpxn=MPAN,
        registration_id=registration,
        reason="cooling-off",
    )
    _post(service, withdrawal)
    assert _types(service)[-1] == ("RegistrationCancelled", "Withdrawn")
    assert service.holder(MPAN) == "PREV"
    with pytest.raises(Refused) as refused:
        _post(
            service,
            css.annulment_request(
                message_id="cccccccc-0002",
                created_at=AT,
                sender="KWLT",
                reference="S00000001/17",
                mpxn=MPAN,
                registration_id=registration,
                reason="never agreed",
            ),
        )
    assert refused.value.code == "registration_closed"
    _post(service, _switch(message_id="cccccccc-0003", mpxn=MPRN, fuel="G"))
    annulment = css.annulment_request(
        message_id="cccccccc-0004",
        created_at=AT,
        sender="KWLT",
        reference="S00000001/17",
        mpxn=MPRN,
        registration_id=None,  # found by our reference
        reason="never agreed",
    )
    _post(service, annulment)
    assert _types(service)[-1] == ("RegistrationCancelled", "Annulled")
    assert service.holder(MPRN) == "PREV"


def test_a_scripted_loss_follows_the_switch_and_a_loss_can_be_announced():
    service = SwitchingService()
    service.script(MPAN, "loss", date=datetime.date(2026, 3, 2), gaining_supplier="BGAS")
    _post(service, _switch())
    loss = service.messages_for("KWLT")[-1]
    assert loss["header"]["messageType"] == "LossNotification"
    assert loss["body"]["gainingSupplierId"] == "BGAS"
    assert loss["body"]["supplyStartDate"] == "2026-03-02"
    assert service.holder(MPAN) == "BGAS"
    service.announce_loss(MPRN, incumbent="KWLT", supply_start_date=datetime.date(2026, 4, 1))
    assert service.messages_for("KWLT")[-1]["body"]["mpxn"] == MPRN


def test_acknowledged_messages_are_not_fetched_again():
    service = SwitchingService()
    _post(service, _switch())
    ids = [m["header"]["messageId"] for m in service.messages_for("KWLT")]
    assert service.messages_for("KWLT", limit=2) == service.messages_for("KWLT")[:2]
    assert service.acknowledge("KWLT", ids[:3]) == 3
    assert [m["header"]["messageId"] for m in service.messages_for("KWLT")] == ids[3:]
    assert service.acknowledge("OTHR", ids[3:]) == 0  # only its recipient acknowledges it


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fuelType": "X"}, "body.fuelType"),
        ({"mpxn": ""}, "body.mpxn"),
        ({"domesticPremisesInd": "yes"}, "body.domesticPremisesInd"),
    ],
)
def test_the_css_refuses_a_malformed_request_whole(change, field):
    service = SwitchingService()
    with pytest.raises(Refused) as refused:
        _post(service, _switch(), **change)
    assert refused.value.field == field
    assert service.messages_for("KWLT") == []


def test_a_sender_not_the_participant_is_refused():
    service = SwitchingService()
    document = json.dumps(css.to_document(_switch())).encode()
    with pytest.raises(Refused) as refused:
        service.receive(document, participant="OTHR")
    assert refused.value.code == "sender_mismatch"


def test_a_loss_cancelled_round_trips():
    from kilowatt.integrations.domain import css as css_format

    message = css_format.parse(
        {
            "header": {
                "messageId": "6f1c0f3e-5d0b-4d38-9c55-1a2b3c4d5e6f",
                "messageType": "LossCancelled",
                "createdAt": "2026-03-01T10:00:00Z",
                "sender": "CSS",
                "recipient": "KWLT",
            },
            "body": {
                "mpxn": "1200000000011",
                "registrationId": "R-1",
                "cancellationReason": "Withdrawn",
            },
        }
    )
    assert message.body == css_format.LossCancelled("1200000000011", "R-1", "Withdrawn")
    assert css_format.parse(css_format.to_document(message)) == message
