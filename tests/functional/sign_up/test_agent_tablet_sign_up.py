"""A shop agent signs a home up on their tablet in a real browser (Debian's Chromium driven
by Playwright against a live server), at 1024 px and on a 390 px phone: their month with
the target and commission their manager set, a new customer entered in two steps (a bad
MPAN refused beside its field first), the sign-up's page, then "Customer signs now" opens
the signing page in a new tab where the customer asks for a code and signs. The order is
signed, the account active, the customer the agent's, the commission earned and on the
dashboard, and the sealed PDF verifies.

Screenshots of each step go to /tmp/screens/agent-*.png (``KILOWATT_SCREENS`` to change it).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kilowatt.accounts import models as account_models
from kilowatt.customers import models as customer_models
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Role
from kilowatt.platform import clock
from kilowatt.sales import models, operations
from kilowatt.sales.domain import seal
from tests.factories import book, people
from tests.factories.browser import MARKS, SCREENS
from tests.factories.sales import ACCOUNT_NUMBER, REGION, SORT_CODE, code_sent_to

pytestmark = MARKS

ELECTRICITY = "Kilowatt Flexible Residential Electricity"
GAS = "Kilowatt Flexible Residential Gas"


@pytest.fixture
def on_sale(transactional_db, settings, live_server):
    book.price_list(by=book.principal(Role.SYSADMIN, username="pricing"), region=REGION)
    # Links to the signing page name the public site: here, the live server.
    settings.KILOWATT_PUBLIC_URL = live_server.url


@pytest.fixture
def new_context(browser, live_server):
    contexts = []

    def open_context(*, width: int):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": 768},
            locale="en-GB",
            timezone_id="Europe/London",
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def snap(page, name: str, width: int) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"agent-{name}-{width}.png"), full_page=True)


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def an_agent_with_a_month_set(width: int):
    """Return an agent whose manager set this month's target and what each supply earns."""
    manager_user = people.make_user(Role.SALES_MANAGER, username=f"manager-{width}")
    manager = identity_queries.principal_for(manager_user)
    agent = people.make_user(Role.AGENT, username=f"shop-agent-{width}", manager_id=manager_user.id)
    now, today = clock.now(), clock.today()
    operations.set_target(by=manager, agent_id=agent.id, month=today, sign_ups=12, as_at=now)
    for product, pence in ((ELECTRICITY, 2550), (GAS, 1500)):
        operations.set_commission_rule(
            by=manager, product=product, amount_pence=pence, valid_from=today, as_at=now
        )
    return agent


