"""Plain, frozen records the back-office templates render.

Views turn what the queries return into these before a template sees them, so every
database query has run before rendering starts (and a test can hold the count) and a
template cannot trigger a lazy load by following a relation.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime
import functools
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from kilowatt import validation
from kilowatt.customers.domain.customers import CONSENT_CHANNELS
from kilowatt.identity.domain.roles import Permission, Principal, Reach, Role
from kilowatt.platform.periods import DatePeriod
from kilowatt.validation.mpan import PROFILE_CLASSES

CHANNEL_LABELS = {"EMAIL": "Email", "SMS": "Text message", "PHONE": "Phone", "POST": "Post"}

# How the search box says what it understood the entry to be.
_MATCHED_BY = {
    "account number": "account number",
    "customer number": "customer number",
    "MPAN": "MPAN",
    "MPRN": "MPRN",
    "postcode": "postcode",
    "name": "name (surname first)",
}


# --- the top bar ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SignedIn:
    """Who is signed in, as the top bar shows them."""

    username: str
    role_label: str
    may_use_back_office: bool
    may_use_django_admin: bool
    may_work_read_exceptions: bool = False
    may_book_appointments: bool = False
    may_work_field_jobs: bool = False
    may_work_cases: bool = False
    may_run_bills: bool = False
    is_customer: bool = False  # sees their own accounts: the customer pages, not the back office
    sells_in_shop: bool = False  # a shop agent: their month and new customers
    sees_sales_pipeline: bool = False  # a regional sales manager: their agents' pipeline
    sells_by_phone: bool = False  # telesales: new customers, unsigned contracts
    may_work_sales_exceptions: bool = False


def signed_in(principal: Principal) -> SignedIn:
    """Describe the signed-in person for the top bar."""
    return SignedIn(
        username=principal.username,
        role_label=principal.role.label if principal.role else "",
        may_use_back_office=principal.may(Permission.USE_BACK_OFFICE),
        may_use_django_admin=principal.may(Permission.USE_DJANGO_ADMIN),
        may_work_read_exceptions=principal.may(Permission.WORK_READ_EXCEPTIONS),
        may_book_appointments=principal.may(Permission.BOOK_APPOINTMENTS),
        may_work_field_jobs=principal.may(Permission.WORK_FIELD_JOBS),
        may_work_cases=principal.may(Permission.WORK_CASES),
        may_run_bills=principal.may(Permission.RUN_BILLS),
        is_customer=principal.reach is Reach.OWN,
        sells_in_shop=principal.role is Role.AGENT,
        sees_sales_pipeline=principal.role is Role.SALES_MANAGER,
        sells_by_phone=principal.role is Role.TELESALES,
        may_work_sales_exceptions=principal.may(Permission.WORK_SALES_EXCEPTIONS),
    )


# --- search ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SearchRow:
    number: str
    url: str
    name: str
    is_business: bool
    kind_label: str
    company_number: str
    email: str
    phone: str
    customer_since: str  # "Mar 2024"


@dataclasses.dataclass(frozen=True)
class SearchResults:
    text: str
    matched_by: str  # "" when nothing was searched
    rows: tuple[SearchRow, ...]
    limit: int

    @property
    def searched(self) -> bool:
        return bool(self.text)

    @property
    def may_have_more(self) -> bool:
        return len(self.rows) >= self.limit


_A_CUSTOMER_NUMBER = "C00000000"


@functools.cache
def _customer_url_pattern() -> str:
    return reverse("portals:customer", kwargs={"number": _A_CUSTOMER_NUMBER})


def customer_url(number: str) -> str:
    """Return a customer page's address: one URL reversal per process, not per row (a
    results list of 50 spent a quarter of its time reversing the same pattern)."""
    return _customer_url_pattern().replace(_A_CUSTOMER_NUMBER, number)


def search_results(text: str, result: Any, *, limit: int) -> SearchResults:
    """Shape a ``search_customers`` result for the results list."""
    return SearchResults(
        text=text,
        matched_by=_MATCHED_BY.get(result.matched_by, ""),
        rows=tuple(
            SearchRow(
                number=customer.number,
                url=customer_url(customer.number),
                name=customer.display_name,
                is_business=customer.kind == "BUSINESS",
                kind_label=customer.get_kind_display(),
                company_number=customer.company_number,
                email=customer.email,
                phone=customer.phone,
                customer_since=timezone.localtime(customer.created_at).strftime("%b %Y"),
            )
            for customer in result.customers
        ),
        limit=limit,
    )


# --- the customer page ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Identity:
    number: str
    name: str
    is_business: bool
    kind_label: str
    date_of_birth: datetime.date | None
    company_name: str
    company_number: str
    sector_label: str
    is_micro_business: bool
    email: str
    phone: str
    customer_since: datetime.datetime


@dataclasses.dataclass(frozen=True)
class ContactRow:
    role_label: str
    name: str
    email: str
    phone: str
    has_login: bool


@dataclasses.dataclass(frozen=True)
class ConsentRow:
    channel: str
    label: str
    granted: bool | None  # None: never asked
    recorded_at: datetime.datetime | None


@dataclasses.dataclass(frozen=True)
class PriorityNeedRow:
    label: str
    note: str
    recorded_at: datetime.datetime


@dataclasses.dataclass(frozen=True)
class RegisterRow:
    identifier: str
    band_label: str


@dataclasses.dataclass(frozen=True)
class MeterRow:
    serial_number: str
    type_label: str
    digits: int
    units_label: str
    installed_date: datetime.date
    removed_date: datetime.date | None
    registers: tuple[RegisterRow, ...]
    certified_until: datetime.date | None = None  # when the meter's certification ends


@dataclasses.dataclass(frozen=True)
class AgreementRow:
    tariff_name: str
    tariff_code: str
    tariff_kind_label: str
    term_months: int | None
    standing_charge_pence_per_day: Any  # Decimal
    valid_from: datetime.date
    valid_to: datetime.date | None
    state: str  # "current", "ended" or "future"


@dataclasses.dataclass(frozen=True)
class MeterPointBlock:
    identifier: str  # as stored: the MPAN core or the MPRN
    identifier_display: str  # grouped for reading aloud
    is_electricity: bool
    fuel_label: str
    top_line: str  # the full MPAN's first eight characters, "" for gas
    region: str
    region_name: str
    profile_class: str
    profile_class_label: str
    meters: tuple[MeterRow, ...]
    agreements: tuple[AgreementRow, ...]
    reads: tuple[ReadShape, ...] = ()  # the newest few, from the customer's time there


@dataclasses.dataclass(frozen=True)
class SiteBlock:
    address_lines: tuple[str, ...]
    postcode: str
    meter_points: tuple[MeterPointBlock, ...]


@dataclasses.dataclass(frozen=True)
class AccountBlock:
    number: str
    status: str
    status_label: str
    payment_method_label: str
    bill_delivery_label: str
    opened_at: datetime.datetime
    sites: tuple[SiteBlock, ...]


@dataclasses.dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclasses.dataclass(frozen=True)
class TrailRow:
    at: datetime.datetime
    actor: str
    entity_label: str
    entity_id: str
    action: str
    changes: tuple[Change, ...]


@dataclasses.dataclass(frozen=True)
class CustomerPage:
    identity: Identity
    contacts: tuple[ContactRow, ...]
    consents: tuple[ConsentRow, ...]
    priority_needs: tuple[PriorityNeedRow, ...]
    accounts: tuple[AccountBlock, ...]
    trail: tuple[TrailRow, ...]


def identity(customer: Any) -> Identity:
    """Shape a customer's own details."""
    return Identity(
        number=customer.number,
        name=customer.display_name,
        is_business=customer.kind == "BUSINESS",
        kind_label=customer.get_kind_display(),
        date_of_birth=customer.date_of_birth,
        company_name=customer.company_name,
        company_number=customer.company_number,
        sector_label=customer.get_sector_display() if customer.sector else "",
        is_micro_business=customer.is_micro_business,
        email=customer.email,
        phone=customer.phone,
        customer_since=customer.created_at,
    )


