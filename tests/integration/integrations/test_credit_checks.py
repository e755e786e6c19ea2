"""Business credit checks at the credit reference agency (the simulator, over HTTP on
127.0.0.1): a business sign-up waits for the agency; a pass sends its contract, a fail
or a refer sends it to the admin team's queue with the agency's reason; an agency that
is down is asked again later; the same event twice is one check."""

from __future__ import annotations

import dataclasses
import datetime
import json
import socket
import urllib.error
import urllib.request

import pytest

from kilowatt.identity.domain.roles import ANONYMOUS, Role
from kilowatt.integrations import operations
from kilowatt.integrations.interfaces import handlers
from kilowatt.integrations.models import CreditCheck
from kilowatt.integrations.operations import _credit_checks
from kilowatt.platform import events
from kilowatt.platform.models import OutboxEvent
from kilowatt.sales import models as sales_models
from kilowatt.sales import operations as sales_operations
from kilowatt.simulators.credit_agency import CreditAgencyServer
from tests.factories import book
from tests.factories.sales import REGION, business_order, home_order

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 1, 16, 10, 0, tzinfo=datetime.UTC)
LATER = AT + datetime.timedelta(minutes=5)
API_KEY = "agency-test-key"


@pytest.fixture(autouse=True)
def tariffs(db):
    book.price_list(by=book.principal(Role.SYSADMIN, username="pricing"), region=REGION)


@pytest.fixture
def agency(settings):
    with CreditAgencyServer(api_key=API_KEY) as server:
        settings.CREDIT_AGENCY_URL = server.url
        settings.CREDIT_AGENCY_API_KEY = API_KEY
        yield server


def submitted(request=None, *, at: datetime.datetime = AT) -> sales_models.Order:
    """A business sign-up submitted on the web at ``at``, its event delivered."""
    order = sales_operations.submit_order(
        by=ANONYMOUS, channel="WEB", request=request or business_order(sites=1), as_at=at
    ).order
    assert order.status == "CREDIT_CHECK"
    events.dispatch(as_at=at + datetime.timedelta(minutes=1))
    order.refresh_from_db()
    return order


def has_contract(order: sales_models.Order) -> bool:
    return sales_models.Contract.objects.filter(order=order).exists()


def test_a_pass_sends_the_contract(agency):
    order = submitted()
    assert order.status == "AWAITING_SIGNATURE" and has_contract(order)
    assert order.credit_decision == "PASS"
    check = CreditCheck.objects.get(order_reference=order.reference)
    assert (check.status, check.decision, check.attempts) == ("DECIDED", "PASS", 1)
    assert check.agency_reference.startswith("CHK-")
    assert order.credit_reference == check.agency_reference
    assert 60 <= (check.score or 0) <= 100
    [made] = agency.agency.checks()
    assert made["request"] == {
        "requestId": check.request_id,
        "companyName": "Difference Engines Ltd",
        "companyNumber": "01234567",
        "postcode": "SW1A 2AA",
        "purpose": "energy_supply",
    }


def test_a_fail_sends_the_order_to_a_person_with_the_agency_reason(agency):
    agency.agency.script("01234567", "FAIL", reasons=["county court judgments: 3"])
    order = submitted()
    assert order.status == "EXCEPTION" and not has_contract(order)
    assert order.exception_rule == "credit_check_failed"
    assert "county court judgments: 3" in order.exception_message
    assert order.credit_decision == "FAIL"
    check = CreditCheck.objects.get(order_reference=order.reference)
    assert (check.status, check.decision, check.reason) == (
        "DECIDED",
        "FAIL",
        "county court judgments: 3",
    )


def test_a_refer_sends_the_order_to_a_person(agency):
    order = submitted()  # decided by the number: 01234567 passes ...
    assert order.status == "AWAITING_SIGNATURE"
    request = business_order(sites=1)
    referred = dataclasses.replace(  # ... one ending in 8 is referred
        request, customer=dataclasses.replace(request.customer, company_number="07654328")
    )
    order = submitted(referred, at=AT + datetime.timedelta(hours=1))
    assert order.status == "EXCEPTION" and not has_contract(order)
    assert order.exception_rule == "credit_check_referred"
    assert "limited trading history" in order.exception_message


def test_a_business_without_a_company_number_is_referred(agency):
    request = business_order(sites=1)
    sole_trader = dataclasses.replace(
        request,
        customer=dataclasses.replace(
            request.customer, company_name="Babbage Joinery", company_number=""
        ),
    )
    order = submitted(sole_trader)
    assert order.status == "EXCEPTION" and order.exception_rule == "credit_check_referred"
    assert "no registered company" in order.exception_message
    assert agency.agency.checks()[0]["request"]["companyNumber"] is None


