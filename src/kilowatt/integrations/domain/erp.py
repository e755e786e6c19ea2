"""The legacy ERP's customers, read into our terms, and the rules that refuse a record.

Pure: no Django, no I/O, no clock. The ERP's SOAP answers arrive here as plain mappings
(``zeep.helpers.serialize_object``); ``customer_from_erp`` maps one customer with
everything under it into frozen records in our vocabulary, translating the ERP's habits:

- money is pounds with two decimals; a balance is a positive amount with ``DR`` (the
  customer owes us) or ``CR`` (we owe them). We keep pence, debit positive.
- regions are GSP groups (``_A`` .. ``_P``); we keep the distributor ID (10-23).
- postcodes are typed any old way (``sw1a1aa``): normalised, then checked.
- codes of its own: fuel ``ELEC``/``GAS``, meter type ``CR``/``PP``/``SM``, units
  ``KWH``/``M3``/``FT3``, time pattern ``STD``/``DAY``/``NGT``, payment ``DD``/``QCHQ``,
  bill medium ``EMAIL``/``POST``, customer type ``DOM``/``COM``.
- an invoice's period ends on its last day (inclusive); ours end the day after.

``problems`` lists every rule a customer's records break, each naming the legacy id of
the record, the field and the rule: a customer moves whole or not at all, so one problem
anywhere under a customer refuses the customer (reported, never imported half-way).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from kilowatt import validation
from kilowatt.customers.domain import customers as customer_rules
from kilowatt.validation.mpan import PROFILE_CLASSES

GSP_GROUP_REGIONS = {
    "_A": "10", "_B": "11", "_C": "12", "_D": "13", "_E": "14", "_F": "15", "_G": "16",
    "_H": "20", "_J": "19", "_K": "21", "_L": "22", "_M": "23", "_N": "18", "_P": "17",
}  # fmt: skip
FUELS = {"ELEC": "ELECTRICITY", "GAS": "GAS"}
METER_TYPES = {"CR": "CREDIT", "PP": "PREPAYMENT", "SM": "SMART"}
UNITS = {"KWH": "KWH", "M3": "METRIC", "FT3": "IMPERIAL"}
BANDS = {"STD": "ANYTIME", "DAY": "DAY", "NGT": "NIGHT"}
PAYMENT_METHODS = {"DD": "DIRECT_DEBIT", "QCHQ": "ON_RECEIPT"}
BILL_DELIVERY = {"EMAIL": "EMAIL", "POST": "PAPER"}
CUSTOMER_KINDS = {"DOM": "RESIDENTIAL", "COM": "BUSINESS"}
# The ERP's tariff codes and the product of ours that carries each customer on.
TARIFF_PRODUCTS = {"STD": "VAR", "E7": "E7", "FIX12": "FIX12"}
_PAYMENT_CODES = {"DIRECT_DEBIT": "DD", "ON_RECEIPT": "OR"}
_HUNDRED = Decimal(100)


@dataclasses.dataclass(frozen=True)
class Reason:
    """Why a record was refused: the ERP's id of the record, our field, the rule."""

    legacy_id: str
    field: str
    rule: str
    message: str


@dataclasses.dataclass(frozen=True)
class ErpRegister:
    identifier: str
    band: str  # ours: ANYTIME, DAY, NIGHT ("" when the ERP's code is unknown)
    time_pattern: str  # the ERP's
    estimated_annual_kwh: Decimal


@dataclasses.dataclass(frozen=True)
class ErpMeter:
    serial_number: str
    type: str  # ours ("" when unknown)
    meter_type: str  # the ERP's
    units: str  # ours ("" when unknown)
    erp_units: str
    digits: int
    installed_date: datetime.date
    registers: tuple[ErpRegister, ...]


@dataclasses.dataclass(frozen=True)
class ErpMeterPoint:
    legacy_id: str
    fuel: str  # ours ("" when unknown)
    identifier: str  # MPAN core or MPRN, as the ERP has it
    region: str  # distributor ID ("" when the GSP group is unknown)
    profile_class: str
    meter_timeswitch_code: str
    line_loss_factor_class: str
    supply_start_date: datetime.date
    tariff_code: str  # the ERP's
    tariff_start_date: datetime.date
    meters: tuple[ErpMeter, ...]


@dataclasses.dataclass(frozen=True)
class ErpSite:
    legacy_id: str
    address_line_1: str
    address_line_2: str
    town: str
    county: str
    postcode: str  # normalised (``SW1A 1AA``)
    meter_points: tuple[ErpMeterPoint, ...]
    erp_postcode: str = ""  # as the ERP had it, for the report


