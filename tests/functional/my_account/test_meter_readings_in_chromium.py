"""A customer gives a meter reading in a real browser: Debian's Chromium driven by
Playwright against a live server, on a desk (1280 px) and a phone (390 px), with
JavaScript (HTMX swaps the meter point's section in place) and without it (a plain
POST, then the redirect or the re-rendered page).

Screenshots of each step go to /tmp/screens/ (``KILOWATT_SCREENS`` to change it).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from kilowatt.identity.domain.roles import Role
from kilowatt.metering import models, operations
from tests.factories import book, people, screens
from tests.factories.browser import MARKS, SCREENS

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(range(256)) * 4

pytestmark = MARKS


def on(month: int) -> datetime.datetime:
    return datetime.datetime(2026, month, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def customer(transactional_db, browser):
    """A home customer on Economy 7 electricity and gas, with a few months of readings
    (one of them an estimate) and a login."""
    agent = screens.principal(Role.AGENT)
    home = screens.home_customer(by=agent, profile_class="02", contact_name="Ada Lovelace")
    mpan, mprn = home.mpans[0], home.mprns[0]
    for register, start in (("1", 4000), ("2", 2000)):
        operations.record_reads(
            reads=[
                operations.ReadIn(
                    meter_point=mpan,
                    read_at=on(month),
                    value=Decimal(start + 210 * (month - 3)),
                    register=register,
                )
                for month in range(3, 9)
            ],
            source="CUSTOMER",
            received_by="test",
            as_at=on(10),
        )
    operations.record_reads(
        reads=[operations.ReadIn(meter_point=mprn, read_at=on(m), value=Decimal(v)) for m, v in
               ((3, "500"), (6, "620"))],
        source="INDUSTRY",
        received_by="test",
        as_at=on(10),
    )  # fmt: skip
    operations.record_reads(
        reads=[operations.ReadIn(meter_point=mprn, read_at=on(9), value=Decimal("700"))],
        source="ESTIMATE",
        received_by="test",
        as_at=on(10),
    )
    login = book.login_for(home.contact_ids[0])
    return {"home": home, "username": login.username}


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def open_page(*, width: int = 1280, javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": 900},
            java_script_enabled=javascript,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/my/meter-readings/$"))


def snap(page, name: str, *, width: int, section=None) -> None:
    """Screenshot the whole page, and the meter point's section when given."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"my-readings-{name}-{width}.png"), full_page=True)
    if section is not None:
        section.screenshot(path=str(SCREENS / f"my-readings-{name}-section-{width}.png"))


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_a_customer_gives_readings_with_a_photo_and_is_told_what_happened(
    customer, new_page, width
):
    home = customer["home"]
    mpan, mprn = home.mpans[0], home.mprns[0]
    page = new_page(width=width)

    sign_in(page, customer["username"])
    assert page.get_by_role("link", name="Meter readings").is_visible()
    points = page.get_by_test_id("my-meter-point")
    assert points.count() == 2
    electricity = page.locator(f"#mp-{mpan}")
    assert "Day reading" in electricity.inner_text()
    assert "Night reading" in electricity.inner_text()
    assert "Estimated" in page.locator(f"#mp-{mprn}").inner_text()
    no_sideways_scroll(page, width)
    snap(page, "page", width=width)

    # Too many digits for the six-digit meter: refused beside the night value, nothing kept.
    electricity.get_by_label("Numbers on the meter").first.fill("5100")
    electricity.get_by_label("Numbers on the meter").nth(1).fill("1234567")
    electricity.get_by_role("button", name="Send readings").click()
    problem = page.get_by_test_id("problem-value-2")
    problem.wait_for()
    assert "digits" in problem.inner_text()
    assert page.get_by_test_id("problem-value-1").count() == 0
    assert page.url.endswith("/my/meter-readings/")  # swapped in place
    assert not models.Read.objects.filter(read_at__gt=on(9)).exists()
    no_sideways_scroll(page, width)
    electricity = page.locator(f"#mp-{mpan}")
    electricity.scroll_into_view_if_needed()
    snap(page, "refused", width=width, section=electricity)

    # Corrected, with a photo of the day register: both accepted.
    electricity.get_by_label("Numbers on the meter").nth(1).fill("3100")
    electricity.get_by_label("Photo of the meter").first.set_input_files(
        {"name": "meter.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )
    electricity.get_by_role("button", name="Send readings").click()
    page.get_by_test_id("reading-outcome").first.wait_for()
    outcomes = page.get_by_test_id("reading-outcome").all_inner_texts()
    assert outcomes == ["Day: Thanks, we have your reading", "Night: Thanks, we have your reading"]
    history = page.locator(f"#mp-{mpan}").get_by_test_id("reading-history").inner_text()
    assert "5,100" in history and "3,100" in history and "with photo" in history
    assert models.ReadPhoto.objects.count() == 1
    no_sideways_scroll(page, width)
    snap(page, "accepted", width=width, section=page.locator(f"#mp-{mpan}"))


def test_without_javascript_the_form_posts_and_comes_back(customer, new_page):
    home = customer["home"]
    mprn = home.mprns[0]
    page = new_page(width=390, javascript=False)

    sign_in(page, customer["username"])
    gas = page.locator(f"#mp-{mprn}")
    gas.get_by_label("Numbers on the meter").fill("71")  # lower than the last: held
    gas.get_by_role("button", name="Send reading").click()
    page.get_by_test_id("reading-outcome").wait_for()

    assert page.url.endswith(f"/my/meter-readings/#mp-{mprn}")
    assert (
        page.get_by_test_id("reading-outcome")
        .inner_text()
        .startswith("We will check this reading: ")
    )
    assert "Being checked" in page.locator(f"#mp-{mprn}").inner_text()
    no_sideways_scroll(page, 390)
    snap(page, "held-no-js", width=390, section=page.locator(f"#mp-{mprn}"))

    gas = page.locator(f"#mp-{mprn}")
    gas.get_by_label("When you read it").fill("2099-01-01T09:00")
    gas.get_by_label("Numbers on the meter").fill("720")
    gas.get_by_role("button", name="Send reading").click()
    page.get_by_test_id("problem-read_at").wait_for()
    assert models.Read.objects.filter(meter_point__identifier=mprn, value=720).count() == 0