def test_an_agency_that_is_down_is_asked_again_later_and_then_passes(agency):
    agency.agency.fail_next_checks(1)
    order = submitted()
    assert order.status == "CREDIT_CHECK" and not has_contract(order)
    # the event was delivered: the retry is the check's, not the dispatcher's
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 0
    check = CreditCheck.objects.get(order_reference=order.reference)
    assert (check.status, check.attempts) == ("PENDING", 1)
    assert check.last_error.startswith("503")
    asked_at = AT + datetime.timedelta(minutes=1)
    assert check.next_attempt_at == asked_at + datetime.timedelta(minutes=1)
    assert operations.retry_pending_credit_checks(as_at=asked_at) == 0  # not due yet
    assert operations.retry_pending_credit_checks(as_at=check.next_attempt_at) == 1
    check.refresh_from_db()
    order.refresh_from_db()
    assert (check.status, check.attempts, check.last_error) == ("DECIDED", 2, "")
    assert order.status == "AWAITING_SIGNATURE" and has_contract(order)
    assert len(agency.agency.checks()) == 1 and agency.agency.checks_failed == 1


def test_an_unreachable_agency_is_retried_with_the_same_request(agency, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.CREDIT_AGENCY_URL = f"http://127.0.0.1:{closed.getsockname()[1]}"
    order = submitted()
    check = CreditCheck.objects.get(order_reference=order.reference)
    assert check.status == "PENDING" and "unreachable" in check.last_error
    first = check.request
    settings.CREDIT_AGENCY_URL = agency.url
    assert operations.retry_pending_credit_checks(as_at=LATER) == 1
    check.refresh_from_db()
    assert check.request == first and check.status == "DECIDED"
    assert agency.agency.checks()[0]["requestId"] == check.request_id


def test_an_agency_down_for_good_refers_the_order_to_a_person(agency, monkeypatch):
    monkeypatch.setattr(_credit_checks, "MAX_ATTEMPTS", 2)
    agency.agency.fail_next_checks(5)
    order = submitted()
    assert operations.retry_pending_credit_checks(as_at=AT + datetime.timedelta(hours=1)) == 0
    check = CreditCheck.objects.get(order_reference=order.reference)
    order.refresh_from_db()
    assert (check.status, check.attempts) == ("ABANDONED", 2)
    assert order.status == "EXCEPTION" and order.exception_rule == "credit_check_referred"
    assert "no decision from the credit agency" in order.exception_message


def test_a_refused_request_refers_the_order_at_once(agency, settings):
    settings.CREDIT_AGENCY_API_KEY = "wrong"
    order = submitted()
    check = CreditCheck.objects.get(order_reference=order.reference)
    assert check.status == "ABANDONED" and check.last_error.startswith("it refused")
    assert "401" in check.last_error
    assert order.status == "EXCEPTION" and order.exception_rule == "credit_check_referred"


def test_the_same_event_delivered_twice_is_one_check(agency):
    order = submitted()
    event = OutboxEvent.objects.get(name="sales.order.submitted.v1")
    again = events.Event(
        id=event.id, name=event.name, payload=event.payload, occurred_at=event.occurred_at
    )
    handlers.order_submitted(again, as_at=LATER)
    operations.check_business_credit(order_reference=order.reference, as_at=LATER)
    assert CreditCheck.objects.filter(order_reference=order.reference).count() == 1
    assert len(agency.agency.checks()) == 1
    assert sales_models.Contract.objects.filter(order=order).count() == 1


def test_a_home_sign_up_is_not_checked(agency):
    order = sales_operations.submit_order(
        by=ANONYMOUS, channel="WEB", request=home_order(), as_at=AT
    ).order
    events.dispatch(as_at=LATER)
    assert order.status == "AWAITING_SIGNATURE"
    assert not CreditCheck.objects.exists() and agency.agency.checks() == []


def test_an_order_no_longer_waiting_is_skipped(agency):
    order = submitted()
    CreditCheck.objects.all().delete()  # as if the event came after a person decided
    check = operations.check_business_credit(order_reference=order.reference, as_at=LATER)
    assert check.status == "SKIPPED" and len(agency.agency.checks()) == 1


# --- the agency over HTTP ----------------------------------------------------------------


def _post(url: str, document: object, *, key: str | None = API_KEY) -> tuple[int, dict, dict]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["X-API-Key"] = key
    request = urllib.request.Request(
        f"{url}/v1/business-checks", data=json.dumps(document).encode(), headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read()), dict(error.headers)


def test_the_agency_over_http(agency):
    document = {
        "requestId": "a1b2c3d4-0000-4000-8000-000000000001",
        "companyName": "Difference Engines Ltd",
        "companyNumber": "01234567",
        "postcode": "SW1A 2AA",
        "purpose": "energy_supply",
    }
    assert _post(agency.url, document, key=None)[0] == 401
    status, answer, _ = _post(agency.url, document)
    assert status == 201 and answer["decision"] == "PASS"
    status, again, headers = _post(agency.url, document)
    assert (status, again, headers.get("Idempotent-Replayed")) == (200, answer, "true")
    status, error, _ = _post(agency.url, {**document, "requestId": "another-1", "purpose": "x"})
    assert status == 400
    assert error["error"]["field"] == "purpose" and error["error"]["rule"] == "choice"