def consents(customer: Any) -> tuple[ConsentRow, ...]:
    """Shape marketing consent for every channel, including those never asked about."""
    recorded = {consent.channel: consent for consent in customer.consents.all()}
    return tuple(
        ConsentRow(
            channel=channel,
            label=CHANNEL_LABELS.get(channel, channel.title()),
            granted=recorded[channel].granted if channel in recorded else None,
            recorded_at=recorded[channel].recorded_at if channel in recorded else None,
        )
        for channel in CONSENT_CHANNELS
    )


def group_digits(identifier: str, *, is_electricity: bool) -> str:
    """Return an MPAN core as ``13 1234 5678 907`` (how it is printed on bills)."""
    if is_electricity and len(identifier) == 13:
        return f"{identifier[:2]} {identifier[2:6]} {identifier[6:10]} {identifier[10:]}"
    return identifier


def _meter(meter: Any) -> MeterRow:
    return MeterRow(
        serial_number=meter.serial_number,
        type_label=meter.get_type_display(),
        digits=meter.digits,
        units_label=meter.get_units_display(),
        installed_date=meter.installed_date,
        removed_date=meter.removed_date,
        registers=tuple(
            RegisterRow(identifier=register.identifier, band_label=register.get_band_display())
            for register in meter.registers.all()
        ),
        certified_until=meter.certified_until,
    )


