"""The retailer's legacy ERP, as its SOAP 1.1 customer service answers on 127.0.0.1.

``python -m kilowatt.simulators.legacy_erp --port 8026 --customers 500 [--seed 1]``

One service, ``CustomerService``, document/literal over HTTP POST, its WSDL at ``?wsdl``:

- ``ListCustomers(pageToken?, pageSize)`` -> ``customers`` (each with its accounts, their
  sites, meter points, meters and registers, balance and open invoices) and
  ``nextPageToken`` (absent on the last page). The token is opaque; a token this ERP did
  not issue, or a page size outside 1..500, is answered with a SOAP fault.
- ``GetControlTotals()`` -> counts (customers, accounts, meter points, open invoices) and
  balance sums (debit, credit, open invoices' outstanding), for the reconciliation.

The book is generated from ``seed`` and ``customers`` alone (and the cut-over day), the
same every time, customer by customer, so a page costs the same wherever it is.

It has the habits of a system that has run for twenty years, which a migration must
handle: postcodes typed any old way (``sw1a1aa``), regions as GSP groups (``_C``), meter
types and time patterns in its own codes, balances as a positive amount with ``DR``/``CR``,
money as pounds with two decimals, and a few records a migration must refuse and report
rather than import: postcodes that are not postcodes (``TBC``, ``N/A``), an MPAN whose
check digit is wrong, an MPRN whose check digits are wrong, a tariff no longer sold.

Nothing of the product is imported here: this stands for another company's system.
Tests may set ``fail_from_page`` on the server to answer every page from that one on
with a fault, as an ERP that falls over part-way.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import datetime
import random
import threading
import xml.etree.ElementTree as ET
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "urn:legacy-erp:customer-service:v1"
MAX_PAGE_SIZE = 500
DEFAULT_AS_AT = datetime.date(2026, 11, 1)

# GSP group -> the distributor ID that starts the MPANs of that region.
GSP_GROUPS = {
    "_A": "10", "_B": "11", "_C": "12", "_D": "13", "_E": "14", "_F": "15", "_G": "16",
    "_H": "20", "_J": "19", "_K": "21", "_L": "22", "_M": "23", "_N": "18", "_P": "17",
}  # fmt: skip
# Real outward codes of each GSP group's area.
_OUTWARD = {
    "_A": ("CB1", "NR2", "IP4", "CO1"), "_B": ("NG1", "LE1", "DE1", "LN2"),
    "_C": ("SW1A", "E1", "N1", "SE15"), "_D": ("L1", "CH1", "LL11", "WA1"),
    "_E": ("B1", "CV1", "WV1", "ST4"), "_F": ("NE1", "SR1", "DH1", "TS1"),
    "_G": ("M1", "PR1", "BB1", "WN3"), "_H": ("SO14", "RG1", "OX1", "GU1"),
    "_J": ("BN1", "CT1", "ME1", "TN1"), "_K": ("CF10", "SA1", "NP20", "LD1"),
    "_L": ("BS1", "EX1", "PL1", "TR1"), "_M": ("LS1", "S1", "YO1", "HU1"),
    "_N": ("EH1", "G1", "KA1", "DG1"), "_P": ("AB10", "IV1", "DD1", "PH1"),
}  # fmt: skip
_TOWNS = {
    "_A": "Cambridge", "_B": "Nottingham", "_C": "London", "_D": "Liverpool",
    "_E": "Birmingham", "_F": "Newcastle upon Tyne", "_G": "Manchester", "_H": "Southampton",
    "_J": "Brighton", "_K": "Cardiff", "_L": "Bristol", "_M": "Leeds", "_N": "Edinburgh",
    "_P": "Aberdeen",
}  # fmt: skip
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_STREETS = ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane",
            "The Green", "Park Avenue", "Queen Street", "Manor Road", "Kings Road")  # fmt: skip
_FIRST = ("Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack",
          "Ivy", "Leo", "Grace", "Arthur", "Freya", "Muhammad", "Lily", "Oscar", "Emily")  # fmt: skip
_LAST = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
         "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "O'Neill")  # fmt: skip
_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "")
_TRADES = (("Bakery", "RETAIL"), ("Cafe", "HOSPITALITY"), ("Garage", "OTHER"),
           ("Dental Practice", "HEALTH"), ("Print Works", "MANUFACTURING"),
           ("Accountants", "OFFICE"), ("Farm Shop", "AGRICULTURE"))  # fmt: skip
_BAD_POSTCODES = ("TBC", "N/A", "SW1A 1A", "000000")
_MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
_PENNY = Decimal("0.01")


def mpan_check_digit(first_twelve: str) -> int:
    """The MPAN core's check digit (the industry's public rule)."""
    return sum(int(d) * w for d, w in zip(first_twelve, _MPAN_WEIGHTS, strict=True)) % 11 % 10


def mprn_check_digits(body: str) -> str:
    """The MPRN's two check digits (weights n down to 1, mod 11)."""
    return f"{sum(int(d) * (len(body) - i) for i, d in enumerate(body)) % 11:02d}"


