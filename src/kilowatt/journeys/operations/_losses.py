"""Losses: another supplier takes one of our meter points. The industry's notice (the
CSS, through integrations) starts a journey per meter point: a retention offer to the
customer at once (the cheapest fixed tariff we would quote them for a year of their
use, with the saving), then on the loss date the agreement ends there, billing's daily
final bill follows when nothing else is supplied, and the account closes once it is
issued. A loss cancelled before its date stops, and nothing ends.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts import queries as account_queries
from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.comms import operations as comms
from kilowatt.customers import queries as customer_queries
from kilowatt.journeys import models
from kilowatt.journeys.domain import moves
from kilowatt.journeys.operations import _move_in, _shared
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import events
from kilowatt.platform.errors import InvalidInput, NotFound
from kilowatt.platform.periods import london_date
from kilowatt.properties import queries as property_queries
from kilowatt.sales import queries as sales_queries
from kilowatt.sales.domain import quotes as quote_rules

logger = logging.getLogger(__name__)
Loss = models.Loss


def _existing(*, registration_id: str, meter_point_id: int, supply_end_date: datetime.date):
    if registration_id:
        found = Loss.objects.filter(registration_id=registration_id).first()
        if found is not None:
            return found
    return Loss.objects.filter(
        meter_point_id=meter_point_id, supply_end_date=supply_end_date
    ).first()


@transaction.atomic
def record_loss(
    *,
    meter_point_id: int,
    identifier: str,
    supply_end_date: datetime.date,
    registration_id: str = "",
    gaining_supplier: str = "",
    as_at: datetime.datetime,
) -> models.Loss:
    """Start the journey of a meter point another supplier is taking from
    ``supply_end_date`` (their first day) and email the customer a retention offer.
    Once: the same notice again (by registration id, or meter point and date) returns
    the first journey and sends nothing more.
    """
    found = _existing(
        registration_id=registration_id,
        meter_point_id=meter_point_id,
        supply_end_date=supply_end_date,
    )
    if found is not None:
        return found
    supplying = sorted(
        account_queries.account_ids_supplying(meter_point_id=meter_point_id, on=supply_end_date)
    )
    try:
        with transaction.atomic():
            loss = Loss.objects.create(
                meter_point_id=meter_point_id,
                identifier=identifier[:13],
                supply_end_date=supply_end_date,
                registration_id=registration_id[:40],
                gaining_supplier=gaining_supplier[:20],
                account_id=supplying[0] if supplying else None,
                status=Loss.Status.PENDING if supplying else Loss.Status.NOT_SUPPLIED,
                created_at=as_at,
            )
    except IntegrityError:  # the same notice, handled at the same moment elsewhere
        return _existing(
            registration_id=registration_id,
            meter_point_id=meter_point_id,
            supply_end_date=supply_end_date,
        )
    if loss.account_id is not None:
        _offer_to_stay(loss, as_at=as_at)
    events.publish(
        name="journeys.loss.recorded.v1",
        payload={
            "loss_id": loss.id,
            "meter_point_id": meter_point_id,
            "account_id": loss.account_id,
            "supply_end_date": supply_end_date.isoformat(),
        },
        at=as_at,
    )
    return loss


def _annual_kwh(point) -> Decimal | None:
    meters = [m for m in point.meters.all() if m.removed_date is None] or list(point.meters.all())
    if not meters:
        return None
    figures = [
        metering_queries.annual_kwh_in_force(register_id=register.id)
        for register in meters[-1].registers.all()
    ]
    known = [figure for figure in figures if figure is not None]
    return sum(known, Decimal(0)) if known else None


def _details(tariff) -> TariffDetails:  # an accounts Tariff row with its rates
    return TariffDetails(
        code=tariff.code,
        name=tariff.name,
        fuel=tariff.fuel,
        region=tariff.region,
        customer_kind=tariff.customer_kind,
        payment_method=tariff.payment_method,
        kind=tariff.kind,
        standing_charge_pence_per_day=tariff.standing_charge_pence_per_day,
        unit_rates=tuple((rate.band, rate.unit_rate_pence_per_kwh) for rate in tariff.rates.all()),
        valid_from=tariff.valid_from,
        valid_to=tariff.valid_to,
        term_months=tariff.term_months,
        exit_fee_pence=tariff.exit_fee_pence,
    )


def _offer_to_stay(loss: models.Loss, *, as_at: datetime.datetime) -> None:
    """Quote the customer for a year of their use at the meter point and email the
    cheapest fixed tariff with the saving against their current one; nothing when no
    fixed tariff is on sale, the quote is refused or we have no email address."""
    today = london_date(as_at)
    account = _shared.account_by_id(loss.account_id)  # type: ignore[arg-type]
    customer = customer_queries.customer_by_id(_shared.SYSTEM, customer_id=account.customer_id)
    point = metering_queries.meter_point_by_identifier(identifier=loss.identifier)
    site = property_queries.site_by_id(site_id=point.site_id)
    meter_type = moves.meter_type_of_bands(_move_in.current_bands(point)) or "STANDARD"
    annual_kwh = _annual_kwh(point)
    request = quote_rules.QuoteRequest(
        customer_kind=customer.kind,
        payment_method=account.payment_method,
        sites=(
            quote_rules.SiteRequest(
                postcode=site.postcode,
                fuels=(
                    quote_rules.FuelUsage(
                        fuel=point.fuel,
                        annual_kwh=annual_kwh,
                        level=None if annual_kwh is not None else "MEDIUM",
                    ),
                ),
                meter_type=meter_type if point.fuel == "ELECTRICITY" else "STANDARD",
                mpan=point.identifier if point.fuel == "ELECTRICITY" else "",
            ),
        ),
    )
    try:
        quote = sales_queries.quote(request=request, today=today)
    except InvalidInput as refused:
        logger.warning("no retention quote for loss %s: %s", loss.id, refused)
        return
    (site_quote,) = quote.sites
    (fuel_quote,) = site_quote.fuels
    current = [
        a
        for a in account.agreements.all()
        if a.meter_point_id == point.id and (a.valid_to is None or a.valid_to > today)
    ]
    current_pence: int | None = None
    if current:
        code = current[-1].tariff.code
        quoted = [o for o in fuel_quote.offers if o.tariff_code == code]
        current_pence = (
            quoted[0].estimated_annual_cost_pence
            if quoted
            else quote_rules.price_offer(
                _details(account_queries.tariff_for(code=code)),
                annual_kwh=fuel_quote.annual_kwh,
                customer_kind=customer.kind,
                day=today,
            ).estimated_annual_cost_pence
        )
    chosen = moves.retention_offer(
        [
            moves.PricedOffer(
                tariff_code=o.tariff_code,
                tariff_name=o.tariff_name,
                kind=o.kind,
                term_months=o.term_months,
                annual_pence=o.estimated_annual_cost_pence,
            )
            for o in fuel_quote.offers
        ],
        current_annual_pence=current_pence,
    )
    if chosen is None:
        return
    offer, saving = chosen
    loss.offer_tariff_code = offer.tariff_code
    loss.offer_annual_pence = offer.annual_pence
    loss.current_annual_pence = current_pence
    to = _shared.email_of(customer.id)
    if to:
        comms.queue_email(
            key=f"loss:{loss.id}:retention",
            to=to,
            template="journeys/email/retention_offer",
            context={
                "name": _shared.customer_name(customer),
                "account_number": account.number,
                "fuel": point.fuel.lower(),
                "identifier": point.identifier,
                "supply_end_date": loss.supply_end_date,
                "tariff_name": offer.tariff_name,
                "term_months": offer.term_months,
                "annual_pounds": f"{offer.annual_pence / 100:,.2f}",
                "current_pounds": (
                    f"{current_pence / 100:,.2f}" if current_pence is not None else ""
                ),
                "saving_pounds": f"{saving / 100:,.2f}" if saving else "",
                "annual_kwh": f"{fuel_quote.annual_kwh:,.0f}",
                "estimated": fuel_quote.estimated,
                "prices_include_vat": quote.prices_include_vat,
            },
            as_at=as_at,
        )
        loss.offered_at = as_at
    loss.save(
        update_fields=[
            "offer_tariff_code",
            "offer_annual_pence",
            "current_annual_pence",
            "offered_at",
        ]
    )


def end_lost_supply(*, loss_id: int, as_at: datetime.datetime) -> bool:
    """On (or after) the loss date, end the agreement at the meter point on that date, so
    billing's daily final bill follows once nothing else of the account is supplied.
    Return whether the loss moved on.

    :raises NotFound: no such loss.
    """
    today = london_date(as_at)
    with transaction.atomic():
        loss = Loss.objects.select_for_update().filter(id=loss_id).first()
        if loss is None:
            raise NotFound(f"loss {loss_id}")
        if loss.status != Loss.Status.PENDING or today < loss.supply_end_date:
            return False
        account = _shared.account_by_id(loss.account_id)  # type: ignore[arg-type]
        for agreement in account.agreements.all():
            if agreement.meter_point_id != loss.meter_point_id:
                continue
            if agreement.valid_to is not None and agreement.valid_to <= loss.supply_end_date:
                continue  # ended already (a move out before the switch)
            if agreement.valid_from >= loss.supply_end_date:
                logger.warning("loss %s: agreement %s starts after it", loss.id, agreement.id)
                continue
            account_operations.end_agreement(
                by=_shared.SYSTEM,
                agreement_id=agreement.id,
                valid_to=loss.supply_end_date,
                as_at=as_at,
            )
        loss.status = Loss.Status.ENDED
        loss.ended_at = as_at
        loss.save(update_fields=["status", "ended_at"])
        return True


@transaction.atomic
def cancel_loss(*, registration_id: str, as_at: datetime.datetime) -> models.Loss:
    """Stop a loss whose switch was cancelled (objected, withdrawn or annulled) before
    its date: nothing ends. A loss already ended stays ended.

    :raises NotFound: no loss of that registration.
    :raises InvalidInput: ``registration_id``/``already_ended``: the supply ended.
    """
    loss = Loss.objects.select_for_update().filter(registration_id=registration_id).first()
    if loss is None:
        raise NotFound(f"loss {registration_id}")
    if loss.status in (Loss.Status.CANCELLED, Loss.Status.NOT_SUPPLIED):
        return loss
    if loss.status != Loss.Status.PENDING:
        raise InvalidInput.one(
            field="registration_id", rule="already_ended", message="the supply has ended"
        )
    loss.status = Loss.Status.CANCELLED
    loss.cancelled_at = as_at
    loss.save(update_fields=["status", "cancelled_at"])
    return loss