def _agreement(agreement: Any, *, today: datetime.date) -> AgreementRow:
    period = DatePeriod(agreement.valid_from, agreement.valid_to)
    if period.contains(today):
        state = "current"
    elif today < agreement.valid_from:
        state = "future"
    else:
        state = "ended"
    tariff = agreement.tariff
    return AgreementRow(
        tariff_name=tariff.name,
        tariff_code=tariff.code,
        tariff_kind_label=tariff.get_kind_display(),
        term_months=tariff.term_months,
        standing_charge_pence_per_day=tariff.standing_charge_pence_per_day,
        valid_from=agreement.valid_from,
        valid_to=agreement.valid_to,
        state=state,
    )


def _meter_point(
    point: Any, agreements: list[Any], reads: list[Any], *, today: datetime.date
) -> MeterPointBlock:
    is_electricity = point.fuel == "ELECTRICITY"
    top_line = (
        f"{point.profile_class} {point.meter_timeswitch_code} {point.line_loss_factor_class}"
        if is_electricity
        else ""
    )
    return MeterPointBlock(
        identifier=point.identifier,
        identifier_display=group_digits(point.identifier, is_electricity=is_electricity),
        is_electricity=is_electricity,
        fuel_label=point.get_fuel_display(),
        top_line=" ".join(top_line.split()),
        region=point.region,
        region_name=validation.REGIONS.get(point.region, "independent network"),
        profile_class=point.profile_class,
        profile_class_label=PROFILE_CLASSES.get(point.profile_class, ""),
        meters=tuple(_meter(meter) for meter in point.meters.all()),
        agreements=tuple(_agreement(agreement, today=today) for agreement in agreements),
        reads=tuple(read_row(read) for read in reads),
    )