def sign_in(page, username: str, *, then: str) -> None:
    page.goto(f"/login/?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def verified(sealed: bytes) -> seal.Verification:
    """Verify a sealed PDF off this thread: Playwright's sync API keeps an event loop
    running here, and the verifier starts one of its own."""
    roots = operations.trust_roots()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(seal.verify, sealed, trust_roots_pem=roots).result()


def bad_mpan(good: str) -> str:
    return good[:-1] + str((int(good[-1]) + 1) % 10)


@pytest.mark.parametrize("width", [1024, 390])
def test_a_shop_agent_signs_a_home_up_and_the_customer_signs_on_the_tablet(
    on_sale, new_context, width
):
    agent = an_agent_with_a_month_set(width)
    tablet = new_context(width=width)
    page = tablet.new_page()
    email = f"mary.{width}@example.com"
    mpan, mprn = book.mpan_core(REGION), book.mprn()

    # (a) their month: the target and commission their manager set, nothing earned yet
    sign_in(page, agent.username, then="/sales/agent/")
    target = page.get_by_test_id("target").inner_text()
    assert "of 12 signed" in target and "12 to go" in target
    assert f"manager-{width}" in target
    assert page.get_by_test_id("commission-net").inner_text() == "£0.00"
    assert "Nothing earned yet this month" in page.get_by_test_id("commission").inner_text()
    no_sideways_scroll(page, width)
    snap(page, "1-dashboard", width)

    # (b) a new customer: the quote first
    page.get_by_test_id("new-customer").click()
    page.wait_for_url(re.compile(r"/sales/agent/new/$"))
    assert page.get_by_test_id("capture").get_attribute("data-step") == "quote"
    page.get_by_label("Postcode").fill("SW1A 2AA")
    no_sideways_scroll(page, width)
    snap(page, "2-quote", width)
    page.get_by_role("button", name="Show the tariffs").click()
    page.get_by_test_id("details-step").wait_for()

    # (c) tariffs (one on sale for each fuel, so picked), the customer, meters, bank
    assert page.get_by_label(re.compile(ELECTRICITY)).is_checked()
    assert page.get_by_label(re.compile(GAS)).is_checked()
    page.get_by_label("Title", exact=True).select_option("Ms")
    page.get_by_label("First name").fill("Mary")
    page.get_by_label("Last name").fill("Somerville")
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    page.get_by_label("Phone (optional)").fill("07700 900456")
    page.get_by_label("Address line 1").fill("1 Counter Street")
    page.get_by_label("Town or city").fill("London")
    assert page.get_by_label("Postcode").input_value() == "SW1A 2AA"
    page.get_by_label(re.compile("MPAN")).fill(bad_mpan(mpan))
    page.get_by_label(re.compile("MPRN")).fill(mprn)
    page.get_by_label("Name on the account").fill("M Somerville")
    page.get_by_label("Sort code").fill(SORT_CODE)
    page.get_by_label("Account number").fill(ACCOUNT_NUMBER)
    page.get_by_label(re.compile("I authorise Kilowatt Energy")).check()
    page.get_by_label(re.compile("agree to the terms")).check()
    no_sideways_scroll(page, width)
    snap(page, "3-details", width)
    page.get_by_role("button", name="Take the sign-up").click()

    # (d) the bad MPAN is refused beside its field; everything else is kept
    mpan_field = page.locator(".field", has=page.get_by_label(re.compile("MPAN")))
    assert "MPAN" in mpan_field.locator(".field-problem").inner_text()
    assert page.locator(".field-problem").count() == 1
    assert not models.Order.objects.exists()
    assert page.get_by_label("Last name").input_value() == "Somerville"
    assert page.get_by_label(re.compile("agree to the terms")).is_checked()
    mpan_field.scroll_into_view_if_needed()
    no_sideways_scroll(page, width)
    snap(page, "4-mpan-refused", width)
    page.get_by_label(re.compile("MPAN")).fill(mpan)
    page.get_by_role("button", name="Take the sign-up").click()

    # (e) the sign-up's page, ready to sign
    page.wait_for_url(re.compile(r"/sales/agent/orders/[^/]+/$"))
    order = models.Order.objects.get()
    assert page.url.endswith(f"/sales/agent/orders/{order.reference}/")
    assert order.channel == "AGENT" and order.created_by_id == agent.id
    assert order.status == "AWAITING_SIGNATURE"
    assert f"Sign-up {order.reference} taken" in page.locator(".flash").inner_text()
    assert page.get_by_test_id("order-status").inner_text() == "Awaiting signature"
    assert mpan in page.get_by_test_id("order-supplies").inner_text()
    no_sideways_scroll(page, width)
    snap(page, "5-order", width)

    # (f) the customer signs on the tablet, in a new tab
    with tablet.expect_page() as opened:
        page.get_by_test_id("sign-now").click()
    signing = opened.value
    signing.wait_for_url(re.compile(r"/sign/[^/]+/$"))
    assert signing.get_by_test_id("reference").inner_text() == order.reference
    no_sideways_scroll(signing, width)
    snap(signing, "6-sign", width)
    signing.get_by_role("button", name="Email me a code").click()
    assert "We have emailed a 6-digit code" in signing.get_by_test_id("flash").inner_text()
    signing.get_by_label("The code from the email").fill(code_sent_to(email))
    snap(signing, "7-code", width)
    signing.get_by_role("button", name="Sign the contract").click()
    signing.wait_for_url(re.compile(r"/sign/[^/]+/signed/$"))
    contract = models.Contract.objects.get(order=order)
    assert contract.status == "SIGNED"
    no_sideways_scroll(signing, width)
    snap(signing, "8-signed", width)

    # (g) signed: an active account, the agent's customer, the commission earned
    order.refresh_from_db()
    assert order.status == "SIGNED"
    assert account_models.Account.objects.get(id=order.account_id).status == "ACTIVE"
    assert customer_models.Customer.objects.get(id=order.customer_id).signed_up_by_id == agent.id
    earned = models.Commission.objects.filter(agent_id=agent.id, clawed_back_at=None)
    assert sorted(earned.values_list("product", "amount_pence")) == [
        (ELECTRICITY, 2550),
        (GAS, 1500),
    ]

    with signing.expect_download() as download:
        signing.get_by_test_id("signed-pdf").click(modifiers=["Alt"])
    sealed = Path(download.value.path()).read_bytes()
    assert sealed == bytes(contract.signed_document)
    verification = verified(sealed)
    assert verification.ok, verification.problem
    signing.close()

    # (h) back on the agent's tab: the sign-up is signed and the month shows it
    page.reload()
    assert page.get_by_test_id("order-status").inner_text() == "Signed, switching"
    assert page.get_by_test_id("sign-now").count() == 0
    snap(page, "9-order-signed", width)
    page.get_by_role("link", name="My sales").first.click()
    page.wait_for_url(re.compile(r"/sales/agent/$"))
    assert page.get_by_test_id("signed").inner_text() == "1"
    assert "11 to go" in page.get_by_test_id("target").inner_text()
    assert page.get_by_test_id("commission-net").inner_text() == "£40.50"
    commission = page.get_by_test_id("commission").inner_text()
    assert ELECTRICITY in commission and "£25.50" in commission and "£15.00" in commission
    assert order.reference in page.get_by_test_id("recent").inner_text()
    no_sideways_scroll(page, width)
    snap(page, "10-dashboard-earned", width)
