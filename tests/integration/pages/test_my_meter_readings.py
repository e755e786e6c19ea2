"""A customer's meter readings page (``/my/meter-readings/``): each meter point we supply
them with a form for each register's reading (a photo optional), what became of a
reading in plain words, each refusal beside its field with nothing kept, and the
reading history. Staff and anonymous visitors are refused, as is another customer's
meter point; the form needs its CSRF token; the page's query count does not grow with
meter points or reads."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kilowatt.accounts.models import Agreement
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.identity.models import User
from kilowatt.metering import models, operations
from tests.factories import book as book_factory
from tests.factories import screens

URL = "/my/meter-readings/"
LONDON = zoneinfo.ZoneInfo("Europe/London")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(range(256)) * 4
MARCH = "2026-03-01T09:00"
APRIL = "2026-04-01T09:00"


@dataclasses.dataclass(frozen=True)
class Homes:
    ada: screens.Supplied  # electricity (one register) and gas
    ada_login: Principal
    mary: screens.Supplied  # Economy 7 electricity only: DAY and NIGHT registers
    mary_login: Principal


@pytest.fixture
def homes(db) -> Homes:
    agent = screens.principal(Role.AGENT)
    ada = screens.home_customer(by=agent, contact_name="Ada Lovelace")
    mary = screens.home_customer(
        by=agent,
        first_name="Mary",
        last_name="Somerville",
        postcode="SE1 9GP",
        email="mary@example.org",
        with_gas=False,
        profile_class="02",
        contact_name="Mary Somerville",
    )
    return Homes(
        ada=ada,
        ada_login=book_factory.login_for(ada.contact_ids[0]),
        mary=mary,
        mary_login=book_factory.login_for(mary.contact_ids[0]),
    )


def give(
    client: Client,
    identifier: str,
    *,
    read_at: str = MARCH,
    values: dict[str, str] | None = None,
    photos: dict[str, SimpleUploadedFile] | None = None,
    headers: dict[str, str] | None = None,
):
    """Post the reading form of one meter point, as a browser does (multipart)."""
    data: dict[str, object] = {"meter_point": identifier, "read_at": read_at}
    data.update({f"value-{r}": v for r, v in (values or {"1": "1200"}).items()})
    data.update({f"photo-{r}": f for r, f in (photos or {}).items()})
    return client.post(URL, data, headers=headers or {})


def section(body: str, identifier: str) -> str:
    """Return the page's section of one meter point."""
    start = body.index(f'id="mp-{identifier}"')
    end = body.find('<section class="card my-point', start)
    return body[start : end if end != -1 else len(body)]


def problem(body: str, field: str) -> str:
    match = re.search(rf'data-testid="problem-{field}">([^<]*)<', body)
    return match[1] if match else ""


def reads_of(identifier: str):
    return models.Read.objects.filter(meter_point__identifier=identifier)


def record(identifier: str, *readings, source: str = "INDUSTRY"):
    """Record reads as another source would (not through the page)."""
    return operations.record_reads(
        reads=[
            operations.ReadIn(meter_point=identifier, read_at=when, value=Decimal(value))
            for when, value in readings
        ],
        source=source,
        received_by="test",
        as_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
    )


def on(month: int, day: int = 1) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 9, 0, tzinfo=datetime.UTC)


# --- the page -------------------------------------------------------------------------