def _account(account: Any, view: Any, *, today: datetime.date) -> AccountBlock:
    # Group the account's agreements by meter point, and its meter points by site, in the
    # order the agreements began.
    agreements_by_point: dict[int, list[Any]] = {}
    for agreement in account.agreements.all():
        agreements_by_point.setdefault(agreement.meter_point_id, []).append(agreement)
    points_by_site: dict[int, list[Any]] = {}
    for point_id in agreements_by_point:
        point = view.meter_points[point_id]
        points_by_site.setdefault(point.site_id, []).append(point)
    sites = []
    for site_id, points in points_by_site.items():
        site = view.sites[site_id]
        sites.append(
            SiteBlock(
                address_lines=tuple(
                    line
                    for line in (site.address_line_1, site.address_line_2, site.town, site.county)
                    if line
                ),
                postcode=site.postcode,
                meter_points=tuple(
                    _meter_point(
                        point,
                        agreements_by_point[point.id],
                        view.reads.get(point.id, []),
                        today=today,
                    )
                    for point in points
                ),
            )
        )
    return AccountBlock(
        number=account.number,
        status=account.status,
        status_label=account.get_status_display(),
        payment_method_label=account.get_payment_method_display(),
        bill_delivery_label=account.get_bill_delivery_display(),
        opened_at=account.created_at,
        sites=tuple(sites),
    )


def _shown(value: Any) -> str:
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        # The trail stores a list as its Python text ("['EMAIL=yes']"); show the items.
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    if value is None or value == "" or value == [] or value == ():
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _before_after(value: Any) -> tuple[Any, Any]:
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return None, value


def trail_row(record: Any) -> TrailRow:
    """Shape one audit record: who, when, what, and each field's before and after."""
    changes = tuple(
        Change(field=field.replace("_", " "), before=_shown(before), after=_shown(after))
        for field, (before, after) in sorted(
            # Most entries hold [before, after]; some (a bill restated) hold a plain value.
            (field, _before_after(value))
            for field, value in record.changes.items()
        )
        # A creation lists every field; the empty ones say nothing.
        if _shown(before) or _shown(after)
    )
    return TrailRow(
        at=record.at,
        actor=record.actor_name,
        entity_label=record.entity.replace("_", " "),
        entity_id=record.entity_id,
        action=record.action.lower(),
        changes=changes,
    )


def customer_page(view: Any, *, today: datetime.date) -> CustomerPage:
    """Shape a ``customer_view`` for the customer page."""
    customer = view.customer
    return CustomerPage(
        identity=identity(customer),
        contacts=tuple(
            ContactRow(
                role_label=contact.get_role_display(),
                name=contact.name,
                email=contact.email,
                phone=contact.phone,
                has_login=contact.user_id is not None,
            )
            for contact in customer.contacts.all()
        ),
        consents=consents(customer),
        priority_needs=tuple(
            PriorityNeedRow(
                label=need.get_need_display(), note=need.note, recorded_at=need.recorded_at
            )
            for need in customer.priority_needs.all()
        ),
        accounts=tuple(_account(account, view, today=today) for account in view.accounts),
        trail=tuple(trail_row(record) for record in view.trail),
    )


# --- meter reads ------------------------------------------------------------------------

_SOURCE_LABELS = {
    "CUSTOMER": "Customer",
    "AGENT": "Agent, by phone",
    "FIELD": "Field agent",
    "SMART": "Smart meter",
    "INDUSTRY": "Industry flow",
    "ESTIMATE": "Estimated",
}
_UNIT_LABELS = {"ELECTRICITY": "kWh", "GAS": "units"}


@dataclasses.dataclass(frozen=True)
class ReadShape:
    id: int
    meter_point: str
    fuel_label: str
    meter_serial: str
    register: str
    band_label: str
    read_at: datetime.datetime
    value: str
    source_label: str
    status: str
    status_label: str
    advance: str
    consumption_kwh: str
    rolled_over: bool
    rule: str
    rule_label: str
    message: str
    received_by: str
    reference: str
    is_estimated: bool
    has_photo: bool = False


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text


def read_row(read: Any) -> ReadShape:
    """Shape a ``metering.queries.ReadRow`` for a page."""
    return ReadShape(
        id=read.id,
        meter_point=read.meter_point,
        fuel_label=read.fuel.title(),
        meter_serial=read.meter_serial,
        register=read.register,
        band_label=read.band.replace("_", "-").title(),
        read_at=read.read_at,
        value=_number(read.value),
        source_label=_SOURCE_LABELS.get(read.source, read.source),
        status=read.status,
        status_label=read.status.title(),
        advance=_number(read.advance),
        consumption_kwh=_number(read.consumption_kwh),
        rolled_over=read.rolled_over,
        rule=read.rule,
        rule_label=read.rule.replace("_", " ").capitalize(),
        message=read.message,
        received_by=read.received_by,
        reference=read.reference,
        is_estimated=read.source == "ESTIMATE",
        has_photo=read.has_photo,
    )


