"""The one sign-up capture form every channel shares: the web sign-up, the shop agent's and
the telesales pages. Parsing only; whether a sign-up is acceptable is decided by
``sales.operations.submit_order`` (and a quote by ``sales.queries.quote``), whose
``InvalidInput`` problems come back beside the field they name.

Two parts:

* the quote questions (``QuoteForm`` and one ``QuoteSiteForm`` per site), turned into a
  ``QuoteRequest`` by ``quote_request_from``; the tariff picked for each site and fuel
  becomes a ``SupplyChoice`` (``chosen_supplies``);
* the sign-up itself (``SignUpForms``: the customer, each site's address, each meter
  point's number, payment and consents), turned into an ``OrderRequest`` by
  ``order_request_from``.

Every form has its own prefix (``customer-``, ``site-0-``, ``supply-1-``, ``payment-``,
``consents-``), so a channel may show them on one page or spread them over steps and
bind them all, later, to the answers merged into one dict. ``problems_to_form_errors``
puts each dotted problem (``customer.email``, ``sites.0.postcode``,
``supplies.1.identifier``, ``bank.account_number``, ``consents.terms``) onto its form
field and returns what fits no field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms

from kilowatt.customers.domain.customers import CONSENT_CHANNELS, SECTORS, CustomerDetails
from kilowatt.platform.errors import InvalidInput, Problem
from kilowatt.properties.domain.addresses import Address
from kilowatt.sales.domain import orders as order_rules
from kilowatt.sales.domain import quotes as quote_rules

# A business with more sites than this signs up with a person (a bulk onboarding).
MAX_SITES_BY_HAND = 10

KIND_CHOICES = [("RESIDENTIAL", "A home"), ("BUSINESS", "A business")]
PAYMENT_CHOICES = [
    ("DIRECT_DEBIT", "Direct Debit (monthly, from your bank)"),
    ("ON_RECEIPT", "Pay each bill when it arrives"),
    ("PREPAYMENT", "Prepayment (top up before you use it)"),
]
PAYMENT_LABELS = {
    "DIRECT_DEBIT": "Direct Debit",
    "ON_RECEIPT": "Pay each bill",
    "PREPAYMENT": "Prepayment",
}
FUEL_CHOICES = [("ELECTRICITY", "Electricity"), ("GAS", "Gas")]
METER_CHOICES = [
    ("STANDARD", "Standard (one rate all day)"),
    ("ECONOMY_7", "Economy 7 (cheaper at night)"),
]
USAGE_CHOICES = [
    ("LOW", "Low"),
    ("MEDIUM", "Medium"),
    ("HIGH", "High"),
    ("KWH", "I know my kWh a year"),
]
USAGE_HINTS = {
    "RESIDENTIAL": {
        "LOW": "a flat or small house, one or two people",
        "MEDIUM": "a three-bedroom house, a family",
        "HIGH": "a large house, or working from home",
    },
    "BUSINESS": {
        "LOW": "a shop or office",
        "MEDIUM": "a café or small workshop",
        "HIGH": "a restaurant or small factory unit",
    },
}
TITLE_CHOICES = [("", "(none)"), ("Mr", "Mr"), ("Mrs", "Mrs"), ("Ms", "Ms"), ("Miss", "Miss")]
TITLE_CHOICES += [("Mx", "Mx"), ("Dr", "Dr")]
SECTOR_CHOICES = [("", "Choose…"), *((sector, sector.title()) for sector in SECTORS)]
MARKETING_LABELS = {"EMAIL": "Email", "SMS": "Text message", "PHONE": "Phone", "POST": "Post"}
BILL_CHOICES = [("EMAIL", "By email"), ("PAPER", "On paper, by post")]

_REQUIRED = "required"


def _required(message: str) -> dict[str, str]:
    return {_REQUIRED: message}


def _text(
    label: str, *, required: bool = True, message: str = "", max_length: int = 200, **attrs: str
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages=_required(message or f"give the {label.lower()}"),
        widget=forms.TextInput(attrs=attrs),
    )


# --- the quote ---------------------------------------------------------------------------


class QuoteForm(forms.Form):
    """Who the quote is for and how they pay (the tariffs on sale depend on both)."""

    customer_kind = forms.ChoiceField(
        label="Is this for a home or a business?",
        choices=KIND_CHOICES,
        initial="RESIDENTIAL",
        widget=forms.RadioSelect,
        error_messages=_required("choose a home or a business"),
    )
    payment_method = forms.ChoiceField(
        label="How would you like to pay?",
        choices=PAYMENT_CHOICES,
        initial="DIRECT_DEBIT",
        widget=forms.RadioSelect,
        error_messages=_required("choose how to pay"),
    )
    sites = forms.IntegerField(
        min_value=1, max_value=MAX_SITES_BY_HAND, initial=1, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "quote")
        super().__init__(*args, **kwargs)


class QuoteSiteForm(forms.Form):
    """One site to quote: where, which fuels, what meter, how much energy."""

    postcode = _text("Postcode", max_length=10, autocomplete="postal-code")
    fuels = forms.MultipleChoiceField(
        label="Which fuels?",
        choices=FUEL_CHOICES,
        initial=["ELECTRICITY", "GAS"],
        widget=forms.CheckboxSelectMultiple,
        error_messages=_required("choose electricity, gas or both"),
    )
    meter_type = forms.ChoiceField(
        label="Electricity meter",
        choices=METER_CHOICES,
        initial="STANDARD",
        widget=forms.RadioSelect,
        error_messages=_required("choose the kind of electricity meter"),
    )
    usage = forms.ChoiceField(
        label="How much energy do you use?",
        choices=USAGE_CHOICES,
        initial="MEDIUM",
        widget=forms.RadioSelect,
        error_messages=_required("choose a usage level, or give your kWh"),
    )
    electricity_kwh = forms.DecimalField(
        label="Electricity, kWh a year",
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages={"invalid": "give a number of kWh, for example 2700"},
    )
    gas_kwh = forms.DecimalField(
        label="Gas, kWh a year",
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages={"invalid": "give a number of kWh, for example 11500"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("usage") == "KWH":
            for fuel in cleaned.get("fuels") or ():
                field = f"{fuel.lower()}_kwh"
                if cleaned.get(field) is None and field not in self.errors:
                    self.add_error(field, "give the kWh you use in a year (it is on your bills)")
        return cleaned


def quote_site_forms(data: Mapping[str, Any] | None, count: int) -> list[QuoteSiteForm]:
    """Return ``count`` site forms (prefixes ``quote-site-0``, ``quote-site-1`` ...)."""
    return [QuoteSiteForm(data, prefix=f"quote-site-{index}") for index in range(count)]


def quote_request_from(
    quote: QuoteForm, sites: Sequence[QuoteSiteForm]
) -> quote_rules.QuoteRequest:
    """Return the quote the (valid) forms ask for."""
    site_requests = []
    for site in sites:
        cleaned = site.cleaned_data
        fuels = []
        for fuel in cleaned["fuels"]:
            if cleaned["usage"] == "KWH":
                fuels.append(
                    quote_rules.FuelUsage(fuel=fuel, annual_kwh=cleaned[f"{fuel.lower()}_kwh"])
                )
            else:
                fuels.append(quote_rules.FuelUsage(fuel=fuel, level=cleaned["usage"]))
        site_requests.append(
            quote_rules.SiteRequest(
                postcode=cleaned["postcode"],
                fuels=tuple(fuels),
                meter_type=cleaned["meter_type"],
            )
        )
    return quote_rules.QuoteRequest(
        customer_kind=quote.cleaned_data["customer_kind"],
        payment_method=quote.cleaned_data["payment_method"],
        sites=tuple(site_requests),
    )


def quote_problems_to_form_errors(
    quote: QuoteForm, sites: Sequence[QuoteSiteForm], error: InvalidInput
) -> list[Problem]:
    """Put each of ``sales.queries.quote``'s problems beside its field; return the rest."""
    left: list[Problem] = []
    for problem in error.problems:
        parts = problem.field.split(".")
        if parts[0] in ("customer_kind", "payment_method"):
            quote.add_error(parts[0], problem.message)
        elif (
            parts[0] == "sites"
            and len(parts) > 2
            and parts[1].isdigit()
            and int(parts[1]) < len(sites)
        ):
            site = sites[int(parts[1])]
            field = _quote_site_field(site, parts[2:])
            site.add_error(field, problem.message)
        else:
            left.append(problem)
    return left


