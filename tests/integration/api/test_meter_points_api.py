"""/meter-points: MPANs and MPRNs checked where they enter, seen through accounts."""

from __future__ import annotations

import pytest

from kilowatt.metering.models import Meter, MeterPoint
from kilowatt.validation.mprn import check_digits
from tests.factories import book
from tests.integration.api.conftest import assert_refused, audit_count, problems

pytestmark = pytest.mark.django_db

METER = {
    "serial_number": "e23k0001",
    "type": "CREDIT",
    "digits": 5,
    "units": "KWH",
    "installed_date": "2020-03-01",
    "registers": [{"identifier": "1", "band": "DAY"}, {"identifier": "2", "band": "NIGHT"}],
}
GAS_METER = {
    "serial_number": "G4A0001",
    "type": "SMART",
    "digits": 5,
    "units": "IMPERIAL",
    "installed_date": "2020-03-01",
    "registers": [{"identifier": "1", "band": "ANYTIME"}],
}


def _identifiers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["identifier"] for item in response.json()["items"]]


def _points(api, whose: str) -> list[str]:
    return [
        identifier
        for site in getattr(api, whose).sites
        for identifier in (site.mpan, site.mprn)
        if identifier
    ]


def _bad_check_digit(core: str) -> str:
    return core[:12] + str((int(core[12]) + 1) % 10)


class TestList:
    @pytest.mark.parametrize(
        ("who", "sees"),
        [
            ("agent", ["home"]),
            ("corporate_manager", ["business"]),
            ("sales_manager", ["home", "other_home"]),
            ("customer", ["home"]),
            ("collections", ["home", "other_home", "business"]),
        ],
    )
    def test_each_role_lists_the_meter_points_it_may_see(self, api, who, sees):
        expected = [identifier for whose in sees for identifier in _points(api, whose)]

        assert _identifiers(api.call(who, "GET", "/meter-points")) == expected

    def test_filters_by_fuel_region_and_site(self, api):
        gas = _identifiers(api.call("admin", "GET", "/meter-points?fuel=GAS"))
        at_site = _identifiers(
            api.call("admin", "GET", f"/meter-points?site={api.business.sites[1].id}")
        )
        elsewhere = _identifiers(api.call("admin", "GET", "/meter-points?region=10"))

        assert gas == [api.home.sites[0].mprn, api.other_home.sites[0].mprn]
        assert at_site == [api.business.sites[1].mpan]
        assert elsewhere == []

    def test_a_bad_fuel_filter_is_named(self, api):
        assert problems(api.call("admin", "GET", "/meter-points?fuel=COAL")) == [
            ("fuel", "literal_error")
        ]


class TestRead:
    def test_reads_by_mpan_with_meters_and_registers(self, api):
        mpan = api.home.sites[0].mpan

        response = api.call("customer", "GET", f"/meter-points/{mpan}")

        assert response.status_code == 200
        body = response.json()
        assert (body["identifier"], body["fuel"], body["region"]) == (mpan, "ELECTRICITY", "13")
        assert [r["band"] for r in body["meters"][0]["registers"]] == ["ANYTIME"]

    def test_reads_by_mprn(self, api):
        response = api.call("agent", "GET", f"/meter-points/{api.home.sites[0].mprn}")

        assert response.status_code == 200
        assert response.json()["meters"][0]["units"] == "METRIC"

    @pytest.mark.parametrize(
        ("who", "whose"),
        [
            ("agent", "other_home"),
            ("corporate_manager", "home"),
            ("sales_manager", "business"),
            ("customer", "other_home"),
            ("business_contact", "home"),
        ],
    )
    def test_a_meter_point_the_caller_may_not_see_is_not_found(self, api, who, whose):
        for identifier in _points(api, whose):
            assert_refused(api.call(who, "GET", f"/meter-points/{identifier}"), 404)

    def test_a_missing_meter_point_gets_the_same_answer(self, api):
        assert_refused(api.call("admin", "GET", "/meter-points/1312345678907"), 404)


