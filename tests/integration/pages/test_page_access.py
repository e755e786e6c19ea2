"""Every back-office page as every kind of visitor: anonymous, a customer, staff who may not
see the customer, and staff who may. A refusal shows no data and changes nothing."""

from __future__ import annotations

import pytest

from kilowatt.customers import queries as customer_queries
from kilowatt.identity.domain.roles import Role
from tests.factories import screens

STAFF_WHO_SEE_EVERYONE = [
    Role.TELESALES,
    Role.ADMIN,
    Role.BILLING,
    Role.COLLECTIONS,
    Role.COMPLAINTS,
    Role.SYSADMIN,
]


def pages_of(number: str) -> list[tuple[str, str]]:
    """Return every back-office page about one customer, as (method, url)."""
    return [
        ("get", f"/customers/?q={number}"),
        ("get", f"/customers/{number}/"),
        ("get", f"/customers/{number}/contact-details/"),
        ("post", f"/customers/{number}/contact-details/"),
    ]


def request(client, method: str, url: str):
    if method == "post":
        return client.post(url, {"email": "stolen@example.org", "phone": ""})
    return client.get(url)


def email_of(number: str) -> str:
    everyone = screens.principal(Role.SYSADMIN)
    return customer_queries.customer_for(everyone, number=number).email


@pytest.mark.django_db
class TestAnonymous:
    def test_every_page_sends_them_to_sign_in_and_changes_nothing(self, book, signed_in):
        client = signed_in(None)
        for method, url in [*pages_of(book.home.number), ("get", "/customers/")]:
            response = request(client, method, url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/login/?next="), url
        assert email_of(book.home.number) == "ada@example.org"

    def test_an_htmx_request_sends_the_whole_window_to_sign_in(self, book, signed_in):
        response = signed_in(None).get("/customers/?q=lovelace", headers={"HX-Request": "true"})

        assert response["HX-Redirect"].startswith("/login/?next=")
        assert b"Lovelace" not in response.content


@pytest.mark.django_db
class TestCustomerLogin:
    def test_every_page_is_refused_with_403_and_no_data(self, book, signed_in):
        client = signed_in(Role.CUSTOMER)
        for method, url in pages_of(book.home.number):
            response = request(client, method, url)
            assert response.status_code == 403, url
            assert b"Lovelace" not in response.content, url
            assert b"not available to you" in response.content
        assert email_of(book.home.number) == "ada@example.org"


@pytest.mark.django_db
class TestAgentWhoDidNotSignTheCustomerUp:
    def test_the_customer_pages_answer_404_and_change_nothing(self, book, signed_in):
        client = signed_in(Role.AGENT)
        for method, url in pages_of(book.home.number)[1:]:
            response = request(client, method, url)
            assert response.status_code == 404, url
            assert b"Lovelace" not in response.content
        assert email_of(book.home.number) == "ada@example.org"

    @pytest.mark.parametrize("field", ["postcode", "name", "mpan", "mprn", "account", "number"])
    def test_search_finds_none_of_another_agents_customers(self, book, signed_in, field):
        query = {
            "postcode": book.home.postcodes[0],
            "name": "lovelace",
            "mpan": book.home.mpans[0],
            "mprn": book.home.mprns[0],
            "account": book.home.accounts[0],
            "number": book.home.number,
        }[field]

        response = signed_in(Role.AGENT).get("/customers/", {"q": query})

        assert response.status_code == 200
        assert b"No customers found" in response.content
        assert f'href="/customers/{book.home.number}/"'.encode() not in response.content

    def test_the_agent_who_signed_them_up_sees_them(self, book, signed_in):
        client = signed_in(book.agent)

        assert client.get(f"/customers/{book.home.number}/").status_code == 200
        assert book.home.number.encode() in client.get("/customers/", {"q": "lovelace"}).content


@pytest.mark.django_db
class TestCorporateManager:
    def test_search_shows_no_home_customer(self, book, signed_in):
        client = signed_in(Role.CORPORATE_MANAGER)

        by_name = client.get("/customers/", {"q": "lovelace"})
        by_postcode = client.get("/customers/", {"q": book.home.postcodes[0]})

        assert b"Ada Lovelace" not in by_name.content
        assert b"No customers found" in by_postcode.content

    def test_a_home_customer_page_answers_404(self, book, signed_in):
        response = signed_in(Role.CORPORATE_MANAGER).get(f"/customers/{book.home.number}/")

        assert response.status_code == 404
        assert b"Lovelace" not in response.content

    def test_a_business_customer_page_shows_the_business(self, book, signed_in):
        response = signed_in(Role.CORPORATE_MANAGER).get(f"/customers/{book.business.number}/")

        assert response.status_code == 200
        assert b"Babbage Engines Ltd" in response.content


@pytest.mark.django_db
class TestSalesManager:
    def test_a_business_customer_page_answers_404(self, book, signed_in):
        response = signed_in(Role.SALES_MANAGER).get(f"/customers/{book.business.number}/")

        assert response.status_code == 404
        assert b"Babbage" not in response.content

    def test_search_shows_homes_but_no_business(self, book, signed_in):
        client = signed_in(Role.SALES_MANAGER)

        assert b"No customers found" in client.get("/customers/", {"q": "babbage"}).content
        assert book.home.number.encode() in client.get("/customers/", {"q": "lovelace"}).content
        assert client.get(f"/customers/{book.home.number}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_WHO_SEE_EVERYONE)
def test_staff_who_see_everyone_get_both_customers_with_their_data(book, signed_in, role):
    client = signed_in(role)

    home = client.get(f"/customers/{book.home.number}/")
    business = client.get(f"/customers/{book.business.number}/")
    search = client.get("/customers/", {"q": book.business.postcodes[0]})

    assert home.status_code == business.status_code == search.status_code == 200
    assert b"Ada Lovelace" in home.content
    assert b"Babbage Engines Ltd" in business.content
    assert book.business.number.encode() in search.content
