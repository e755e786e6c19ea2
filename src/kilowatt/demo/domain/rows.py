"""The shape of every row the generator makes: plain tuples, columns in these orders.

Each context's bulk operation (``<context>.operations.<TABLE>_COLUMNS``) declares the
same order for its own tables; ``demo.operations`` checks they agree before it loads.
Tuples rather than records because a million-customer book is about eleven million rows.
"""

from __future__ import annotations

USER = (
    "id",
    "username",
    "password",
    "role",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_superuser",
    "is_active",
    "date_joined",
    "manager_id",
    "region",
)
CUSTOMER = (
    "id",
    "number",
    "kind",
    "title",
    "first_name",
    "last_name",
    "date_of_birth",
    "company_name",
    "company_number",
    "sector",
    "is_micro_business",
    "email",
    "phone",
    "search_name",
    "signed_up_by_id",
    "created_at",
)
CONTACT = ("id", "customer_id", "role", "name", "email", "phone", "user_id")
CONSENT = ("id", "customer_id", "channel", "granted", "recorded_at")
PRIORITY_NEED = ("id", "customer_id", "need", "note", "recorded_at")
SITE = ("id", "address_line_1", "address_line_2", "town", "county", "postcode", "created_at")
METER_POINT = (
    "id",
    "identifier",
    "fuel",
    "site_id",
    "region",
    "profile_class",
    "meter_timeswitch_code",
    "line_loss_factor_class",
    "created_at",
    "supply_start_date",
)
METER = (
    "id",
    "meter_point_id",
    "serial_number",
    "type",
    "units",
    "digits",
    "installed_date",
    "removed_date",
    "certified_until",
)
REGISTER = ("id", "meter_id", "identifier", "band", "estimated_annual_kwh")
TARIFF = (
    "id",
    "code",
    "name",
    "fuel",
    "region",
    "customer_kind",
    "payment_method",
    "kind",
    "term_months",
    "exit_fee_pence",
    "standing_charge_pence_per_day",
    "valid_from",
    "valid_to",
)
TARIFF_RATE = ("id", "tariff_id", "band", "unit_rate_pence_per_kwh")
PRICE_CAP = (
    "id",
    "region",
    "fuel",
    "payment_method",
    "standing_charge_pence_per_day",
    "unit_rate_pence_per_kwh",
    "valid_from",
    "valid_to",
)
ACCOUNT = ("id", "number", "customer_id", "status", "payment_method", "bill_delivery", "created_at")
AGREEMENT = ("id", "account_id", "meter_point_id", "tariff_id", "valid_from", "valid_to")
