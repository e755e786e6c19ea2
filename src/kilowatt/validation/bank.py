"""UK bank account validation: the Pay.UK (formerly Vocalink) modulus check.

Implements "Validating Account Numbers - UK Modulus Checking" (Pay.UK / Vocalink): the standard
MOD10, MOD11 and double-alternate (DBLAL) checks, exceptions 1 to 14 and the non-standard account
number lengths (6, 7, 9 and 10 digits), written from the specification's rules and proved against
its 34 published test cases. The two published tables are kept, unchanged, as data files in
``data/`` (edition ``TABLE_VERSION``):

* ``valacdos-v<version>.txt``, the modulus weight table: one row per sort-code range (start, end,
  method, the 14 weights u v w x y z a b c d e f g h, optional exception number);
* ``scsubtab-v<version>.txt``, the sort-code substitution table used by exception 5.

To move to a newer edition, drop in the new pair of files and change ``TABLE_VERSION``.

A modulus check only says that an account number *could* exist at a sort code; it cannot say
that it does. Sort codes the weight table does not cover cannot be checked and are presumed valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Literal

TABLE_VERSION = "8.50"
"""Edition of the Vocalink weight table (``valacdos-v850.txt``) and substitution table."""

_DATA = files("kilowatt.validation") / "data"
_TABLE_SUFFIX = "v" + TABLE_VERSION.replace(".", "")
WEIGHT_TABLE_FILE = f"valacdos-{_TABLE_SUFFIX}.txt"
SUBSTITUTION_TABLE_FILE = f"scsubtab-{_TABLE_SUFFIX}.txt"

Method = Literal["MOD10", "MOD11", "DBLAL"]
_METHODS: tuple[Method, ...] = ("MOD10", "MOD11", "DBLAL")
_DIVISOR: dict[Method, int] = {"MOD10": 10, "MOD11": 11, "DBLAL": 10}

# Positions in the 14-digit string "uvwxyz" (sort code) + "abcdefgh" (account number), named as
# the specification names them.
_A, _B, _C, _G, _H = 6, 7, 8, 12, 13
_ACCOUNT_WEIGHTS_FROM = _C  # weights u..b are zeroised by exceptions 7 and 10

# Exception pairs where the account is valid when EITHER row passes (all other pairs need both).
_EITHER_ROW_PASSES = frozenset({(2, 9), (10, 11), (12, 13)})

# Exception 2: Lloyds sterling accounts whose a <> 0 use these weights instead of the table's.
_EXCEPTION_2_WEIGHTS = (0, 0, 1, 2, 5, 3, 6, 4, 8, 7, 10, 9, 3, 1)
_EXCEPTION_2_WEIGHTS_G_IS_9 = (0, 0, 0, 0, 0, 0, 0, 0, 8, 7, 10, 9, 3, 1)
_LLOYDS_EURO_SORT_CODE = "309634"  # exception 9
_EXCEPTION_8_SORT_CODE = "090126"

# The specification names the banks that issue 10-digit account numbers but not their sort codes.
# 08-xx-xx is the Co-operative Bank's sort-code block; it also hosts Leeds Building Society's
# savings sort code 08-61-19, whose 10-digit numbers follow the same first-eight rule.
_FIRST_EIGHT_OF_TEN_SORT_CODE_PREFIXES = ("08",)

_SORT_CODE_SEPARATORS = re.compile(r"[\s-]")
# NatWest prints 10-digit numbers with a hyphen after the 2nd digit, which the spec says to ignore.
_ACCOUNT_NUMBER_SEPARATORS = re.compile(r"[\s-]")
_SIX_DIGITS = re.compile(r"[0-9]{6}")
_SIX_TO_TEN_DIGITS = re.compile(r"[0-9]{6,10}")


@dataclass(frozen=True)
class WeightRow:
    """One row of the modulus weight table (valacdos)."""

    start: str
    end: str
    method: Method
    weights: tuple[int, ...]
    exception: int | None = None

    def covers(self, sort_code: str) -> bool:
        return self.start <= sort_code <= self.end


@dataclass(frozen=True)
class ModulusTables:
    """The weight table rows, in file order, and the exception 5 sort-code substitutions."""

    rows: tuple[WeightRow, ...]
    substitutions: MappingProxyType[str, str]

    def rows_for(self, sort_code: str) -> tuple[WeightRow, ...]:
        return tuple(row for row in self.rows if row.covers(sort_code))


def parse_weight_row(line: str) -> WeightRow:
    """Parse one valacdos line: start, end, method, 14 weights and an optional exception."""
    fields = line.split()
    if len(fields) not in (17, 18) or fields[2] not in _METHODS:
        raise ValueError(f"not a modulus weight table row: {line!r}")
    method: Method = _METHODS[_METHODS.index(fields[2])]
    exception = int(fields[17]) if len(fields) == 18 else None
    return WeightRow(fields[0], fields[1], method, tuple(int(w) for w in fields[3:17]), exception)


def parse_weight_table(text: str) -> tuple[WeightRow, ...]:
    return tuple(parse_weight_row(line) for line in text.splitlines() if line.strip())


def parse_substitution_table(text: str) -> MappingProxyType[str, str]:
    """Parse scsubtab: each line is an original sort code and the one to use in its place."""
    pairs = (line.split() for line in text.splitlines() if line.strip())
    return MappingProxyType({original: substitute for original, substitute in pairs})


@cache
def modulus_tables() -> ModulusTables:
    """Load the packaged tables once, on first use."""
    return ModulusTables(
        rows=parse_weight_table((_DATA / WEIGHT_TABLE_FILE).read_text(encoding="ascii")),
        substitutions=parse_substitution_table(
            (_DATA / SUBSTITUTION_TABLE_FILE).read_text(encoding="ascii")
        ),
    )


# --- Input shape and non-standard account numbers -------------------------------------------


def normalise_account(sort_code: str, account_number: str) -> tuple[str, str]:
    """Turn a 6 to 10 digit account number into the 8 digits (and sort code) the check uses."""
    match len(account_number):
        case 6 | 7:
            return sort_code, account_number.zfill(8)
        case 9:
            # Only Santander issues 9-digit numbers: the first digit belongs on the end of the
            # sort code, which is what the weight table's rows for Santander expect.
            return sort_code[:5] + account_number[0], account_number[1:]
        case 10 if sort_code.startswith(_FIRST_EIGHT_OF_TEN_SORT_CODE_PREFIXES):
            # Co-operative Bank (and Leeds Building Society through it): the first eight digits.
            return sort_code, account_number[:8]
        case 10:
            # NatWest: the last eight digits.
            return sort_code, account_number[2:]
        case _:
            return sort_code, account_number


# --- The checks ----------------------------------------------------------------------------


def _digit_sum(number: int) -> int:
    return sum(int(digit) for digit in str(number))


def _total(method: Method, digits: str, weights: tuple[int, ...]) -> int:
    products = (int(digit) * weight for digit, weight in zip(digits, weights, strict=True))
    if method == "DBLAL":
        # Double alternate adds the individual digits of each product (e.g. 18 counts as 9).
        return sum(_digit_sum(product) for product in products)
    return sum(products)


def _is_foreign_currency(account: str) -> bool:
    """Exception 6: a = 4 to 8 with g = h marks a foreign currency account."""
    return account[0] in "45678" and account[6] == account[7]


def _zeroise_u_to_b(weights: tuple[int, ...]) -> tuple[int, ...]:
    return (0,) * _ACCOUNT_WEIGHTS_FROM + weights[_ACCOUNT_WEIGHTS_FROM:]


def _weights_for(row: WeightRow, digits: str) -> tuple[int, ...]:
    """The weights to use: the table's, unless the row's exception replaces or zeroises some."""
    if row.exception == 2 and digits[_A] != "0":
        # Lloyds: accounts with a <> 0 are weighted differently, depending on g.
        return _EXCEPTION_2_WEIGHTS_G_IS_9 if digits[_G] == "9" else _EXCEPTION_2_WEIGHTS
    if row.exception == 7 and digits[_G] == "9":
        # When g is 9 the sort code and the first two account digits take no part.
        return _zeroise_u_to_b(row.weights)
    if row.exception == 10 and digits[_A : _B + 1] in ("09", "99") and digits[_G] == "9":
        # Accounts numbered 09... or 99... with g = 9 are weighted from c onwards only.
        return _zeroise_u_to_b(row.weights)
    return row.weights


def _check_sort_code(row: WeightRow, sort_code: str) -> str:
    """The sort code that takes part in the sum, which some exceptions replace."""
    if row.exception == 5:
        # Some sort codes are checked as another (scsubtab); this applies to both rows.
        return modulus_tables().substitutions.get(sort_code, sort_code)
    if row.exception == 8:
        # The spec has these sort codes checked as if they were 09-01-26.
        return _EXCEPTION_8_SORT_CODE
    if row.exception == 9:
        # Lloyds euro accounts are all held at 30-96-34, whatever sort code the customer quotes.
        return _LLOYDS_EURO_SORT_CODE
    return sort_code


def _passes_exception_5(row: WeightRow, digits: str, total: int) -> bool:
    """Exception 5 compares a computed check digit with g (MOD11 row) or h (DBLAL row)."""
    remainder = total % _DIVISOR[row.method]
    if row.method == "MOD11":
        check_digit = int(digits[_G])
        if remainder == 1:
            # 11 - 1 = 10 cannot be a single check digit.
            return False
        return check_digit == (0 if remainder == 0 else 11 - remainder)
    check_digit = int(digits[_H])
    return check_digit == (0 if remainder == 0 else 10 - remainder)


def _passes_row(row: WeightRow, sort_code: str, account: str) -> bool:
    """Run one row's check, with its exception, against an 8-digit account number."""
    digits = _check_sort_code(row, sort_code) + account
    if row.exception == 3 and digits[_C] in "69":
        # Accounts with c = 6 or 9 are not subject to the double alternate check.
        return True
    weights = _weights_for(row, digits)
    total = _total(row.method, digits, weights)
    if row.exception == 1:
        # The DBLAL total starts from 27.
        total += 27
    if row.exception == 4:
        # The remainder is the two-digit check code gh rather than zero.
        return total % 11 == int(digits[_G : _H + 1])
    if row.exception == 5:
        return _passes_exception_5(row, digits, total)
    if total % _DIVISOR[row.method] == 0:
        return True
    if row.exception == 14 and account[7] in "019":
        # Coutts: a number that fails and ends in 0, 1 or 9 is checked again without that last
        # digit, the rest shifted right behind a leading zero.
        shifted = sort_code + "0" + account[:7]
        return _total(row.method, shifted, row.weights) % _DIVISOR[row.method] == 0
    return False


