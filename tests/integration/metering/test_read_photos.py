"""A photo of the meter with a reading: given through the API (base64 in the reading's
JSON), checked by its bytes, kept with the read in one transaction, shown to the people
who decide held reads and served back to the customer who gave it, and to no one else."""

from __future__ import annotations

import base64
import datetime
import hashlib

import pytest
from django.db import transaction
from django.test import Client, override_settings

from kilowatt.identity.domain.roles import Role
from kilowatt.metering import models, operations
from kilowatt.metering.domain import photos
from kilowatt.platform.errors import InvalidInput
from tests.factories import people
from tests.integration.api.conftest import FAST_HASHING, assert_refused, build_world, problems

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(200)
OPENING = {"read_at": "2026-03-01T09:00:00", "value": "1200"}
LOWER = {"read_at": "2026-04-01T09:00:00", "value": "1100"}  # held: lower than the last


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHING),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def api(world, db):
    return world


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHING


def _mpan(api, whose: str = "home") -> str:
    return getattr(api, whose).sites[0].mpan


def _with_photo(reading: dict, content: bytes, content_type: str = "") -> dict:
    body = {**reading, "photo": base64.b64encode(content).decode()}
    if content_type:
        body["photo_content_type"] = content_type
    return body


def _give(api, who, body, whose: str = "home"):
    return api.call(who, "post", f"/meter-points/{_mpan(api, whose)}/reads", body)


def _photo_of(api, who, read_id: int, whose: str = "home"):
    return api.call(who, "get", f"/meter-points/{_mpan(api, whose)}/reads/{read_id}/photo")


def _nothing_kept(api, whose: str = "home") -> bool:
    reads = models.Read.objects.filter(meter_point__identifier=_mpan(api, whose))
    return not reads.exists() and not models.ReadPhoto.objects.exists()


