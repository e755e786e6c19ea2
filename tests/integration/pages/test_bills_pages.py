"""Bills as people see them: a customer's ``/my/bills/`` (newest first, the balance, a
PDF link, a "Restated" badge) and the plain difference of a restated bill at
``/my/bills/<id>/changes/``; the same for staff at ``/accounts/<number>/bills/``. Anonymous
visitors sign in, another customer and staff out of reach find nothing (404), staff get
403 on a customer's pages and customers on staff pages."""

from __future__ import annotations

import re

import pytest

from kilowatt.identity.domain.roles import Role
from tests.factories import billing
from tests.factories import book as book_factory


@pytest.fixture
def restated(db) -> billing.RestatedBook:
    return billing.restated_book()


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _my(restated: billing.RestatedBook) -> list[str]:
    return ["/my/bills/", f"/my/bills/{restated.original_id}/changes/"]


def _staff(restated: billing.RestatedBook) -> list[str]:
    number = restated.book.home.account
    return [
        f"/accounts/{number}/bills/",
        f"/accounts/{number}/bills/{restated.original_id}/changes/",
    ]


def test_anonymous_visitors_sign_in_first(restated, signed_in):
    client = signed_in(None)
    for url in _my(restated) + _staff(restated):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


def test_the_owner_sees_their_bills_newest_first_and_what_they_owe(restated, signed_in):
    owner = book_factory.login_for(restated.book.home.contact_ids[0])
    response = signed_in(owner).get("/my/bills/")

    assert response.status_code == 200
    text = _text(response)
    assert "You owe £211.72" in text
    numbers = re.findall(r'data-testid="bill-(KWE\d{9})"', response.content.decode())
    assert len(numbers) == 3
    assert numbers == sorted(numbers, reverse=True)  # numbered in order: newest first
    assert "Restated" in text
    page = response.content.decode()
    assert f'href="/my/bills/{restated.original_id}/changes/"' in page
    assert f'href="/api/v1/invoices/{restated.replacement_id}/document"' in page
    assert 'data-testid="nav-bills"' in page


def test_the_difference_page_says_what_changed_in_plain_words(restated, signed_in):
    owner = book_factory.login_for(restated.book.home.contact_ids[0])
    response = signed_in(owner).get(f"/my/bills/{restated.replacement_id}/changes/")

    assert response.status_code == 200
    text = _text(response)
    assert re.search(
        r"Your bill KWE\d{9} for 1 Feb \u2013 28 Feb 2026 was £224\.77\. We corrected the "
        r"electricity meter reading of 1 March \(300 kWh → 250 kWh\)\. New bill KWE\d{9}: "
        r"£211\.72\. Difference: £13\.05 credited\.",
        text,
    ), text
    assert "£74.58 £62.15 -£12.43" in text  # the electricity energy line
    assert "£10.70 £10.08 -£0.62" in text  # VAT


def test_another_customer_finds_nothing(restated, signed_in):
    other = book_factory.login_for(restated.book.business.contact_ids[0])
    client = signed_in(other)
    response = client.get("/my/bills/")
    assert response.status_code == 200
    assert restated.book.home.account not in response.content.decode()
    for invoice_id in (restated.original_id, restated.credit_note_id, restated.business_bill_id):
        assert client.get(f"/my/bills/{invoice_id}/changes/").status_code == 404
    assert client.get(_staff(restated)[0]).status_code == 403  # a customer is not staff


def test_staff_out_of_reach_find_nothing(restated, signed_in):
    for role in (Role.CORPORATE_MANAGER, Role.AGENT):  # businesses only; signed up nobody
        client = signed_in(role)
        for url in _staff(restated):
            response = client.get(url)
            assert response.status_code == 404, (role, url)
            assert "KWE" not in response.content.decode()
        assert client.get("/my/bills/").status_code == 403


@pytest.mark.parametrize("role", [Role.BILLING, Role.AGENT])
def test_staff_who_reach_the_customer_see_the_bills_and_the_difference(restated, signed_in, role):
    client = signed_in(restated.book.staff[role])  # the agent signed the home up
    number = restated.book.home.account

    bills = client.get(f"/accounts/{number}/bills/")
    changes = client.get(f"/accounts/{number}/bills/{restated.credit_note_id}/changes/")

    assert bills.status_code == 200
    assert "The customer owes £211.72" in _text(bills)
    assert f'href="/accounts/{number}/bills/{restated.original_id}/changes/"' in (
        bills.content.decode()
    )
    assert changes.status_code == 200
    assert "Difference: £13.05 credited." in _text(changes)
    # The bill is not the business account's: the same id under another number is 404.
    other = restated.book.business.account
    wrong = client.get(f"/accounts/{other}/bills/{restated.original_id}/changes/")
    assert wrong.status_code == 404


def test_the_customer_page_links_each_account_to_its_bills(restated, signed_in):
    client = signed_in(restated.book.staff[Role.BILLING])
    response = client.get(f"/customers/{restated.book.home.number}/")
    assert f'href="/accounts/{restated.book.home.account}/bills/"' in response.content.decode()