@dataclasses.dataclass(frozen=True)
class ErpInvoice:
    number: str  # the ERP's
    bill_date: datetime.date
    period_start: datetime.date
    period_end: datetime.date  # exclusive (the ERP's last day + 1)
    net_pence: int
    vat_pence: int
    total_pence: int
    outstanding_pence: int


@dataclasses.dataclass(frozen=True)
class ErpAccount:
    legacy_id: str
    payment_method: str  # ours ("" when unknown)
    bill_delivery: str  # ours ("" when unknown)
    opened_date: datetime.date
    balance_pence: int  # debit positive: they owe us
    sites: tuple[ErpSite, ...]
    invoices: tuple[ErpInvoice, ...]


@dataclasses.dataclass(frozen=True)
class ErpCustomer:
    legacy_id: str
    details: customer_rules.CustomerDetails  # normalised
    created_date: datetime.date
    accounts: tuple[ErpAccount, ...]

    @property
    def meter_points(self) -> list[ErpMeterPoint]:
        return [p for a in self.accounts for s in a.sites for p in s.meter_points]

    @property
    def invoices(self) -> list[ErpInvoice]:
        return [i for a in self.accounts for i in a.invoices]


@dataclasses.dataclass(frozen=True)
class Tally:
    """What a set of customers holds, as the reconciliation counts it."""

    customers: int = 0
    accounts: int = 0
    meter_points: int = 0
    open_invoices: int = 0
    debit_pence: int = 0  # sum of the balances customers owe
    credit_pence: int = 0  # sum of the balances owed to customers (positive)
    outstanding_pence: int = 0  # open invoices' outstanding amounts

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            *(
                a + b
                for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)
            )
        )


@dataclasses.dataclass(frozen=True)
class ControlTotals:
    tally: Tally
    as_at: datetime.date


def pence(amount: object) -> int:
    """Return pounds (a Decimal or its text, two decimals) as whole pence.

    :raises ValueError: not an amount of pounds and pence.
    """
    try:
        value = Decimal(str(amount)) * _HUNDRED
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not an amount") from None
    if value != value.to_integral_value():
        raise ValueError(f"{amount!r} has fractions of a penny")
    return int(value)


def signed_balance(amount: object, balance_type: str) -> int:
    """Return the ERP's balance (a positive amount, ``DR`` or ``CR``) as pence, debit
    positive.

    :raises ValueError: the amount is not pounds and pence, is negative, or the type is
        neither ``DR`` nor ``CR``.
    """
    value = pence(amount)
    if value < 0:
        raise ValueError(f"{amount!r}: the ERP keeps balances positive")
    kind = (balance_type or "").strip().upper()
    if kind not in ("DR", "CR"):
        raise ValueError(f"{balance_type!r} is neither DR nor CR")
    return value if kind == "DR" else -value


def tally(customer: ErpCustomer) -> Tally:
    balances = [account.balance_pence for account in customer.accounts]
    return Tally(
        customers=1,
        accounts=len(customer.accounts),
        meter_points=len(customer.meter_points),
        open_invoices=len(customer.invoices),
        debit_pence=sum(b for b in balances if b > 0),
        credit_pence=-sum(b for b in balances if b < 0),
        outstanding_pence=sum(i.outstanding_pence for i in customer.invoices),
    )


def control_totals_from_erp(data: Mapping) -> ControlTotals:
    """Map the ERP's ``GetControlTotals`` answer."""
    return ControlTotals(
        tally=Tally(
            customers=int(data["customers"]),
            accounts=int(data["accounts"]),
            meter_points=int(data["meterPoints"]),
            open_invoices=int(data["openInvoices"]),
            debit_pence=pence(data["debitBalanceTotal"]),
            credit_pence=pence(data["creditBalanceTotal"]),
            outstanding_pence=pence(data["openInvoiceOutstandingTotal"]),
        ),
        as_at=data["asAt"],
    )


