"""What a sign-up must be before we accept it, and which accepted ones need a person.

Pure: no Django. ``order_problems`` refuses an order outright (each problem names the
field and the rule); ``exception_for`` finds the automatic rules that let an order in but
send it to the admin team's queue instead of straight to signing.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Mapping
from decimal import Decimal

from kilowatt import validation
from kilowatt.customers.domain import customers as customer_rules
from kilowatt.identity.domain.roles import Principal, Role, may_create_customer
from kilowatt.metering.domain.supply import MeterPointDetails, stored_identifier
from kilowatt.platform.errors import Problem
from kilowatt.properties.domain import addresses as address_rules
from kilowatt.properties.domain.addresses import Address

CHANNELS = ("WEB", "AGENT", "TELESALES", "PARTNER")
PAYMENT_METHODS = ("DIRECT_DEBIT", "ON_RECEIPT", "PREPAYMENT")
METER_TYPES = ("STANDARD", "ECONOMY_7")
BILL_DELIVERIES = ("EMAIL", "PAPER")
MAX_SITES = 200  # a business sign-up of more sites goes through a bulk onboarding
MAX_ANNUAL_KWH = Decimal("10000000")
# Ofgem's guaranteed standards: £30 to a customer switched without agreeing to it.
ERRONEOUS_TRANSFER_COMPENSATION_PENCE = 3000

# The profile class a meter point is registered with when the customer knows only the
# 13-digit core (as printed on most bills): the usual class for the customer kind and
# meter type. The registration and the first industry flows correct it if it differs.
_PROFILE_CLASS = {
    ("RESIDENTIAL", "STANDARD"): "01",
    ("RESIDENTIAL", "ECONOMY_7"): "02",
    ("BUSINESS", "STANDARD"): "03",
    ("BUSINESS", "ECONOMY_7"): "04",
}


@dataclasses.dataclass(frozen=True)
class SupplyRequest:
    """One meter point to supply, at ``site`` (an index into the order's sites)."""

    site: int
    fuel: str
    identifier: str  # a 13-digit MPAN core, a 21-character full MPAN, or an MPRN
    tariff_code: str
    annual_kwh: Decimal
    meter_type: str = "STANDARD"
    # The first 8 characters of a full MPAN (profile class, MTC, LLFC) when one was given;
    # ``identifier`` keeps the 13-digit core.
    mpan_top_line: str = ""


@dataclasses.dataclass(frozen=True)
class BankDetails:
    account_holder: str
    sort_code: str
    account_number: str


@dataclasses.dataclass(frozen=True)
class Consents:
    terms: bool  # agrees to the contract's terms
    direct_debit_mandate: bool = False  # authorises the mandate (paying by direct debit)
    credit_check: bool = False  # a business agrees to a credit check
    marketing: tuple[str, ...] = ()  # the channels they agree to hear from us on


@dataclasses.dataclass(frozen=True)
class OrderRequest:
    """A sign-up as entered on any channel."""

    customer: customer_rules.CustomerDetails
    sites: tuple[Address, ...]
    supplies: tuple[SupplyRequest, ...]
    payment_method: str
    consents: Consents
    bank: BankDetails | None = None
    bill_delivery: str = "EMAIL"
    signer_name: str = ""  # a business: the person signing for it (a home: the customer)


@dataclasses.dataclass(frozen=True)
class TariffFacts:
    """What an order's tariff choice is checked against."""

    code: str
    fuel: str
    region: str
    customer_kind: str
    payment_method: str
    bands: frozenset[str]
    valid_from: datetime.date
    valid_to: datetime.date | None


def may_submit(principal: Principal, *, channel: str, is_business: bool) -> bool:
    """Return whether ``principal`` may enter a sign-up on ``channel``.

    Anyone may sign themselves up on the web; a shop agent's and a telesales agent's
    sign-ups are theirs alone; partners (and staff) sign up through the API what their
    role lets them create.
    """
    if channel == "WEB":
        return True
    if channel == "AGENT":
        return principal.role is Role.AGENT and may_create_customer(
            principal, is_business=is_business
        )
    if channel == "TELESALES":
        return principal.role is Role.TELESALES and may_create_customer(
            principal, is_business=is_business
        )
    if channel == "PARTNER":
        return may_create_customer(principal, is_business=is_business)
    return False


def normalise(request: OrderRequest) -> OrderRequest:
    """Return the order trimmed, with identifiers, postcodes and bank details in their
    stored form."""
    bank = request.bank
    if bank is not None:
        bank = BankDetails(
            account_holder=" ".join(bank.account_holder.split()),
            sort_code=re.sub(r"[\s-]", "", bank.sort_code),
            account_number=re.sub(r"\s", "", bank.account_number),
        )
    return dataclasses.replace(
        request,
        customer=customer_rules.normalise(request.customer),
        sites=tuple(address_rules.normalise(site) for site in request.sites),
        supplies=tuple(
            dataclasses.replace(
                supply,
                fuel=supply.fuel.strip().upper(),
                identifier=stored_identifier(supply.identifier),
                mpan_top_line=_top_line(supply),
                tariff_code=supply.tariff_code.strip(),
                meter_type=supply.meter_type.strip().upper(),
            )
            for supply in request.supplies
        ),
        payment_method=request.payment_method.strip().upper(),
        bill_delivery=request.bill_delivery.strip().upper(),
        signer_name=" ".join(request.signer_name.split()),
        bank=bank,
    )


def _top_line(supply: SupplyRequest) -> str:
    compact = re.sub(r"[\s-]", "", supply.identifier).upper()
    if supply.fuel.strip().upper() == "ELECTRICITY" and len(compact) == 21:
        return compact[:8]
    return supply.mpan_top_line


def full_mpan_parts(identifier: str) -> tuple[str, str, str] | None:
    """Return (profile class, MTC, LLFC) of a full 21-character MPAN as entered, or None."""
    compact = re.sub(r"[\s-]", "", identifier).upper()
    if len(compact) != 21:
        return None
    return compact[:2], compact[2:5], compact[5:8]


def meter_point_details(
    supply: SupplyRequest, *, entered_identifier: str, customer_kind: str, region: str
) -> MeterPointDetails:
    """Return the meter point to record for a supply (electricity: from the full MPAN if
    it was given, else the usual profile class for the customer and meter type)."""
    if supply.fuel == "GAS":
        return MeterPointDetails(
            fuel="GAS", identifier=supply.identifier, region=region, accept_mprn_check_warning=True
        )
    parts = full_mpan_parts(entered_identifier)
    if parts is not None:
        profile_class, mtc, llfc = parts
    else:
        profile_class = _PROFILE_CLASS[(customer_kind, supply.meter_type)]
        mtc, llfc = "", ""
    return MeterPointDetails(
        fuel="ELECTRICITY",
        identifier=supply.identifier,
        region=validation.region_for_mpan(supply.identifier) or region,
        profile_class=profile_class,
        meter_timeswitch_code=mtc,
        line_loss_factor_class=llfc,
    )


def _supply_problems(
    index: int,
    supply: SupplyRequest,
    *,
    request: OrderRequest,
    site_regions: Mapping[int, str | None],
    tariffs: Mapping[str, TariffFacts],
    today: datetime.date,
) -> list[Problem]:
    prefix = f"supplies.{index}"
    found: list[Problem] = []
    if not 0 <= supply.site < len(request.sites):
        found.append(Problem(f"{prefix}.site", "site_exists", "must name one of the order's sites"))
    if supply.fuel not in ("ELECTRICITY", "GAS"):
        return [*found, Problem(f"{prefix}.fuel", "choice", "must be ELECTRICITY or GAS")]
    if supply.meter_type not in METER_TYPES:
        found.append(
            Problem(f"{prefix}.meter_type", "choice", f"must be one of {', '.join(METER_TYPES)}")
        )
    elif supply.fuel == "GAS" and supply.meter_type != "STANDARD":
        found.append(Problem(f"{prefix}.meter_type", "gas_single_rate", "a gas meter is STANDARD"))
    if supply.fuel == "ELECTRICITY":
        if problem := validation.mpan_problem(supply.identifier):
            found.append(Problem(f"{prefix}.identifier", "mpan", f"this MPAN is wrong: {problem}"))
    else:
        problem = validation.mprn_problem(supply.identifier)
        # A failed MPRN check digit is a warning a person decides (``exception_for``).
        if problem and "check digits" not in problem:
            found.append(Problem(f"{prefix}.identifier", "mprn", f"this MPRN is wrong: {problem}"))
    if not Decimal(0) < supply.annual_kwh <= MAX_ANNUAL_KWH:
        found.append(
            Problem(
                f"{prefix}.annual_kwh",
                "range",
                f"a yearly use above 0 and at most {MAX_ANNUAL_KWH:,} kWh",
            )
        )
    tariff = tariffs.get(supply.tariff_code)
    if tariff is None:
        found.append(Problem(f"{prefix}.tariff_code", "exists", f"no tariff {supply.tariff_code}"))
        return found
    region = site_regions.get(supply.site)
    if supply.fuel == "ELECTRICITY" and not validation.mpan_problem(supply.identifier):
        region = validation.region_for_mpan(supply.identifier) or region
    wanted_bands = {"DAY", "NIGHT"} if supply.meter_type == "ECONOMY_7" else {"ANYTIME"}
    mismatches = [
        (tariff.fuel != supply.fuel, f"is for {tariff.fuel.lower()}"),
        (region is not None and tariff.region != region, f"is sold in region {tariff.region}"),
        (
            tariff.customer_kind != request.customer.kind,
            f"is for {tariff.customer_kind.lower()} customers",
        ),
        (tariff.payment_method != request.payment_method, f"is for {tariff.payment_method}"),
        (set(tariff.bands) != wanted_bands, f"does not fit a {supply.meter_type} meter"),
        (
            today < tariff.valid_from or (tariff.valid_to is not None and today >= tariff.valid_to),
            "is not on sale today",
        ),
    ]
    found += [
        Problem(f"{prefix}.tariff_code", "tariff_fits", f"{tariff.code} {why}")
        for broken, why in mismatches
        if broken
    ]
    return found


def order_problems(
    request: OrderRequest,
    *,
    site_regions: Mapping[int, str | None],
    tariffs: Mapping[str, TariffFacts],
    today: datetime.date,
) -> list[Problem]:
    """Return every rule the (normalised) order breaks, each naming its field.

    ``site_regions`` gives each site's region from its postcode (None if unknown);
    ``tariffs`` the tariffs the order names, by code (a code missing is refused).
    """
    found: list[Problem] = []
    customer = request.customer
    found += [
        dataclasses.replace(p, field=f"customer.{p.field}")
        for p in customer_rules.problems(customer, today=today)
    ]
    if not customer.email:
        found.append(
            Problem("customer.email", "required", "an email address is needed to sign the contract")
        )
    if customer.kind == "BUSINESS" and not request.signer_name:
        found.append(
            Problem("signer_name", "required", "the name of the person signing for the business")
        )
    if not request.sites:
        found.append(Problem("sites", "required", "at least one site to supply"))
    elif len(request.sites) > MAX_SITES:
        found.append(Problem("sites", "max_sites", f"at most {MAX_SITES} sites in one sign-up"))
    elif customer.kind == "RESIDENTIAL" and len(request.sites) > 1:
        found.append(Problem("sites", "one_home", "a home sign-up is for one address"))
    for index, site in enumerate(request.sites):
        found += [
            dataclasses.replace(p, field=f"sites.{index}.{p.field}")
            for p in address_rules.problems(site)
        ]
        if not validation.postcode_problem(site.postcode) and site_regions.get(index) is None:
            found.append(
                Problem(
                    f"sites.{index}.postcode",
                    "region_unknown",
                    "we do not supply this postcode area",
                )
            )
    if not request.supplies:
        found.append(Problem("supplies", "required", "at least one meter point to supply"))
    seen: dict[str, int] = {}
    for index, supply in enumerate(request.supplies):
        found += _supply_problems(
            index,
            supply,
            request=request,
            site_regions=site_regions,
            tariffs=tariffs,
            today=today,
        )
        if supply.identifier in seen:
            found.append(
                Problem(
                    f"supplies.{index}.identifier",
                    "unique",
                    f"already asked for as supplies.{seen[supply.identifier]}",
                )
            )
        seen.setdefault(supply.identifier, index)
    if request.payment_method not in PAYMENT_METHODS:
        found.append(
            Problem("payment_method", "choice", f"must be one of {', '.join(PAYMENT_METHODS)}")
        )
    if request.bill_delivery not in BILL_DELIVERIES:
        found.append(Problem("bill_delivery", "choice", "must be EMAIL or PAPER"))
    elif customer.kind == "BUSINESS" and request.bill_delivery == "PAPER":
        found.append(
            Problem("bill_delivery", "business_paperless", "business accounts are paperless")
        )
    found += _payment_problems(request)
    if not request.consents.terms:
        found.append(Problem("consents.terms", "required", "the customer must agree to the terms"))
    if customer.kind == "BUSINESS" and not request.consents.credit_check:
        found.append(
            Problem(
                "consents.credit_check",
                "required",
                "a business must agree to a credit check",
            )
        )
    for index, channel in enumerate(request.consents.marketing):
        if channel not in customer_rules.CONSENT_CHANNELS:
            found.append(
                Problem(
                    f"consents.marketing.{index}",
                    "choice",
                    f"must be one of {', '.join(customer_rules.CONSENT_CHANNELS)}",
                )
            )
    return found


def _payment_problems(request: OrderRequest) -> list[Problem]:
    if request.payment_method != "DIRECT_DEBIT":
        return []
    found: list[Problem] = []
    bank = request.bank
    if bank is None:
        return [Problem("bank", "required", "bank details are needed to pay by direct debit")]
    if not bank.account_holder:
        found.append(Problem("bank.account_holder", "required", "the account holder's name"))
    if problem := validation.bank_account_problem(bank.sort_code, bank.account_number):
        field = "bank.sort_code" if problem.startswith("a sort code") else "bank.account_number"
        found.append(Problem(field, "bank_account", problem))
    if not request.consents.direct_debit_mandate:
        found.append(
            Problem(
                "consents.direct_debit_mandate",
                "required",
                "the account holder must authorise the direct debit",
            )
        )
    return found


@dataclasses.dataclass(frozen=True)
class ExceptionRule:
    rule: str
    message: str


def exception_for(request: OrderRequest) -> ExceptionRule | None:
    """Return the first automatic rule that sends an accepted order to a person, or None.

    A gas meter point whose MPRN check digits fail may still be right (old MPRNs): a
    person confirms it with the customer or the gas transporter.
    """
    for index, supply in enumerate(request.supplies):
        if supply.fuel == "GAS" and validation.mprn_problem(supply.identifier):
            return ExceptionRule(
                "mprn_check_digits",
                f"supplies.{index}: MPRN {supply.identifier} fails its check digits; "
                "confirm it with the customer before the contract is sent",
            )
    return None


CREDIT_DECISIONS = ("PASS", "REFER", "FAIL")


def needs_credit_check(request: OrderRequest) -> bool:
    """Return whether the order waits for a credit check before its contract: every
    business sign-up does (the customer agreed to it: ``consents.credit_check``)."""
    return request.customer.kind == "BUSINESS"


def credit_exception(decision: str, reason: str) -> ExceptionRule | None:
    """Return the rule a credit decision stops an order by, or None when it passed."""
    if decision == "PASS":
        return None
    verdict = "failed" if decision == "FAIL" else "was referred"
    return ExceptionRule(
        f"credit_check_{'failed' if decision == 'FAIL' else 'referred'}",
        f"the business credit check {verdict}: {reason or 'no reason given'}",
    )


def signer_name(request: OrderRequest) -> str:
    """Return who signs: the business's signer, or the home customer."""
    if request.customer.kind == "BUSINESS":
        return request.signer_name
    customer = request.customer
    return " ".join(
        part for part in (customer.title, customer.first_name, customer.last_name) if part
    )


def to_json(request: OrderRequest) -> dict:
    """Return the order as JSON-ready data (dates and Decimals as strings), as kept on the
    order row and hashed to tell a retried submission from a different one."""

    def plain(value: object) -> object:
        if isinstance(value, (Decimal, datetime.date)):
            return str(value) if isinstance(value, Decimal) else value.isoformat()
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return value

    return plain(dataclasses.asdict(request))  # type: ignore[return-value]


def from_json(data: dict) -> OrderRequest:
    """Return the order kept by ``to_json``."""
    customer = dict(data["customer"])
    born = customer.get("date_of_birth")
    customer["date_of_birth"] = datetime.date.fromisoformat(born) if born else None
    customer["consents"] = tuple(tuple(pair) for pair in customer.get("consents", ()))
    customer["priority_needs"] = tuple(customer.get("priority_needs", ()))
    customer["contacts"] = tuple(
        customer_rules.ContactDetails(**contact) for contact in customer.get("contacts", ())
    )
    consents = dict(data["consents"])
    consents["marketing"] = tuple(consents.get("marketing", ()))
    return OrderRequest(
        customer=customer_rules.CustomerDetails(**customer),
        sites=tuple(Address(**site) for site in data["sites"]),
        supplies=tuple(
            SupplyRequest(**{**supply, "annual_kwh": Decimal(supply["annual_kwh"])})
            for supply in data["supplies"]
        ),
        payment_method=data["payment_method"],
        consents=Consents(**consents),
        bank=BankDetails(**data["bank"]) if data.get("bank") else None,
        bill_delivery=data.get("bill_delivery", "EMAIL"),
        signer_name=data.get("signer_name", ""),
    )


def cancellation_problem(
    *, status: str, cooling_off_ends: datetime.date | None, today: datetime.date
) -> Problem | None:
    """Return why an order cannot be cancelled now, or None if it can.

    Before the contract is signed a sign-up can be dropped at any time; once signed, the
    customer may cancel within the cooling-off period (its last day included).
    """
    if status in ("CANCELLED", "REJECTED"):
        return Problem("status", "closed", "this sign-up is already closed")
    if status in ("EXCEPTION", "AWAITING_SIGNATURE") and cooling_off_ends is None:
        return None
    if cooling_off_ends is not None and today > cooling_off_ends:
        return Problem(
            "status",
            "cooling_off_ended",
            f"the cooling-off period ended on {cooling_off_ends:%-d %B %Y}; "
            "the customer can still switch away under the contract's terms",
        )
    return None
