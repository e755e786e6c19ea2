"""MPAN, MPRN, postcode, company number, email and phone rules, with published examples."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt import validation
from kilowatt.validation import mpan as mpan_rules
from kilowatt.validation import mprn as mprn_rules


class TestMpan:
    def test_accepts_the_published_example_core(self):
        assert validation.is_valid_mpan("1312345678907")

    def test_accepts_a_full_mpan_with_spaces(self):
        assert validation.is_valid_mpan("01 801 100 1312345678907")

    def test_explains_a_wrong_check_digit(self):
        assert (
            validation.mpan_problem("1312345678906")
            == "the check digit (13th digit) does not match"
        )

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("131234567890", "an MPAN is a 13-digit core or a 21-character full MPAN"),
            ("0912345678907", "distributor ID 09 is not a known network (10-38)"),
            ("09801100" + "1312345678907", "profile class 09 is not one of 00-08"),
            ("01000100" + "1312345678907", "meter timeswitch code 000 is not valid"),
        ],
        ids=["too_short", "unknown_distributor", "bad_profile_class", "mtc_000"],
    )
    def test_refuses_malformed_values(self, value, message):
        assert not validation.is_valid_mpan(value)
        assert validation.mpan_problem(value) == message

    @given(distributor=st.integers(10, 23), body=st.integers(0, 10**10 - 1))
    def test_any_core_with_its_computed_check_digit_is_valid(self, distributor, body):
        first_twelve = f"{distributor}{body:010d}"
        core = first_twelve + str(mpan_rules.check_digit(first_twelve))

        assert validation.is_valid_mpan(core)
        assert validation.region_for_mpan(core) == str(distributor)

    @given(body=st.integers(0, 10**10 - 1), wrong=st.integers(1, 9))
    def test_any_other_check_digit_is_refused(self, body, wrong):
        first_twelve = f"12{body:010d}"
        digit = (mpan_rules.check_digit(first_twelve) + wrong) % 10

        assert not validation.is_valid_mpan(first_twelve + str(digit))

    def test_independent_networks_have_no_region(self):
        first_twelve = "240000000001"
        core = first_twelve + str(mpan_rules.check_digit(first_twelve))

        assert validation.is_valid_mpan(core)
        assert validation.region_for_mpan(core) is None

    def test_there_are_fourteen_regions(self):
        assert sorted(validation.REGIONS) == [str(n) for n in range(10, 24)]


class TestMprn:
    def test_accepts_the_published_example(self):
        assert validation.is_valid_mprn("3938424403")

    def test_explains_wrong_check_digits(self):
        assert validation.mprn_problem("3938424404") == "the check digits (last two) do not match"

    @pytest.mark.parametrize("value", ["39384244O3", "12345", "12345678901", ""])
    def test_refuses_malformed_values(self, value):
        assert not validation.is_valid_mprn(value)

    @given(body=st.integers(10**5, 10**8 - 1))
    def test_any_body_with_its_check_digits_is_valid(self, body):
        assert validation.is_valid_mprn(f"{body}{mprn_rules.check_digits(str(body))}")


class TestPostcode:
    @pytest.mark.parametrize(
        "value",
        [
            "SW1A 1AA",
            "sw1a1aa",
            "  M1 1AE ",
            "B33 8TH",
            "CR2 6XH",
            "DN55 1PT",
            "W1A 0AX",
            "EC1A 1BB",
            "GIR 0AA",
        ],
    )
    def test_accepts_well_formed_postcodes_in_any_case_and_spacing(self, value):
        assert validation.is_valid_postcode(value)

    @pytest.mark.parametrize(
        "value",
        [
            "junk M1 1AA",  # the anchoring bug of a commonly copied regex
            "M1 1AA junk",
            "QA1 1AA",  # Q never first
            "AI1 1AA",  # I never second
            "A1L 1AA",  # L not allowed third
            "AB1C 1AA",  # C not allowed fourth
            "M1 1CA",  # C never in the inward code
            "M1 1AI",
            "M11AAA",
            "",
        ],
    )
    def test_refuses_malformed_postcodes(self, value):
        assert not validation.is_valid_postcode(value)

    def test_normalises_case_and_spacing(self):
        assert validation.normalise_postcode(" sw1a   1aa ") == "SW1A 1AA"

    def test_explains_a_missing_postcode(self):
        assert validation.postcode_problem(" ") == "a postcode is required"


class TestCompanyNumber:
    @pytest.mark.parametrize("value", ["01234567", "1234567", "SC123456", "ni 123456"])
    def test_accepts_register_formats(self, value):
        assert validation.is_valid_company_number(value)

    @pytest.mark.parametrize("value", ["ABC12345", "123456789", "S1234567", ""])
    def test_refuses_other_shapes(self, value):
        assert not validation.is_valid_company_number(value)


class TestContactDetails:
    def test_normalises_an_international_uk_number(self):
        assert validation.normalise_phone("+44 7700 900123") == "07700900123"

    def test_refuses_a_short_phone_number(self):
        assert validation.phone_problem("0770090") is not None

    def test_refuses_an_email_without_a_domain(self):
        assert validation.email_problem("someone@") is not None
