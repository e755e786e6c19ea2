"""Signing in and out of the back office."""

from __future__ import annotations

import pytest

from kilowatt.identity.domain.roles import Role
from tests.factories import people


@pytest.mark.django_db
def test_the_sign_in_page_renders(signed_in):
    response = signed_in(None).get("/login/")

    assert response.status_code == 200
    assert b"<h1>Sign in</h1>" in response.content
    assert b"csrfmiddlewaretoken" in response.content


@pytest.mark.django_db
def test_signing_in_goes_where_the_person_was_going(signed_in, make_user):
    user = make_user(Role.TELESALES)

    response = signed_in(None).post(
        "/login/?next=/customers/%3Fq%3Dlovelace",
        {"username": user.username, "password": people.PASSWORD, "next": "/customers/?q=lovelace"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/customers/?q=lovelace"


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_message(signed_in, make_user):
    user = make_user(Role.TELESALES)

    response = signed_in(None).post("/login/", {"username": user.username, "password": "nope"})

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


@pytest.mark.django_db
def test_the_top_bar_shows_who_and_their_role_and_the_admin_link_for_sysadmins(signed_in):
    telesales = signed_in(Role.TELESALES).get("/customers/").content.decode()
    sysadmin = signed_in(Role.SYSADMIN).get("/customers/").content.decode()

    assert "Telesales agent" in telesales
    assert "/django-admin/" not in telesales
    assert "/api/v1/docs" in telesales
    assert "System administrator" in sysadmin
    assert 'href="/django-admin/"' in sysadmin


@pytest.mark.django_db
def test_signing_out_ends_the_session(signed_in):
    client = signed_in(Role.TELESALES)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/customers/").status_code == 302
