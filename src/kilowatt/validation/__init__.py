"""The one public home of identifier rules, used by every form, API and import.

Each rule is a pair: ``is_valid_x(value) -> bool`` and ``x_problem(value) -> str | None``
(``None`` when the value is valid, otherwise a sentence for an error message). Pure
functions: no Django, no I/O.
"""

from kilowatt.validation.bank import bank_account_problem, is_valid_bank_account
from kilowatt.validation.companies import (
    company_number_problem,
    is_valid_company_number,
    normalise_company_number,
)
from kilowatt.validation.contact import email_problem, normalise_phone, phone_problem
from kilowatt.validation.mpan import (
    REGIONS,
    is_valid_mpan,
    mpan_core,
    mpan_problem,
    region_for_mpan,
)
from kilowatt.validation.mprn import is_valid_mprn, mprn_problem
from kilowatt.validation.postcode import is_valid_postcode, normalise_postcode, postcode_problem

__all__ = [
    "REGIONS",
    "bank_account_problem",
    "company_number_problem",
    "email_problem",
    "is_valid_bank_account",
    "is_valid_company_number",
    "is_valid_mpan",
    "is_valid_mprn",
    "is_valid_postcode",
    "mpan_core",
    "mpan_problem",
    "mprn_problem",
    "normalise_company_number",
    "normalise_phone",
    "normalise_postcode",
    "phone_problem",
    "postcode_problem",
    "region_for_mpan",
]
