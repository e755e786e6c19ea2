"""The moves over HTTP: the API's endpoints and the two pages, as the people who may
and may not use them."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from kilowatt.accounts import models as account_models
from kilowatt.identity.domain.roles import Role
from kilowatt.journeys import models
from kilowatt.platform import clock
from tests.factories import people

pytestmark = pytest.mark.django_db


def _client(principal) -> Client:
    client = Client()
    assert client.login(username=principal.username, password=people.PASSWORD)
    return client


def _body(day: datetime.date) -> dict:
    return {
        "moving_out_on": day.isoformat(),
        "forwarding_address": {
            "address_line_1": "1 New Road",
            "town": "Chester",
            "postcode": "CH1 2AB",
        },
    }


def test_the_api_records_a_move_out_for_its_customer_only(world):
    day = clock.today() + datetime.timedelta(days=10)
    path = f"/api/v1/accounts/{world.home.account}/move-out"

    other = _client(world.other_customer).post(path, _body(day), content_type="application/json")
    assert other.status_code == 404 and not models.MoveOut.objects.exists()
    anonymous = Client().post(path, _body(day), content_type="application/json")
    assert anonymous.status_code == 401

    late = _client(world.customer).post(
        path, _body(clock.today() + datetime.timedelta(days=200)), content_type="application/json"
    )
    assert late.status_code == 422
    assert late.json()["detail"][0] | {"message": ""} == {
        "field": "moving_out_on",
        "rule": "too_far_ahead",
        "message": "",
    }

    made = _client(world.customer).post(path, _body(day), content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["moving_out_on"] == day.isoformat()
    listed = _client(world.customer).get(f"/api/v1/accounts/{world.home.account}/journeys")
    assert [m["id"] for m in listed.json()["move_outs"]] == [made.json()["id"]]


def test_the_api_records_a_move_in_for_staff_only(world):
    (site,) = world.home.sites
    body = {
        "meter_point_identifiers": [site.mpan],
        "moving_in_on": clock.today().isoformat(),
        "occupier_name": "Grace Hopper",
    }
    refused = _client(world.customer).post(
        "/api/v1/move-ins", body, content_type="application/json"
    )
    assert refused.status_code == 403
    made = _client(world.staff[Role.BILLING]).post(
        "/api/v1/move-ins", body, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "LETTER_DUE"
    account = account_models.Account.objects.get(number=made.json()["account_number"])
    assert account.customer.last_name == "Hopper"


def test_the_move_home_page_records_a_move_and_shows_it(world):
    client = _client(world.customer)
    page = client.get("/my/move-home/")
    assert page.status_code == 200 and b"move-out-form" in page.content

    wrong = client.post(
        "/my/move-home/",
        {"account_number": world.home.account, "action": "move_out", "moving_out_on": "soon"},
    )
    assert wrong.status_code == 422 and b"problem-moving_out_on" in wrong.content

    day = clock.today() + datetime.timedelta(days=10)
    done = client.post(
        "/my/move-home/",
        {
            "account_number": world.home.account,
            "action": "move_out",
            "moving_out_on": day.isoformat(),
            "address_line_1": "1 New Road",
            "town": "Chester",
            "postcode": "",
        },
    )
    assert done.status_code == 422 and b"problem-postcode" in done.content
    assert not models.MoveOut.objects.exists()

    done = client.post(
        "/my/move-home/",
        {
            "account_number": world.home.account,
            "action": "move_out",
            "moving_out_on": day.isoformat(),
            "address_line_1": "1 New Road",
            "town": "Chester",
            "postcode": "CH1 2AB",
        },
    )
    assert done.status_code == 303
    shown = client.get("/my/move-home/")
    assert b'data-testid="move-out"' in shown.content and b"1 New Road" in shown.content

    theirs = _client(world.other_customer).post(
        "/my/move-home/", {"account_number": world.home.account, "moving_out_on": day.isoformat()}
    )
    assert theirs.status_code == 404


def test_the_move_in_page_is_for_staff(world):
    (site,) = world.home.sites
    assert _client(world.customer).get("/moves/move-in/").status_code == 403
    staff = _client(world.staff[Role.BILLING])
    assert staff.get("/moves/move-in/").status_code == 200
    done = staff.post(
        "/moves/move-in/",
        {
            "identifiers": f"{site.mpan} {site.mprn}",
            "moving_in_on": clock.today().isoformat(),
            "occupier_name": "",
            "email": "occupier@example.org",
        },
    )
    assert done.status_code == 303
    assert models.MoveIn.objects.get().status == "INVITED"
