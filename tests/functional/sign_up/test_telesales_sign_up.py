"""A telesales agent signs a home up on the phone in a real browser (Debian's Chromium
driven by Playwright against a live server): the team's unsigned contracts, a new
customer captured in two steps, the contract emailed at once with its signing link and
the PDF, "Send the link again" on the customer's request; then the customer opens the
emailed link in their own browser (no sign-in), asks for a code and signs. The account
is active, the sealed PDF verifies and the contract leaves the unsigned list.

Screenshots of each step go to /tmp/screens/telesales-*.png (``KILOWATT_SCREENS`` to
change it).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kilowatt.accounts import models as account_models
from kilowatt.comms import models as comms_models
from kilowatt.identity.domain.roles import Role
from kilowatt.sales import models, operations
from kilowatt.sales.domain import seal
from tests.factories import book, people
from tests.factories.browser import MARKS, SCREENS
from tests.factories.sales import ACCOUNT_NUMBER, REGION, SORT_CODE, code_sent_to

pytestmark = MARKS

DESK, PHONE = 1280, 390


@pytest.fixture
def on_sale(transactional_db, settings, live_server):
    book.price_list(by=book.principal(Role.SYSADMIN, username="pricing"), region=REGION)
    # The emailed signing link names the public site: here, the live server.
    settings.KILOWATT_PUBLIC_URL = live_server.url
    return live_server.url


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
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def snap(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"telesales-{name}.png"), full_page=True)


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def verified(sealed: bytes) -> seal.Verification:
    """Verify a sealed PDF off this thread: Playwright's sync API keeps an event loop
    running here, and the verifier starts one of its own."""
    roots = operations.trust_roots()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(seal.verify, sealed, trust_roots_pem=roots).result()


def sign_in(page, username: str, *, then: str) -> None:
    page.goto(f"/login/?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def test_a_telesales_sign_up_is_emailed_chased_and_signed_by_the_customer(on_sale, new_page):
    agent = people.make_user(Role.TELESALES, username="phone-agent")
    email = "grace@example.com"
    mpan, mprn = book.mpan_core(REGION), book.mprn()
    page = new_page(width=DESK)

    # (a) the team's unsigned contracts: none yet
    sign_in(page, agent.username, then="/sales/telesales/")
    assert page.get_by_test_id("unsigned-count").inner_text() == "0"
    page.get_by_test_id("unsigned-empty").wait_for()
    snap(page, "1-unsigned-none")

    # (b) a new customer on the phone: the quote, then the tariffs and the details
    page.get_by_test_id("new-customer").click()
    page.wait_for_url(re.compile(r"/sales/telesales/new/$"))
    page.get_by_label("Postcode").fill("SW1A 2AA")
    snap(page, "2-quote")
    page.get_by_role("button", name="Show the tariffs").click()
    page.get_by_test_id("details-step").wait_for()
    assert page.get_by_label(re.compile("Kilowatt Flexible Residential Electricity")).is_checked()
    page.get_by_label("Title", exact=True).select_option("Dr")
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    page.get_by_label("Phone (optional)").fill("07700 900789")
    page.get_by_label("Address line 1").fill("3 Compiler Lane")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label(re.compile("MPAN")).fill(mpan)
    page.get_by_label(re.compile("MPRN")).fill(mprn)
    page.get_by_label("Name on the account").fill("G Hopper")
    page.get_by_label("Sort code").fill(SORT_CODE)
    page.get_by_label("Account number").fill(ACCOUNT_NUMBER)
    page.get_by_label(re.compile("I authorise Kilowatt Energy")).check()
    page.get_by_label(re.compile("agree to the terms")).check()
    no_sideways_scroll(page, DESK)
    snap(page, "3-details")
    page.get_by_role("button", name="Take the sign-up and email the contract").click()

    # (c) taken: the contract is emailed at once, with its signing link and the PDF
    page.wait_for_url(re.compile(r"/sales/telesales/$"))
    order = models.Order.objects.get()
    contract = models.Contract.objects.get(order=order)
    assert order.channel == "TELESALES" and order.created_by_id == agent.id
    assert order.status == "AWAITING_SIGNATURE"
    assert f"Sign-up {order.reference} taken" in page.locator(".flash").inner_text()
    issued = comms_models.OutboundEmail.objects.get(
        idempotency_key=f"contract:{contract.id}:issued"
    )
    assert issued.to_address == email
    link = re.search(r"https?://\S+/sign/\S+/", issued.text_body).group(0)  # type: ignore[union-attr]
    attachment = comms_models.OutboundAttachment.objects.get(email=issued)
    assert attachment.filename == f"contract-{order.reference}.pdf"
    assert attachment.content_type == "application/pdf"
    assert bytes(attachment.content) == bytes(contract.document)
    assert page.get_by_test_id("unsigned-count").inner_text() == "1"
    row = page.get_by_test_id("unsigned").locator("tbody tr", has_text=order.reference)
    assert "Grace Hopper" in row.inner_text() and email in row.inner_text()
    no_sideways_scroll(page, DESK)
    snap(page, "4-unsigned-one")

    # (d) the customer asks for the link again
    row.get_by_role("button", name="Send the link again").click()
    page.wait_for_url(re.compile(r"/sales/telesales/$"))
    assert f"Signing link sent again to {email} (reminder 1)" in page.locator(".flash").inner_text()
    reminder = comms_models.OutboundEmail.objects.get(
        idempotency_key=f"contract:{contract.id}:reminder:1"
    )
    assert reminder.to_address == email
    assert f"{on_sale}/sign/" in reminder.text_body  # a fresh link to the same contract
    assert models.Contract.objects.get(id=contract.id).reminders_sent == 1
    row = page.get_by_test_id("unsigned").locator("tbody tr", has_text=order.reference)
    assert row.get_by_test_id("resend").count() == 1
    snap(page, "5-link-sent-again")

    # (e) the customer opens the emailed link on their phone (their own browser, no sign-in)
    phone = new_page(width=PHONE)
    phone.goto(link)
    assert phone.get_by_test_id("reference").inner_text() == order.reference
    no_sideways_scroll(phone, PHONE)
    snap(phone, "6-customer-sign")
    phone.get_by_role("button", name="Email me a code").click()
    assert "We have emailed a 6-digit code" in phone.get_by_test_id("flash").inner_text()
    phone.get_by_label("The code from the email").fill(code_sent_to(email))
    snap(phone, "7-customer-code")
    phone.get_by_role("button", name="Sign the contract").click()
    phone.wait_for_url(re.compile(r"/sign/[^/]+/signed/$"))
    no_sideways_scroll(phone, PHONE)
    snap(phone, "8-customer-signed")

    contract.refresh_from_db()
    order.refresh_from_db()
    assert contract.status == "SIGNED" and order.status == "SIGNED"
    assert account_models.Account.objects.get(id=order.account_id).status == "ACTIVE"
    with phone.expect_download() as download:
        phone.get_by_test_id("signed-pdf").click(modifiers=["Alt"])
    sealed = Path(download.value.path()).read_bytes()
    assert sealed == bytes(contract.signed_document)
    verification = verified(sealed)
    assert verification.ok, verification.problem

    # (f) signed: it leaves the team's unsigned list
    page.reload()
    assert page.get_by_test_id("unsigned-count").inner_text() == "0"
    page.get_by_test_id("unsigned-empty").wait_for()
    snap(page, "9-unsigned-none-again")
