"""Sign-ups and contracts over the API: who may submit, read, cancel and download; the
same request twice is one order; every refusal names the field and rule."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from kilowatt.identity.domain.roles import Role
from kilowatt.sales import models
from kilowatt.sales.domain import orders
from kilowatt.sales.domain import seal as sealing
from kilowatt.sales.operations._seal import trust_roots
from tests.factories import book
from tests.factories.sales import REGION, home_order, sign
from tests.integration.api.conftest import assert_refused, problems


@pytest.fixture(autouse=True)
def london(api):
    book.price_list(by=book.principal(Role.SYSADMIN), region=REGION)


def _body(request: orders.OrderRequest) -> dict:
    data = orders.to_json(request)
    data["customer"] = {
        k: v for k, v in data["customer"].items() if k not in ("consents",) and v not in (None,)
    }
    data["customer"].pop("contacts", None)
    return data


def test_a_partner_signs_a_customer_up_once_per_idempotency_key(api):
    body = _body(home_order())
    headers = {"HTTP_IDEMPOTENCY_KEY": "partner-0001"}
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {api.tokens['telesales']}"})
    first = client.post("/api/v1/signups", data=body, content_type="application/json", **headers)
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/signups", data=body, content_type="application/json", **headers)
    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    assert first.json()["status"] == "AWAITING_SIGNATURE"
    assert first.json()["contract_status"] == "AWAITING_SIGNATURE"
    assert models.Order.objects.count() == 1
    assert models.Order.objects.get().channel == "PARTNER"


def test_a_bad_sign_up_is_refused_naming_each_field(api):
    request = home_order()
    bad = dataclasses.replace(
        request,
        sites=(dataclasses.replace(request.sites[0], postcode="XX"),),
        consents=orders.Consents(terms=False),
    )
    response = api.call("telesales", "post", "/signups", _body(bad))
    found = problems(response)
    assert ("sites.0.postcode", "postcode_format") in found
    assert ("consents.terms", "required") in found
    assert ("consents.direct_debit_mandate", "required") in found
    assert not models.Order.objects.exists()


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("billing", 403), ("collections", 403)])
def test_people_who_do_not_sell_cannot_submit(api, who, status):
    response = api.call(who, "post", "/signups", _body(home_order()))
    assert_refused(response, status)
    assert not models.Order.objects.exists()


def test_an_order_is_seen_by_its_team_and_the_admin_team_only(api):
    reference = api.call("telesales", "post", "/signups", _body(home_order())).json()["reference"]
    assert api.call("telesales", "get", f"/signups/{reference}").status_code == 200
    assert api.call("admin", "get", f"/signups/{reference}").status_code == 200
    for outsider in ("agent", "sales_manager", "corporate_manager", "customer"):
        assert_refused(api.call(outsider, "get", f"/signups/{reference}"), 404)
    assert_refused(api.call("customer", "post", f"/signups/{reference}/cancel", {}), 404)
    assert models.Order.objects.get().status == "AWAITING_SIGNATURE"


def test_the_signed_contract_is_downloaded_sealed_and_verifies(api):
    reference = api.call("telesales", "post", "/signups", _body(home_order())).json()["reference"]
    order = models.Order.objects.get(reference=reference)
    contract = order.contract
    unsigned = api.call("admin", "get", f"/contracts/{contract.id}/document")
    assert ("version", "not_signed") in problems(unsigned)
    issued = api.call("admin", "get", f"/contracts/{contract.id}/document?version=issued")
    assert issued["Content-Type"] == "application/pdf"
    sign(order)
    signed = api.call("admin", "get", f"/contracts/{contract.id}/document")
    assert signed.status_code == 200
    assert sealing.verify(signed.content, trust_roots_pem=trust_roots()).ok
    meta = api.call("telesales", "get", f"/contracts/{contract.id}").json()
    assert meta["status"] == "SIGNED"
    assert meta["cooling_off_ends"]
    assert_refused(api.call("agent", "get", f"/contracts/{contract.id}/document"), 404)
    assert_refused(api.call(None, "get", f"/contracts/{contract.id}/document"), 401)


def test_a_sign_up_is_cancelled_through_the_api_in_cooling_off(api):
    reference = api.call("telesales", "post", "/signups", _body(home_order())).json()["reference"]
    sign(models.Order.objects.get(reference=reference), at=datetime.datetime.now(datetime.UTC))
    cancelled = api.call("telesales", "post", f"/signups/{reference}/cancel", {"reason": "moved"})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "CANCELLED"
    again = api.call("telesales", "post", f"/signups/{reference}/cancel", {})
    assert ("status", "closed") in problems(again)