@pytest.mark.django_db
class TestThePage:
    def test_each_meter_point_in_supply_with_a_field_per_register(self, homes, signed_in):
        response = signed_in(homes.ada_login).get(URL)

        assert response.status_code == 200
        body = response.content.decode()
        mpan, mprn = homes.ada.mpans[0], homes.ada.mprns[0]
        electricity, gas = section(body, mpan), section(body, mprn)
        assert "Electricity" in electricity and "MPAN" in electricity
        assert f"{mpan[:2]} {mpan[2:6]} {mpan[6:10]} {mpan[10:]}" in electricity
        assert "12 Analytical Row, London" in electricity and "SE1 7PB" in electricity
        assert "Gas" in gas and "MPRN" in gas and mprn in gas
        for block in (electricity, gas):
            assert 'name="value-1"' in block and 'name="photo-1"' in block
            assert 'name="read_at"' in block and 'enctype="multipart/form-data"' in block
            assert "csrfmiddlewaretoken" in block
        assert "No readings yet." in electricity

    def test_the_date_field_defaults_to_now_in_uk_time(self, homes, signed_in):
        before = datetime.datetime.now(LONDON).replace(second=0, microsecond=0)

        body = signed_in(homes.ada_login).get(URL).content.decode()

        shown = re.search(r'name="read_at" value="([^"]+)"', body)[1]
        moment = datetime.datetime.fromisoformat(shown).replace(tzinfo=LONDON)
        assert before <= moment <= before + datetime.timedelta(minutes=2)

    def test_an_economy_7_meter_has_a_day_and_a_night_field(self, homes, signed_in):
        body = signed_in(homes.mary_login).get(URL).content.decode()

        block = section(body, homes.mary.mpans[0])
        assert 'name="value-1"' in block and 'name="value-2"' in block
        assert "Day reading" in block and "Night reading" in block
        assert homes.ada.mpans[0] not in body  # only their own

    def test_the_history_shows_source_status_estimates_and_why(self, homes, signed_in):
        mpan, mprn = homes.ada.mpans[0], homes.ada.mprns[0]
        record(mpan, (on(3), "1000"), (on(4), "1200"), source="CUSTOMER")
        record(mpan, (on(5), "1400"), source="ESTIMATE")
        record(mprn, (on(3), "500"), (on(4), "450"))  # lower than the last: held
        (refused,) = record(mprn, (on(1, 15), "400"))  # before their supply began
        assert refused.status == "REFUSED"

        body = signed_in(homes.ada_login).get(URL).content.decode()

        electricity = section(body, mpan)
        rows = re.findall(r'data-testid="reading-row">(.*?)</tr>', electricity, re.S)
        assert [re.search(r'read-date nowrap">([^<]+)<', r)[1] for r in rows] == [
            "1 May 2026",
            "1 Apr 2026",
            "1 Mar 2026",
        ]
        assert "Estimated" in rows[0] and "1,400" in rows[0]
        assert "Estimated" not in rows[1] and "You" in rows[1] and "Accepted" in rows[1]
        gas = section(body, mprn)
        held = models.Read.objects.get(meter_point__identifier=mprn, status="HELD")
        assert "Being checked" in gas and held.message[:30] in gas.replace("&#x27;", "'")
        assert "Industry meter reader" in gas
        assert "15 Jan 2026" not in gas  # from before their time there

    def test_a_customer_lands_here_after_signing_in_with_a_nav_link(self, homes):
        client = Client()
        response = client.post(
            "/login/", {"username": homes.ada_login.username, "password": "kilowatt-test"}
        )
        assert response["Location"] == "/"

        home = client.get("/")

        assert home.status_code == 302 and home["Location"] == URL
        page = client.get(URL).content.decode()
        assert '<a href="/my/meter-readings/" aria-current="page">Meter readings</a>' in page
        assert 'href="/customers/"' not in page

    def test_a_customer_with_no_supply_today_is_told_so(self, db, signed_in):
        agent = screens.principal(Role.AGENT)
        lapsed = screens.home_customer(by=agent, contact_name="Nobody Supplied")
        Agreement.objects.filter(account__number=lapsed.accounts[0]).update(
            valid_to=datetime.date(2026, 3, 1)
        )
        login = book_factory.login_for(lapsed.contact_ids[0])

        body = signed_in(login).get(URL).content.decode()

        assert 'data-testid="no-meter-points"' in body and lapsed.mpans[0] not in body


# --- giving a reading -------------------------------------------------------------------