def _text(data: Mapping, key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _many(data: Mapping, key: str) -> list[Mapping]:
    return list(data.get(key) or [])


def _register(data: Mapping) -> ErpRegister:
    pattern = _text(data, "timePattern").upper()
    return ErpRegister(
        identifier=_text(data, "registerId"),
        band=BANDS.get(pattern, ""),
        time_pattern=pattern,
        estimated_annual_kwh=Decimal(int(data.get("eac") or 0)),
    )


def _meter(data: Mapping) -> ErpMeter:
    meter_type, units = _text(data, "meterType").upper(), _text(data, "units").upper()
    return ErpMeter(
        serial_number=_text(data, "serialNumber"),
        type=METER_TYPES.get(meter_type, ""),
        meter_type=meter_type,
        units=UNITS.get(units, ""),
        erp_units=units,
        digits=int(data.get("digits") or 0),
        installed_date=data["installedDate"],
        registers=tuple(_register(r) for r in _many(data, "register")),
    )


def _meter_point(data: Mapping, gsp_group: str) -> ErpMeterPoint:
    fuel = FUELS.get(_text(data, "fuel").upper(), "")
    if fuel == "ELECTRICITY":
        identifier = _text(data, "mpanCore").replace(" ", "")
        region = identifier[:2]
    else:
        identifier = _text(data, "mprn").replace(" ", "")
        region = GSP_GROUP_REGIONS.get(gsp_group, "")
    return ErpMeterPoint(
        legacy_id=_text(data, "meterPointId"),
        fuel=fuel,
        identifier=identifier,
        region=region,
        profile_class=_text(data, "profileClass"),
        meter_timeswitch_code=_text(data, "meterTimeswitchCode"),
        line_loss_factor_class=_text(data, "lineLossFactorClass"),
        supply_start_date=data["supplyStartDate"],
        tariff_code=_text(data, "tariffCode").upper(),
        tariff_start_date=data["tariffStartDate"],
        meters=tuple(_meter(m) for m in _many(data, "meter")),
    )


def _site(data: Mapping) -> ErpSite:
    gsp_group = _text(data, "gspGroup").upper()
    return ErpSite(
        legacy_id=_text(data, "siteId"),
        address_line_1=_text(data, "addressLine1"),
        address_line_2=_text(data, "addressLine2"),
        town=_text(data, "town"),
        county=_text(data, "county"),
        postcode=validation.normalise_postcode(_text(data, "postcode")),
        meter_points=tuple(_meter_point(p, gsp_group) for p in _many(data, "meterPoint")),
        erp_postcode=_text(data, "postcode"),
    )


def _invoice(data: Mapping) -> ErpInvoice:
    return ErpInvoice(
        number=_text(data, "invoiceNumber"),
        bill_date=data["invoiceDate"],
        period_start=data["periodFrom"],
        period_end=data["periodTo"] + datetime.timedelta(days=1),
        net_pence=pence(data["netAmount"]),
        vat_pence=pence(data["vatAmount"]),
        total_pence=pence(data["grossAmount"]),
        outstanding_pence=pence(data["outstandingAmount"]),
    )


def _account(data: Mapping) -> ErpAccount:
    return ErpAccount(
        legacy_id=_text(data, "accountId"),
        payment_method=PAYMENT_METHODS.get(_text(data, "paymentMethod").upper(), ""),
        bill_delivery=BILL_DELIVERY.get(_text(data, "billMedium").upper(), ""),
        opened_date=data["openedDate"],
        balance_pence=signed_balance(data["balance"], _text(data, "balanceType")),
        sites=tuple(_site(s) for s in _many(data, "site")),
        invoices=tuple(_invoice(i) for i in _many(data, "openInvoice")),
    )


def customer_from_erp(data: Mapping) -> ErpCustomer:
    """Map one customer of the ERP's ``ListCustomers`` answer, with everything under it.

    :raises ValueError: an amount is not pounds and pence or a balance type is unknown
        (the caller refuses the customer with the message).
    :raises KeyError: a field the ERP always sends is missing.
    """
    kind = CUSTOMER_KINDS.get(_text(data, "customerType").upper(), _text(data, "customerType"))
    business = kind == "BUSINESS"
    details = customer_rules.normalise(
        customer_rules.CustomerDetails(
            kind=kind,
            title=_text(data, "title"),
            first_name="" if business else _text(data, "forename").title(),
            last_name="" if business else _surname(_text(data, "surname")),
            company_name=_text(data, "companyName") if business else "",
            company_number=_text(data, "companyRegNo") if business else "",
            sector=_text(data, "tradeSector") if business else "",
            email=_text(data, "email"),
            phone=_text(data, "phone"),
        )
    )
    return ErpCustomer(
        legacy_id=_text(data, "customerId"),
        details=details,
        created_date=data["createdDate"],
        accounts=tuple(_account(a) for a in _many(data, "account")),
    )


def _surname(text: str) -> str:
    """Names typed in capitals become ``O'Neill``, not ``O'neill``; others stay as typed."""
    if not text.isupper():
        return text
    return "'".join(part.capitalize() for part in text.split("'"))


def tariff_code(
    *, fuel: str, erp_tariff: str, customer_kind: str, payment_method: str, region: str
) -> str | None:
    """Return the code of our tariff that carries an ERP tariff on (the catalogue's
    ``<fuel>-<product>-<kind>-<payment>-<region>``), or None when nothing of ours does."""
    product = TARIFF_PRODUCTS.get(erp_tariff)
    method = _PAYMENT_CODES.get(payment_method)
    if product is None or method is None or not fuel or not region:
        return None
    if product == "E7" and fuel != "ELECTRICITY":
        return None
    return f"{fuel[0]}-{product}-{customer_kind[:3]}-{method}-{region}"


def _meter_point_problems(point: ErpMeterPoint) -> list[Reason]:
    found: list[Reason] = []

    def broke(field: str, rule: str, message: str) -> None:
        found.append(Reason(point.legacy_id, f"meter_point.{field}", rule, message))

    if point.fuel == "ELECTRICITY":
        if problem := validation.mpan_problem(point.identifier):
            rule = "mpan_check_digit" if "check digit" in problem else "mpan"
            broke("mpan", rule, f"{point.identifier!r}: {problem}")
        elif len(point.identifier) != 13:
            broke("mpan", "mpan_core", f"{point.identifier!r}: the ERP should send the core")
        if point.profile_class not in PROFILE_CLASSES:
            broke("profile_class", "choice", f"{point.profile_class!r} is not 00 to 08")
    elif point.fuel == "GAS":
        if problem := validation.mprn_problem(point.identifier):
            rule = "mprn_check_digits" if "check digits" in problem else "mprn"
            broke("mprn", rule, f"{point.identifier!r}: {problem}")
        if point.region not in validation.REGIONS:
            broke("region", "gsp_group", "the site's GSP group is not one of _A to _P")
    else:
        broke("fuel", "choice", "the ERP's fuel is neither ELEC nor GAS")
    if not point.meters:
        broke("meters", "required", "a meter point we supply has a meter")
    for meter in point.meters:
        at = f"meter {meter.serial_number}"
        if not meter.serial_number:
            broke("meter.serial_number", "required", "a meter needs its serial number")
        if not meter.type:
            broke("meter.type", "choice", f"{at}: meter type {meter.meter_type!r} is unknown")
        if not meter.units:
            broke("meter.units", "choice", f"{at}: units {meter.erp_units!r} are unknown")
        if not 4 <= meter.digits <= 10:
            broke("meter.digits", "range", f"{at}: {meter.digits} digits (4 to 10)")
        if not meter.registers:
            broke("meter.registers", "required", f"{at}: a meter has at least one register")
        for register in meter.registers:
            if not register.band:
                broke(
                    "register.band",
                    "choice",
                    f"{at} register {register.identifier}: time pattern "
                    f"{register.time_pattern!r} is unknown",
                )
    return found


def problems(customer: ErpCustomer, *, today: datetime.date) -> list[Reason]:
    """Return every rule a customer's records break (empty: the customer can move).

    Customer details go through customers' own rules; postcodes, MPANs and MPRNs through
    ``kilowatt.validation``; the ERP's codes must be ones we can map; a tariff must be
    one we can carry the customer on (checked with what is on record by the caller).
    """
    found = [
        Reason(customer.legacy_id, f"customer.{p.field}", p.rule, p.message)
        for p in customer_rules.problems(customer.details, today=today)
    ]
    if not customer.accounts:
        found.append(Reason(customer.legacy_id, "customer.accounts", "required", "no account"))
    for account in customer.accounts:
        if not account.payment_method:
            found.append(Reason(account.legacy_id, "account.payment_method", "choice", "unknown"))
        if not account.bill_delivery:
            found.append(Reason(account.legacy_id, "account.bill_delivery", "choice", "unknown"))
        for site in account.sites:
            if problem := validation.postcode_problem(site.postcode):
                found.append(
                    Reason(site.legacy_id, "site.postcode", "postcode_format",
                           f"{site.erp_postcode or site.postcode!r}: {problem}")
                )  # fmt: skip
            if not site.address_line_1:
                found.append(
                    Reason(site.legacy_id, "site.address_line_1", "required", "no first line")
                )
            for point in site.meter_points:
                found.extend(_meter_point_problems(point))
        for invoice in account.invoices:
            if invoice.total_pence != invoice.net_pence + invoice.vat_pence:
                found.append(
                    Reason(invoice.number, "invoice.gross", "adds_up", "net + VAT is not gross")
                )
            if not invoice.period_start < invoice.period_end:
                found.append(
                    Reason(invoice.number, "invoice.period", "start_before_end", "empty period")
                )
    return found
