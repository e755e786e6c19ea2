"""A home signs up on the web in a real browser (Debian's Chromium driven by Playwright
against a live server), on a desk (1280 px) and a phone (390 px): a quote, details,
address and meter numbers, payment, check and send; then the contract is signed with the
code emailed, the account is active and the sealed PDF verifies.

Screenshots of each step go to /tmp/screens/ (``KILOWATT_SCREENS`` to change it).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from kilowatt.accounts import models as account_models
from kilowatt.identity.domain.roles import Role
from kilowatt.sales import models, operations
from kilowatt.sales.domain import seal
from tests.factories import book
from tests.factories.browser import MARKS, SCREENS
from tests.factories.sales import ACCOUNT_NUMBER, REGION, SORT_CODE, code_sent_to

pytestmark = MARKS


@pytest.fixture
def on_sale(transactional_db):
    book.price_list(by=book.principal(Role.SYSADMIN, username="pricing"), region=REGION)


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def open_page(*, width: int):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": 900},
            locale="en-GB",
            timezone_id="Europe/London",
            accept_downloads=True,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def snap(page, name: str, width: int) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"sign-up-{name}-{width}.png"), full_page=True)


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_a_home_signs_up_and_signs_its_contract_in_the_browser(on_sale, new_page, width):
    page = new_page(width=width)
    email = f"ada.{width}@example.com"
    mpan, mprn = book.mpan_core(REGION), book.mprn()

    # (a) the quote
    page.goto("/sign-up/")
    page.get_by_label("Postcode").fill("SW1A 2AA")
    no_sideways_scroll(page, width)
    snap(page, "1-quote", width)
    page.get_by_role("button", name="See prices").click()
    page.get_by_test_id("prices").wait_for()
    assert page.get_by_test_id("offer").count() == 2
    no_sideways_scroll(page, width)
    snap(page, "1-prices", width)
    page.get_by_role("button", name="Continue with these tariffs").click()

    # (b) details: a refusal first, beside its field
    page.wait_for_url(re.compile(r"/sign-up/details/$"))
    page.get_by_label("First name").fill("Ada")
    page.get_by_role("button", name="Continue").click()
    assert "give the last name" in page.get_by_test_id("problem-customer-last_name").inner_text()
    no_sideways_scroll(page, width)
    snap(page, "2-details-refused", width)
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone (optional)").fill("07700 900123")
    page.get_by_role("button", name="Continue").click()

    # (c) address and meter numbers
    page.wait_for_url(re.compile(r"/sign-up/supply/$"))
    page.get_by_label("Address line 1").fill("12 Babbage Street")
    page.get_by_label("Town or city").fill("London")
    assert page.get_by_label("Postcode").input_value() == "SW1A 2AA"
    page.get_by_label(re.compile("MPAN")).fill(mpan)
    page.get_by_label(re.compile("MPRN")).fill(mprn)
    page.get_by_text("Where do I find my MPAN and MPRN?").click()
    no_sideways_scroll(page, width)
    snap(page, "3-supply", width)
    page.get_by_role("button", name="Continue").click()

    # (d) payment and consents
    page.wait_for_url(re.compile(r"/sign-up/payment/$"))
    page.get_by_label("Name on the account").fill("A Lovelace")
    page.get_by_label("Sort code").fill(SORT_CODE)
    page.get_by_label("Account number").fill(ACCOUNT_NUMBER)
    page.get_by_label(re.compile("I authorise Kilowatt Energy")).check()
    page.get_by_label(re.compile("agree to the terms")).check()
    no_sideways_scroll(page, width)
    snap(page, "4-payment", width)
    page.get_by_role("button", name="Continue").click()

    # (e) check and send (a double click still makes one order)
    page.wait_for_url(re.compile(r"/sign-up/review/$"))
    assert mpan in page.get_by_test_id("review").inner_text()
    no_sideways_scroll(page, width)
    snap(page, "5-review", width)
    page.get_by_role("button", name="Send and see my contract").dblclick()
    page.wait_for_url(re.compile(r"/sign/[^/]+/$"))
    assert models.Order.objects.count() == 1
    order = models.Order.objects.get()
    assert page.get_by_test_id("reference").inner_text() == order.reference
    no_sideways_scroll(page, width)
    snap(page, "6-sign", width)

    # Sign with the emailed code.
    page.get_by_role("button", name="Email me a code").click()
    assert "We have emailed a 6-digit code" in page.get_by_test_id("flash").inner_text()
    page.get_by_label("The code from the email").fill(code_sent_to(email))
    snap(page, "7-code", width)
    page.get_by_role("button", name="Sign the contract").click()
    page.wait_for_url(re.compile(r"/sign/[^/]+/signed/$"))
    contract = models.Contract.objects.get(order=order)
    assert contract.status == "SIGNED"
    assert (
        f"{contract.cooling_off_ends:%-d %B %Y}" in page.get_by_test_id("cooling-off").inner_text()
    )
    no_sideways_scroll(page, width)
    snap(page, "8-signed", width)

    order.refresh_from_db()
    assert account_models.Account.objects.get(id=order.account_id).status == "ACTIVE"
    with page.expect_download() as download:
        page.get_by_test_id("signed-pdf").click(modifiers=["Alt"])
    sealed = download.value.path().read_bytes()
    assert sealed == bytes(contract.signed_document)
    # The checker runs its own event loop: not in this thread, where Playwright's runs.
    with ThreadPoolExecutor(max_workers=1) as pool:
        verification = pool.submit(
            seal.verify, sealed, trust_roots_pem=operations.trust_roots()
        ).result()
    assert verification.ok, verification.problem
