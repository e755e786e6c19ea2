"""The back office in a real browser: Debian's Chromium driven by Playwright against a live
server. Staff search by postcode, MPAN and name as they type, open a customer, correct the
email and see the audit trail grow; a corporate manager is refused a home customer.

Screenshots of each step go to /tmp/screens/ (``KILOWATT_SCREENS`` to change it) so a
person can look at what the test saw.
"""

from __future__ import annotations

import re

import pytest

from kilowatt.identity.domain.roles import Role
from tests.factories import people, screens
from tests.factories.browser import MARKS, SCREENS

pytestmark = MARKS


@pytest.fixture
def book(transactional_db, browser):
    agent = screens.principal(Role.AGENT)
    corporate_manager = screens.principal(Role.CORPORATE_MANAGER)
    home = screens.home_customer(by=agent, priority_needs=("OVER_75",))
    screens.home_customer(by=agent, first_name="Alan", last_name="Turing", postcode="SE1 7PB")
    business = screens.business_customer(by=corporate_manager)
    return {"home": home, "business": business}


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def open_page(*, width: int = 1280):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, role: Role) -> str:
    user = people.make_user(role)
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/customers/$"))
    return user.username


def snap(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"browser-{name}.png"), full_page=True)


def type_search(page, text: str) -> None:
    """Type into the search box as a person would; HTMX swaps the results in."""
    box = page.locator("#q")
    box.fill("")
    box.press_sequentially(text, delay=20)


def test_staff_find_a_customer_every_way_and_correct_their_email(book, new_page):
    home, business = book["home"], book["business"]
    page = new_page()

    username = sign_in(page, Role.TELESALES)
    top_bar = page.locator(".topbar")
    assert username in top_bar.inner_text()
    assert "Telesales agent" in top_bar.inner_text()
    assert page.get_by_text("Search the customers you look after").is_visible()

    type_search(page, home.postcodes[0].lower())
    results = page.get_by_test_id("search-results")
    results.get_by_text("Alan Turing").wait_for()
    assert page.get_by_test_id("matched-by").inner_text() == "postcode"
    assert "Ada Lovelace" in results.inner_text()
    assert "q=se1" in page.url.lower()  # the URL follows the box, so it can be shared
    snap(page, "search-postcode")

    type_search(page, business.mpans[1])
    results.get_by_text("Babbage Engines Ltd").wait_for()
    assert page.get_by_test_id("matched-by").inner_text() == "MPAN"
    assert "Lovelace" not in results.inner_text()

    type_search(page, "lovelace")
    results.get_by_text("Ada Lovelace").wait_for()
    assert page.get_by_test_id("matched-by").inner_text() == "name (surname first)"
    assert "Turing" not in results.inner_text()

    type_search(page, "Nobody Here")
    results.get_by_text("No customers found").wait_for()
    snap(page, "search-none")

    type_search(page, "lovelace")
    results.get_by_text("Ada Lovelace").click()
    page.wait_for_url(f"**/customers/{home.number}/")
    assert page.get_by_test_id("customer-name").inner_text() == "Ms Ada Lovelace"
    assert "Aged 75 or over" in page.get_by_test_id("priority-needs").inner_text()
    accounts = page.get_by_test_id("accounts").inner_text()
    assert home.accounts[0] in accounts and "London" in accounts
    trail_rows_before = page.locator("[data-testid=audit-trail] tbody tr").count()
    snap(page, "customer-home")

    contact = page.get_by_test_id("contact-details")
    contact.get_by_role("link", name="Edit").click()
    form = page.get_by_test_id("contact-form")
    form.wait_for()
    assert page.url.endswith(f"/customers/{home.number}/")  # swapped in, no navigation
    form.get_by_role("textbox", name="Email").fill("ada@@example")
    form.get_by_role("button", name="Save").click()
    page.get_by_test_id("problem-email").wait_for()
    snap(page, "edit-refused-email")

    form.get_by_role("textbox", name="Email").fill("countess@example.org")
    form.get_by_role("button", name="Save").click()
    page.get_by_text("Contact details saved").wait_for()
    assert page.get_by_test_id("customer-email").inner_text() == "countess@example.org"
    trail = page.locator("[data-testid=audit-trail] tbody tr")
    assert trail.count() == trail_rows_before + 1
    newest = trail.first.inner_text()
    assert "updated" in newest and "ada@example.org" in newest
    assert "countess@example.org" in newest
    snap(page, "customer-after-edit")


def test_a_corporate_manager_is_refused_a_home_customer(book, new_page):
    home, business = book["home"], book["business"]
    page = new_page(width=390)

    sign_in(page, Role.CORPORATE_MANAGER)
    assert "Corporate relations manager" in page.locator(".topbar").inner_text()

    type_search(page, "lovelace")
    page.get_by_text("No customers found").wait_for()

    response = page.goto(f"/customers/{home.number}/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="Customer not found").is_visible()
    assert "Lovelace" not in page.content()
    snap(page, "corporate-manager-home-refused-390")

    page.goto(f"/customers/{business.number}/")
    assert page.get_by_test_id("customer-name").inner_text() == "Babbage Engines Ltd"
    # Nothing on a phone-width page may force sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snap(page, "corporate-manager-business-390")


def test_a_customer_login_is_refused_the_back_office(book, new_page):
    page = new_page()
    user = people.make_user(Role.CUSTOMER)

    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/my/meter-readings/$"))  # a customer lands on their own page

    page.goto("/customers/")
    page.get_by_role("heading", name="This page is not available to you").wait_for()
    assert "Lovelace" not in page.content()
