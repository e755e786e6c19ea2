"""The customer page shows each meter point's newest reads (from the customer's own time
there), all of them fetched in one query, and reads well on a desk and on a phone."""

from __future__ import annotations

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from kilowatt.identity.domain.roles import Role
from kilowatt.metering import models, operations
from tests.factories import people, screens

AS_AT = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
CHROMIUM = Path("/usr/bin/chromium")
SCREENS = Path(os.environ.get("KILOWATT_SCREENS", "/tmp/screens"))


def on(month: int, day: int = 1) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 9, 0, tzinfo=datetime.UTC)


def give(identifier: str, *readings, source: str = "CUSTOMER"):
    return operations.record_reads(
        reads=[
            operations.ReadIn(meter_point=identifier, read_at=when, value=Decimal(value))
            for when, value in readings
        ],
        source=source,
        received_by="test",
        as_at=AS_AT,
    )


def monthly_reads(supplied: screens.Supplied) -> None:
    """Seven months of electricity reads (the last an estimate), a held gas read, and a
    reading from before the customer's supply began (refused, and kept for the record)."""
    mpan, mprn = supplied.mpans[0], supplied.mprns[0]
    give(mpan, *[(on(month), str(1000 + 230 * (month - 2))) for month in range(2, 8)])
    give(mpan, (on(8), "2400"), source="ESTIMATE")
    give(mprn, (on(2), "500"), (on(5), "650"))
    give(mprn, (on(6), "640"))  # lower than the last: held
    (before,) = give(mprn, (on(1, 15), "480"))
    assert before.status == "REFUSED" and before.read_id is not None


def grouped(core: str) -> str:
    return f"{core[:2]} {core[2:6]} {core[6:10]} {core[10:]}"


def _reads_of(body: str, identifier_shown: str) -> str:
    """Return the reads block of the meter point shown as ``identifier_shown``."""
    block = body[body.index(identifier_shown) :]
    block = block[block.index('data-testid="meter-point-reads"') :]
    ends = [block.find(end) for end in ("</table>", "No reads yet.") if end in block]
    return block[: min(ends)]


@pytest.mark.django_db
class TestReadsOnTheCustomerPage:
    def test_each_meter_point_shows_its_newest_five_reads(self, book, signed_in):
        monthly_reads(book.home)
        core = book.home.mpans[0]

        body = signed_in(Role.COMPLAINTS).get(f"/customers/{book.home.number}/").content.decode()

        electricity = _reads_of(body, grouped(core))
        dates = re.findall(r'class="read-date nowrap">([^<]+)<', electricity)
        assert dates == ["1 Aug 2026", "1 Jul 2026", "1 Jun 2026", "1 May 2026", "1 Apr 2026"]
        assert "2,150" in electricity and "1,230" not in electricity  # Jul in, Mar out
        assert "Anytime" in electricity
        assert "Customer" in electricity

    def test_an_estimated_read_says_so(self, book, signed_in):
        monthly_reads(book.home)

        body = signed_in(Role.COMPLAINTS).get(f"/customers/{book.home.number}/").content.decode()

        electricity = _reads_of(body, grouped(book.home.mpans[0]))
        newest = electricity[electricity.index("<tbody>") :].split("</tr>")[0]
        assert "2,400" in newest
        assert 'title="Estimated read">E</abbr>' in newest
        assert "Estimated" in newest

    def test_status_is_shown_and_a_read_from_before_their_supply_is_not(self, book, signed_in):
        monthly_reads(book.home)
        mprn = book.home.mprns[0]

        body = signed_in(Role.COMPLAINTS).get(f"/customers/{book.home.number}/").content.decode()

        gas = _reads_of(body, mprn)
        assert re.findall(r'class="read-date nowrap">([^<]+)<', gas) == [
            "1 Jun 2026",
            "1 May 2026",
            "1 Feb 2026",
        ]
        assert "Held" in gas and "Accepted" in gas
        assert "15 Jan 2026" not in gas
        assert models.Read.objects.filter(meter_point__identifier=mprn, status="REFUSED").exists()

    def test_a_meter_point_without_reads_says_so(self, book, signed_in):
        body = signed_in(Role.COMPLAINTS).get(f"/customers/{book.home.number}/").content.decode()

        assert body.count("No reads yet.") == 2  # electricity and gas

    def test_another_customers_reads_stay_on_their_page(self, book, signed_in):
        monthly_reads(book.home)

        body = signed_in(Role.BILLING).get(f"/customers/{book.business.number}/").content
        assert b"2,400" not in body and b"2,150" not in body

    @pytest.mark.parametrize("role", [Role.CUSTOMER, None])
    def test_people_outside_the_back_office_see_no_reads(self, book, signed_in, role):
        monthly_reads(book.home)

        response = signed_in(role).get(f"/customers/{book.home.number}/")

        assert response.status_code == (403 if role else 302)
        assert b"2,400" not in response.content

    def test_a_corporate_manager_is_not_shown_a_home_customers_reads(self, book, signed_in):
        monthly_reads(book.home)

        response = signed_in(Role.CORPORATE_MANAGER).get(f"/customers/{book.home.number}/")

        assert response.status_code == 404
        assert b"2,400" not in response.content


@pytest.mark.django_db
def test_reads_of_every_meter_point_cost_one_query(book, signed_in, django_assert_max_num_queries):
    bigger = screens.business_customer(
        by=book.corporate_manager,
        company_name="Many Sites Ltd",
        postcodes=("M1 1AE", "LS1 4DY", "BS1 4DJ", "CF10 1EP"),
        regions=("16", "23", "22", "21"),
        towns=("Manchester", "Leeds", "Bristol", "Cardiff"),
    )
    for identifier in (*bigger.mpans, *bigger.mprns):
        give(identifier, *[(on(month), str(100 * month)) for month in range(2, 10)])
    client = signed_in(Role.BILLING)

    # As the customer page's own bound: the newest reads add one query, however many
    # meter points and reads there are.
    with django_assert_max_num_queries(14):
        response = client.get(f"/customers/{bigger.number}/")

    assert response.status_code == 200
    assert response.content.decode().count('class="read-date') == 5 * 5  # 5 points, 5 each


# --- in a browser -----------------------------------------------------------------------

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
            )
            yield chromium
            chromium.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed")
@pytest.mark.parametrize("width", [1280, 390])
def test_the_reads_read_well_on_a_desk_and_a_phone(transactional_db, browser, live_server, width):
    agent = screens.principal(Role.AGENT)
    home = screens.home_customer(by=agent)
    monthly_reads(home)
    user = people.make_user(Role.BILLING)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(people.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/customers/$"))
        page.goto(f"/customers/{home.number}/")

        reads = page.get_by_test_id("meter-point-reads")
        assert reads.count() == 2
        assert "1 Aug 2026" in reads.first.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        SCREENS.mkdir(parents=True, exist_ok=True)
        reads.first.screenshot(path=str(SCREENS / f"customer-reads-{width}.png"))
        page.screenshot(path=str(SCREENS / f"customer-page-reads-{width}.png"), full_page=True)
    finally:
        context.close()