def _quote_site_field(site: QuoteSiteForm, parts: list[str]) -> str | None:
    if parts[0] in ("postcode", "meter_type"):
        return parts[0]
    if parts[0] == "fuels" and len(parts) >= 3 and parts[1].isdigit():
        fuels = site.cleaned_data.get("fuels") or []
        index = int(parts[1])
        if index < len(fuels) and parts[2] == "annual_kwh":
            return f"{fuels[index].lower()}_kwh"
        return "usage" if parts[2] == "level" else "fuels"
    if parts[0] == "fuels":
        return "fuels"
    return None


@dataclasses.dataclass(frozen=True)
class SupplyChoice:
    """A tariff picked from a quote for one fuel at one site: what a supply will be on."""

    site: int
    fuel: str
    tariff_code: str
    tariff_name: str
    annual_kwh: Decimal
    meter_type: str  # the electricity meter's type; gas is STANDARD
    annual_cost_pence: int

    def as_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "annual_kwh": str(self.annual_kwh)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SupplyChoice:
        return cls(**{**data, "annual_kwh": Decimal(data["annual_kwh"])})


def offer_field(site: int, fuel: str) -> str:
    """Return the name of the radio group a site's offers for a fuel are picked in."""
    return f"offer-{site}-{fuel.lower()}"


