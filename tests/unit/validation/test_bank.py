"""UK bank account modulus checking, proved against the specification's 34 published test cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt import validation
from kilowatt.validation import bank

MODULUS_FAILURE = "the account number fails the modulus check for this sort code"

# The specification's appendix of test cases, in its order: sort code, account number, valid.
OFFICIAL_CASES = [
    pytest.param("089999", "66374958", True, id="01-pass-mod10"),
    pytest.param("107999", "88837491", True, id="02-pass-mod11"),
    pytest.param("202959", "63748472", True, id="03-pass-mod11-and-dblal"),
    pytest.param("871427", "46238510", True, id="04-exc10-11-first-passes-second-fails"),
    pytest.param("872427", "46238510", True, id="05-exc10-11-first-fails-second-passes"),
    pytest.param("871427", "09123496", True, id="06-exc10-ab-09-g-9"),
    pytest.param("871427", "99123496", True, id="07-exc10-ab-99-g-9"),
    pytest.param("820000", "73688637", True, id="08-exc3-range-start-c-6-skips-dblal"),
    pytest.param("827999", "73988638", True, id="09-exc3-range-end-c-9-skips-dblal"),
    pytest.param("827101", "28748352", True, id="10-exc3-c-not-6-or-9-both-checks-pass"),
    pytest.param("134020", "63849203", True, id="11-exc4-remainder-equals-gh"),
    pytest.param("118765", "64371389", True, id="12-exc1-adds-27-passes-dblal"),
    pytest.param("200915", "41011166", True, id="13-exc6-foreign-currency"),
    pytest.param("938611", "07806039", True, id="14-exc5-passes"),
    pytest.param("938600", "42368003", True, id="15-exc5-passes-with-substitution"),
    pytest.param("938063", "55065200", True, id="16-exc5-both-remainders-zero"),
    pytest.param("772798", "99345694", True, id="17-exc7-passes-where-standard-fails"),
    pytest.param("086090", "06774744", True, id="18-exc8-passes"),
    pytest.param("309070", "02355688", True, id="19-exc2-9-first-passes-second-fails"),
    pytest.param("309070", "12345668", True, id="20-exc2-9-second-passes-with-substitution"),
    pytest.param("309070", "12345677", True, id="21-exc2-9-a-not-0-g-not-9"),
    pytest.param("309070", "99345694", True, id="22-exc2-9-a-not-0-g-9"),
    pytest.param("938063", "15764273", False, id="23-exc5-first-right-second-wrong"),
    pytest.param("938063", "15764264", False, id="24-exc5-first-wrong-second-right"),
    pytest.param("938063", "15763217", False, id="25-exc5-first-wrong-remainder-1"),
    pytest.param("118765", "64371388", False, id="26-exc1-fails-dblal"),
    pytest.param("203099", "66831036", False, id="27-pass-mod11-fail-dblal"),
    pytest.param("203099", "58716970", False, id="28-fail-mod11-pass-dblal"),
    pytest.param("089999", "66374959", False, id="29-fail-mod10"),
    pytest.param("107999", "88837493", False, id="30-fail-mod11"),
    pytest.param("074456", "12345112", True, id="31-exc12-13-mod11-passes-mod10-fails"),
    pytest.param("070116", "34012583", True, id="32-exc12-13-mod11-passes-mod10-passes"),
    pytest.param("074456", "11104102", True, id="33-exc12-13-mod11-fails-mod10-passes"),
    pytest.param("180002", "00000190", True, id="34-exc14-first-fails-second-passes"),
]


class TestOfficialCases:
    def test_there_are_34_distinct_cases(self):
        assert len({(case.values[0], case.values[1]) for case in OFFICIAL_CASES}) == 34

    @pytest.mark.parametrize(("sort_code", "account_number", "valid"), OFFICIAL_CASES)
    def test_matches_the_specification(self, sort_code, account_number, valid):
        assert validation.is_valid_bank_account(sort_code, account_number) is valid
        expected = None if valid else MODULUS_FAILURE
        assert validation.bank_account_problem(sort_code, account_number) == expected


class TestNonStandardAccountNumbers:
    @pytest.mark.parametrize(
        ("sort_code", "account_number", "normalised"),
        [
            ("089999", "556130", ("089999", "00556130")),
            ("089999", "8310679", ("089999", "08310679")),
            ("089999", "66374958", ("089999", "66374958")),
            ("720000", "426565150", ("720004", "26565150")),
            ("601613", "6252760189", ("601613", "52760189")),
            ("089999", "3167232686", ("089999", "31672326")),
            ("086119", "1234567890", ("086119", "12345678")),
        ],
        ids=[
            "6-digits-padded-with-00",
            "7-digits-padded-with-0",
            "8-digits-unchanged",
            "9-digits-santander-first-digit-onto-sort-code",
            "10-digits-natwest-last-8",
            "10-digits-co-operative-first-8",
            "10-digits-leeds-via-08-61-19-first-8",
        ],
    )
    def test_normalises_to_eight_digits(self, sort_code, account_number, normalised):
        assert bank.normalise_account(sort_code, account_number) == normalised

    def test_six_digit_account_is_checked_zero_padded(self):
        assert validation.is_valid_bank_account("089999", "556130")
        assert validation.bank_account_problem("089999", "247082") == MODULUS_FAILURE

    def test_seven_digit_account_is_checked_zero_padded(self):
        assert validation.is_valid_bank_account("089999", "8310679")

    def test_nine_digit_santander_account_moves_its_first_digit_onto_the_sort_code(self):
        assert validation.is_valid_bank_account("720000", "426565150")
        # Dropping the first digit without moving it onto the sort code would fail.
        assert not validation.is_valid_bank_account("720000", "26565150")

    def test_ten_digit_natwest_account_keeps_its_last_eight_digits(self):
        assert validation.is_valid_bank_account("601613", "6252760189")
        assert not validation.is_valid_bank_account("601613", "62527601")

    def test_ten_digit_natwest_account_may_have_a_hyphen_after_two_digits(self):
        assert validation.is_valid_bank_account("60-16-13", "62-52760189")

    def test_ten_digit_co_operative_account_keeps_its_first_eight_digits(self):
        assert validation.is_valid_bank_account("089999", "3167232686")
        assert not validation.is_valid_bank_account("089999", "67232686")

    @given(st.from_regex(r"[0-9]{6,7}", fullmatch=True))
    def test_short_accounts_match_their_zero_padded_form(self, account_number):
        assert validation.is_valid_bank_account(
            "089999", account_number
        ) == validation.is_valid_bank_account("089999", account_number.zfill(8))


class TestInputShape:
    @pytest.mark.parametrize("sort_code", ["08-99-99", "08 99 99", " 089999 "])
    def test_accepts_separators_in_the_sort_code(self, sort_code):
        assert validation.is_valid_bank_account(sort_code, "66374958")

    def test_accepts_spaces_in_the_account_number(self):
        assert validation.is_valid_bank_account("089999", "6637 4958")

    @pytest.mark.parametrize(
        ("sort_code", "account_number", "message"),
        [
            ("08999", "66374958", "a sort code is 6 digits"),
            ("0899999", "66374958", "a sort code is 6 digits"),
            ("08-99-9x", "66374958", "a sort code is 6 digits"),
            ("", "66374958", "a sort code is 6 digits"),
            ("089999", "12345", "an account number is 6 to 10 digits"),
            ("089999", "12345678901", "an account number is 6 to 10 digits"),
            ("089999", "6637495x", "an account number is 6 to 10 digits"),
            ("089999", "", "an account number is 6 to 10 digits"),
            ("089999", "٦٦٣٧٤٩٥٨", "an account number is 6 to 10 digits"),
        ],
        ids=[
            "sort-code-too-short",
            "sort-code-too-long",
            "sort-code-not-digits",
            "sort-code-empty",
            "account-too-short",
            "account-too-long",
            "account-not-digits",
            "account-empty",
            "account-non-ascii-digits",
        ],
    )
    def test_explains_malformed_input(self, sort_code, account_number, message):
        assert validation.bank_account_problem(sort_code, account_number) == message
        assert not validation.is_valid_bank_account(sort_code, account_number)


class TestTables:
    def test_a_sort_code_no_row_covers_is_presumed_valid(self):
        assert bank.modulus_tables().rows_for("000000") == ()
        assert validation.is_valid_bank_account("00-00-00", "12345678")

    def test_loads_the_packaged_tables_once(self):
        tables = bank.modulus_tables()
        assert tables is bank.modulus_tables()
        assert len(tables.rows) == 1151
        assert tables.substitutions["938600"] == "938611"

    def test_names_the_data_files_after_the_table_version(self):
        assert bank.TABLE_VERSION == "8.50"
        assert bank.WEIGHT_TABLE_FILE == "valacdos-v850.txt"
        assert bank.SUBSTITUTION_TABLE_FILE == "scsubtab-v850.txt"

    def test_keeps_two_rows_for_one_sort_code_in_file_order(self):
        first, second = bank.modulus_tables().rows_for("309070")
        assert (first.exception, second.exception) == (2, 9)

    def test_parses_a_row_with_an_exception(self):
        row = bank.parse_weight_row(
            "070116 070116 MOD11    0    0    7    6    5    8    9"
            "    4    5    6    7    8    9   -1  12"
        )
        assert row == bank.WeightRow(
            "070116", "070116", "MOD11", (0, 0, 7, 6, 5, 8, 9, 4, 5, 6, 7, 8, 9, -1), 12
        )

    def test_parses_a_row_without_an_exception(self):
        row = bank.parse_weight_row(
            "089000 089999 MOD10    0    0    0    0    0    0"
            "    7    1    3    7    1    3    7    1"
        )
        assert row.method == "MOD10"
        assert row.exception is None
        assert row.covers("089123")
        assert not row.covers("090000")

    @pytest.mark.parametrize(
        "line",
        ["089000 089999 MOD12 0 0 0 0 0 0 7 1 3 7 1 3 7 1", "089000 089999 MOD10 0 0 0"],
        ids=["unknown-method", "too-few-weights"],
    )
    def test_refuses_a_malformed_row(self, line):
        with pytest.raises(ValueError, match="not a modulus weight table row"):
            bank.parse_weight_row(line)