@dataclasses.dataclass(frozen=True)
class ReadQueue:
    rows: list[ReadShape]
    total: int
    next_after: int | None


def read_queue(reads: list[Any], *, total: int, limit: int) -> ReadQueue:
    """Shape a page of the read-exceptions queue."""
    return ReadQueue(
        rows=[read_row(read) for read in reads],
        total=total,
        next_after=reads[-1].id if len(reads) == limit else None,
    )


# --- settlement flags -------------------------------------------------------------------

_FLAG_LABELS = {
    "large_change": "Large change (applied)",
    "not_positive": "Not positive (not applied)",
}


@dataclasses.dataclass(frozen=True)
class SettlementFlagShape:
    id: int
    meter_point: str
    fuel_label: str
    estimate_label: str  # EAC or AQ
    meter_serial: str
    register: str
    band_label: str
    read_id: int
    read_at: datetime.datetime
    previous_kwh: str
    annualised_kwh: str
    new_kwh: str
    change: str  # "+120%", "" when there was no previous value
    rule: str
    rule_label: str


def _percent_change(before: Decimal | None, after: Decimal) -> str:
    if not before:
        return ""
    return f"{(after - before) / before * 100:+.0f}%"


def settlement_flag(flag: Any) -> SettlementFlagShape:
    """Shape a ``metering.queries.SettlementFlagRow`` for the flags page."""
    is_gas = flag.fuel == "GAS"
    # A result that was not positive was not applied: the register kept its value.
    applied = flag.rule != "not_positive"
    change = _percent_change(flag.previous_kwh, flag.new_kwh) if applied else ""
    return SettlementFlagShape(
        id=flag.id,
        meter_point=flag.meter_point,
        fuel_label=flag.fuel.title(),
        estimate_label="AQ" if is_gas else "EAC",
        meter_serial=flag.meter_serial,
        register=flag.register,
        band_label=flag.band.replace("_", "-").title(),
        read_id=flag.read_id,
        read_at=flag.read_at,
        previous_kwh=_number(flag.previous_kwh),
        annualised_kwh=_number(flag.annualised_kwh),
        new_kwh=_number(flag.new_kwh),
        change=change,
        rule=flag.rule,
        rule_label=_FLAG_LABELS.get(flag.rule, flag.rule.replace("_", " ").capitalize()),
    )


@dataclasses.dataclass(frozen=True)
class SettlementFlagQueue:
    rows: list[SettlementFlagShape]
    total: int
    next_after: int | None


def settlement_flag_queue(flags: list[Any], *, total: int, limit: int) -> SettlementFlagQueue:
    """Shape a page of the settlement flags."""
    return SettlementFlagQueue(
        rows=[settlement_flag(flag) for flag in flags],
        total=total,
        next_after=flags[-1].id if len(flags) == limit else None,
    )


# --- a customer's own meter readings ----------------------------------------------------

# Who gave a read, as the customer would say it.
_SOURCE_WORDS = {
    "CUSTOMER": "You",
    "AGENT": "You, by phone",
    "FIELD": "Our meter reader",
    "SMART": "Your smart meter",
    "INDUSTRY": "Industry meter reader",
    "ESTIMATE": "Estimated by us",
}
_STATUS_WORDS = {
    "ACCEPTED": "Accepted",
    "HELD": "Being checked",
    "REFUSED": "Not used",
    "WITHDRAWN": "Withdrawn",
}
# What became of a reading just given, in plain words.
OUTCOME_WORDS = {
    "ACCEPTED": "Thanks, we have your reading",
    "DUPLICATE": "We already had this reading",
    "HELD": "We will check this reading",
}