def _passes_modulus_check(sort_code: str, account: str) -> bool:
    rows = modulus_tables().rows_for(sort_code)
    if not rows:
        # No weights are published for this sort code, so it cannot be checked.
        return True
    if any(row.exception == 6 for row in rows) and _is_foreign_currency(account):
        # Foreign currency accounts cannot be checked, so they are presumed valid.
        return True
    first, *others = rows
    if not others:
        return _passes_row(first, sort_code, account)
    second = others[0]
    if (first.exception, second.exception) in _EITHER_ROW_PASSES:
        # 2 & 9 (Lloyds sterling or euro), 10 & 11, 12 & 13 (Nationwide): the second row only
        # matters when the first fails.
        return _passes_row(first, sort_code, account) or _passes_row(second, sort_code, account)
    return _passes_row(first, sort_code, account) and _passes_row(second, sort_code, account)


# --- Public API ----------------------------------------------------------------------------


def bank_account_problem(sort_code: str, account_number: str) -> str | None:
    """Explain why the sort code and account number fail the modulus check, or None if valid."""
    sort_code = _SORT_CODE_SEPARATORS.sub("", sort_code or "")
    account_number = _ACCOUNT_NUMBER_SEPARATORS.sub("", account_number or "")
    if not _SIX_DIGITS.fullmatch(sort_code):
        return "a sort code is 6 digits"
    if not _SIX_TO_TEN_DIGITS.fullmatch(account_number):
        return "an account number is 6 to 10 digits"
    if not _passes_modulus_check(*normalise_account(sort_code, account_number)):
        return "the account number fails the modulus check for this sort code"
    return None


def is_valid_bank_account(sort_code: str, account_number: str) -> bool:
    """Return whether the account passes the Vocalink modulus check."""
    return bank_account_problem(sort_code, account_number) is None
