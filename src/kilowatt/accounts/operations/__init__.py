"""Public writes of accounts, agreements, tariffs and the price cap."""

from kilowatt.accounts.operations._accounts import (
    account_number,
    add_agreement,
    create_account,
    end_agreement,
    update_account,
    withdraw_agreement,
)
from kilowatt.accounts.operations._bulk import (
    ACCOUNT_COLUMNS,
    AGREEMENT_COLUMNS,
    PRICE_CAP_COLUMNS,
    TARIFF_COLUMNS,
    TARIFF_RATE_COLUMNS,
    finish_account_load,
    load_accounts,
    load_tariffs,
    next_account_ids,
    recorded_price_caps,
    set_aside_account_indexes,
    tariff_ids_by_code,
)
from kilowatt.accounts.operations._reads import (
    RegisterReading,
    SubmittedRead,
    submit_meter_reading,
    submit_read,
)
from kilowatt.accounts.operations._supply import (
    create_site,
    register_meter_point,
    update_meter_point,
    update_site,
)
from kilowatt.accounts.operations._tariffs import create_tariff, record_price_cap

__all__ = [
    "ACCOUNT_COLUMNS",
    "AGREEMENT_COLUMNS",
    "PRICE_CAP_COLUMNS",
    "TARIFF_COLUMNS",
    "TARIFF_RATE_COLUMNS",
    "RegisterReading",
    "SubmittedRead",
    "account_number",
    "add_agreement",
    "create_account",
    "create_site",
    "create_tariff",
    "end_agreement",
    "finish_account_load",
    "load_accounts",
    "load_tariffs",
    "next_account_ids",
    "record_price_cap",
    "recorded_price_caps",
    "register_meter_point",
    "set_aside_account_indexes",
    "submit_meter_reading",
    "submit_read",
    "tariff_ids_by_code",
    "update_account",
    "update_meter_point",
    "update_site",
    "withdraw_agreement",
]