def why_held(message: str) -> str:
    """Return a held reading's message to follow "We will check this reading: " (its
    own closing "; we will check it" said once is enough)."""
    text = message.strip()
    cut = text.lower().find("; we will check")
    if cut > 0:
        text = text[:cut] + "."
    return text[:1].lower() + text[1:] if text else text


@dataclasses.dataclass(frozen=True)
class MyRead:
    read_at: datetime.datetime
    register: str
    band_label: str
    value: str
    source_label: str
    is_estimated: bool
    status: str  # lower case, for the badge's class
    status_label: str
    message: str  # why it is being checked or was not used; "" otherwise
    has_photo: bool


@dataclasses.dataclass(frozen=True)
class RegisterInput:
    """One register's fields on the reading form."""

    register: str
    band_label: str
    value_name: str
    photo_name: str
    value: str  # as typed, when the form comes back
    value_problem: str
    photo_problem: str


@dataclasses.dataclass(frozen=True)
class ReadingOutcome:
    kind: str  # accepted, duplicate or held
    text: str  # "Thanks, we have your reading"
    register: str = ""
    register_label: str = ""  # "Day": said only on a meter of several registers


@dataclasses.dataclass(frozen=True)
class FormState:
    """A reading form as the customer sent it, with each problem beside its field
    (field "" for the form as a whole)."""

    meter_point: str
    read_at: str
    values: dict[str, str]
    problems: dict[str, list[str]]


@dataclasses.dataclass(frozen=True)
class MyMeterPoint:
    identifier: str
    identifier_display: str
    identifier_kind: str  # MPAN or MPRN
    anchor: str  # the section's id
    is_electricity: bool
    fuel_label: str
    address: str
    postcode: str
    meter_serial: str  # "" without a meter in service
    units_label: str
    digits: int
    registers: tuple[RegisterInput, ...]
    read_at: str  # the form's date and time, as a datetime-local input shows it
    read_at_problem: str
    problems: tuple[str, ...]  # about the form as a whole
    refused: bool  # the form came back: nothing was kept
    outcomes: tuple[ReadingOutcome, ...]
    reads: tuple[MyRead, ...]
    visit: Any = None  # field.domain.jobs.VisitOffer: a visit to book, or None
    visit_url: str = ""


@dataclasses.dataclass(frozen=True)
class MyReadings:
    meter_points: tuple[MyMeterPoint, ...]
    latest_read_at: str  # now, the latest moment the date field takes


def _my_read(read: Any) -> MyRead:
    held_or_not_used = read.status in ("HELD", "REFUSED")
    return MyRead(
        read_at=read.read_at,
        register=read.register,
        band_label=read.band.replace("_", "-").title(),
        value=_number(read.value),
        source_label=_SOURCE_WORDS.get(read.source, read.source.title()),
        is_estimated=read.source == "ESTIMATE",
        status=read.status.lower(),
        status_label=_STATUS_WORDS.get(read.status, read.status.title()),
        message=read.message if held_or_not_used else "",
        has_photo=read.has_photo,
    )


def _meter_in_service(point: Any) -> Any:
    meters = [meter for meter in point.meters.all() if meter.removed_date is None]
    return max(meters, key=lambda meter: (meter.installed_date, meter.id)) if meters else None


def meter_types(own_points: list[Any]) -> dict[int, str | None]:
    """Return the type of the meter in service on each own meter point, by id (None: no
    meter), from the meters ``own_meter_points`` already loaded."""
    types = {}
    for own in own_points:
        meter = _meter_in_service(own.meter_point)
        types[own.meter_point.id] = meter.type if meter is not None else None
    return types


def latest_actual_reads(own_points: list[Any]) -> dict[int, datetime.datetime]:
    """Return when each own meter point's latest accepted actual (not estimated) reading
    was taken, from the reads ``own_meter_points`` already loaded (newest first)."""
    latest = {}
    for own in own_points:
        for read in own.reads:
            if read.status == "ACCEPTED" and read.source != "ESTIMATE":
                latest[own.meter_point.id] = read.read_at
                break
    return latest