class TestGivingAPhoto:
    @pytest.mark.parametrize(
        ("content", "content_type"),
        [(JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp")],
    )
    def test_a_customer_gives_a_reading_with_a_photo(self, api, content, content_type):
        response = _give(api, "customer", _with_photo(OPENING, content))

        assert response.status_code == 201, response.content
        assert response.json()["has_photo"] is True
        photo = models.ReadPhoto.objects.get(read_id=response.json()["read_id"])
        assert bytes(photo.content) == content
        assert (photo.content_type, photo.size_bytes) == (content_type, len(content))
        assert photo.sha256 == hashlib.sha256(content).hexdigest()
        assert photo.received_by == api.people["customer"].username

    def test_an_agent_on_the_phone_attaches_one_too(self, api):
        response = _give(api, "telesales", _with_photo(OPENING, PNG, "image/png"))

        assert response.status_code == 201
        read = models.Read.objects.get(id=response.json()["read_id"])
        assert read.source == "AGENT"
        assert models.ReadPhoto.objects.filter(read_id=read.id).exists()

    def test_a_data_url_is_taken_as_a_browser_gives_it(self, api):
        body = {**OPENING, "photo": "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()}

        response = _give(api, "customer", body)

        assert response.status_code == 201
        assert response.json()["has_photo"] is True

    def test_without_a_photo_nothing_changes(self, api):
        response = _give(api, "customer", OPENING)

        assert response.status_code == 201
        assert response.json()["has_photo"] is False
        assert not models.ReadPhoto.objects.exists()

    def test_a_held_reading_keeps_its_photo_for_the_reviewer(self, api):
        _give(api, "customer", OPENING)

        response = _give(api, "customer", _with_photo(LOWER, JPEG))

        assert response.json()["status"] == "HELD"
        assert models.ReadPhoto.objects.filter(read_id=response.json()["read_id"]).exists()

    def test_a_photo_with_a_reading_we_already_had_is_not_kept(self, api):
        _give(api, "customer", OPENING)

        again = _give(api, "customer", _with_photo(OPENING, JPEG))

        assert (again.status_code, again.json()["status"]) == (200, "DUPLICATE")
        assert again.json()["has_photo"] is False
        assert not models.ReadPhoto.objects.exists()


class TestARefusedPhoto:
    @pytest.mark.parametrize(
        ("body", "field", "rule"),
        [
            (_with_photo(OPENING, b"GIF89a" + bytes(100)), "photo", "not_an_image"),
            (
                _with_photo(OPENING, b"%PDF-1.7 " + bytes(100), "image/jpeg"),
                "photo",
                "not_an_image",
            ),
            (
                _with_photo(OPENING, b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
                "photo",
                "not_an_image",
            ),
            (_with_photo(OPENING, b""), "photo", "empty"),
            ({**OPENING, "photo": "not base64!"}, "photo", "not_base64"),
            (_with_photo(OPENING, PNG, "image/jpeg"), "photo_content_type", "does_not_match_photo"),
        ],
    )
    def test_a_photo_that_is_not_a_jpeg_png_or_webp_keeps_nothing(self, api, body, field, rule):
        response = _give(api, "customer", body)

        assert problems(response) == [(field, rule)]
        assert _nothing_kept(api)

    def test_a_photo_over_5_mb_keeps_nothing(self, api):
        too_big = JPEG + bytes(photos.MAX_BYTES + 1 - len(JPEG))

        response = _give(api, "customer", _with_photo(OPENING, too_big))

        assert problems(response) == [("photo", "too_large")]
        assert "at most 5 MB" in response.json()["detail"][0]["message"]
        assert _nothing_kept(api)

    def test_exactly_5_mb_is_kept(self, api):
        largest = JPEG + bytes(photos.MAX_BYTES - len(JPEG))

        response = _give(api, "customer", _with_photo(OPENING, largest))

        assert response.status_code == 201
        assert models.ReadPhoto.objects.get().size_bytes == photos.MAX_BYTES

    def test_a_body_too_large_to_read_is_refused_before_it_is_read(self, api):
        huge = JPEG + bytes(7 * 1024 * 1024)

        response = _give(api, "customer", _with_photo(OPENING, huge))

        assert problems(response) == [("body", "too_large")]
        assert _nothing_kept(api)

    def test_a_refused_reading_keeps_its_good_photo_neither(self, api):
        body = _with_photo({"read_at": "2030-01-01T00:00:00", "value": "1"}, JPEG)

        response = _give(api, "customer", body)

        assert problems(response) == [("read_at", "read_date_future")]
        assert _nothing_kept(api)

    def test_a_read_has_one_photo(self, api):
        read_id = _give(api, "customer", _with_photo(OPENING, JPEG)).json()["read_id"]

        with pytest.raises(InvalidInput) as refused:
            operations.attach_read_photo(
                read_id=read_id,
                content=PNG,
                received_by="someone",
                as_at=datetime.datetime.now(datetime.UTC),
            )

        assert refused.value.problems[0].rule == "already_attached"


class TestSeeingAPhoto:
    @pytest.fixture
    def read_id(self, api):
        return _give(api, "customer", _with_photo(OPENING, JPEG)).json()["read_id"]

    def test_the_customer_sees_their_own_photo_as_its_bytes(self, api, read_id):
        response = _photo_of(api, "customer", read_id)

        assert response.status_code == 200
        assert response.content == JPEG
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_their_history_says_which_reads_have_a_photo(self, api, read_id):
        history = api.call("customer", "get", f"/meter-points/{_mpan(api)}/reads").json()

        assert [(r["id"], r["has_photo"]) for r in history] == [(read_id, True)]

    @pytest.mark.parametrize("who", ["agent", "telesales", "billing", "sysadmin"])
    def test_staff_who_see_the_customer_see_it(self, api, read_id, who):
        assert _photo_of(api, who, read_id).content == JPEG

    @pytest.mark.parametrize("who", ["business_contact", "other_agent", "corporate_manager"])
    def test_anyone_else_is_told_not_found(self, api, read_id, who):
        assert_refused(_photo_of(api, who, read_id), 404)

    def test_another_customer_cannot_fetch_it_through_their_own_meter_point(self, api, read_id):
        other = api.call(
            "business_contact",
            "get",
            f"/meter-points/{api.business.sites[0].mpan}/reads/{read_id}/photo",
        )

        assert_refused(other, 404)

    def test_anonymous_callers_are_refused(self, api, read_id):
        assert_refused(_photo_of(api, None, read_id), 401)

    def test_a_read_without_a_photo_is_not_found(self, api):
        read_id = _give(api, "customer", OPENING).json()["read_id"]

        assert_refused(_photo_of(api, "customer", read_id), 404)


def _signed_in(role: Role | None) -> Client:
    client = Client()
    if role is not None:
        user = people.make_user(role)
        assert client.login(username=user.username, password=people.PASSWORD)
    return client


class TestTheHeldReadPage:
    @pytest.fixture
    def held(self, api):
        _give(api, "customer", OPENING)
        response = _give(api, "customer", _with_photo(LOWER, PNG))
        assert response.json()["status"] == "HELD"
        return response.json()["read_id"]

    @pytest.mark.parametrize("role", [Role.BILLING, Role.ADMIN, Role.SYSADMIN])
    def test_reviewers_see_the_photo_beside_the_read(self, api, held, role):
        client = _signed_in(role)

        page = client.get(f"/reads/exceptions/{held}/")
        photo = client.get(f"/reads/exceptions/{held}/photo/")

        assert f'src="/reads/exceptions/{held}/photo/"'.encode() in page.content
        assert (photo.status_code, photo["Content-Type"], photo.content) == (200, "image/png", PNG)
        assert photo["X-Content-Type-Options"] == "nosniff"

    @pytest.mark.parametrize(
        "role", [Role.CUSTOMER, Role.AGENT, Role.TELESALES, Role.COLLECTIONS, Role.COMPLAINTS]
    )
    def test_others_are_refused_the_photo(self, api, held, role):
        response = _signed_in(role).get(f"/reads/exceptions/{held}/photo/")

        assert response.status_code == 403
        assert PNG not in response.content

    def test_anonymous_visitors_sign_in_first(self, api, held):
        response = _signed_in(None).get(f"/reads/exceptions/{held}/photo/")

        assert response.status_code == 302
        assert response["Location"].startswith("/login/")

    def test_a_read_without_a_photo_says_so(self, api):
        _give(api, "customer", OPENING)
        held = _give(api, "customer", LOWER).json()["read_id"]
        client = _signed_in(Role.BILLING)

        assert (
            b"No photo came with this reading" in client.get(f"/reads/exceptions/{held}/").content
        )
        assert client.get(f"/reads/exceptions/{held}/photo/").status_code == 404