class TestCreate:
    def _register(self, api, who, **fields):
        body = {"site_id": api.home.sites[0].id, "fuel": "ELECTRICITY", **fields}
        return api.call(who, "POST", "/meter-points", body)

    def test_a_full_mpan_gives_its_top_line_and_region(self, api):
        core = book.mpan_core("13")
        before = audit_count()

        response = self._register(api, "agent", identifier=f"02 811 A01 {core}", meters=[METER])

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["identifier"], body["full_mpan"], body["region"]) == (
            core,
            f"02811A01{core}",
            "13",
        )
        assert body["meters"][0]["serial_number"] == "E23K0001"
        assert [r["band"] for r in body["meters"][0]["registers"]] == ["DAY", "NIGHT"]
        assert audit_count() == before + 1

    def test_a_core_with_its_profile_class_is_enough(self, api):
        core = book.mpan_core("16")

        response = self._register(api, "admin", identifier=core, profile_class="01")

        assert response.status_code == 201, response.content
        assert (response.json()["region"], response.json()["full_mpan"]) == ("16", None)

    def test_an_mpan_whose_check_digit_fails_is_refused(self, api):
        points = MeterPoint.objects.count()

        response = self._register(
            api, "agent", identifier=_bad_check_digit(book.mpan_core("13")), profile_class="01"
        )

        assert problems(response) == [("identifier", "mpan")]
        assert "check digit" in response.json()["detail"][0]["message"]
        assert MeterPoint.objects.count() == points

    def test_a_bad_profile_class_and_meter_are_named(self, api):
        meter = {**METER, "units": "METRIC", "digits": 12}

        response = self._register(
            api, "agent", identifier=book.mpan_core("13"), profile_class="09", meters=[meter]
        )

        assert problems(response) == [
            ("profile_class", "choice"),
            ("meters.0.units", "units_fit_fuel"),
            ("meters.0.digits", "range"),
        ]

    def test_an_mprn_whose_check_digits_fail_is_a_warning_the_caller_may_accept(self, api):
        body = "91234567"
        wrong = body + f"{(int(check_digits(body)) + 1) % 100:02d}"
        gas = {"fuel": "GAS", "identifier": wrong, "region": "13", "meters": [GAS_METER]}

        warned = self._register(api, "agent", **gas)
        accepted = self._register(api, "agent", **gas, accept_mprn_check_warning=True)

        assert problems(warned) == [("identifier", "mprn_check_digits")]
        assert accepted.status_code == 201, accepted.content
        assert accepted.json()["identifier"] == wrong

    def test_a_malformed_mprn_cannot_be_accepted(self, api):
        response = self._register(
            api, "agent", fuel="GAS", identifier="12AB", region="13", accept_mprn_check_warning=True
        )

        assert problems(response) == [("identifier", "mprn")]

    def test_a_meter_point_is_recorded_once(self, api):
        response = self._register(
            api, "admin", identifier=api.business.sites[0].mpan, profile_class="03"
        )

        assert problems(response) == [("identifier", "duplicate")]

    @pytest.mark.parametrize(
        ("who", "whose", "status"),
        [
            ("other_agent", "home", 404),  # may create, but not at a site they cannot see
            ("corporate_manager", "home", 404),
            ("billing", "home", 403),  # sees it, may not record supply
            ("customer", "home", 403),
        ],
    )
    def test_a_refused_registration_writes_nothing(self, api, who, whose, status):
        counts = (MeterPoint.objects.count(), Meter.objects.count(), audit_count())

        response = api.call(
            who,
            "POST",
            "/meter-points",
            {
                "site_id": getattr(api, whose).sites[0].id,
                "fuel": "ELECTRICITY",
                "identifier": book.mpan_core("13"),
                "profile_class": "01",
                "meters": [METER],
            },
        )

        assert_refused(response, status)
        assert (MeterPoint.objects.count(), Meter.objects.count(), audit_count()) == counts


class TestUpdate:
    def test_the_agent_corrects_the_top_line(self, api):
        mpan = api.home.sites[0].mpan

        response = api.call(
            "agent",
            "PATCH",
            f"/meter-points/{mpan}",
            {"meter_timeswitch_code": "801", "line_loss_factor_class": "a01"},
        )

        assert response.status_code == 200, response.content
        assert response.json()["full_mpan"] == f"01801A01{mpan}"

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({"meter_timeswitch_code": "000"}, [("meter_timeswitch_code", "mtc_not_000")]),
            ({"region": "40"}, [("region", "region")]),
            ({"identifier": "1312345678907"}, [("identifier", "extra_forbidden")]),
        ],
    )
    def test_a_bad_correction_is_named(self, api, changes, expected):
        response = api.call("agent", "PATCH", f"/meter-points/{api.home.sites[0].mpan}", changes)

        assert problems(response) == expected

    @pytest.mark.parametrize(
        ("who", "whose", "status"),
        [
            ("other_agent", "home", 404),
            ("sales_manager", "business", 404),
            ("customer", "home", 403),
        ],
    )
    def test_a_refused_correction_changes_nothing(self, api, who, whose, status):
        identifier = getattr(api, whose).sites[0].mpan
        row = MeterPoint.objects.filter(identifier=identifier).values_list().get()
        before = audit_count()

        response = api.call(who, "PATCH", f"/meter-points/{identifier}", {"region": "12"})

        assert_refused(response, status)
        assert MeterPoint.objects.filter(identifier=identifier).values_list().get() == row
        assert audit_count() == before
