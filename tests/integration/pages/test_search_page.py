"""The customer search: one box, every identifier, the same URL with and without HTMX."""

from __future__ import annotations

import pytest

from kilowatt.identity.domain.roles import Role


@pytest.fixture
def staff(signed_in):
    return signed_in(Role.TELESALES)


def result_links(response) -> list[str]:
    body = response.content.decode()
    return [part.split('"', 1)[0] for part in body.split('class="result" href="/customers/')[1:]]


@pytest.mark.django_db
class TestSearchBy:
    def test_postcode_in_any_case_and_spacing(self, book, staff):
        response = staff.get("/customers/", {"q": book.home.postcodes[0].lower().replace(" ", "")})

        assert result_links(response) == [f"{book.home.number}/"]
        assert b'matched by <strong data-testid="matched-by">postcode</strong>' in response.content

    def test_mpan_core(self, book, staff):
        response = staff.get("/customers/", {"q": book.business.mpans[1]})

        assert result_links(response) == [f"{book.business.number}/"]
        assert b">MPAN</strong>" in response.content

    def test_full_mpan(self, book, staff):
        response = staff.get("/customers/", {"q": book.home.full_mpans[0]})

        assert result_links(response) == [f"{book.home.number}/"]

    def test_mprn(self, book, staff):
        response = staff.get("/customers/", {"q": book.home.mprns[0]})

        assert result_links(response) == [f"{book.home.number}/"]
        assert b">MPRN</strong>" in response.content

    def test_surname_first_prefix(self, book, staff):
        response = staff.get("/customers/", {"q": "Lovelace A"})

        assert result_links(response) == [f"{book.home.number}/"]
        assert b"name (surname first)" in response.content

    def test_company_name(self, book, staff):
        response = staff.get("/customers/", {"q": "babb"})

        assert result_links(response) == [f"{book.business.number}/"]
        assert b"Babbage Engines Ltd" in response.content

    def test_account_number(self, book, staff):
        response = staff.get("/customers/", {"q": book.business.accounts[0].lower()})

        assert result_links(response) == [f"{book.business.number}/"]
        assert b"account number" in response.content

    def test_customer_number(self, book, staff):
        response = staff.get("/customers/", {"q": book.home.number})

        assert result_links(response) == [f"{book.home.number}/"]


@pytest.mark.django_db
class TestStates:
    def test_an_empty_box_explains_what_it_takes(self, staff):
        response = staff.get("/customers/")

        assert response.status_code == 200
        assert b"Search the customers you look after" in response.content
        assert b'class="result"' not in response.content

    def test_no_match_says_what_was_searched_for(self, book, staff):
        response = staff.get("/customers/", {"q": "Zzyzx"})

        assert b"No customers found for \xe2\x80\x9cZzyzx\xe2\x80\x9d" in response.content
        assert b"name (surname first)" in response.content

    def test_htmx_gets_the_results_list_alone(self, book, staff):
        response = staff.get("/customers/", {"q": "lovelace"}, headers={"HX-Request": "true"})

        assert response.content.lstrip().startswith(b'<section id="results"')
        assert b"<html" not in response.content
        assert result_links(response) == [f"{book.home.number}/"]
        assert "HX-Request" in response["Vary"]

    def test_a_history_restore_gets_the_whole_page(self, book, staff):
        response = staff.get(
            "/customers/",
            {"q": "lovelace"},
            headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
        )

        assert b"<html" in response.content

    def test_without_javascript_the_page_has_the_box_filled_in(self, book, staff):
        response = staff.get("/customers/", {"q": "lovelace"})

        assert b"<html" in response.content
        assert b'value="lovelace"' in response.content

    def test_the_home_page_is_the_search(self, staff):
        response = staff.get("/")

        assert response.status_code == 302
        assert response["Location"] == "/customers/"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["postcode", "name", "mpan"])
def test_search_runs_a_fixed_number_of_queries(
    book, signed_in, django_assert_max_num_queries, kind
):
    client = signed_in(Role.ADMIN)
    query = {"postcode": "M1 1AE", "name": "lovelace", "mpan": book.home.mpans[0]}[kind]

    # session, user; then one query for the customers, the match made inside it (the
    # results list shows no contacts, consents or needs, so none are fetched)
    with django_assert_max_num_queries(3):
        response = client.get("/customers/", {"q": query})

    assert response.status_code == 200
    assert len(result_links(response)) == 1