@pytest.mark.django_db
class TestGivingAReading:
    def test_accepted_goes_back_to_the_page_and_says_thanks(self, homes, signed_in):
        client = signed_in(homes.ada_login)
        mpan = homes.ada.mpans[0]

        response = give(client, mpan, values={"1": "1,200"})

        assert response.status_code == 303
        assert response["Location"] == f"{URL}#mp-{mpan}"
        (read,) = reads_of(mpan)
        assert (read.status, read.source, read.value) == ("ACCEPTED", "CUSTOMER", Decimal(1200))
        assert read.read_at == datetime.datetime(2026, 3, 1, 9, 0, tzinfo=LONDON)
        body = client.get(response["Location"]).content.decode()
        electricity = section(body, mpan)
        assert "Thanks, we have your reading" in electricity
        assert "1,200" in electricity and "You" in electricity
        assert "Thanks, we have your reading" not in section(body, homes.ada.mprns[0])
        # Said once: not again on the next visit, nor in the flash list at the top.
        assert body.count("Thanks, we have your reading") == 1
        assert "Thanks" not in client.get(URL).content.decode()

    def test_the_same_reading_again_is_a_duplicate(self, homes, signed_in):
        client = signed_in(homes.ada_login)
        give(client, homes.ada.mpans[0])

        response = give(client, homes.ada.mpans[0])

        assert response.status_code == 303
        assert "We already had this reading" in client.get(URL).content.decode()
        assert reads_of(homes.ada.mpans[0]).count() == 1

    def test_a_held_reading_says_we_will_check_it_and_why(self, homes, signed_in):
        client = signed_in(homes.ada_login)
        mpan = homes.ada.mpans[0]
        give(client, mpan, read_at=MARCH, values={"1": "1200"})
        client.get(URL)

        response = give(client, mpan, read_at=APRIL, values={"1": "1100"})

        assert response.status_code == 303
        held = reads_of(mpan).get(status="HELD")
        body = client.get(URL).content.decode().replace("&#x27;", "'")
        assert held.message.startswith("The reading is lower than the last one (1200")
        assert held.message.endswith("; we will check it.")
        outcome = re.search(r'data-testid="reading-outcome">([^<]+)<', section(body, mpan))[1]
        # The rule's own words, said once: "we will check" opens the sentence only.
        assert outcome == "We will check this reading: " + held.message[:1].lower() + (
            held.message[1 : -len("; we will check it.")] + "."
        )
        assert "Being checked" in section(body, mpan)

    def test_too_many_digits_is_refused_beside_the_value(self, homes, signed_in):
        mpan = homes.ada.mpans[0]

        response = give(signed_in(homes.ada_login), mpan, values={"1": "1234567"})

        assert response.status_code == 422
        body = response.content.decode()
        assert problem(section(body, mpan), "value-1")
        assert "digits" in problem(body, "value-1")
        assert not problem(body, "read_at")
        assert 'value="1234567"' in section(body, mpan)  # the form comes back as filled in
        assert "Nothing was kept" in section(body, mpan)
        assert not reads_of(mpan).exists()

    def test_a_future_date_is_refused_beside_the_date(self, homes, signed_in):
        mpan = homes.ada.mpans[0]
        tomorrow = (datetime.datetime.now(LONDON) + datetime.timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M"
        )

        response = give(signed_in(homes.ada_login), mpan, read_at=tomorrow)

        assert response.status_code == 422
        body = response.content.decode()
        assert problem(section(body, mpan), "read_at")
        assert not problem(body, "value-1")
        assert f'value="{tomorrow}"' in section(body, mpan)
        assert not reads_of(mpan).exists()

    @pytest.mark.parametrize(
        ("field", "values", "read_at"),
        [
            ("value-1", {"1": "12a"}, MARCH),
            ("value-1", {"1": ""}, MARCH),
            ("read_at", {"1": "1200"}, ""),
            ("read_at", {"1": "1200"}, "yesterday"),
        ],
    )
    def test_what_cannot_be_read_is_refused_beside_its_field(
        self, homes, signed_in, field, values, read_at
    ):
        mpan = homes.ada.mpans[0]

        response = give(signed_in(homes.ada_login), mpan, values=values, read_at=read_at)

        assert response.status_code == 422
        assert problem(section(response.content.decode(), mpan), field)
        assert not reads_of(mpan).exists()

    def test_a_photo_is_kept_with_the_reading(self, homes, signed_in):
        client = signed_in(homes.ada_login)
        mpan = homes.ada.mpans[0]
        photo = SimpleUploadedFile("meter.jpg", JPEG, content_type="image/jpeg")

        response = give(client, mpan, photos={"1": photo})

        assert response.status_code == 303
        (read,) = reads_of(mpan)
        kept = models.ReadPhoto.objects.get(read_id=read.id)
        assert bytes(kept.content) == JPEG and kept.content_type == "image/jpeg"
        assert "with photo" in section(client.get(URL).content.decode(), mpan)

    def test_a_file_that_is_not_an_image_is_refused_beside_the_photo(self, homes, signed_in):
        mpan = homes.ada.mpans[0]
        # Declared an image by the browser; its bytes say otherwise.
        fake = SimpleUploadedFile("meter.jpg", b"%PDF-1.7 not a photo", content_type="image/jpeg")

        response = give(signed_in(homes.ada_login), mpan, photos={"1": fake})

        assert response.status_code == 422
        body = response.content.decode()
        assert problem(section(body, mpan), "photo-1")
        assert not problem(body, "value-1")
        assert not reads_of(mpan).exists() and not models.ReadPhoto.objects.exists()

    def test_both_registers_of_an_economy_7_meter_in_one_submit(self, homes, signed_in):
        client = signed_in(homes.mary_login)
        mpan = homes.mary.mpans[0]

        response = give(client, mpan, values={"1": "5000", "2": "3000"})

        assert response.status_code == 303
        assert sorted(reads_of(mpan).values_list("register__band", "value")) == [
            ("DAY", Decimal(5000)),
            ("NIGHT", Decimal(3000)),
        ]
        block = section(client.get(URL).content.decode(), mpan)
        assert "<strong>Day:</strong> Thanks, we have your reading" in block
        assert "<strong>Night:</strong> Thanks, we have your reading" in block

    def test_one_register_refused_keeps_neither(self, homes, signed_in):
        mpan = homes.mary.mpans[0]

        response = give(signed_in(homes.mary_login), mpan, values={"1": "5000", "2": "1234567"})

        assert response.status_code == 422
        body = section(response.content.decode(), mpan)
        assert problem(body, "value-2") and not problem(body, "value-1")
        assert 'value="5000"' in body
        assert not reads_of(mpan).exists()

    def test_with_htmx_a_refusal_comes_back_for_the_section_to_swap(self, homes, signed_in):
        mpan = homes.ada.mpans[0]

        response = give(
            signed_in(homes.ada_login),
            mpan,
            values={"1": "1234567"},
            headers={"HX-Request": "true"},
        )

        assert response.status_code == 422  # swapped (the page's htmx-config swaps a 422)
        assert f'id="mp-{mpan}"' in response.content.decode()
        assert f'hx-select="#mp-{mpan}"' in response.content.decode()


