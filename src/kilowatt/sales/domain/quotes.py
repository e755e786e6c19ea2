"""Quotes: every tariff a customer could take at each site, with what a year would cost.

Pure: no Django, no clock. ``quote_problems`` refuses a request outright (each problem
names the field and the rule); ``price`` turns a valid request and the tariffs on sale
(passed in as data, ``TariffDetails``) into a ``Quote``.

How a year is estimated, per site and fuel: standing charge x 365 + kWh x unit rate, band
by band, in exact Decimal pence; then VAT (and, for business supply, the Climate Change
Levy) the way the bill run charges it (``billing.domain.vat`` and ``levy``): homes 5%;
business 20% plus the levy, unless the year's use is within the de minimis (33 kWh a day
electricity, 145 gas), which is charged like a home (5%, no levy). The levy rate is the
one in force on the quote day. The total is rounded half up once, at the end; the VAT is
the total less the rounded net and levy, so the parts always add up. Homes see prices
with VAT; businesses see them without, with the VAT beside.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from kilowatt import validation
from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.billing.domain import levy, vat
from kilowatt.platform.errors import Problem
from kilowatt.sales.domain import regions

CUSTOMER_KINDS = ("RESIDENTIAL", "BUSINESS")
PAYMENT_METHODS = ("DIRECT_DEBIT", "ON_RECEIPT", "PREPAYMENT")
FUELS = ("ELECTRICITY", "GAS")
METER_TYPES = ("STANDARD", "ECONOMY_7")
LEVELS = ("LOW", "MEDIUM", "HIGH")
MAX_SITES = 200  # as many as one business sign-up takes
DAYS_A_YEAR = 365

# Above these a figure is a typing slip rather than a site we quote online (a home's
# is generous: the largest homes use about ten times the typical).
MAX_ANNUAL_KWH = {
    "RESIDENTIAL": {"ELECTRICITY": Decimal(100_000), "GAS": Decimal(250_000)},
    "BUSINESS": {"ELECTRICITY": Decimal(10_000_000), "GAS": Decimal(10_000_000)},
}

# Ofgem's typical domestic consumption values (TDCVs), kWh a year, in force from
# 1 April 2024 (Ofgem, "Decision on the review of typical domestic consumption values
# 2023", January 2024): electricity, single rate (profile class 1) low 1,800, medium
# 2,700, high 4,100; Economy 7 (profile class 2) low 2,200, medium 3,900, high 6,700;
# gas low 7,500, medium 11,500, high 17,000.
_HOME_KWH = {
    ("ELECTRICITY", "STANDARD"): {"LOW": 1_800, "MEDIUM": 2_700, "HIGH": 4_100},
    ("ELECTRICITY", "ECONOMY_7"): {"LOW": 2_200, "MEDIUM": 3_900, "HIGH": 6_700},
    ("GAS", "STANDARD"): {"LOW": 7_500, "MEDIUM": 11_500, "HIGH": 17_000},
}
# Small businesses: Ofgem publishes no typical values, so these are ours, chosen inside
# DESNZ's "very small" non-domestic consumption bands of its Quarterly Energy Prices
# tables (electricity under 20 MWh a year, gas under 278 MWh): a shop or office (low),
# a café or small workshop (medium), a restaurant or small factory unit (high). A business
# should give its own kWh from its bills; these are for a first look.
_BUSINESS_KWH = {
    ("ELECTRICITY", "STANDARD"): {"LOW": 5_000, "MEDIUM": 12_500, "HIGH": 20_000},
    ("ELECTRICITY", "ECONOMY_7"): {"LOW": 5_000, "MEDIUM": 12_500, "HIGH": 20_000},
    ("GAS", "STANDARD"): {"LOW": 10_000, "MEDIUM": 25_000, "HIGH": 50_000},
}
# Economy 7 use split between the day and night rates: 58% day, 42% night, the split
# Ofgem's price cap model assumes for a multi-register meter (verify against the cap's
# methodology annex before relying on it for more than an estimate).
E7_NIGHT_SHARE = Decimal("0.42")

_BANDS_OF_METER = {"STANDARD": frozenset({"ANYTIME"}), "ECONOMY_7": frozenset({"DAY", "NIGHT"})}
_PENNY = Decimal(1)
_RATE_PLACES = Decimal("0.0001")


# --- the request -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FuelUsage:
    """One fuel to quote at a site: a year's kWh, or a usage level for a typical figure."""

    fuel: str
    annual_kwh: Decimal | None = None
    level: str | None = None  # LOW, MEDIUM or HIGH