# --- the book ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Register:
    register_id: str
    time_pattern: str  # "STD", "DAY", "NGT"
    eac: int


@dataclasses.dataclass(frozen=True)
class Meter:
    serial: str
    meter_type: str  # "CR" credit, "SM" smart
    units: str  # "KWH", "M3", "FT3"
    digits: int
    installed: datetime.date
    registers: tuple[Register, ...]


@dataclasses.dataclass(frozen=True)
class MeterPoint:
    meter_point_id: str
    fuel: str  # "ELEC" or "GAS"
    mpan_core: str  # electricity
    mprn: str  # gas
    profile_class: str
    mtc: str
    llfc: str
    supply_start: datetime.date
    tariff_code: str  # "STD", "E7", "FIX12", and the odd one no longer sold
    tariff_start: datetime.date
    meters: tuple[Meter, ...]


@dataclasses.dataclass(frozen=True)
class Site:
    site_id: str
    line1: str
    line2: str
    town: str
    county: str
    postcode: str
    gsp_group: str
    meter_points: tuple[MeterPoint, ...]


@dataclasses.dataclass(frozen=True)
class Invoice:
    number: str
    date: datetime.date
    period_from: datetime.date
    period_to: datetime.date  # inclusive, as the ERP keeps it
    net: Decimal
    vat: Decimal
    gross: Decimal
    outstanding: Decimal


@dataclasses.dataclass(frozen=True)
class Account:
    account_id: str
    payment_method: str  # "DD" or "QCHQ" (pays each quarterly bill by cheque or card)
    bill_medium: str  # "EMAIL" or "POST"
    opened: datetime.date
    balance: Decimal  # positive
    balance_type: str  # "DR" they owe, "CR" we owe them
    sites: tuple[Site, ...]
    invoices: tuple[Invoice, ...]


@dataclasses.dataclass(frozen=True)
class Customer:
    customer_id: str
    customer_type: str  # "DOM" or "COM"
    title: str
    forename: str
    surname: str
    company_name: str
    company_reg_no: str
    trade: str
    email: str
    phone: str
    created: datetime.date
    accounts: tuple[Account, ...]