def chosen_supplies(
    quote: quote_rules.Quote, posted: Mapping[str, Any]
) -> tuple[tuple[SupplyChoice, ...], dict[str, str]]:
    """Return the tariffs picked for each site and fuel of ``quote``, and the radio groups
    with no valid pick (group name -> message)."""
    choices: list[SupplyChoice] = []
    problems: dict[str, str] = {}
    for index, site in enumerate(quote.sites):
        for fuel in site.fuels:
            name = offer_field(index, fuel.fuel)
            offers = {offer.tariff_code: offer for offer in fuel.offers}
            picked = offers.get(str(posted.get(name, "")))
            if not offers:
                problems[name] = (
                    f"we have no {fuel.fuel.lower()} tariff on sale here for these terms"
                )
            elif picked is None:
                problems[name] = f"choose a {fuel.fuel.lower()} tariff"
            else:
                choices.append(
                    SupplyChoice(
                        site=index,
                        fuel=fuel.fuel,
                        tariff_code=picked.tariff_code,
                        tariff_name=picked.tariff_name,
                        annual_kwh=fuel.annual_kwh,
                        meter_type=site.meter_type if fuel.fuel == "ELECTRICITY" else "STANDARD",
                        annual_cost_pence=picked.estimated_annual_cost_pence,
                    )
                )
    return tuple(choices), problems


# --- the sign-up -------------------------------------------------------------------------