# --- who may -----------------------------------------------------------------------------


@pytest.mark.django_db
class TestRefusals:
    def test_another_customers_meter_point_is_not_found_and_nothing_is_kept(self, homes, signed_in):
        marys = homes.mary.mpans[0]
        photo = SimpleUploadedFile("meter.jpg", JPEG, content_type="image/jpeg")

        response = give(signed_in(homes.ada_login), marys, photos={"1": photo})

        assert response.status_code == 404
        assert marys not in response.content.decode()
        assert not reads_of(marys).exists() and not models.ReadPhoto.objects.exists()

    @pytest.mark.parametrize("role", [Role.TELESALES, Role.ADMIN, Role.AGENT, Role.SYSADMIN])
    def test_staff_are_refused_and_nothing_is_kept(self, homes, signed_in, role):
        client = signed_in(role)

        page = client.get(URL)
        post = give(client, homes.ada.mpans[0])

        for response in (page, post):
            assert response.status_code == 403
            assert b"not available to you" in response.content
            assert homes.ada.mpans[0].encode() not in response.content
        assert not reads_of(homes.ada.mpans[0]).exists()

    def test_staff_keep_landing_on_the_search(self, signed_in):
        response = signed_in(Role.TELESALES).get("/")

        assert response["Location"] == "/customers/"

    def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_kept(self, homes):
        client = Client()

        page = client.get(URL)
        post = give(client, homes.ada.mpans[0])
        htmx = client.get(URL, headers={"HX-Request": "true"})

        for response in (page, post):
            assert response.status_code == 302
            assert response["Location"] == "/login/?next=/my/meter-readings/"
        assert htmx["HX-Redirect"] == "/login/?next=/my/meter-readings/"
        assert client.get("/")["Location"] == "/login/?next=/"
        assert not reads_of(homes.ada.mpans[0]).exists()

    def test_the_form_needs_its_csrf_token(self, homes):
        client = Client(enforce_csrf_checks=True)
        client.force_login(_user(homes.ada_login))
        mpan = homes.ada.mpans[0]

        refused = give(client, mpan)

        assert refused.status_code == 403
        assert not reads_of(mpan).exists()
        body = client.get(URL).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1]
        data = {"csrfmiddlewaretoken": token, "meter_point": mpan, "read_at": MARCH}
        accepted = client.post(URL, {**data, "value-1": "1200"})
        assert accepted.status_code == 303
        assert reads_of(mpan).count() == 1


def _user(principal: Principal) -> User:
    return User.objects.get(id=principal.user_id)


# --- query count --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_however_many_meter_points_and_reads(
    homes, signed_in, django_assert_max_num_queries
):
    ada, mary = signed_in(homes.ada_login), signed_in(homes.mary_login)
    for identifier in (homes.ada.mpans[0], homes.ada.mprns[0]):
        record(identifier, *[(on(month), str(100 * month)) for month in range(2, 11)])
    record(homes.mary.mpans[0], (on(3), "100"))
    counts = []
    for client in (ada, mary):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))

    # The session and its user; the accounts and their agreements; the meter points, their
    # meters and registers; the sites; the reads of every meter point, in one; their open
    # field visits.
    with django_assert_max_num_queries(9):
        body = ada.get(URL).content.decode()

    assert counts[0] == counts[1]  # two meter points and 18 reads cost what one and one do
    assert body.count('data-testid="reading-row"') == 18


# --- the demo -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_home_login_has_a_meter_point_with_readings():
    call_command("seed", customers=50, seed=1, stdout=io.StringIO())
    call_command("demo_reads", months=6, if_empty=True, stdout=io.StringIO())
    client = Client()
    assert client.login(username="home", password="kilowatt")

    body = client.get(URL).content.decode()

    assert body.count('data-testid="my-meter-point"') >= 1
    assert body.count('data-testid="reading-row"') >= 1
