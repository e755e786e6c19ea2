"""What a meter point and its meters must be before we record them."""

from __future__ import annotations

import datetime

from kilowatt.metering.domain import supply

TODAY = datetime.date(2026, 11, 22)


def point_problems(**values) -> dict[str, str]:
    details = supply.normalise(supply.MeterPointDetails(**values))
    return {p.field: p.rule for p in supply.meter_point_problems(details)}


def meter(**overrides) -> supply.MeterDetails:
    values = {
        "serial_number": "E12Z012345",
        "type": "CREDIT",
        "digits": 5,
        "units": "KWH",
        "installed_date": datetime.date(2020, 1, 1),
        "registers": (supply.RegisterDetails("1", "ANYTIME"),),
    }
    return supply.MeterDetails(**{**values, **overrides})


class TestElectricityMeterPoint:
    def test_a_full_mpan_gives_its_parts_and_region(self):
        details = supply.normalise(
            supply.MeterPointDetails(fuel="electricity", identifier="02 801 100 1312345678907")
        )

        assert (details.identifier, details.profile_class, details.meter_timeswitch_code) == (
            "1312345678907",
            "02",
            "801",
        )
        assert details.line_loss_factor_class == "100"
        assert details.region == "13"
        assert supply.meter_point_problems(details) == []

    def test_a_core_needs_its_profile_class(self):
        assert point_problems(fuel="ELECTRICITY", identifier="1312345678907") == {
            "profile_class": "choice"
        }

    def test_refuses_a_wrong_check_digit(self):
        assert point_problems(
            fuel="ELECTRICITY", identifier="1312345678906", profile_class="01"
        ) == {"identifier": "mpan"}


class TestGasMeterPoint:
    def test_a_valid_mprn_needs_a_region(self):
        assert point_problems(fuel="GAS", identifier="3938424403") == {"region": "region"}
        assert point_problems(fuel="GAS", identifier="3938424403", region="12") == {}

    def test_a_failed_check_is_a_warning_an_agent_may_accept(self):
        assert point_problems(fuel="GAS", identifier="3938424404", region="12") == {
            "identifier": "mprn_check_digits"
        }
        assert (
            point_problems(
                fuel="GAS", identifier="3938424404", region="12", accept_mprn_check_warning=True
            )
            == {}
        )

    def test_a_malformed_mprn_cannot_be_accepted(self):
        assert point_problems(
            fuel="GAS", identifier="39384", region="12", accept_mprn_check_warning=True
        ) == {"identifier": "mprn"}


class TestMeter:
    def problems(self, details, *, fuel="ELECTRICITY", profile_class="01"):
        return {
            p.field: p.rule
            for p in supply.meter_problems(
                details, fuel=fuel, profile_class=profile_class, today=TODAY
            )
        }

    def test_a_credit_meter_breaks_no_rule(self):
        assert self.problems(meter()) == {}

    def test_an_economy_7_meter_needs_day_and_night_registers(self):
        assert self.problems(meter(), profile_class="02") == {"registers": "economy_7_registers"}
        day_night = (supply.RegisterDetails("1", "DAY"), supply.RegisterDetails("2", "NIGHT"))
        assert self.problems(meter(registers=day_night), profile_class="02") == {}

    def test_a_gas_meter_reads_cubic_metres_or_feet_on_one_register(self):
        assert self.problems(meter(), fuel="GAS", profile_class="") == {"units": "units_fit_fuel"}
        assert self.problems(meter(units="IMPERIAL"), fuel="GAS", profile_class="") == {}

    def test_digits_and_dates_are_checked(self):
        assert self.problems(meter(digits=3, installed_date=datetime.date(2027, 1, 1))) == {
            "digits": "range",
            "installed_date": "not_in_future",
        }