@dataclasses.dataclass(frozen=True)
class SiteRequest:
    postcode: str
    fuels: tuple[FuelUsage, ...]
    meter_type: str = "STANDARD"  # of the electricity meter; gas is always single rate
    mpan: str = ""  # when given, its distributor ID wins over the postcode's region


@dataclasses.dataclass(frozen=True)
class QuoteRequest:
    customer_kind: str
    payment_method: str
    sites: tuple[SiteRequest, ...]


# --- the answer ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RateLine:
    band: str
    rate_pence_per_kwh: Decimal  # as shown: with VAT for homes, without for businesses
    kwh: Decimal


@dataclasses.dataclass(frozen=True)
class Offer:
    """One eligible tariff priced for a year of one fuel at one site."""

    tariff_code: str
    tariff_name: str
    kind: str  # FIXED or VARIABLE
    term_months: int | None
    exit_fee_pence: int
    prices_include_vat: bool
    standing_charge_pence_per_day: Decimal  # as shown (see RateLine)
    unit_rates: tuple[RateLine, ...]
    vat_rate: int  # percent
    net_pence: int  # standing charges and energy, without levy or VAT
    ccl_pence: int  # the Climate Change Levy (business supply only)
    vat_pence: int
    total_pence: int  # net + levy + VAT
    estimated_annual_cost_pence: int  # the headline: total for homes, total less VAT else


@dataclasses.dataclass(frozen=True)
class FuelQuote:
    fuel: str
    annual_kwh: Decimal
    estimated: bool  # from a usage level rather than the customer's own figure
    offers: tuple[Offer, ...]  # cheapest first


@dataclasses.dataclass(frozen=True)
class SiteQuote:
    postcode: str
    region: str
    meter_type: str
    fuels: tuple[FuelQuote, ...]


@dataclasses.dataclass(frozen=True)
class Quote:
    customer_kind: str
    payment_method: str
    quoted_on: datetime.date
    prices_include_vat: bool
    sites: tuple[SiteQuote, ...]


# --- the rules -------------------------------------------------------------------------


def _site_problems(site: SiteRequest, prefix: str, customer_kind: str) -> list[Problem]:
    found: list[Problem] = []

    def broke(field: str, rule: str, message: str) -> None:
        found.append(Problem(f"{prefix}.{field}" if field else prefix, rule, message))

    mpan_region = None
    if site.mpan.strip():
        if (problem := validation.mpan_problem(site.mpan)) is not None:
            broke("mpan", "mpan", f"this MPAN is wrong: {problem}")
        else:
            mpan_region = validation.region_for_mpan(site.mpan)
    if (problem := validation.postcode_problem(site.postcode)) is not None:
        broke("postcode", "postcode_format", problem)
    elif mpan_region is None and regions.region_for_postcode(site.postcode) is None:
        area = regions.postcode_area(site.postcode)
        broke(
            "postcode",
            "postcode_area",
            f"we do not supply postcode area {area}: give the MPAN if the site is in Great Britain",
        )
    if site.meter_type not in METER_TYPES:
        broke("meter_type", "choice", f"must be one of {', '.join(METER_TYPES)}")
    if not site.fuels:
        broke("fuels", "required", "ask for electricity, gas or both")
    fuels = [usage.fuel for usage in site.fuels]
    if len(set(fuels)) != len(fuels):
        broke("fuels", "unique", "each fuel once")
    for index, usage in enumerate(site.fuels):
        field = f"fuels.{index}"
        if usage.fuel not in FUELS:
            broke(f"{field}.fuel", "choice", f"must be one of {', '.join(FUELS)}")
        if usage.level is not None and usage.level not in LEVELS:
            broke(f"{field}.level", "choice", f"must be one of {', '.join(LEVELS)}")
        if usage.annual_kwh is None and usage.level is None:
            broke(
                f"{field}.annual_kwh",
                "consumption_required",
                "give the kWh used in a year, or a usage level (LOW, MEDIUM or HIGH)",
            )
        elif usage.annual_kwh is not None and usage.level is not None:
            broke(f"{field}.level", "consumption_one_of", "give the kWh or a level, not both")
        if usage.annual_kwh is not None:
            limit = MAX_ANNUAL_KWH[customer_kind].get(usage.fuel)
            if not usage.annual_kwh.is_finite() or usage.annual_kwh < 0:
                broke(f"{field}.annual_kwh", "not_negative", "cannot be negative")
            elif limit is not None and usage.annual_kwh > limit:
                broke(
                    f"{field}.annual_kwh",
                    "too_large",
                    f"above {limit:,} kWh a year: check the figure, or ask us for a quote by hand",
                )
    return found


