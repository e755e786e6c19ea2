"""The sales force's pages: a shop agent's month and new customer (signed on the tablet),
a manager's pipeline (their own agents only, targets and commission), the telesales
team's capture and unsigned contracts, and the admin team's exceptions queue.

Each page as anonymous, a customer, a staff member without the right and one with it: a
refusal shows nothing and changes nothing; the API refuses the same people alike."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.test import Client

from kilowatt.comms import models as comms_models
from kilowatt.identity import operations as identity_operations
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.platform import clock
from kilowatt.sales import models, operations
from tests.factories import book, people
from tests.factories.sales import ACCOUNT_NUMBER, REGION, SORT_CODE, home_order

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
PAGES = [
    "/sales/agent/",
    "/sales/agent/new/",
    "/sales/pipeline/",
    "/sales/telesales/",
    "/sales/telesales/new/",
    "/sales/exceptions/",
]


@pytest.fixture(autouse=True)
def tariffs(db):
    book.price_list(by=book.principal(Role.SYSADMIN, username="pricing"), region=REGION)


def _person(role: Role, *, manager: Principal | None = None) -> Principal:
    user = people.make_user(role, manager_id=manager.user_id if manager else None)
    return identity_queries.principal_for(user)


def _client(who: Principal | None) -> Client:
    client = Client()
    if who is not None:
        assert client.login(username=who.username, password=people.PASSWORD)
    return client


def _bad_mprn() -> str:
    good = book.mprn()
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def _stopped_order():
    request = home_order()
    return dataclasses.replace(
        request,
        supplies=tuple(
            dataclasses.replace(s, identifier=_bad_mprn()) if s.fuel == "GAS" else s
            for s in request.supplies
        ),
    )


def submit(by, *, ago=HOUR, channel="AGENT", request=None, last_name="Lovelace"):
    request = request or home_order()
    request = dataclasses.replace(
        request, customer=dataclasses.replace(request.customer, last_name=last_name)
    )
    return operations.submit_order(
        by=by, channel=channel, request=request, as_at=clock.now() - ago
    ).order


@dataclasses.dataclass(frozen=True)
class Sales:
    manager: Principal
    ann: Principal
    other_manager: Principal
    carl: Principal  # the other manager's agent
    telesales: Principal
    admin: Principal
    customer: Principal
    ann_order: models.Order
    carl_order: models.Order
    stopped: models.Order
    phoned: models.Order  # a telesales sign-up, unsigned


@pytest.fixture
def sales(db, settings) -> Sales:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    manager, other = _person(Role.SALES_MANAGER), _person(Role.SALES_MANAGER)
    ann, carl = _person(Role.AGENT, manager=manager), _person(Role.AGENT, manager=other)
    telesales = _person(Role.TELESALES)
    return Sales(
        manager=manager,
        ann=ann,
        other_manager=other,
        carl=carl,
        telesales=telesales,
        admin=_person(Role.ADMIN),
        customer=_person(Role.CUSTOMER),
        ann_order=submit(ann, ago=10 * DAY, last_name="Annsclient"),
        carl_order=submit(carl, ago=10 * DAY, last_name="Carlsclient"),
        stopped=submit(ann, ago=2 * DAY, request=_stopped_order(), last_name="Stoppedclient"),
        phoned=submit(telesales, channel="TELESALES", ago=3 * DAY, last_name="Phonedclient"),
    )


SECRETS = [b"Annsclient", b"Carlsclient", b"Stoppedclient", b"Phonedclient"]


def _shows_nothing(response) -> bool:
    return not any(secret in response.content for secret in SECRETS)


class TestRefusals:
    @pytest.mark.parametrize("path", PAGES)
    def test_anonymous_visitors_sign_in_first(self, sales, path):
        response = _client(None).get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")

    @pytest.mark.parametrize("path", PAGES)
    def test_a_customer_is_refused(self, sales, path):
        response = _client(sales.customer).get(path)
        assert response.status_code == 403
        assert _shows_nothing(response)

    @pytest.mark.parametrize(
        ("role", "path"),
        [
            (Role.TELESALES, "/sales/agent/"),
            (Role.SALES_MANAGER, "/sales/agent/new/"),
            (Role.AGENT, "/sales/pipeline/"),
            (Role.ADMIN, "/sales/pipeline/"),
            (Role.SYSADMIN, "/sales/telesales/"),
            (Role.AGENT, "/sales/telesales/new/"),
            (Role.SALES_MANAGER, "/sales/exceptions/"),
            (Role.TELESALES, "/sales/exceptions/"),
            (Role.AGENT, "/sales/exceptions/S00000003/"),
            (Role.BILLING, "/sales/agent/orders/S00000001/"),
        ],
    )
    def test_staff_without_the_right_are_refused_and_see_nothing(self, sales, role, path):
        response = _client(_person(role)).get(path)
        assert response.status_code == 403
        assert _shows_nothing(response)

    def test_posts_without_the_right_change_nothing(self, sales):
        agent, telesales = _client(sales.ann), _client(sales.telesales)
        contract = models.Contract.objects.get(order=sales.phoned)
        answers = [
            agent.post(
                "/sales/pipeline/",
                {
                    "action": "set_target",
                    "agent_id": sales.ann.user_id,
                    "month": "2099-01",
                    "sign_ups": "5",
                },
            ),
            agent.post(
                "/sales/pipeline/",
                {"action": "set_rule", "product": "X", "amount": "5", "valid_from": "2099-01-01"},
            ),
            agent.post("/sales/telesales/", {"contract_id": contract.id}),
            telesales.post(
                f"/sales/exceptions/{sales.stopped.reference}/",
                {"action": "reject", "reason": "no"},
            ),
            telesales.post(f"/sales/exceptions/{sales.stopped.reference}/", {"action": "proceed"}),
        ]
        assert {answer.status_code for answer in answers} == {403}
        assert not models.SalesTarget.objects.exists()
        assert not models.CommissionRule.objects.exists()
        assert models.Contract.objects.get(id=contract.id).reminders_sent == 0
        assert models.Order.objects.get(id=sales.stopped.id).status == "EXCEPTION"

    def test_the_nav_shows_each_role_its_own_pages(self, sales):
        seen = {
            role: _client(person).get("/customers/").content
            for role, person in [
                ("agent", sales.ann),
                ("manager", sales.manager),
                ("telesales", sales.telesales),
                ("admin", sales.admin),
            ]
        }
        assert b"nav-sales-agent" in seen["agent"] and b"nav-sales-pipeline" not in seen["agent"]
        assert b"nav-sales-pipeline" in seen["manager"]
        assert b"nav-sales-agent" not in seen["manager"]
        assert b"nav-telesales" in seen["telesales"]
        assert b"nav-sales-exceptions" in seen["admin"]
        assert b"nav-sales-exceptions" not in seen["telesales"]

    def test_the_api_refuses_alike(self, sales):
        """A manager reads their agent's sign-up over the API, not another manager's."""
        now = datetime.datetime.now(datetime.UTC)

        def api(who: Principal) -> Client:
            token = identity_operations.issue_token(
                username=who.username, password=people.PASSWORD, as_at=now
            )[0]
            return Client(headers={"Authorization": f"Bearer {token}"})

        manager = api(sales.manager)
        assert manager.get(f"/api/v1/signups/{sales.ann_order.reference}").status_code == 200
        assert manager.get(f"/api/v1/signups/{sales.carl_order.reference}").status_code == 404
        assert (
            api(sales.ann).get(f"/api/v1/signups/{sales.carl_order.reference}").status_code == 404
        )
        refused = api(sales.ann).post(
            f"/api/v1/signups/{sales.carl_order.reference}/cancel",
            data={"reason": "no"},
            content_type="application/json",
        )
        assert refused.status_code == 404
        assert models.Order.objects.get(id=sales.carl_order.id).status == "AWAITING_SIGNATURE"


class TestAgent:
    def test_the_month_and_the_latest_sign_ups(self, sales):
        response = _client(sales.ann).get("/sales/agent/")
        assert response.status_code == 200
        assert b"Annsclient" in response.content and b"Stoppedclient" in response.content
        assert b"Carlsclient" not in response.content

    def test_a_new_customer_in_two_steps_then_the_tablet_signs(self, sales):
        client = _client(sales.ann)
        quote = {
            "step": "quote",
            "quote-customer_kind": "RESIDENTIAL",
            "quote-payment_method": "DIRECT_DEBIT",
            "quote-sites": "1",
            "quote-site-0-postcode": "SW1A 2AA",
            "quote-site-0-fuels": ["ELECTRICITY", "GAS"],
            "quote-site-0-meter_type": "STANDARD",
            "quote-site-0-usage": "MEDIUM",
        }
        details_step = client.post("/sales/agent/new/", quote)
        assert details_step.status_code == 200
        assert b'data-step="details"' in details_step.content
        electricity = book.tariff_code(
            fuel="ELECTRICITY",
            region=REGION,
            customer_kind="RESIDENTIAL",
            payment_method="DIRECT_DEBIT",
        )
        gas = book.tariff_code(
            fuel="GAS", region=REGION, customer_kind="RESIDENTIAL", payment_method="DIRECT_DEBIT"
        )
        details = {
            **quote,
            "step": "details",
            "idempotency_key": "tablet-1",
            "offer-0-electricity": electricity,
            "offer-0-gas": gas,
            "customer-title": "Ms",
            "customer-first_name": "Mary",
            "customer-last_name": "Somerville",
            "customer-email": "mary@example.com",
            "site-0-address_line_1": "1 Counter Street",
            "site-0-town": "London",
            "site-0-postcode": "SW1A 2AA",
            "supply-0-identifier": book.mpan_core(REGION),
            "supply-1-identifier": "12",  # too short: refused, beside its field
            "payment-bill_delivery": "EMAIL",
            "payment-account_holder": "M Somerville",
            "payment-sort_code": SORT_CODE,
            "payment-account_number": ACCOUNT_NUMBER,
            "payment-direct_debit_mandate": "on",
            "consents-terms": "on",
        }
        refused = client.post("/sales/agent/new/", details)
        assert refused.status_code == 422
        assert b"field-problem" in refused.content
        assert not models.Order.objects.filter(details__customer__last_name="Somerville").exists()

        details["supply-1-identifier"] = book.mprn()
        taken = client.post("/sales/agent/new/", details)
        again = client.post("/sales/agent/new/", details)  # a double tap: one sign-up

        order = models.Order.objects.get(details__customer__last_name="Somerville")
        assert order.channel == "AGENT" and order.created_by_id == sales.ann.user_id
        assert taken.status_code == again.status_code == 302
        assert taken["Location"] == f"/sales/agent/orders/{order.reference}/"
        page = client.get(taken["Location"])
        assert b'data-testid="sign-now"' in page.content
        assert b"/sign/" in page.content
        # Another agent's sign-up is not found from here.
        assert client.get(f"/sales/agent/orders/{sales.carl_order.reference}/").status_code == 404


class TestPipeline:
    def test_a_manager_sees_their_agents_only_with_stuck_flags(self, sales):
        response = _client(sales.manager).get("/sales/pipeline/?stuck_after=7")
        assert response.status_code == 200
        assert b"Annsclient" in response.content and b"Stoppedclient" in response.content
        assert b"Carlsclient" not in response.content and b"Phonedclient" not in response.content
        assert response.content.count(b'data-stuck="true"') == 1  # ten days old; two is not

    def test_another_managers_agent_as_a_filter_shows_nothing(self, sales):
        response = _client(sales.manager).get(f"/sales/pipeline/?agent={sales.carl.user_id}")
        assert response.status_code == 200
        assert b"Carlsclient" not in response.content

    def test_the_filters_answer_htmx_with_the_list_alone(self, sales):
        response = _client(sales.manager).get(
            "/sales/pipeline/?status=EXCEPTION", headers={"HX-Request": "true"}
        )
        assert b"<html" not in response.content
        assert b"Stoppedclient" in response.content and b"Annsclient" not in response.content

    def test_setting_a_target_and_a_commission_rule(self, sales):
        client = _client(sales.manager)
        month = clock.today().replace(day=1)
        response = client.post(
            "/sales/pipeline/",
            {
                "action": "set_target",
                "agent_id": sales.ann.user_id,
                "month": f"{month:%Y-%m}",
                "sign_ups": "12",
            },
        )
        assert response.status_code == 302
        assert models.SalesTarget.objects.get().sign_ups == 12
        response = client.post(
            "/sales/pipeline/",
            {
                "action": "set_rule",
                "product": "Kilowatt Flexible Residential Electricity",
                "amount": "25.50",
                "valid_from": clock.today().isoformat(),
            },
        )
        assert response.status_code == 302
        assert models.CommissionRule.objects.get().amount_pence == 2550

    def test_refusals_are_shown_beside_their_fields(self, sales):
        client = _client(sales.manager)
        response = client.post(
            "/sales/pipeline/",
            {
                "action": "set_target",
                "agent_id": sales.carl.user_id,
                "month": "2020-01",
                "sign_ups": "3",
            },
        )
        assert response.status_code == 422
        assert b"choose one of your agents" in response.content
        assert b"that month is over" in response.content
        response = client.post(
            "/sales/pipeline/",
            {"action": "set_rule", "product": "", "amount": "12.345", "valid_from": "x"},
        )
        assert response.status_code == 422
        assert b"give an amount in pounds" in response.content
        assert not models.SalesTarget.objects.exists()
        assert not models.CommissionRule.objects.exists()


class TestTelesales:
    def test_the_team_sees_unsigned_contracts_and_sends_a_link_again(self, sales):
        client = _client(_person(Role.TELESALES))
        response = client.get("/sales/telesales/")
        assert response.status_code == 200
        assert b"Phonedclient" in response.content and b"Annsclient" not in response.content
        contract = models.Contract.objects.get(order=sales.phoned)

        sent = client.post("/sales/telesales/", {"contract_id": contract.id})

        assert sent.status_code == 302
        assert models.Contract.objects.get(id=contract.id).reminders_sent == 1
        assert comms_models.OutboundEmail.objects.filter(
            idempotency_key=f"contract:{contract.id}:reminder:1"
        ).exists()

    def test_a_shop_contract_is_not_theirs_to_chase(self, sales):
        contract = models.Contract.objects.get(order=sales.ann_order)
        response = _client(sales.telesales).post("/sales/telesales/", {"contract_id": contract.id})
        assert response.status_code == 404
        assert models.Contract.objects.get(id=contract.id).reminders_sent == 0

    def test_the_capture_starts_with_the_quote(self, sales):
        response = _client(sales.telesales).get("/sales/telesales/new/")
        assert response.status_code == 200
        assert b'data-step="quote"' in response.content


class TestExceptions:
    def test_the_queue_holds_only_stopped_sign_ups(self, sales):
        response = _client(sales.admin).get("/sales/exceptions/")
        assert response.status_code == 200
        assert b"Stoppedclient" in response.content
        assert b"Annsclient" not in response.content and b"Phonedclient" not in response.content

    def test_rejecting_needs_a_reason_then_closes_it(self, sales):
        client = _client(sales.admin)
        url = f"/sales/exceptions/{sales.stopped.reference}/"
        refused = client.post(url, {"action": "reject", "reason": " "})
        assert refused.status_code == 422
        assert b'id="reason-problem"' in refused.content
        assert models.Order.objects.get(id=sales.stopped.id).status == "EXCEPTION"

        done = client.post(url, {"action": "reject", "reason": "The MPRN is not this address's"})

        assert done.status_code == 302
        assert models.Order.objects.get(id=sales.stopped.id).status == "REJECTED"

    def test_proceeding_sends_the_contract(self, sales):
        response = _client(sales.admin).post(
            f"/sales/exceptions/{sales.stopped.reference}/", {"action": "proceed", "note": "ok"}
        )
        assert response.status_code == 302
        order = models.Order.objects.get(id=sales.stopped.id)
        assert order.status == "AWAITING_SIGNATURE"
        assert models.Contract.objects.filter(order=order).exists()

    def test_reversing_needs_a_signed_sign_up(self, sales):
        response = _client(sales.admin).post(
            f"/sales/exceptions/{sales.ann_order.reference}/",
            {"action": "reverse", "dispute_reason": "never agreed"},
        )
        assert response.status_code == 422
        assert b"only a signed sign-up can be reversed" in response.content

    def test_an_unknown_reference_is_not_found(self, sales):
        assert _client(sales.admin).get("/sales/exceptions/S99999999/").status_code == 404
