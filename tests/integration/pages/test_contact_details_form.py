"""Correcting a customer's email, phone and marketing consent from their page."""

from __future__ import annotations

import pytest
from django.test import Client

from kilowatt.customers import queries as customer_queries
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain import roles
from kilowatt.identity.domain.roles import Permission, Role
from kilowatt.platform import audit
from tests.factories import screens

HTMX = {"HX-Request": "true"}


def current(number: str):
    return customer_queries.customer_for(screens.principal(Role.SYSADMIN), number=number)


def trail(number: str) -> list[audit.AuditRecord]:
    return customer_queries.audit_trail(screens.principal(Role.SYSADMIN), number=number)


def form(**overrides):
    values = {"email": "ada.king@example.org", "phone": "07700 900123", "consent": ["EMAIL"]}
    values["asked"] = ["EMAIL", "SMS"]
    return {**values, **overrides}


@pytest.fixture
def staff(signed_in):
    return signed_in(Role.COLLECTIONS)


@pytest.mark.django_db
class TestSaving:
    def test_saves_and_goes_back_to_the_page_where_the_trail_shows_the_change(self, book, staff):
        number = book.home.number

        response = staff.post(f"/customers/{number}/contact-details/", form())

        assert response.status_code == 303
        assert response["Location"] == f"/customers/{number}/"
        assert current(number).email == "ada.king@example.org"
        newest = trail(number)[0]
        assert (newest.action, newest.changes) == (
            "UPDATED",
            {"email": ["ada@example.org", "ada.king@example.org"]},
        )
        page = staff.get(response["Location"]).content.decode()
        assert "Contact details saved" in page
        assert "<del>ada@example.org</del> → <ins>ada.king@example.org</ins>" in page

    def test_htmx_is_told_to_reload_the_customer_page(self, book, staff):
        number = book.home.number

        response = staff.post(f"/customers/{number}/contact-details/", form(), headers=HTMX)

        assert response.status_code == 200
        assert response["HX-Redirect"] == f"/customers/{number}/"

    def test_a_channel_never_asked_about_stays_unrecorded(self, book, staff):
        number = book.home.number

        staff.post(f"/customers/{number}/contact-details/", form(consent=["EMAIL", "POST"]))

        consents = {c.channel: c.granted for c in current(number).consents.all()}
        assert consents == {"EMAIL": True, "SMS": False, "POST": True}

    def test_the_form_starts_from_the_current_details(self, book, staff):
        response = staff.get(f"/customers/{book.home.number}/contact-details/", headers=HTMX)
        body = response.content.decode()

        assert response.status_code == 200
        assert "<html" not in body
        assert 'value="ada@example.org"' in body
        assert 'name="consent" value="EMAIL" checked' in body
        assert 'name="consent" value="SMS">' in body
        assert '<input type="hidden" name="asked" value="SMS">' in body
        assert 'name="asked" value="POST"' not in body

    def test_without_javascript_the_form_is_a_page_of_its_own(self, book, staff):
        response = staff.get(f"/customers/{book.home.number}/contact-details/")

        assert b"<html" in response.content
        assert b'data-testid="contact-form"' in response.content


@pytest.mark.django_db
class TestRefusing:
    def test_a_bad_email_comes_back_beside_its_field_with_422_and_nothing_saved(self, book, staff):
        number = book.home.number
        before = len(trail(number))

        response = staff.post(
            f"/customers/{number}/contact-details/", form(email="ada@@example"), headers=HTMX
        )
        body = response.content.decode()

        assert response.status_code == 422
        assert 'data-testid="problem-email"' in body
        assert 'value="ada@@example"' in body
        assert "Nothing was saved" in body
        assert current(number).email == "ada@example.org"
        assert len(trail(number)) == before

    def test_a_bad_phone_comes_back_beside_its_field(self, book, staff):
        response = staff.post(
            f"/customers/{book.home.number}/contact-details/", form(phone="12"), headers=HTMX
        )

        assert response.status_code == 422
        assert b'data-testid="problem-phone"' in response.content

    def test_a_role_without_edit_customers_is_told_so_with_403(self, book, signed_in, monkeypatch):
        # Every back-office role may edit today; take the permission from one to prove
        # the refusal is decided by the role rules and shown on the page.
        monkeypatch.setitem(
            roles.PERMISSIONS, Role.COMPLAINTS, frozenset({Permission.USE_BACK_OFFICE})
        )
        client = signed_in(Role.COMPLAINTS)
        number = book.home.number

        page = client.get(f"/customers/{number}/")
        response = client.post(f"/customers/{number}/contact-details/", form(), headers=HTMX)

        assert b'hx-get="/customers/' + number.encode() + b'/contact-details/"' not in page.content
        assert response.status_code == 403
        assert b"You may not change customers' details" in response.content
        assert current(number).email == "ada@example.org"

    def test_a_customer_the_person_may_not_see_answers_404(self, book, signed_in):
        response = signed_in(Role.CORPORATE_MANAGER).post(
            f"/customers/{book.home.number}/contact-details/", form()
        )

        assert response.status_code == 404
        assert current(book.home.number).email == "ada@example.org"

    def test_a_post_without_the_csrf_token_is_refused(self, book):
        client = Client(enforce_csrf_checks=True)
        client.force_login(identity_queries.user_by_username(username=book.agent.username))

        response = client.post(f"/customers/{book.home.number}/contact-details/", form())

        assert response.status_code == 403
        assert current(book.home.number).email == "ada@example.org"