def quote_problems(request: QuoteRequest) -> list[Problem]:
    """Return every rule the request breaks, each naming its field (``sites.0.postcode``)."""
    found: list[Problem] = []
    if request.customer_kind not in CUSTOMER_KINDS:
        found.append(
            Problem("customer_kind", "choice", f"must be one of {', '.join(CUSTOMER_KINDS)}")
        )
    if request.payment_method not in PAYMENT_METHODS:
        found.append(
            Problem("payment_method", "choice", f"must be one of {', '.join(PAYMENT_METHODS)}")
        )
    if not request.sites:
        found.append(Problem("sites", "required", "at least one site is needed"))
    elif request.customer_kind == "RESIDENTIAL" and len(request.sites) > 1:
        found.append(Problem("sites", "one_home", "a home quote is for one site"))
    elif len(request.sites) > MAX_SITES:
        found.append(Problem("sites", "max_sites", f"at most {MAX_SITES} sites; ask us for more"))
    if request.customer_kind not in CUSTOMER_KINDS:
        return found  # the kWh limits depend on it
    for index, site in enumerate(request.sites[: MAX_SITES + 1]):
        found += _site_problems(site, f"sites.{index}", request.customer_kind)
    return found


def region_of(site: SiteRequest) -> str | None:
    """Return the site's region: its MPAN's distributor ID, else its postcode's region.

    An MPAN of an independent network (IDNO, 24-38) carries no region: the postcode's
    is used.
    """
    if (
        site.mpan.strip()
        and validation.is_valid_mpan(site.mpan)
        and (region := validation.region_for_mpan(site.mpan)) is not None
    ):
        return region
    return regions.region_for_postcode(site.postcode)


def typical_kwh(*, customer_kind: str, fuel: str, meter_type: str, level: str) -> Decimal:
    """Return a year's typical use for a usage level (Ofgem's TDCVs for homes)."""
    table = _HOME_KWH if customer_kind == "RESIDENTIAL" else _BUSINESS_KWH
    key = (fuel, meter_type if fuel == "ELECTRICITY" else "STANDARD")
    return Decimal(table[key][level])


def _band_kwh(annual_kwh: Decimal, bands: frozenset[str]) -> dict[str, Decimal]:
    if bands == _BANDS_OF_METER["ECONOMY_7"]:
        night = annual_kwh * E7_NIGHT_SHARE
        return {"DAY": annual_kwh - night, "NIGHT": night}
    return {"ANYTIME": annual_kwh}


def on_sale(tariff: TariffDetails, day: datetime.date) -> bool:
    """Say whether the tariff is on sale on ``day`` (its period is half-open)."""
    return tariff.valid_from <= day and (tariff.valid_to is None or day < tariff.valid_to)


def fits(
    tariff: TariffDetails,
    *,
    region: str,
    fuel: str,
    customer_kind: str,
    payment_method: str,
    meter_type: str,
    day: datetime.date,
) -> bool:
    """Say whether a site may take the tariff: same region, fuel, customer kind and
    payment method, on sale that day, and its bands fit the meter (an Economy 7 meter
    takes DAY and NIGHT tariffs, a standard meter and gas ANYTIME ones)."""
    meter = meter_type if fuel == "ELECTRICITY" else "STANDARD"
    return (
        tariff.region == region
        and tariff.fuel == fuel
        and tariff.customer_kind == customer_kind
        and tariff.payment_method == payment_method
        and on_sale(tariff, day)
        and frozenset(band for band, _rate in tariff.unit_rates) == _BANDS_OF_METER[meter]
    )


def _pence(amount: Decimal) -> int:
    return int(amount.quantize(_PENNY, rounding=ROUND_HALF_UP))


