"""Contracts: issued as a PDF from the order, signed by a person identified by a one-time
code sent to their email, then sealed with the company's certificate (PAdES).

The signing link in the email carries a signed, single-purpose, expiring token, not a
login; the code proves the signer holds the mailbox. A contract is signed once: the
order is then activated in the same transaction (``_activation``).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from kilowatt.comms import operations as comms
from kilowatt.comms.domain.emails import Attachment
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, NotFound
from kilowatt.platform.money import format_pence
from kilowatt.platform.periods import london_date
from kilowatt.sales import models
from kilowatt.sales.domain import contract_document as document
from kilowatt.sales.domain import orders as order_rules
from kilowatt.sales.domain import seal as sealing
from kilowatt.sales.domain.quotes import price_offer
from kilowatt.sales.operations._activation import activate
from kilowatt.sales.operations._links import SIGNING_LINK_MAX_AGE, cancellation_url, signing_url
from kilowatt.sales.operations._seal import company_seal
from kilowatt.sales.operations._shared import trail_key
from kilowatt.sales.queries import _quotes as quote_queries

CODE_VALID_FOR = datetime.timedelta(minutes=30)
CODE_ATTEMPTS = 10  # wrong codes over a contract's life; then a person reissues it
CODE_RESEND_AFTER = datetime.timedelta(seconds=60)
_VAT = {"RESIDENTIAL": 5, "BUSINESS": 20}


def _address_lines(site: object) -> tuple[str, ...]:
    lines = (
        getattr(site, "address_line_1", ""),
        getattr(site, "address_line_2", ""),
        getattr(site, "town", ""),
        getattr(site, "county", ""),
        getattr(site, "postcode", ""),
    )
    return tuple(line for line in lines if line)


def contract_terms(
    *, reference: str, channel: str, request: order_rules.OrderRequest, made_on: datetime.date
) -> document.ContractTerms:
    """Return what the contract says, from the order and the tariffs it names."""
    customer = request.customer
    supplies = []
    rates_of_vat = set()
    for supply in request.supplies:
        tariff = quote_queries.tariff_details(code=supply.tariff_code)
        offer = price_offer(
            tariff, annual_kwh=supply.annual_kwh, customer_kind=customer.kind, day=made_on
        )
        supplies.append(
            document.SupplyTerms(
                site_address=_address_lines(request.sites[supply.site]),
                fuel=supply.fuel,
                identifier=supply.identifier,
                tariff_name=tariff.name,
                tariff_code=tariff.code,
                tariff_kind=tariff.kind,
                term_months=tariff.term_months,
                exit_fee_pence=tariff.exit_fee_pence,
                standing_charge_pence_per_day=tariff.standing_charge_pence_per_day,
                unit_rates=tariff.unit_rates,
                annual_kwh=supply.annual_kwh,
                estimated_annual_cost_pence=offer.estimated_annual_cost_pence,
            )
        )
        rates_of_vat.add(offer.vat_rate)
    name = (
        customer.company_name
        if customer.kind == "BUSINESS"
        else " ".join(p for p in (customer.title, customer.first_name, customer.last_name) if p)
    )
    return document.ContractTerms(
        reference=reference,
        made_on=made_on,
        channel=channel,
        customer=document.Party(
            name=name,
            kind=customer.kind,
            address=_address_lines(request.sites[0]),
            email=customer.email,
            phone=customer.phone,
            company_number=customer.company_number,
            contact_name=request.signer_name if customer.kind == "BUSINESS" else "",
        ),
        payment_method=request.payment_method,
        supplies=tuple(supplies),
        # A business within the de minimis pays 5% like a home (billing's VAT rules).
        vat_rate_percent=Decimal(max(rates_of_vat, default=_VAT[customer.kind])),
    )


def issue_contract(
    *, order: models.Order, request: order_rules.OrderRequest, as_at: datetime.datetime
) -> models.Contract:
    """Render an order's contract and email it with its signing link (inside the caller's
    transaction: the email is queued in the outbox, sent after commit)."""
    made_on = london_date(as_at)
    terms = contract_terms(
        reference=order.reference, channel=order.channel, request=request, made_on=made_on
    )
    pdf = document.render_contract(terms)
    contract = models.Contract.objects.create(
        order=order,
        status=models.Contract.Status.AWAITING_SIGNATURE,
        issued_at=as_at,
        document=pdf,
        document_sha256=hashlib.sha256(pdf).hexdigest(),
        signer_name=order_rules.signer_name(request)[:200],
        signer_email=request.customer.email,
        signer_phone=request.customer.phone,
    )
    comms.queue_email(
        key=f"contract:{contract.id}:issued",
        to=request.customer.email,
        template="sales/email/contract",
        context={
            "signer_name": contract.signer_name,
            "reference": order.reference,
            "signing_url": signing_url(contract.id),
            "link_days": SIGNING_LINK_MAX_AGE.days,
            "supplies": [
                {
                    "fuel": s.fuel.title(),
                    "identifier": s.identifier,
                    "tariff": s.tariff_name,
                    "cost": format_pence(s.estimated_annual_cost_pence),
                }
                for s in terms.supplies
            ],
        },
        attachments=[Attachment(f"contract-{order.reference}.pdf", "application/pdf", pdf)],
        as_at=as_at,
    )
    return contract


def _digest(contract_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{contract_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***{local[-1:] if len(local) > 1 else ''}@{domain}"


def _awaiting(contract_id: int) -> models.Contract:
    # The order first, then its contract: the order every other writer locks them in
    # (cancelling, the chase), so two of them never wait on each other.
    order_id = (
        models.Contract.objects.filter(id=contract_id).values_list("order_id", flat=True).first()
    )
    if order_id is None:
        raise NotFound(f"contract {contract_id}")
    models.Order.objects.select_for_update().filter(id=order_id).exists()
    contract = (
        models.Contract.objects.select_for_update(of=("self",))
        .select_related("order")
        .get(id=contract_id)
    )
    if contract.status != models.Contract.Status.AWAITING_SIGNATURE:
        raise InvalidInput.one(
            field="contract",
            rule="not_awaiting_signature",
            message=f"this contract is {contract.get_status_display().lower()}",
        )
    return contract


def signing_code_key(*, contract_id: int, as_at: datetime.datetime) -> str:
    """Return the outbox key of the signing code sent for a contract at ``as_at``."""
    return f"contract:{contract_id}:code:{as_at.isoformat()}"


@transaction.atomic
def send_signing_code(*, contract_id: int, as_at: datetime.datetime) -> str:
    """Email the signer a new one-time code; return where it went (masked).

    :raises NotFound: no such contract.
    :raises InvalidInput: ``contract``/``not_awaiting_signature``; ``code``/``too_soon``
        when a code was sent less than a minute ago.
    """
    contract = _awaiting(contract_id)
    if contract.code_sent_at and as_at - contract.code_sent_at < CODE_RESEND_AFTER:
        raise InvalidInput.one(
            field="code", rule="too_soon", message="a code was sent a moment ago: check your email"
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    contract.code_digest = _digest(contract.id, code)
    contract.code_sent_at = as_at
    # Wrong attempts are counted over the contract's life, not per code: a new code
    # every minute must not buy more guesses.
    contract.save(update_fields=["code_digest", "code_sent_at"])
    comms.queue_email(
        key=signing_code_key(contract_id=contract.id, as_at=as_at),
        to=contract.signer_email,
        template="sales/email/signing_code",
        context={
            "signer_name": contract.signer_name,
            "reference": contract.order.reference,
            "code": code,
            "minutes": int(CODE_VALID_FOR.total_seconds() // 60),
        },
        as_at=as_at,
    )
    return _mask(contract.signer_email)


def _code_problem(contract: models.Contract, code: str, as_at: datetime.datetime) -> str | None:
    if not contract.code_digest or contract.code_sent_at is None:
        return "ask for a code first"
    if as_at - contract.code_sent_at > CODE_VALID_FOR:
        return "this code has expired: ask for a new one"
    if contract.code_attempts >= CODE_ATTEMPTS:
        return "too many wrong codes: call us on 0330 123 4567 to sign"
    if not hmac.compare_digest(contract.code_digest, _digest(contract.id, code.strip())):
        return "this code is not the one we sent"
    return None


def sign_contract(
    *,
    contract_id: int,
    code: str,
    ip_address: str,
    user_agent: str,
    as_at: datetime.datetime,
) -> models.Contract:
    """Sign a contract with the one-time code its signer was sent: seal the PDF with an
    audit page and activate the order (customer, account, sites, meter points; the
    registrations follow the ``sales.order.signed.v1`` event).

    :raises NotFound: no such contract.
    :raises InvalidInput: ``contract``/``not_awaiting_signature``; ``code``/``wrong_code``
        (a wrong, expired or over-tried code: the attempt is counted, nothing else
        changes).
    """
    with transaction.atomic():
        contract = _awaiting(contract_id)
        problem = _code_problem(contract, code, as_at)
        if problem is None:
            _sign(contract, ip_address=ip_address, user_agent=user_agent, as_at=as_at)
            return contract
        contract.code_attempts += 1
        contract.save(update_fields=["code_attempts"])
    # The wrong attempt is counted (committed above) before the refusal.
    raise InvalidInput.one(field="code", rule="wrong_code", message=problem)


def _sign(
    contract: models.Contract, *, ip_address: str, user_agent: str, as_at: datetime.datetime
) -> None:
    order = contract.order
    request = order_rules.from_json(order.details)
    terms = contract_terms(
        reference=order.reference,
        channel=order.channel,
        request=request,
        made_on=london_date(contract.issued_at),
    )
    record = document.SignatureRecord(
        signer_name=contract.signer_name,
        identified_by=f"one-time code sent to {_mask(contract.signer_email)}",
        signed_at=as_at,
        ip_address=ip_address[:45],
        user_agent=user_agent[:300],
        document_sha256=contract.document_sha256,
    )
    sealed = sealing.seal(
        document.render_signed_contract(terms, record),
        identity=company_seal(),
        reason=f"Contract {order.reference} signed by {contract.signer_name}",
        location="Kilowatt Energy",
    )
    contract.status = models.Contract.Status.SIGNED
    contract.signed_at = as_at
    contract.signed_ip = ip_address[:45]
    contract.signed_user_agent = user_agent[:300]
    contract.signed_document = sealed
    contract.signed_sha256 = hashlib.sha256(sealed).hexdigest()
    contract.code_digest = ""
    # The contract is made when it is signed; cooling-off runs from the day after.
    contract.cooling_off_ends = document.cooling_off_ends(london_date(as_at))
    contract.save()
    audit.record(
        trail=trail_key(order.id),
        entity="contract",
        entity_id=contract.id,
        action="SIGNED",
        changes={
            "status": ["AWAITING_SIGNATURE", "SIGNED"],
            "signed_sha256": [None, contract.signed_sha256],
            "ip": [None, contract.signed_ip],
        },
        actor=audit.Actor(id=None, name=f"signer:{contract.signer_email}"[:150]),
        at=as_at,
    )
    activate(order=order, request=request, contract=contract, as_at=as_at)
    comms.queue_email(
        key=f"contract:{contract.id}:signed",
        to=contract.signer_email,
        template="sales/email/signed",
        context={
            "signer_name": contract.signer_name,
            "reference": order.reference,
            "signed_at": as_at,
            "cooling_off_ends": contract.cooling_off_ends,
            "cancel_url": cancellation_url(order.id),
        },
        attachments=[
            Attachment(f"contract-{order.reference}-signed.pdf", "application/pdf", sealed)
        ],
        as_at=as_at,
    )
