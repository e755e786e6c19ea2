"""Generate the demo book: customers, their sites, meter points, accounts and agreements.

Deterministic: one ``random.Random(seed)`` drawn in a fixed order, so the same plan
(size, seed, day and first ids) gives the same rows, whatever the chunk size. Ids are
assigned here, from ``FirstIds``, so a chunk's rows reference each other without a
round trip to the database. Pure: no Django, no I/O, no clock.

Every identifier is made valid by construction (MPAN check digit, MPRN check digits,
postcodes from real outward codes) with the public rules of ``kilowatt.validation``; the
bulk operations that load the rows check them again at the door.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import itertools
import random
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal

from kilowatt.demo.domain import catalogue, people, places
from kilowatt.metering.domain import certification
from kilowatt.validation.mpan import check_digit
from kilowatt.validation.mprn import check_digits

RESIDENTIAL_SHARE = 0.85
# Of every 20 customers, these positions are businesses: exactly 15% of the book.
_BUSINESS_POSITIONS = frozenset({3, 9, 16})
# The demo agent signed up one home in this many (a handful in the default demo).
AGENT_SLICE = 250
_AGENT_POSITION = 7

# Meter timeswitch code and line loss factor class for each profile class we generate.
_TOP_LINE = {"01": ("801", "021"), "02": ("151", "022"), "03": ("845", "300"), "04": ("151", "310")}
_CONSENT_CHANNELS = ("EMAIL", "SMS", "PHONE", "POST")
_HISTORY_DAYS = 4000  # how far before the tariffs went on sale a meter may be installed
_FUTURE_DAYS = 400  # room after today for the end of a 12-month fix


@dataclasses.dataclass(frozen=True)
class FirstIds:
    """The first free id of each table the book writes to."""

    customer: int = 1
    contact: int = 1
    consent: int = 1
    priority_need: int = 1
    site: int = 1
    meter_point: int = 1
    meter: int = 1
    register: int = 1
    account: int = 1
    agreement: int = 1


@dataclasses.dataclass(frozen=True)
class BookPlan:
    """What to generate.

    ``tariff_ids`` maps a tariff's key (region, fuel, customer kind, payment method,
    product) to its id. ``customer_number`` and ``account_number`` turn ids into the
    numbers people see (the contexts' own rules, passed in so this stays pure).
    ``home_user_id`` / ``business_user_id``: logins to link as the contact of the first
    home and the first business customer (None: leave them unlinked).
    """

    customers: int
    seed: int
    today: datetime.date
    tariff_ids: Mapping[tuple[str, str, str, str, str], int]
    customer_number: Callable[[int], str]
    account_number: Callable[[int], str]
    first_ids: FirstIds = FirstIds()
    agent_id: int | None = None
    home_user_id: int | None = None
    business_user_id: int | None = None


@dataclasses.dataclass
class Chunk:
    """The rows of a run of consecutive customers, table by table (see ``rows``)."""

    customers: list[tuple] = dataclasses.field(default_factory=list)
    contacts: list[tuple] = dataclasses.field(default_factory=list)
    consents: list[tuple] = dataclasses.field(default_factory=list)
    priority_needs: list[tuple] = dataclasses.field(default_factory=list)
    sites: list[tuple] = dataclasses.field(default_factory=list)
    meter_points: list[tuple] = dataclasses.field(default_factory=list)
    meters: list[tuple] = dataclasses.field(default_factory=list)
    registers: list[tuple] = dataclasses.field(default_factory=list)
    accounts: list[tuple] = dataclasses.field(default_factory=list)
    agreements: list[tuple] = dataclasses.field(default_factory=list)

    def tables(self) -> dict[str, list[tuple]]:
        """Return the rows by table name, in the order they can be written."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables().values())


_TENTH = Decimal("0.1")
# Ofgem's typical domestic consumption values (low to high), kWh a year; businesses more.
_TYPICAL_KWH = {
    "01": (1800, 4200),
    "02": (2200, 6000),
    "03": (5000, 25000),
    "04": (8000, 30000),
    "GAS": (7500, 17000),
}


def _typical_kwh(profile_class: str, draw: float) -> Decimal:
    """Return an EAC (or AQ, for ``GAS``) for a new register, spread over the typical range."""
    low, high = _TYPICAL_KWH.get(profile_class, _TYPICAL_KWH["03"])
    return Decimal(int(low + (high - low) * draw))


def mpan_core(region: str, meter_point_id: int) -> str:
    """Return the MPAN core of a meter point: unique per id, valid check digit.

    The 10 digits after the distributor ID are the id through a fixed bijection of
    0..10^10-1 (multiplying by a number coprime with 10), so two ids never share them.
    """
    first_twelve = f"{region}{(meter_point_id * 7_919_683 + 1_234_567) % 10_000_000_000:010d}"
    return f"{first_twelve}{check_digit(first_twelve)}"


def mprn(meter_point_id: int) -> str:
    """Return the 10-digit MPRN of a meter point: unique per id below 9x10^7."""
    body = f"{10_000_000 + (meter_point_id * 7_654_321 + 2_345_678) % 90_000_000}"
    return body + check_digits(body)


def _weighted(weights: Mapping[str, int]) -> tuple[tuple[str, ...], list[int]]:
    keys = tuple(weights)
    return keys, list(itertools.accumulate(weights[key] for key in keys))


class _Generator:
    """Holds the random stream, the id counters and the lookup tables of one book."""

    def __init__(self, plan: BookPlan) -> None:
        self.plan = plan
        self.random = random.Random(plan.seed).random
        first = plan.first_ids
        self.next_customer = first.customer
        self.next_contact = first.contact
        self.next_consent = first.consent
        self.next_need = first.priority_need
        self.next_site = first.site
        self.next_point = first.meter_point
        self.next_meter = first.meter
        self.next_register = first.register
        self.next_account = first.account
        self.next_agreement = first.agreement
        self.index = 0  # position of the next customer in the book
        self.regions, self.region_cumulative = _weighted(places.REGION_WEIGHTS)
        self.sectors, self.sector_cumulative = _weighted(people.SECTOR_WEIGHTS)
        # (town, outward codes, street offset of each outward code) per region.
        self.towns = {
            region: [
                (town, town.outward_codes(), [hash_free(code) for code in town.outward_codes()])
                for town in towns
            ]
            for region, towns in places.TOWNS.items()
        }
        today = plan.today
        self.tariff_start = catalogue.on_sale_from(today)
        span = (today - self.tariff_start).days + 1  # customers start on or before today
        first_day = self.tariff_start - datetime.timedelta(days=_HISTORY_DAYS)
        self.days = [
            first_day + datetime.timedelta(days=n)
            for n in range(_HISTORY_DAYS + span + _FUTURE_DAYS)
        ]
        self.start_offset = _HISTORY_DAYS  # self.days[start_offset] is the tariff start
        self.span = span
        self.today_index = _HISTORY_DAYS + span - 1
        self.moments = [
            datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=datetime.UTC)
            for day in self.days
        ]
        oldest = today.replace(year=today.year - 92)
        youngest = today.replace(year=today.year - 18)
        self.birthdays = [
            oldest + datetime.timedelta(days=n) for n in range((youngest - oldest).days)
        ]

    # --- small draws ------------------------------------------------------------------

    def _pick(self, options: tuple | list):
        return options[int(self.random() * len(options))]

    def _region(self) -> str:
        if self.index < len(self.regions):  # the first few customers visit every region
            return self.regions[self.index]
        return self.regions[
            bisect.bisect(self.region_cumulative, self.random() * self.region_cumulative[-1])
        ]

    def _address(self, region: str, *, business: bool) -> tuple[str, str, str, str, str]:
        random_ = self.random
        town, outwards, offsets = self._pick(self.towns[region])
        which = int(random_() * len(outwards))
        sector = int(random_() * 10)
        unit_index = int(random_() * len(places.INWARD_UNITS))
        # Homes in one postcode share a street, as they do.
        street = places.STREETS[
            (offsets[which] + sector * 31 + unit_index * 7) % len(places.STREETS)
        ]
        number = 1 + int(random_() * 180)
        postcode = f"{outwards[which]} {sector}{places.INWARD_UNITS[unit_index]}"
        draw = random_()
        if business and draw < 0.5:
            line_1, line_2 = self._pick(places.BUSINESS_LINES), f"{number} {street}"
        elif not business and draw < 0.12:
            line_1, line_2 = self._pick(places.FLAT_LINES), f"{number} {street}"
        else:
            line_1, line_2 = f"{number} {street}", ""
        return line_1, line_2, town.name, town.county, postcode

    def _phone(self, *, mobile: bool) -> str:
        prefix = people.MOBILE_PREFIX if mobile else people.LANDLINE_PREFIX
        return f"{prefix}{int(self.random() * 1000):03d}"

    # --- supply -----------------------------------------------------------------------

    def _site(
        self, chunk: Chunk, region: str, created_at: datetime.datetime, *, business: bool
    ) -> int:
        site_id = self.next_site
        self.next_site += 1
        chunk.sites.append((site_id, *self._address(region, business=business), created_at))
        return site_id

    def _meter_point(
        self,
        chunk: Chunk,
        *,
        site_id: int,
        region: str,
        fuel: str,
        profile_class: str,
        start: int,
        created_at: datetime.datetime,
    ) -> int:
        random_ = self.random
        point_id = self.next_point
        self.next_point += 1
        meter_id = self.next_meter
        self.next_meter += 1
        installed = self.days[start - int(random_() * 3000)]
        smart = random_() < 0.6
        if fuel == "ELECTRICITY":
            mtc, llfc = _TOP_LINE[profile_class]
            chunk.meter_points.append(
                (point_id, mpan_core(region, point_id), fuel, site_id, region,
                 profile_class, mtc, llfc, created_at, self.days[start])
            )  # fmt: skip
            serial = (
                f"{installed.year % 100:02d}E{(meter_id * 48_271) % 10_000_000:07d}"
                if smart
                else f"K{(meter_id * 48_271) % 100_000_000:08d}"
            )
            meter_type = "SMART" if smart else "CREDIT"
            chunk.meters.append(
                (meter_id, point_id, serial, meter_type, "KWH", 5 if smart else 6, installed,
                 None, certification.certified_until(
                     fuel=fuel, meter_type=meter_type, certified_on=installed))
            )  # fmt: skip
            eac = _typical_kwh(profile_class, random_())
            if profile_class in ("02", "04"):
                # Economy 7: about 58% of the year's use in the day hours.
                day, night = (eac * 58 / 100).quantize(_TENTH), (eac * 42 / 100).quantize(_TENTH)
                chunk.registers.append((self.next_register, meter_id, "1", "DAY", day))
                chunk.registers.append((self.next_register + 1, meter_id, "2", "NIGHT", night))
                self.next_register += 2
            else:
                chunk.registers.append((self.next_register, meter_id, "1", "ANYTIME", eac))
                self.next_register += 1
        else:
            imperial = not smart and random_() < 0.25
            chunk.meter_points.append(
                (point_id, mprn(point_id), fuel, site_id, region, "", "", "", created_at,
                 self.days[start])
            )  # fmt: skip
            serial = f"{'E6S' if smart else 'G4A'}{(meter_id * 48_271) % 100_000_000:08d}"
            meter_type = "SMART" if smart else "CREDIT"
            chunk.meters.append(
                (meter_id, point_id, serial, meter_type, "IMPERIAL" if imperial else "METRIC",
                 4 if imperial else 5, installed, None, certification.certified_until(
                     fuel=fuel, meter_type=meter_type, certified_on=installed))
            )  # fmt: skip
            chunk.registers.append(
                (self.next_register, meter_id, "1", "ANYTIME", _typical_kwh("GAS", random_()))
            )
            self.next_register += 1
        return point_id

    def _agreement(
        self,
        chunk: Chunk,
        *,
        account_id: int,
        point_id: int,
        key: tuple[str, str, str, str, str],
        start: int,
    ) -> None:
        if key[4] == catalogue.FIXED_12:
            # A fix runs twelve months from its start, within the last year.
            begin = max(start, self.today_index - int(self.random() * 360))
            valid_from, valid_to = self.days[begin], self.days[begin + 365]
        else:
            valid_from, valid_to = self.days[start], None
        chunk.agreements.append(
            (
                self.next_agreement,
                account_id,
                point_id,
                self.plan.tariff_ids[key],
                valid_from,
                valid_to,
            )
        )
        self.next_agreement += 1

    def _account(
        self, chunk: Chunk, customer_id: int, *, payment_method: str, paper: bool, created_at
    ) -> int:
        account_id = self.next_account
        self.next_account += 1
        chunk.accounts.append(
            (account_id, self.plan.account_number(account_id), customer_id, "ACTIVE",
             payment_method, "PAPER" if paper else "EMAIL", created_at)
        )  # fmt: skip
        return account_id

    def _consents(self, chunk: Chunk, customer_id: int, recorded_at: datetime.datetime) -> None:
        random_ = self.random
        for channel in _CONSENT_CHANNELS:
            if random_() < 0.5:
                chunk.consents.append(
                    (self.next_consent, customer_id, channel, random_() < 0.6, recorded_at)
                )
                self.next_consent += 1

    # --- customers --------------------------------------------------------------------

    def _home(self, chunk: Chunk) -> None:
        random_ = self.random
        plan = self.plan
        customer_id = self.next_customer
        self.next_customer += 1
        region = self._region()
        first_name = self._pick(people.FIRST_NAMES)
        last_name = self._pick(people.SURNAMES)
        title = self._pick(people.TITLES)
        born_index = int(random_() * len(self.birthdays))
        born = self.birthdays[born_index]
        age = (plan.today - born).days // 365
        start = self.start_offset + int(random_() * self.span)
        created_at = self.moments[start]
        email = ""
        if random_() < 0.85:
            local = f"{first_name}.{last_name}".lower().replace("'", "")
            email = f"{local}{customer_id % 997}@{self._pick(people.EMAIL_DOMAINS)}"
        phone = self._phone(mobile=random_() < 0.8) if random_() < 0.9 else ""
        signed_up_by = (
            plan.agent_id
            if plan.agent_id is not None and self.index % AGENT_SLICE == _AGENT_POSITION
            else None
        )
        chunk.customers.append(
            (customer_id, plan.customer_number(customer_id), "RESIDENTIAL", title, first_name,
             last_name, born, "", "", "", False, email, phone,
             f"{last_name} {first_name}".lower(), signed_up_by, created_at)
        )  # fmt: skip
        if self.index == 0 and plan.home_user_id is not None:
            chunk.contacts.append(
                (self.next_contact, customer_id, "PRIMARY", f"{title} {first_name} {last_name}",
                 email, phone, plan.home_user_id)
            )  # fmt: skip
            self.next_contact += 1

        supply = random_()
        fuels = (
            ("ELECTRICITY", "GAS")
            if supply < 0.5
            else ("ELECTRICITY",)
            if supply < 0.95
            else ("GAS",)
        )
        economy_7 = random_() < 0.12
        payment_method = "DIRECT_DEBIT" if random_() < 0.75 else "ON_RECEIPT"
        product = catalogue.FIXED_12 if random_() < 0.35 else catalogue.VARIABLE
        paper = not email or random_() < 0.15
        site_id = self._site(chunk, region, created_at, business=False)
        account_id = self._account(
            chunk, customer_id, payment_method=payment_method, paper=paper, created_at=created_at
        )
        for fuel in fuels:
            e7 = economy_7 and fuel == "ELECTRICITY"
            point_id = self._meter_point(
                chunk,
                site_id=site_id,
                region=region,
                fuel=fuel,
                profile_class=("02" if e7 else "01") if fuel == "ELECTRICITY" else "",
                start=start,
                created_at=created_at,
            )
            self._agreement(
                chunk,
                account_id=account_id,
                point_id=point_id,
                key=(region, fuel, "RESIDENTIAL", payment_method,
                     catalogue.ECONOMY_7 if e7 else product),
                start=start,
            )  # fmt: skip
        if random_() < 0.3:
            self._consents(chunk, customer_id, created_at)
        if random_() < 0.10:
            self._priority_needs(chunk, customer_id, age=age, recorded_at=created_at)

    def _priority_needs(
        self, chunk: Chunk, customer_id: int, *, age: int, recorded_at: datetime.datetime
    ) -> None:
        random_ = self.random
        needs = []
        if age >= 66:
            needs.append("PENSIONABLE_AGE")
            if age >= 75:
                needs.append("OVER_75")
        else:
            needs.append(self._pick(("YOUNG_CHILDREN", "CHILD_UNDER_2", "DISABILITY", "TEMPORARY")))
        if random_() < 0.3:
            extra = self._pick(
                ("DISABILITY", "CHRONIC_ILLNESS", "MEDICAL_EQUIPMENT", "HEARING_OR_SIGHT")
            )
            if extra not in needs:
                needs.append(extra)
        for need in needs:
            chunk.priority_needs.append(
                (
                    self.next_need,
                    customer_id,
                    need,
                    people.PRIORITY_NOTES.get(need, ""),
                    recorded_at,
                )
            )
            self.next_need += 1

    def _business(self, chunk: Chunk) -> None:
        random_ = self.random
        plan = self.plan
        customer_id = self.next_customer
        self.next_customer += 1
        region = self._region()
        sector = self.sectors[
            bisect.bisect(self.sector_cumulative, random_() * self.sector_cumulative[-1])
        ]
        trade = self._pick(people.SECTOR_TRADES[sector])
        word = self._pick(people.BUSINESS_NAME_WORDS)
        suffix = "" if sector == "PUBLIC" else f" {self._pick(people.COMPANY_SUFFIXES)}"
        company_name = f"{word} {trade}{suffix}"
        slug = f"{word}{trade}".lower().replace(" ", "").replace("'", "")
        serial = (customer_id * 2_654_435_761) % 1_000_000
        company_number = ""
        if random_() < 0.92:
            company_number = (
                f"SC{serial:06d}" if region in ("17", "18") else f"{(serial * 37) % 10**8:08d}"
            )
        micro = random_() < 0.6
        start = self.start_offset + int(random_() * self.span)
        created_at = self.moments[start]
        domain = f"{slug}.example.co.uk"
        chunk.customers.append(
            (customer_id, plan.customer_number(customer_id), "BUSINESS", "", "", "", None,
             company_name, company_number, sector, micro, f"office@{domain}",
             self._phone(mobile=False), company_name.lower(), None, created_at)
        )  # fmt: skip
        for role in ("ACCOUNT_MANAGER", "BILLING_OFFICER"):
            first_name = self._pick(people.FIRST_NAMES)
            last_name = self._pick(people.SURNAMES)
            user_id = (
                plan.business_user_id
                if role == "ACCOUNT_MANAGER" and self.index == min(_BUSINESS_POSITIONS)
                else None
            )
            chunk.contacts.append(
                (self.next_contact, customer_id, role, f"{first_name} {last_name}",
                 f"{first_name}.{last_name}@{domain}".lower().replace("'", ""),
                 self._phone(mobile=True), user_id)
            )  # fmt: skip
            self.next_contact += 1

        site_count = 1 + (0, 0, 0, 1, 1, 1, 2, 2, 3)[int(random_() * 9)]
        account_count = min(site_count, 1 + int(random_() * 3))
        accounts = []  # (account id, payment method, product)
        for _ in range(account_count):
            method = "DIRECT_DEBIT" if random_() < 0.8 else "ON_RECEIPT"
            account_id = self._account(
                chunk,
                customer_id,
                payment_method=method,
                paper=False,  # business accounts are paperless
                created_at=created_at,
            )
            accounts.append(
                (account_id, method, catalogue.FIXED_12 if random_() < 0.45 else catalogue.VARIABLE)
            )
        points = 0
        for number in range(site_count):
            site_region = region if number == 0 or random_() < 0.7 else self._pick(self.regions)
            site_id = self._site(chunk, site_region, created_at, business=True)
            account_id, method, product = accounts[number % account_count]
            fuels = ["ELECTRICITY"]
            if random_() < 0.5 or (number == site_count - 1 and points == 0):
                fuels.append("GAS")
            for fuel in fuels:
                profile_class = ""
                if fuel == "ELECTRICITY":
                    profile_class = "04" if random_() < 0.15 else "03"
                point_id = self._meter_point(
                    chunk,
                    site_id=site_id,
                    region=site_region,
                    fuel=fuel,
                    profile_class=profile_class,
                    start=start,
                    created_at=created_at,
                )
                chosen = catalogue.ECONOMY_7 if profile_class == "04" else product
                self._agreement(
                    chunk,
                    account_id=account_id,
                    point_id=point_id,
                    key=(site_region, fuel, "BUSINESS", method, chosen),
                    start=start,
                )
                points += 1
        if random_() < 0.2:
            self._consents(chunk, customer_id, created_at)

    def chunk(self, size: int) -> Chunk:
        chunk = Chunk()
        end = min(self.index + size, self.plan.customers)
        while self.index < end:
            if self.index % 20 in _BUSINESS_POSITIONS:
                self._business(chunk)
            else:
                self._home(chunk)
            self.index += 1
        return chunk


def hash_free(text: str) -> int:
    """Return a small stable number for a string (``hash`` differs between runs)."""
    return sum((index + 1) * ord(char) for index, char in enumerate(text))


def generate(plan: BookPlan, *, chunk_size: int = 50_000) -> Iterator[Chunk]:
    """Yield the book in chunks of ``chunk_size`` customers (the last may be smaller)."""
    generator = _Generator(plan)
    while generator.index < plan.customers:
        yield generator.chunk(chunk_size)