def _shown(rate: Decimal, multiplier: Decimal) -> Decimal:
    return (rate * multiplier).quantize(_RATE_PLACES, rounding=ROUND_HALF_UP)


def price_offer(
    tariff: TariffDetails,
    *,
    annual_kwh: Decimal,
    customer_kind: str,
    day: datetime.date,
) -> Offer:
    """Price a year of ``annual_kwh`` on ``tariff`` (rates stored without VAT)."""
    bands = frozenset(band for band, _rate in tariff.unit_rates)
    kwh_of = _band_kwh(annual_kwh, bands)
    rates = dict(tariff.unit_rates)
    net = tariff.standing_charge_pence_per_day * DAYS_A_YEAR + sum(
        (kwh_of[band] * rates[band] for band in kwh_of), Decimal(0)
    )
    treatment = vat.tax_treatment(
        customer_kind=customer_kind, fuel=tariff.fuel, charged_kwh=annual_kwh, days=DAYS_A_YEAR
    )
    ccl = (
        annual_kwh * levy.ccl_rate(fuel=tariff.fuel, on=day)
        if treatment.charges_ccl
        else Decimal(0)
    )
    total = (net + ccl) * (100 + treatment.vat_rate) / 100
    net_pence, ccl_pence, total_pence = _pence(net), _pence(ccl), _pence(total)
    with_vat = customer_kind == "RESIDENTIAL"
    shown = (100 + Decimal(treatment.vat_rate)) / 100 if with_vat else Decimal(1)
    return Offer(
        tariff_code=tariff.code,
        tariff_name=tariff.name,
        kind=tariff.kind,
        term_months=tariff.term_months,
        exit_fee_pence=tariff.exit_fee_pence,
        prices_include_vat=with_vat,
        standing_charge_pence_per_day=_shown(tariff.standing_charge_pence_per_day, shown),
        unit_rates=tuple(
            RateLine(band=band, rate_pence_per_kwh=_shown(rates[band], shown), kwh=kwh)
            for band, kwh in kwh_of.items()
        ),
        vat_rate=treatment.vat_rate,
        net_pence=net_pence,
        ccl_pence=ccl_pence,
        vat_pence=total_pence - net_pence - ccl_pence,
        total_pence=total_pence,
        estimated_annual_cost_pence=total_pence if with_vat else net_pence + ccl_pence,
    )


def price(request: QuoteRequest, *, offers: Sequence[TariffDetails], today: datetime.date) -> Quote:
    """Return every eligible tariff for each site and fuel, priced for a year, cheapest
    first (ties by tariff code). A fuel with nothing on sale has no offers.

    :raises ValueError: the request breaks a rule (call ``quote_problems`` first).
    """
    if quote_problems(request):
        raise ValueError("the quote request breaks a rule; see quote_problems")
    kind, method = request.customer_kind, request.payment_method
    sites = []
    for site in request.sites:
        region = region_of(site)
        assert region is not None  # quote_problems refused a site with no region
        fuel_quotes = []
        for usage in site.fuels:
            estimated = usage.annual_kwh is None
            kwh = (
                typical_kwh(
                    customer_kind=kind,
                    fuel=usage.fuel,
                    meter_type=site.meter_type,
                    level=usage.level or "MEDIUM",
                )
                if usage.annual_kwh is None
                else usage.annual_kwh
            )
            priced = [
                price_offer(tariff, annual_kwh=kwh, customer_kind=kind, day=today)
                for tariff in offers
                if fits(
                    tariff,
                    region=region,
                    fuel=usage.fuel,
                    customer_kind=kind,
                    payment_method=method,
                    meter_type=site.meter_type,
                    day=today,
                )
            ]
            priced.sort(key=lambda offer: (offer.estimated_annual_cost_pence, offer.tariff_code))
            fuel_quotes.append(
                FuelQuote(
                    fuel=usage.fuel, annual_kwh=kwh, estimated=estimated, offers=tuple(priced)
                )
            )
        sites.append(
            SiteQuote(
                postcode=validation.normalise_postcode(site.postcode),
                region=region,
                meter_type=site.meter_type,
                fuels=tuple(fuel_quotes),
            )
        )
    return Quote(
        customer_kind=kind,
        payment_method=method,
        quoted_on=today,
        prices_include_vat=kind == "RESIDENTIAL",
        sites=tuple(sites),
    )
