"""The legacy ERP's records read into our terms, and the rules that refuse one (pure)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kilowatt.billing.domain import legacy
from kilowatt.integrations.domain import erp
from kilowatt.simulators import legacy_erp
from kilowatt.validation.mpan import check_digit
from kilowatt.validation.mprn import check_digits

TODAY = datetime.date(2026, 11, 2)
MPAN = f"120000000001{check_digit('120000000001')}"
MPRN = f"12345678{check_digits('12345678')}"


def customer(**changes) -> dict:
    """One customer as zeep hands it over (``serialize_object``)."""
    elec = {
        "meterPointId": "MP1", "fuel": "ELEC", "mpanCore": MPAN, "mprn": None,
        "profileClass": "02", "meterTimeswitchCode": "151", "lineLossFactorClass": "022",
        "supplyStartDate": datetime.date(2025, 1, 1), "tariffCode": "E7",
        "tariffStartDate": datetime.date(2025, 1, 5),
        "meter": [{
            "serialNumber": "E1", "meterType": "SM", "units": "KWH", "digits": 6,
            "installedDate": datetime.date(2020, 1, 1),
            "register": [{"registerId": "1", "timePattern": "DAY", "eac": 2000},
                         {"registerId": "2", "timePattern": "NGT", "eac": 1500}],
        }],
    }  # fmt: skip
    gas = {
        "meterPointId": "MP2", "fuel": "GAS", "mpanCore": None, "mprn": MPRN,
        "supplyStartDate": datetime.date(2025, 1, 1), "tariffCode": "STD",
        "tariffStartDate": datetime.date(2025, 1, 1),
        "meter": [{
            "serialNumber": "G1", "meterType": "CR", "units": "FT3", "digits": 4,
            "installedDate": datetime.date(2019, 1, 1),
            "register": [{"registerId": "1", "timePattern": "STD", "eac": 12000}],
        }],
    }  # fmt: skip
    data = {
        "customerId": "C100007", "customerType": "DOM", "title": "Mr", "forename": "SEAN",
        "surname": "O'NEILL", "email": " Sean@Example.com ", "phone": "07700 900123",
        "createdDate": datetime.date(2015, 3, 1),
        "account": [{
            "accountId": "A2000014", "paymentMethod": "DD", "billMedium": "POST",
            "openedDate": datetime.date(2015, 3, 1), "balance": Decimal("56.78"),
            "balanceType": "DR",
            "site": [{
                "siteId": "S1", "addressLine1": "1 High Street", "addressLine2": None,
                "town": "London", "county": None, "postcode": " sw1a1aa ", "gspGroup": "_C",
                "meterPoint": [elec, gas],
            }],
            "openInvoice": [{
                "invoiceNumber": "INV7000056", "invoiceDate": datetime.date(2026, 11, 4),
                "periodFrom": datetime.date(2026, 10, 1), "periodTo": datetime.date(2026, 10, 31),
                "netAmount": Decimal("40.00"), "vatAmount": Decimal("2.00"),
                "grossAmount": Decimal("42.00"), "outstandingAmount": Decimal("42.00"),
            }],
        }],
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_customer_is_read_into_our_terms():
    mapped = erp.customer_from_erp(customer())

    assert mapped.legacy_id == "C100007"
    assert mapped.details.kind == "RESIDENTIAL"
    assert (mapped.details.first_name, mapped.details.last_name) == ("Sean", "O'Neill")
    assert mapped.details.email == "sean@example.com" and mapped.details.phone == "07700900123"
    (account,) = mapped.accounts
    assert account.payment_method == "DIRECT_DEBIT" and account.bill_delivery == "PAPER"
    assert account.balance_pence == 5678
    (site,) = account.sites
    assert site.postcode == "SW1A 1AA"
    elec, gas = site.meter_points
    assert (elec.fuel, elec.region, elec.identifier) == ("ELECTRICITY", "12", MPAN)
    assert [r.band for r in elec.meters[0].registers] == ["DAY", "NIGHT"]
    assert elec.meters[0].type == "SMART"
    assert (gas.fuel, gas.region) == ("GAS", "12")  # GSP group _C is distributor 12
    assert gas.meters[0].units == "IMPERIAL"
    (invoice,) = account.invoices
    assert invoice.period_end == datetime.date(2026, 11, 1)  # the ERP's last day + 1
    assert (invoice.net_pence, invoice.vat_pence, invoice.total_pence) == (4000, 200, 4200)
    assert erp.problems(mapped, today=TODAY) == []


@pytest.mark.parametrize(
    ("amount", "kind", "pence"),
    [(Decimal("12.34"), "DR", 1234), ("12.34", "CR", -1234), (Decimal("0.00"), "DR", 0),
     ("0.5", " cr ", -50)],
)  # fmt: skip
def test_balances_are_debit_positive_pence(amount, kind, pence):
    assert erp.signed_balance(amount, kind) == pence


@pytest.mark.parametrize(("amount", "kind"), [("1.234", "DR"), ("-5.00", "DR"), ("5", "XX")])
def test_a_balance_that_cannot_be_read_is_refused(amount, kind):
    with pytest.raises(ValueError):
        erp.signed_balance(amount, kind)


def test_an_unreadable_balance_refuses_the_customer_at_the_door():
    data = customer()
    data["account"][0]["balanceType"] = "??"
    with pytest.raises(ValueError):
        erp.customer_from_erp(data)


def _with(path: list, key: str, value) -> dict:
    data = customer()
    node = data
    for step in path:
        node = node[step]
    node[key] = value
    return data


@pytest.mark.parametrize(
    ("path", "key", "value", "legacy_id", "field", "rule"),
    [
        (["account", 0, "site", 0], "postcode", "TBC", "S1", "site.postcode", "postcode_format"),
        (["account", 0, "site", 0, "meterPoint", 0], "mpanCore", MPAN[:12] + str((int(MPAN[12]) + 1) % 10),
         "MP1", "meter_point.mpan", "mpan_check_digit"),
        (["account", 0, "site", 0, "meterPoint", 1], "mprn", MPRN[:8] + "99", "MP2",
         "meter_point.mprn", "mprn_check_digits"),
        (["account", 0, "site", 0, "meterPoint", 1, "meter", 0], "meterType", "XX", "MP2",
         "meter_point.meter.type", "choice"),
        (["account", 0, "site", 0, "meterPoint", 0, "meter", 0, "register", 0], "timePattern",
         "PEAKISH", "MP1", "meter_point.register.band", "choice"),
        (["account", 0, "site", 0], "gspGroup", "_Z", "MP2", "meter_point.region", "gsp_group"),
        (["account", 0], "paymentMethod", "BARTER", "A2000014", "account.payment_method", "choice"),
        ([], "email", "not-an-address", "C100007", "customer.email", "email_format"),
    ],
)  # fmt: skip
def test_each_quirk_a_migration_must_refuse_is_named(path, key, value, legacy_id, field, rule):
    mapped = erp.customer_from_erp(_with(path, key, value))

    found = erp.problems(mapped, today=TODAY)

    assert (legacy_id, field, rule) in {(r.legacy_id, r.field, r.rule) for r in found}


def test_a_tariff_is_carried_on_to_the_catalogue_product_of_the_region():
    code = erp.tariff_code(
        fuel="ELECTRICITY", erp_tariff="E7", customer_kind="RESIDENTIAL",
        payment_method="DIRECT_DEBIT", region="12",
    )  # fmt: skip
    assert code == "E-E7-RES-DD-12"
    assert erp.tariff_code(fuel="GAS", erp_tariff="STD", customer_kind="BUSINESS",
                           payment_method="ON_RECEIPT", region="20") == "G-VAR-BUS-OR-20"  # fmt: skip
    assert erp.tariff_code(fuel="GAS", erp_tariff="E7", customer_kind="RESIDENTIAL",
                           payment_method="DIRECT_DEBIT", region="20") is None  # fmt: skip
    assert erp.tariff_code(fuel="ELECTRICITY", erp_tariff="STAYWARM", customer_kind="RESIDENTIAL",
                           payment_method="DIRECT_DEBIT", region="20") is None  # fmt: skip


def test_a_customer_s_tally_counts_what_it_holds():
    tally = erp.tally(erp.customer_from_erp(customer()))
    assert tally == erp.Tally(
        customers=1, accounts=1, meter_points=2, open_invoices=1, debit_pence=5678,
        credit_pence=0, outstanding_pence=4200,
    )  # fmt: skip
    assert tally + tally == erp.Tally(2, 2, 4, 2, 11356, 0, 8400)


def test_the_simulated_book_is_the_same_every_time_and_adds_up():
    book = legacy_erp.Book(customers=40, seed=3)
    again = legacy_erp.Book(customers=40, seed=3)
    assert [book.customer(n) for n in range(40)] == [again.customer(n) for n in range(40)]
    assert book.customer(5) != legacy_erp.Book(customers=40, seed=4).customer(5)
    totals = book.totals()
    accounts = [a for n in range(40) for a in book.customer(n).accounts]
    assert totals["accounts"] == len(accounts)
    assert totals["creditBalanceTotal"] == sum(
        (a.balance for a in accounts if a.balance_type == "CR"), Decimal(0)
    )
    assert any(a.balance_type == "CR" for a in accounts)
    assert any(a.balance_type == "DR" and a.balance for a in accounts)


def test_a_legacy_invoice_is_numbered_in_the_erp_series():
    invoice = legacy.LegacyInvoice(
        legacy_number="INV7000056", account_id=1, bill_date=TODAY,
        period_start=datetime.date(2026, 10, 1), period_end=datetime.date(2026, 11, 1),
        net_pence=4000, vat_pence=200,
    )  # fmt: skip
    assert invoice.number == "ERPINV7000056" and invoice.total_pence == 4200
    assert legacy.problems(invoice) == []
    too_long = legacy.LegacyInvoice(
        legacy_number="X" * 14, account_id=1, bill_date=TODAY, period_start=TODAY,
        period_end=TODAY, net_pence=1, delivery="PIGEON",
    )  # fmt: skip
    assert {field for field, _rule, _message in legacy.problems(too_long)} == {
        "legacy_number", "period_end", "delivery",
    }  # fmt: skip