class Book:
    """The ERP's customers: customer ``n`` (0-based) is drawn from its own random stream."""

    def __init__(self, *, customers: int, seed: int = 1, as_at: datetime.date = DEFAULT_AS_AT):
        self.size = customers
        self.seed = seed
        self.as_at = as_at
        self._totals: dict[str, object] | None = None

    def customer(self, n: int) -> Customer:
        draw = random.Random(f"{self.seed}:{n}")
        business = n % 7 == 3
        created = self.as_at - datetime.timedelta(days=200 + draw.randrange(3000))
        accounts = tuple(
            self._account(draw, n, a, business) for a in range(2 if business and n % 3 == 0 else 1)
        )
        first, last = draw.choice(_FIRST), draw.choice(_LAST)
        if business:
            trade, sector = draw.choice(_TRADES)
            return Customer(
                customer_id=f"C{100000 + n:06d}", customer_type="COM", title="", forename="",
                surname="", company_name=f"{last}'s {trade} Ltd", company_reg_no=f"{(n * 7919) % 10**8:08d}",
                trade=sector, email=f"accounts@{last.lower().replace(chr(39), '')}{n}.example.co.uk",
                phone=f"01{draw.randrange(10**8, 10**9)}", created=created, accounts=accounts,
            )  # fmt: skip
        email = (
            ""
            if n % 11 == 5
            else f"{first.lower()}.{last.lower().replace(chr(39), '')}{n}@example.com"
        )
        phone = f"07700 {draw.randrange(900000, 999999)}" if n % 4 else ""
        name_case = str.upper if n % 13 == 0 else str  # some were typed in capitals
        return Customer(
            customer_id=f"C{100000 + n:06d}", customer_type="DOM", title=draw.choice(_TITLES),
            forename=name_case(first), surname=name_case(last), company_name="", company_reg_no="",
            trade="", email=email, phone=phone, created=created, accounts=accounts,
        )  # fmt: skip

    def _account(self, draw: random.Random, n: int, a: int, business: bool) -> Account:
        number = 2 * n + a
        sites = tuple(self._site(draw, n, number, s) for s in range(2 if business and a else 1))
        kind = draw.random()
        invoices: tuple[Invoice, ...] = ()
        if kind < 0.15:
            balance, balance_type = Decimal(draw.randrange(100, 25000)) / 100, "CR"
        elif kind < 0.25:
            balance, balance_type = Decimal("0.00"), "DR"
        else:
            invoices = self._invoices(draw, number, count=1 + int(draw.random() < 0.3))
            owed = sum((invoice.outstanding for invoice in invoices), Decimal("0.00"))
            # The balance is the open invoices plus what has been charged since (or less a
            # payment on account).
            balance, balance_type = owed + Decimal(draw.randrange(0, 9000)) / 100, "DR"
        if n == 1 and a == 0:  # the reconciliation always has a credit balance to carry
            balance, balance_type, invoices = Decimal("123.45"), "CR", ()
        return Account(
            account_id=f"A{2000000 + number:07d}",
            payment_method="QCHQ" if draw.random() < 0.2 else "DD",
            bill_medium="POST" if draw.random() < 0.3 else "EMAIL",
            opened=self.as_at - datetime.timedelta(days=100 + draw.randrange(2000)),
            balance=balance.quantize(_PENNY),
            balance_type=balance_type,
            sites=sites,
            invoices=invoices,
        )

    def _invoices(self, draw: random.Random, account: int, count: int) -> tuple[Invoice, ...]:
        found = []
        period_end = self.as_at.replace(day=1)  # the month before the cut-over, and earlier
        for k in range(count):
            period_start = (period_end - datetime.timedelta(days=1)).replace(day=1)
            net = (Decimal(draw.randrange(3000, 40000)) / 100).quantize(_PENNY)
            vat = (net * Decimal("0.05")).quantize(_PENNY)
            gross = net + vat
            part_paid = draw.random() < 0.2
            outstanding = (gross / 2).quantize(_PENNY) if part_paid else gross
            found.append(
                Invoice(
                    number=f"INV{7000000 + account * 4 + k:07d}",
                    date=period_end + datetime.timedelta(days=3),
                    period_from=period_start,
                    period_to=period_end - datetime.timedelta(days=1),
                    net=net,
                    vat=vat,
                    gross=gross,
                    outstanding=outstanding,
                )
            )
            period_end = period_start
        return tuple(found)

    def _site(self, draw: random.Random, n: int, account: int, s: int) -> Site:
        number = 2 * account + s
        gsp = draw.choice(tuple(GSP_GROUPS))
        outward = draw.choice(_OUTWARD[gsp])
        inward = f"{draw.randrange(10)}{draw.choice(_INWARD_LETTERS)}{draw.choice(_INWARD_LETTERS)}"
        postcode = f"{outward} {inward}"
        style = number % 5
        if style == 1:
            postcode = postcode.replace(" ", "").lower()
        elif style == 2:
            postcode = f" {postcode.lower()} "
        if n % 47 == 13 and s == 0:
            postcode = _BAD_POSTCODES[(n // 47) % len(_BAD_POSTCODES)]
        points = [self._meter_point(draw, n, number, 0, "ELEC", gsp)]
        if draw.random() < 0.6 or n % 83 == 41:  # the bad MPRN needs a gas supply
            points.append(self._meter_point(draw, n, number, 1, "GAS", gsp))
        return Site(
            site_id=f"S{3000000 + number:07d}",
            line1=f"{1 + draw.randrange(180)} {draw.choice(_STREETS)}",
            line2="Flat 2" if draw.random() < 0.1 else "",
            town=_TOWNS[gsp],
            county="",
            postcode=postcode,
            gsp_group=gsp,
            meter_points=tuple(points),
        )

    def _meter_point(
        self, draw: random.Random, n: int, site: int, m: int, fuel: str, gsp: str
    ) -> MeterPoint:
        number = 2 * site + m
        supply_start = self.as_at - datetime.timedelta(days=30 + draw.randrange(900))
        tariff_start = supply_start + datetime.timedelta(days=draw.randrange(20))
        installed = supply_start - datetime.timedelta(days=draw.randrange(1, 2500))
        smart = draw.random() < 0.4
        serial_prefix = "E" if fuel == "ELEC" else "G"
        if fuel == "ELEC":
            e7 = draw.random() < 0.15
            tariff = "E7" if e7 else ("FIX12" if draw.random() < 0.3 else "STD")
            patterns = ("DAY", "NGT") if e7 else ("STD",)
            registers = tuple(
                Register(register_id=f"{i + 1}", time_pattern=p, eac=draw.randrange(1500, 5000))
                for i, p in enumerate(patterns)
            )
            first_twelve = f"{GSP_GROUPS[gsp]}{(number * 6_700_417 + 4_200_013 + self.seed * 101) % 10**10:010d}"
            digit = mpan_check_digit(first_twelve)
            if n % 59 == 29:  # keyed in wrongly years ago
                digit = (digit + 1) % 10
            mpan, mprn = f"{first_twelve}{digit}", ""
            profile, mtc, llfc = ("02", "151", "022") if e7 else ("01", "801", "021")
            units, digits = "KWH", 5 + int(smart)
        else:
            tariff = "FIX12" if draw.random() < 0.3 else "STD"
            registers = (
                Register(register_id="1", time_pattern="STD", eac=draw.randrange(7000, 17000)),
            )
            body = f"{10_000_000 + (number * 3_141_593 + 2_718_281 + self.seed * 7) % 90_000_000}"
            check = mprn_check_digits(body)
            if n % 83 == 41:
                check = f"{(int(check) + 1) % 100:02d}"
            mpan, mprn = "", body + check
            profile, mtc, llfc = "", "", ""
            units, digits = ("M3", 5) if draw.random() < 0.8 else ("FT3", 4)
        if n % 97 == 61 and m == 0:
            tariff = "STAYWARM"  # withdrawn in 2014; nothing of ours matches it
        meter = Meter(
            serial=f"{serial_prefix}{'S' if smart else ''}{number:08d}",
            meter_type="SM" if smart else "CR",
            units=units,
            digits=digits,
            installed=installed,
            registers=registers,
        )
        return MeterPoint(
            meter_point_id=f"MP{5000000 + number:07d}",
            fuel=fuel, mpan_core=mpan, mprn=mprn, profile_class=profile, mtc=mtc, llfc=llfc,
            supply_start=supply_start, tariff_code=tariff, tariff_start=tariff_start,
            meters=(meter,),
        )  # fmt: skip

    def totals(self) -> dict[str, object]:
        """The control totals over the whole book (computed once)."""
        if self._totals is None:
            counts = dict.fromkeys(("customers", "accounts", "meterPoints", "openInvoices"), 0)
            debit = credit = outstanding = Decimal("0.00")
            for n in range(self.size):
                customer = self.customer(n)
                counts["customers"] += 1
                for account in customer.accounts:
                    counts["accounts"] += 1
                    if account.balance_type == "DR":
                        debit += account.balance
                    else:
                        credit += account.balance
                    for site in account.sites:
                        counts["meterPoints"] += len(site.meter_points)
                    counts["openInvoices"] += len(account.invoices)
                    outstanding += sum((i.outstanding for i in account.invoices), Decimal("0.00"))
            self._totals = {
                **counts,
                "debitBalanceTotal": debit,
                "creditBalanceTotal": credit,
                "openInvoiceOutstandingTotal": outstanding,
                "asAt": self.as_at,
            }
        return self._totals


# --- SOAP ----------------------------------------------------------------------------

WSDL = f"""<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="{NS}" targetNamespace="{NS}" name="CustomerService">
  <wsdl:types>
    <xsd:schema targetNamespace="{NS}" elementFormDefault="qualified">
      <xsd:complexType name="Register">
        <xsd:sequence>
          <xsd:element name="registerId" type="xsd:string"/>
          <xsd:element name="timePattern" type="xsd:string"/>
          <xsd:element name="eac" type="xsd:int"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="Meter">
        <xsd:sequence>
          <xsd:element name="serialNumber" type="xsd:string"/>
          <xsd:element name="meterType" type="xsd:string"/>
          <xsd:element name="units" type="xsd:string"/>
          <xsd:element name="digits" type="xsd:int"/>
          <xsd:element name="installedDate" type="xsd:date"/>
          <xsd:element name="register" type="tns:Register" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="MeterPoint">
        <xsd:sequence>
          <xsd:element name="meterPointId" type="xsd:string"/>
          <xsd:element name="fuel" type="xsd:string"/>
          <xsd:element name="mpanCore" type="xsd:string" minOccurs="0"/>
          <xsd:element name="mprn" type="xsd:string" minOccurs="0"/>
          <xsd:element name="profileClass" type="xsd:string" minOccurs="0"/>
          <xsd:element name="meterTimeswitchCode" type="xsd:string" minOccurs="0"/>
          <xsd:element name="lineLossFactorClass" type="xsd:string" minOccurs="0"/>
          <xsd:element name="supplyStartDate" type="xsd:date"/>
          <xsd:element name="tariffCode" type="xsd:string"/>
          <xsd:element name="tariffStartDate" type="xsd:date"/>
          <xsd:element name="meter" type="tns:Meter" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="Site">
        <xsd:sequence>
          <xsd:element name="siteId" type="xsd:string"/>
          <xsd:element name="addressLine1" type="xsd:string"/>
          <xsd:element name="addressLine2" type="xsd:string" minOccurs="0"/>
          <xsd:element name="town" type="xsd:string"/>
          <xsd:element name="county" type="xsd:string" minOccurs="0"/>
          <xsd:element name="postcode" type="xsd:string"/>
          <xsd:element name="gspGroup" type="xsd:string"/>
          <xsd:element name="meterPoint" type="tns:MeterPoint" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="OpenInvoice">
        <xsd:sequence>
          <xsd:element name="invoiceNumber" type="xsd:string"/>
          <xsd:element name="invoiceDate" type="xsd:date"/>
          <xsd:element name="periodFrom" type="xsd:date"/>
          <xsd:element name="periodTo" type="xsd:date"/>
          <xsd:element name="netAmount" type="xsd:decimal"/>
          <xsd:element name="vatAmount" type="xsd:decimal"/>
          <xsd:element name="grossAmount" type="xsd:decimal"/>
          <xsd:element name="outstandingAmount" type="xsd:decimal"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="Account">
        <xsd:sequence>
          <xsd:element name="accountId" type="xsd:string"/>
          <xsd:element name="paymentMethod" type="xsd:string"/>
          <xsd:element name="billMedium" type="xsd:string"/>
          <xsd:element name="openedDate" type="xsd:date"/>
          <xsd:element name="balance" type="xsd:decimal"/>
          <xsd:element name="balanceType" type="xsd:string"/>
          <xsd:element name="site" type="tns:Site" minOccurs="0" maxOccurs="unbounded"/>
          <xsd:element name="openInvoice" type="tns:OpenInvoice" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="Customer">
        <xsd:sequence>
          <xsd:element name="customerId" type="xsd:string"/>
          <xsd:element name="customerType" type="xsd:string"/>
          <xsd:element name="title" type="xsd:string" minOccurs="0"/>
          <xsd:element name="forename" type="xsd:string" minOccurs="0"/>
          <xsd:element name="surname" type="xsd:string" minOccurs="0"/>
          <xsd:element name="companyName" type="xsd:string" minOccurs="0"/>
          <xsd:element name="companyRegNo" type="xsd:string" minOccurs="0"/>
          <xsd:element name="tradeSector" type="xsd:string" minOccurs="0"/>
          <xsd:element name="email" type="xsd:string" minOccurs="0"/>
          <xsd:element name="phone" type="xsd:string" minOccurs="0"/>
          <xsd:element name="createdDate" type="xsd:date"/>
          <xsd:element name="account" type="tns:Account" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:element name="ListCustomers">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="pageToken" type="xsd:string" minOccurs="0"/>
            <xsd:element name="pageSize" type="xsd:int"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="ListCustomersResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="customer" type="tns:Customer" minOccurs="0" maxOccurs="unbounded"/>
            <xsd:element name="nextPageToken" type="xsd:string" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="GetControlTotals">
        <xsd:complexType><xsd:sequence/></xsd:complexType>
      </xsd:element>
      <xsd:element name="GetControlTotalsResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="customers" type="xsd:int"/>
            <xsd:element name="accounts" type="xsd:int"/>
            <xsd:element name="meterPoints" type="xsd:int"/>
            <xsd:element name="openInvoices" type="xsd:int"/>
            <xsd:element name="debitBalanceTotal" type="xsd:decimal"/>
            <xsd:element name="creditBalanceTotal" type="xsd:decimal"/>
            <xsd:element name="openInvoiceOutstandingTotal" type="xsd:decimal"/>
            <xsd:element name="asAt" type="xsd:date"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="ListCustomersRequest"><wsdl:part name="parameters" element="tns:ListCustomers"/></wsdl:message>
  <wsdl:message name="ListCustomersResponse"><wsdl:part name="parameters" element="tns:ListCustomersResponse"/></wsdl:message>
  <wsdl:message name="GetControlTotalsRequest"><wsdl:part name="parameters" element="tns:GetControlTotals"/></wsdl:message>
  <wsdl:message name="GetControlTotalsResponse"><wsdl:part name="parameters" element="tns:GetControlTotalsResponse"/></wsdl:message>
  <wsdl:portType name="CustomerServicePortType">
    <wsdl:operation name="ListCustomers">
      <wsdl:input message="tns:ListCustomersRequest"/>
      <wsdl:output message="tns:ListCustomersResponse"/>
    </wsdl:operation>
    <wsdl:operation name="GetControlTotals">
      <wsdl:input message="tns:GetControlTotalsRequest"/>
      <wsdl:output message="tns:GetControlTotalsResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="CustomerServiceBinding" type="tns:CustomerServicePortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="ListCustomers">
      <soap:operation soapAction="{NS}#ListCustomers"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="GetControlTotals">
      <soap:operation soapAction="{NS}#GetControlTotals"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="CustomerService">
    <wsdl:port name="CustomerServicePort" binding="tns:CustomerServiceBinding">
      <soap:address location="__LOCATION__"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""


class Fault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _text(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _add(parent: ET.Element, name: str, value: object = None) -> ET.Element:
    child = ET.SubElement(parent, f"{{{NS}}}{name}")
    if value is not None:
        child.text = _text(value)
    return child


def _optional(parent: ET.Element, name: str, value: str) -> None:
    if value:  # the ERP leaves empty fields out
        _add(parent, name, value)


def _customer_xml(parent: ET.Element, customer: Customer) -> None:
    node = _add(parent, "customer")
    _add(node, "customerId", customer.customer_id)
    _add(node, "customerType", customer.customer_type)
    for name, value in (
        ("title", customer.title), ("forename", customer.forename),
        ("surname", customer.surname), ("companyName", customer.company_name),
        ("companyRegNo", customer.company_reg_no), ("tradeSector", customer.trade),
        ("email", customer.email), ("phone", customer.phone),
    ):  # fmt: skip
        _optional(node, name, value)
    _add(node, "createdDate", customer.created)
    for account in customer.accounts:
        a = _add(node, "account")
        _add(a, "accountId", account.account_id)
        _add(a, "paymentMethod", account.payment_method)
        _add(a, "billMedium", account.bill_medium)
        _add(a, "openedDate", account.opened)
        _add(a, "balance", account.balance)
        _add(a, "balanceType", account.balance_type)
        for site in account.sites:
            s = _add(a, "site")
            _add(s, "siteId", site.site_id)
            _add(s, "addressLine1", site.line1)
            _optional(s, "addressLine2", site.line2)
            _add(s, "town", site.town)
            _optional(s, "county", site.county)
            _add(s, "postcode", site.postcode)
            _add(s, "gspGroup", site.gsp_group)
            for point in site.meter_points:
                p = _add(s, "meterPoint")
                _add(p, "meterPointId", point.meter_point_id)
                _add(p, "fuel", point.fuel)
                _optional(p, "mpanCore", point.mpan_core)
                _optional(p, "mprn", point.mprn)
                _optional(p, "profileClass", point.profile_class)
                _optional(p, "meterTimeswitchCode", point.mtc)
                _optional(p, "lineLossFactorClass", point.llfc)
                _add(p, "supplyStartDate", point.supply_start)
                _add(p, "tariffCode", point.tariff_code)
                _add(p, "tariffStartDate", point.tariff_start)
                for meter in point.meters:
                    m = _add(p, "meter")
                    _add(m, "serialNumber", meter.serial)
                    _add(m, "meterType", meter.meter_type)
                    _add(m, "units", meter.units)
                    _add(m, "digits", meter.digits)
                    _add(m, "installedDate", meter.installed)
                    for register in meter.registers:
                        r = _add(m, "register")
                        _add(r, "registerId", register.register_id)
                        _add(r, "timePattern", register.time_pattern)
                        _add(r, "eac", register.eac)
        for invoice in account.invoices:
            i = _add(a, "openInvoice")
            _add(i, "invoiceNumber", invoice.number)
            _add(i, "invoiceDate", invoice.date)
            _add(i, "periodFrom", invoice.period_from)
            _add(i, "periodTo", invoice.period_to)
            _add(i, "netAmount", invoice.net)
            _add(i, "vatAmount", invoice.vat)
            _add(i, "grossAmount", invoice.gross)
            _add(i, "outstandingAmount", invoice.outstanding)


def page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"erp-page:{offset}".encode()).decode().rstrip("=")


def _offset(token: str | None, size: int) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, number = text.split(":")
        offset = int(number)
    except (ValueError, UnicodeDecodeError):
        raise Fault("soap:Client", "ERR-1043 invalid page token") from None
    if prefix != "erp-page" or not 0 <= offset <= size:
        raise Fault("soap:Client", "ERR-1043 invalid page token")
    return offset


class LegacyErpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], book: Book) -> None:
        super().__init__(address, _Handler)
        self.book = book
        self.fail_from_page: int | None = None  # a test's way to make the ERP fall over
        self.pages_served = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/CustomerService"

    def list_customers(self, body: ET.Element) -> ET.Element:
        token = body.findtext(f"{{{NS}}}pageToken")
        size_text = body.findtext(f"{{{NS}}}pageSize") or ""
        try:
            size = int(size_text)
        except ValueError:
            raise Fault("soap:Client", "ERR-1042 pageSize must be a number") from None
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise Fault("soap:Client", f"ERR-1042 pageSize must be 1 to {MAX_PAGE_SIZE}")
        offset = _offset(token, self.book.size)
        with self.lock:
            page = offset // size + 1
            if self.fail_from_page is not None and page >= self.fail_from_page:
                raise Fault("soap:Server", "ERR-5001 database connection lost")
            self.pages_served += 1
        response = ET.Element(f"{{{NS}}}ListCustomersResponse")
        end = min(offset + size, self.book.size)
        for n in range(offset, end):
            _customer_xml(response, self.book.customer(n))
        if end < self.book.size:
            _add(response, "nextPageToken", page_token(end))
        return response

    def control_totals(self, _body: ET.Element) -> ET.Element:
        response = ET.Element(f"{{{NS}}}GetControlTotalsResponse")
        for name, value in self.book.totals().items():
            _add(response, name, value)
        return response


def _envelope(content: ET.Element) -> bytes:
    envelope = ET.Element(f"{{{SOAP_ENV}}}Envelope")
    ET.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(content)
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


def _fault(fault: Fault) -> bytes:
    node = ET.Element(f"{{{SOAP_ENV}}}Fault")
    ET.SubElement(node, "faultcode").text = fault.code
    ET.SubElement(node, "faultstring").text = fault.message
    return _envelope(node)


class _Handler(BaseHTTPRequestHandler):
    server: LegacyErpServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/xml; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/CustomerService" and parts.query.lower() == "wsdl":
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
            wsdl = WSDL.replace("__LOCATION__", f"http://{host}/CustomerService")
            self._send(200, wsdl.encode())
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if urlsplit(self.path).path != "/CustomerService":
            self._send(404, b"not found", "text/plain")
            return
        try:
            try:
                envelope = ET.fromstring(body)
            except ET.ParseError:
                raise Fault("soap:Client", "the request is not XML") from None
            request = envelope.find(f"{{{SOAP_ENV}}}Body/*")
            operations = {
                f"{{{NS}}}ListCustomers": self.server.list_customers,
                f"{{{NS}}}GetControlTotals": self.server.control_totals,
            }
            if request is None or request.tag not in operations:
                raise Fault("soap:Client", "unknown operation")
            self._send(200, _envelope(operations[request.tag](request)))
        except Fault as fault:
            self._send(500, _fault(fault))


def make_server(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    customers: int = 500,
    seed: int = 1,
    as_at: datetime.date = DEFAULT_AS_AT,
) -> LegacyErpServer:
    """Return the ERP's server bound to ``host:port`` (0: a free port), not yet serving."""
    return LegacyErpServer((host, port), Book(customers=customers, seed=seed, as_at=as_at))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The legacy ERP's SOAP customer service.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8026)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-at", type=datetime.date.fromisoformat, default=DEFAULT_AS_AT)
    args = parser.parse_args(argv)
    server = make_server(
        host=args.host, port=args.port, customers=args.customers, seed=args.seed, as_at=args.as_at
    )
    print(f"legacy ERP: {args.customers} customers, WSDL at {server.url}?wsdl", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
