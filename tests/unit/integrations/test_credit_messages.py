"""Business credit checks: the request the client builds, the answer it reads back and
what it refuses (naming the field and rule); and the simulated agency's rules, apart
from HTTP: the deterministic decision, scripts, the same request twice, faults and the
refusal of a malformed request."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.integrations.domain import credit
from kilowatt.platform.errors import InvalidInput
from kilowatt.simulators import credit_agency
from kilowatt.simulators.credit_agency import CreditAgency, Refused

AT = datetime.datetime(2026, 1, 16, 10, 30, tzinfo=datetime.UTC)
REQUEST_ID = "0b9b6b1e-1111-4222-8333-444455556666"


def _rules(error: InvalidInput) -> set[tuple[str, str]]:
    return {(problem.field, problem.rule) for problem in error.problems}


def _request(**changes: str) -> credit.CheckRequest:
    fields = {
        "request_id": REQUEST_ID,
        "company_name": "Difference Engines Ltd",
        "company_number": "01234567",
        "postcode": "SW1A 2AA",
    }
    return credit.check_request(**{**fields, **changes})


def _answer(**changes: object) -> dict[str, object]:
    return {
        "checkId": "CHK-000001-ABCDEF",
        "requestId": REQUEST_ID,
        "decision": "REFER",
        "score": 41,
        "reasons": ["limited trading history"],
        "checkedAt": "2026-01-16T10:30:00Z",
        **changes,
    }


# --- the format ------------------------------------------------------------------------


def test_a_request_is_the_documented_json_in_stored_form():
    request = _request(company_name="  Difference   Engines Ltd ", company_number="1234567")
    assert credit.to_document(request) == {
        "requestId": REQUEST_ID,
        "companyName": "Difference Engines Ltd",
        "companyNumber": "01234567",  # zero-padded, as Companies House numbers are
        "postcode": "SW1A 2AA",
        "purpose": "energy_supply",
    }
    assert credit.to_document(_request(postcode="sw1a2aa"))["postcode"] == "SW1A 2AA"


def test_a_business_without_a_company_number_asks_with_none():
    assert credit.to_document(_request(company_number=" "))["companyNumber"] is None


def test_a_request_the_agency_could_not_take_is_refused_naming_every_field_and_rule():
    with pytest.raises(InvalidInput) as refused:
        _request(request_id="short", company_name=" ", company_number="12-34", postcode="NOWHERE")
    assert _rules(refused.value) == {
        ("requestId", "format"),
        ("companyName", "required"),
        ("companyNumber", "company_number_format"),
        ("postcode", "postcode_format"),
    }
    with pytest.raises(InvalidInput) as refused:
        _request(company_name="x" * 161, postcode="")
    assert _rules(refused.value) == {("companyName", "length"), ("postcode", "required")}


def test_an_answer_is_read():
    result = credit.parse_result(_answer(), request_id=REQUEST_ID)
    assert result == credit.CheckResult(
        check_id="CHK-000001-ABCDEF",
        request_id=REQUEST_ID,
        decision="REFER",
        score=41,
        reasons=("limited trading history",),
        checked_at=AT,
    )
    assert result.reason == "limited trading history"
    assert credit.result_document(result) == _answer()
    assert credit.parse_result(_answer(reasons=[], decision="PASS")).reason == ""


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"checkId": None}, ("checkId", "required")),
        ({"requestId": "another-request-id"}, ("requestId", "matches")),
        ({"requestId": 7}, ("requestId", "type")),
        ({"decision": "MAYBE"}, ("decision", "choice")),
        ({"decision": None}, ("decision", "required")),
        ({"score": 101}, ("score", "range")),
        ({"score": "80"}, ("score", "type")),
        ({"score": True}, ("score", "type")),
        ({"reasons": "none"}, ("reasons", "type")),
        ({"reasons": ["ok", ""]}, ("reasons.1", "type")),
        ({"reasons": ["x" * 201]}, ("reasons.0", "length")),
        ({"checkedAt": "2026-01-16 10:30"}, ("checkedAt", "format")),
        ({"checkedAt": "2026-02-30T10:30:00Z"}, ("checkedAt", "date")),
    ],
)
def test_an_answer_that_breaks_the_format_is_refused_naming_field_and_rule(changes, expected):
    with pytest.raises(InvalidInput) as refused:
        credit.parse_result(_answer(**changes), request_id=REQUEST_ID)
    assert _rules(refused.value) == {expected}


def test_an_answer_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidInput) as refused:
        credit.parse_result(["PASS"])
    assert _rules(refused.value) == {("answer", "type")}


@given(
    decision=st.sampled_from(credit.DECISIONS),
    score=st.integers(0, 100),
    reasons=st.lists(
        st.text(min_size=1, max_size=200).filter(str.strip).map(str.strip), max_size=5
    ),
)
def test_every_answer_reads_back_as_written(decision, score, reasons):
    result = credit.CheckResult("CHK-1", REQUEST_ID, decision, score, tuple(reasons), AT)
    document = json.loads(json.dumps(credit.result_document(result)))
    assert credit.parse_result(document, request_id=REQUEST_ID) == result


# --- the simulated agency ----------------------------------------------------------------


def _body(**changes: object) -> bytes:
    return json.dumps({**credit.to_document(_request()), **changes}, separators=(",", ":")).encode()


def _agency() -> CreditAgency:
    return CreditAgency(clock=lambda: AT)


@pytest.mark.parametrize(
    ("number", "decision", "low", "high"),
    [("01234567", "PASS", 60, 100), ("SC123458", "REFER", 30, 59), ("00000009", "FAIL", 10, 29)],
)
def test_the_decision_follows_the_company_number(number, decision, low, high):
    answer, replayed = _agency().check(_body(companyNumber=number))
    assert not replayed
    assert answer["decision"] == decision and low <= answer["score"] <= high
    assert bool(answer["reasons"]) == (decision != "PASS")
    assert answer["checkedAt"] == "2026-01-16T10:30:00Z"
    # the client reads what the agency writes
    assert credit.parse_result(answer, request_id=REQUEST_ID).decision == decision
    # the same company always scores the same
    again, _ = _agency().check(_body(companyNumber=number, requestId="another-request"))
    assert again["score"] == answer["score"]


def test_a_business_with_no_company_number_is_referred():
    answer, _ = _agency().check(_body(companyNumber=None))
    assert (answer["decision"], answer["reasons"]) == ("REFER", ["no registered company"])


def test_a_script_decides_a_company_from_then_on():
    agency = _agency()
    agency.script("01234567", "FAIL", reasons=["insolvency proceedings"])
    for request_id in ("first-request", "second-request"):
        answer, _ = agency.check(_body(requestId=request_id))
        assert (answer["decision"], answer["reasons"]) == ("FAIL", ["insolvency proceedings"])
        assert 10 <= answer["score"] <= 29
    with pytest.raises(ValueError, match="decision"):
        agency.script("01234567", "MAYBE")


def test_the_same_request_twice_is_one_check_and_its_id_is_not_reused():
    agency = _agency()
    first, _ = agency.check(_body())
    again, replayed = agency.check(_body())
    assert replayed and again == first
    assert len(agency.checks()) == 1
    with pytest.raises(Refused) as refused:
        agency.check(_body(companyName="Another Ltd"))
    assert (refused.value.status, refused.value.code, refused.value.field) == (
        409,
        "request_id_reused",
        "requestId",
    )


def test_a_fault_answers_503_and_keeps_nothing():
    agency = _agency()
    agency.fail_next_checks(1)
    with pytest.raises(Refused) as refused:
        agency.check(_body())
    assert refused.value.status == 503 and agency.checks() == []
    assert agency.check(_body())[1] is False


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"requestId": "x"}, "requestId", "format"),
        ({"companyName": ""}, "companyName", "required"),
        ({"companyName": "x" * 161}, "companyName", "length"),
        ({"companyNumber": "1234567"}, "companyNumber", "format"),
        ({"companyNumber": 1234567}, "companyNumber", "format"),
        ({"postcode": None}, "postcode", "required"),
        ({"postcode": "sw1a 2aa"}, "postcode", "format"),
        ({"purpose": "marketing"}, "purpose", "choice"),
    ],
)
def test_the_agency_refuses_a_malformed_request_naming_field_and_rule(changes, field, rule):
    agency = _agency()
    with pytest.raises(Refused) as refused:
        agency.check(_body(**changes))
    assert (refused.value.status, refused.value.field, refused.value.rule) == (400, field, rule)
    assert refused.value.answer()["error"]["field"] == field
    assert agency.checks() == []


def test_the_agency_refuses_what_is_not_json():
    with pytest.raises(Refused) as refused:
        _agency().check(b"not json")
    assert (refused.value.status, refused.value.code) == (400, "invalid_json")


def test_the_unscripted_decision_is_the_documented_rule():
    assert credit_agency.decision_for(None) == ("REFER", 50, ("no registered company",))
    assert credit_agency.decision_for("OC000008")[0] == "REFER"