def _my_meter_point(
    own: Any,
    *,
    now_input: str,
    outcomes: list[ReadingOutcome],
    form: FormState | None,
    visit: Any = None,
) -> MyMeterPoint:
    point, site = own.meter_point, own.site
    is_electricity = point.fuel == "ELECTRICITY"
    meter = _meter_in_service(point)
    if form is not None and form.meter_point != point.identifier:
        form = None
    problems = form.problems if form is not None else {}
    registers = tuple(
        RegisterInput(
            register=register.identifier,
            band_label=register.get_band_display(),
            value_name=f"value-{register.identifier}",
            photo_name=f"photo-{register.identifier}",
            value=form.values.get(register.identifier, "") if form is not None else "",
            value_problem="; ".join(problems.get(f"value-{register.identifier}", [])),
            photo_problem="; ".join(problems.get(f"photo-{register.identifier}", [])),
        )
        for register in (meter.registers.all() if meter is not None else ())
    )
    bands = {r.register: r.band_label for r in registers}
    shown = {f"value-{r.register}" for r in registers} | {f"photo-{r.register}" for r in registers}
    shown.add("read_at")
    return MyMeterPoint(
        identifier=point.identifier,
        identifier_display=group_digits(point.identifier, is_electricity=is_electricity),
        identifier_kind="MPAN" if is_electricity else "MPRN",
        anchor=f"mp-{point.identifier}",
        is_electricity=is_electricity,
        fuel_label=point.get_fuel_display(),
        address=", ".join(line for line in (site.address_line_1, site.town) if line),
        postcode=site.postcode,
        meter_serial=meter.serial_number if meter is not None else "",
        units_label=meter.get_units_display() if meter is not None else "",
        digits=meter.digits if meter is not None else 0,
        registers=registers,
        read_at=form.read_at if form is not None else now_input,
        read_at_problem="; ".join(problems.get("read_at", [])),
        problems=tuple(
            message
            for field, messages in problems.items()
            if field not in shown
            for message in messages
        ),
        refused=form is not None,
        outcomes=tuple(
            dataclasses.replace(outcome, register_label=bands.get(outcome.register, ""))
            if len(registers) > 1
            else outcome
            for outcome in outcomes
        ),
        # Newest first; the registers of one moment in their order (day before night).
        reads=tuple(
            _my_read(read)
            for read in sorted(
                own.reads, key=lambda read: (-read.read_at.timestamp(), read.register)
            )
        ),
        visit=visit,
        visit_url=_visit_url(point.identifier, visit),
    )


def _visit_url(identifier: str, visit: Any) -> str:
    """The booked visit's page, or the booking page with the offered kind chosen."""
    if visit is None:
        return ""
    if visit.job_id is not None:
        return reverse("portals:booked", args=[identifier]) + f"?job={visit.job_id}"
    return reverse("portals:book_appointment", args=[identifier]) + f"?kind={visit.kind}"


def my_readings(
    own_points: list[Any],
    *,
    now_input: str,
    outcomes: dict[str, list[ReadingOutcome]],
    form: FormState | None = None,
    visits: dict[int, Any] | None = None,
) -> MyReadings:
    """Shape ``accounts.queries.own_meter_points`` for the customer's meter readings page,
    with what became of the readings just given (by meter point identifier), when a
    reading was refused its form as sent, and the visit to book on each meter point (by
    id: ``field.queries.visit_offers``)."""
    return MyReadings(
        meter_points=tuple(
            _my_meter_point(
                own,
                now_input=now_input,
                outcomes=outcomes.get(own.meter_point.identifier, []),
                form=form,
                visit=(visits or {}).get(own.meter_point.id),
            )
            for own in own_points
        ),
        latest_read_at=now_input,
    )