class CustomerForm(forms.Form):
    """Who is signing up: a person (a home) or a business and the person signing for it."""

    title = forms.ChoiceField(label="Title", choices=TITLE_CHOICES, required=False)
    first_name = _text("First name", max_length=100, autocomplete="given-name")
    last_name = _text("Last name", max_length=100, autocomplete="family-name")
    date_of_birth = forms.DateField(
        label="Date of birth (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={"invalid": "give a date, for example 1990-04-23"},
    )
    company_name = _text("Company name", max_length=200, autocomplete="organization")
    company_number = _text("Companies House number (if registered)", required=False, max_length=10)
    sector = forms.ChoiceField(
        label="What the business does",
        choices=SECTOR_CHOICES,
        error_messages=_required("choose what the business does"),
    )
    is_micro_business = forms.BooleanField(
        label="Fewer than 10 employees, and a turnover or balance sheet under £2 million",
        required=False,
    )
    signer_name = _text(
        "Your name (you sign for the business)", max_length=200, autocomplete="name"
    )
    email = forms.CharField(
        label="Email",
        max_length=254,
        error_messages=_required("give your email: we send the contract and a signing code to it"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Phone (optional)",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    HOME_ONLY = ("title", "first_name", "last_name", "date_of_birth")
    BUSINESS_ONLY = ("company_name", "company_number", "sector", "is_micro_business", "signer_name")

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "customer")
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in self.BUSINESS_ONLY if kind == "RESIDENTIAL" else self.HOME_ONLY:
            del self.fields[name]


class AddressForm(forms.Form):
    """A site's address (a home has one site, a business one or more)."""

    address_line_1 = _text("Address line 1", max_length=100, autocomplete="address-line1")
    address_line_2 = _text("Address line 2 (optional)", required=False, max_length=100)
    town = _text("Town or city", max_length=60, autocomplete="address-level2")
    county = _text("County (optional)", required=False, max_length=60)
    postcode = _text("Postcode", max_length=10, autocomplete="postal-code")


class SupplyForm(forms.Form):
    """One meter point's number. ``tariff_code`` is never typed: the problems about the
    tariff picked for this meter point (and its kWh) are shown beside it."""

    identifier = forms.CharField(
        max_length=40, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    tariff_code = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, choice: SupplyChoice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice = choice
        field = self.fields["identifier"]
        if choice.fuel == "ELECTRICITY":
            field.label = "Electricity: MPAN (meter point administration number)"
            field.error_messages[_REQUIRED] = "give the 13-digit MPAN from your electricity bill"
        else:
            field.label = "Gas: MPRN (meter point reference number)"
            field.error_messages[_REQUIRED] = "give the MPRN (6 to 10 digits) from your gas bill"


class PaymentForm(forms.Form):
    """How bills reach the customer and, for Direct Debit, the bank account and mandate."""

    bill_delivery = forms.ChoiceField(
        label="How would you like your bills?",
        choices=BILL_CHOICES,
        initial="EMAIL",
        widget=forms.RadioSelect,
        error_messages=_required("choose how your bills reach you"),
    )
    account_holder = _text("Name on the account", max_length=100, autocomplete="cc-name")
    sort_code = _text("Sort code", max_length=10, inputmode="numeric", placeholder="00-00-00")
    account_number = _text("Account number", max_length=10, inputmode="numeric")
    direct_debit_mandate = forms.BooleanField(
        label="I am the account holder (or may authorise debits from it) and I authorise "
        "Kilowatt Energy to collect payments from it by Direct Debit",
        required=False,
    )

    BANK_FIELDS = ("account_holder", "sort_code", "account_number", "direct_debit_mandate")

    def __init__(self, *args: Any, kind: str, payment_method: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "payment")
        super().__init__(*args, **kwargs)
        if payment_method != "DIRECT_DEBIT":
            for name in self.BANK_FIELDS:
                del self.fields[name]
        if kind == "BUSINESS":
            del self.fields["bill_delivery"]  # business accounts are paperless


class ConsentsForm(forms.Form):
    """What the customer agrees to: the terms, a credit check (a business), and marketing."""

    terms = forms.BooleanField(
        label="I have read and agree to the terms of the contract",
        required=False,
    )
    credit_check = forms.BooleanField(
        label="The business agrees to a credit check",
        required=False,
    )
    marketing = forms.MultipleChoiceField(
        label="News and offers from Kilowatt (optional): you may hear from us by",
        choices=[
            (channel, MARKETING_LABELS.get(channel, channel.title()))
            for channel in CONSENT_CHANNELS
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "consents")
        super().__init__(*args, **kwargs)
        if kind == "RESIDENTIAL":
            del self.fields["credit_check"]


@dataclasses.dataclass
class SignUpForms:
    """Every form of one sign-up, bound to the same answers (or all unbound)."""

    kind: str
    payment_method: str
    choices: tuple[SupplyChoice, ...]
    customer: CustomerForm
    addresses: list[AddressForm]
    supplies: list[SupplyForm]
    payment: PaymentForm
    consents: ConsentsForm

    def all(self) -> Iterator[forms.Form]:
        yield self.customer
        yield from self.addresses
        yield from self.supplies
        yield self.payment
        yield self.consents

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.all()])


def sign_up_forms(
    *,
    kind: str,
    payment_method: str,
    choices: Sequence[SupplyChoice],
    postcodes: Sequence[str],
    data: Mapping[str, Any] | None = None,
) -> SignUpForms:
    """Return the sign-up's forms: one address per site (its postcode filled in from the
    quote), one meter point per chosen supply; bound to ``data`` when given."""
    return SignUpForms(
        kind=kind,
        payment_method=payment_method,
        choices=tuple(choices),
        customer=CustomerForm(data, kind=kind),
        addresses=[
            AddressForm(data, prefix=f"site-{index}", initial={"postcode": postcode})
            for index, postcode in enumerate(postcodes)
        ],
        supplies=[
            SupplyForm(data, prefix=f"supply-{index}", choice=choice)
            for index, choice in enumerate(choices)
        ],
        payment=PaymentForm(data, kind=kind, payment_method=payment_method),
        consents=ConsentsForm(data, kind=kind),
    )


def order_request_from(forms_: SignUpForms) -> order_rules.OrderRequest:
    """Return the sign-up the (valid) forms describe."""
    customer = forms_.customer.cleaned_data
    payment = forms_.payment.cleaned_data
    consents = forms_.consents.cleaned_data
    is_home = forms_.kind == "RESIDENTIAL"
    bank = None
    if forms_.payment_method == "DIRECT_DEBIT":
        bank = order_rules.BankDetails(
            account_holder=payment["account_holder"],
            sort_code=payment["sort_code"],
            account_number=payment["account_number"],
        )
    return order_rules.OrderRequest(
        customer=CustomerDetails(
            kind=forms_.kind,
            title=customer.get("title", "") if is_home else "",
            first_name=customer.get("first_name", ""),
            last_name=customer.get("last_name", ""),
            date_of_birth=customer.get("date_of_birth"),
            company_name=customer.get("company_name", ""),
            company_number=customer.get("company_number", ""),
            sector=customer.get("sector", ""),
            is_micro_business=bool(customer.get("is_micro_business")),
            email=customer["email"],
            phone=customer.get("phone", ""),
        ),
        sites=tuple(
            Address(
                address_line_1=form.cleaned_data["address_line_1"],
                address_line_2=form.cleaned_data.get("address_line_2", ""),
                town=form.cleaned_data["town"],
                county=form.cleaned_data.get("county", ""),
                postcode=form.cleaned_data["postcode"],
            )
            for form in forms_.addresses
        ),
        supplies=tuple(
            order_rules.SupplyRequest(
                site=form.choice.site,
                fuel=form.choice.fuel,
                identifier=form.cleaned_data["identifier"],
                tariff_code=form.choice.tariff_code,
                annual_kwh=form.choice.annual_kwh,
                meter_type=form.choice.meter_type,
            )
            for form in forms_.supplies
        ),
        payment_method=forms_.payment_method,
        consents=order_rules.Consents(
            terms=bool(consents.get("terms")),
            direct_debit_mandate=bool(payment.get("direct_debit_mandate")),
            credit_check=bool(consents.get("credit_check")),
            marketing=tuple(consents.get("marketing") or ()),
        ),
        bank=bank,
        bill_delivery=payment.get("bill_delivery") or "EMAIL",
        signer_name=customer.get("signer_name", ""),
    )


# Problems about a whole part of the order, shown above that part's fields.
_WHOLE = {
    "customer": "Your details",
    "bank": "Bank details",
    "payment_method": "Payment method",
    "sites": "Sites",
    "supplies": "Meter points",
}
_SUPPLY_TARIFF_FIELDS = ("tariff_code", "annual_kwh", "meter_type", "fuel", "site")


def form_field_for(forms_: SignUpForms, field: str) -> tuple[forms.Form, str | None] | None:
    """Return the form and field (None: the form as a whole) a dotted problem field
    belongs to, or None when it fits no form."""
    parts = field.split(".")
    head = parts[0]
    if head == "customer" and len(parts) >= 2:
        name = parts[1]
        if name in forms_.customer.fields:
            return forms_.customer, name
        if name == "consents":
            return forms_.consents, "marketing"
        return forms_.customer, None
    if head == "signer_name" and head in forms_.customer.fields:
        return forms_.customer, head
    form: forms.Form
    indexed = (head in ("sites", "supplies")) and len(parts) >= 2 and parts[1].isdigit()
    if indexed and head == "sites" and int(parts[1]) < len(forms_.addresses):
        form = forms_.addresses[int(parts[1])]
        name = parts[2] if len(parts) > 2 else ""
        return form, name if name in form.fields else None
    if indexed and head == "supplies" and int(parts[1]) < len(forms_.supplies):
        form = forms_.supplies[int(parts[1])]
        name = parts[2] if len(parts) > 2 else ""
        if name in _SUPPLY_TARIFF_FIELDS:
            return form, "tariff_code"
        return form, name if name in form.fields else None
    if head == "sites" and forms_.addresses:
        return forms_.addresses[0], None
    if head == "supplies" and forms_.supplies:
        return forms_.supplies[0], None
    if head == "bank" or head == "payment_method" or head == "bill_delivery":
        name = parts[1] if head == "bank" and len(parts) > 1 else head
        return forms_.payment, name if name in forms_.payment.fields else None
    if head == "consents" and len(parts) >= 2:
        for form in (forms_.payment, forms_.consents):
            if parts[1] in form.fields:
                return form, parts[1]
        return forms_.consents, None
    return None


def problems_to_form_errors(forms_: SignUpForms, error: InvalidInput) -> list[Problem]:
    """Put each of ``submit_order``'s problems beside its field on the (bound) forms;
    return the problems that fit no form (shown above the whole sign-up)."""
    return add_problems(forms_, error.problems)


def add_problems(forms_: SignUpForms, problems: Sequence[Problem]) -> list[Problem]:
    """Put each problem beside its field on the (bound) forms; return what fits none."""
    left: list[Problem] = []
    for problem in problems:
        found = form_field_for(forms_, problem.field)
        if found is None:
            left.append(problem)
            continue
        form, name = found
        form.errors  # noqa: B018 - validate first, so the error is kept beside the value
        message = problem.message
        if name is None:
            label = _WHOLE.get(problem.field.split(".")[0], "")
            message = f"{label}: {message}" if label else message
        if not hasattr(form, "cleaned_data"):
            form.cleaned_data = {}  # an unbound form: keep the error all the same
        form.add_error(name, message)
    return left
