"""Sign-ups (orders) on every channel, the contracts they are signed on, and the sales
force's targets and commission."""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    WEB = "WEB", "Web"
    AGENT = "AGENT", "Shop agent"
    TELESALES = "TELESALES", "Telesales"
    PARTNER = "PARTNER", "Partner (API)"


class Order(models.Model):
    """One sign-up: a customer, their sites and the meter points they want us to supply.

    Everything entered is kept in ``details`` exactly as validated; the customer, account,
    sites and meter points are recorded from it when the contract is signed, so an order
    that is never signed leaves nothing behind but itself.
    """

    class Status(models.TextChoices):
        # An automatic rule stopped it (a gas check-digit warning, a meter point under
        # objection, a failed credit check): a person fixes or rejects it.
        # A business waits for the credit reference agency before its contract is sent.
        CREDIT_CHECK = "CREDIT_CHECK", "Credit check"
        EXCEPTION = "EXCEPTION", "Needs a person"
        AWAITING_SIGNATURE = "AWAITING_SIGNATURE", "Awaiting signature"
        SIGNED = "SIGNED", "Signed, switching"  # account active, registrations under way
        LIVE = "LIVE", "Supplied"  # every meter point's supply has started
        CANCELLED = "CANCELLED", "Cancelled"  # by the customer (cooling-off) or never signed
        REJECTED = "REJECTED", "Rejected"  # by the admin team

    reference = models.CharField(max_length=12, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    customer_kind = models.CharField(max_length=12)
    status = models.CharField(max_length=20, choices=Status.choices)
    # "<who>:<key>": the same submission twice (a double click, a retried request) is one
    # order. ``request_sha256`` tells a retry from a different order under the same key.
    idempotency_key = models.CharField(max_length=240, unique=True, null=True, blank=True)
    request_sha256 = models.CharField(max_length=64)
    details = models.JSONField()
    payment_method = models.CharField(max_length=12)
    # The distributor ID of the first site's region: pipelines are watched by region.
    region = models.CharField(max_length=2)
    # The agent, telesales agent or partner login that entered it; None on the public web.
    created_by = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    # The credit reference agency's answer for a business: PASS, REFER or FAIL.
    credit_decision = models.CharField(max_length=5, blank=True)
    credit_reference = models.CharField(max_length=40, blank=True)
    exception_rule = models.CharField(max_length=40, blank=True)
    exception_message = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    live_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # cancelled or rejected
    close_reason = models.CharField(max_length=300, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "CREDIT_CHECK",
                        "EXCEPTION",
                        "AWAITING_SIGNATURE",
                        "SIGNED",
                        "LIVE",
                        "CANCELLED",
                        "REJECTED",
                    ]
                ),
                name="order_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["SIGNED", "LIVE"], account__isnull=False)
                | ~models.Q(status__in=["SIGNED", "LIVE"]),
                name="order_signed_has_account",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="order_status_idx"),
            models.Index(fields=["created_by", "submitted_at"], name="order_created_by_idx"),
            models.Index(fields=["region", "status", "submitted_at"], name="order_region_idx"),
        ]


class OrderSupply(models.Model):
    """One meter point an order asks us to supply, on one tariff, and its registration."""

    class Registration(models.TextChoices):
        NOT_SENT = "NOT_SENT", "Not yet sent"
        REQUESTED = "REQUESTED", "Requested"
        ACCEPTED = "ACCEPTED", "Accepted"  # secured, supply starts on ``supply_start_date``
        REJECTED = "REJECTED", "Rejected"
        OBJECTED = "OBJECTED", "Objected to"
        WITHDRAWN = "WITHDRAWN", "Withdrawn"
        ANNULLED = "ANNULLED", "Reversed (erroneous transfer)"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="supplies")
    position = models.PositiveSmallIntegerField()
    site_position = models.PositiveSmallIntegerField()  # which of ``details["sites"]``
    identifier = models.CharField(max_length=13)  # MPAN core or MPRN
    fuel = models.CharField(max_length=12)
    tariff_code = models.CharField(max_length=40)
    annual_kwh = models.DecimalField(max_digits=12, decimal_places=1)
    # True while the order may still supply this meter point: one open sign-up per meter
    # point (the unique index below is the duplicate check, safe under concurrency).
    is_open = models.BooleanField(default=True)
    registration = models.CharField(
        max_length=10, choices=Registration.choices, default=Registration.NOT_SENT
    )
    registration_reason = models.CharField(max_length=300, blank=True)
    supply_start_date = models.DateField(null=True, blank=True)
    # An occupier's deemed agreement this supply took over (no switch): given back to the
    # occupier if the sign-up is cancelled.
    took_over_agreement_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_supply_once"),
            models.UniqueConstraint(
                fields=["identifier"],
                condition=models.Q(is_open=True),
                name="order_supply_one_open_per_meter_point",
            ),
        ]
        indexes = [models.Index(fields=["identifier"], name="order_supply_identifier_idx")]


class Contract(models.Model):
    """The contract an order is signed on: the PDF shown to the signer, then the sealed one."""

    class Status(models.TextChoices):
        AWAITING_SIGNATURE = "AWAITING_SIGNATURE", "Awaiting signature"
        SIGNED = "SIGNED", "Signed"
        CANCELLED = "CANCELLED", "Cancelled"

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="contract")
    status = models.CharField(max_length=20, choices=Status.choices)
    issued_at = models.DateTimeField()
    document = models.BinaryField()  # the unsigned PDF, exactly as shown to the signer
    document_sha256 = models.CharField(max_length=64)
    signer_name = models.CharField(max_length=200)
    signer_email = models.CharField(max_length=254, blank=True)
    signer_phone = models.CharField(max_length=20, blank=True)
    # The one-time code that identifies the signer: only its digest is kept.
    code_digest = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_ip = models.CharField(max_length=45, blank=True)
    signed_user_agent = models.CharField(max_length=300, blank=True)
    signed_document = models.BinaryField(null=True, blank=True)  # sealed (PAdES)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    cooling_off_ends = models.DateField(null=True, blank=True)  # last day to cancel
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="SIGNED", signed_at__isnull=False, signed_sha256__gt="")
                | ~models.Q(status="SIGNED"),
                name="contract_signed_is_sealed",
            )
        ]
        indexes = [models.Index(fields=["status", "issued_at"], name="contract_status_idx")]


class CommissionRule(models.Model):
    """What an agent earns for a signed supply of a product, set by their sales manager.

    A product is a tariff's name ("Kilowatt Fixed 12M Electricity"): the same product is
    on sale in every region under its own code.
    """

    manager = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    product = models.CharField(max_length=100)
    amount_pence = models.PositiveIntegerField()
    valid_from = models.DateField()
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["manager", "product", "valid_from"], name="commission_rule_once"
            )
        ]


class SalesTarget(models.Model):
    """How many sign-ups an agent is asked for in a month."""

    agent = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # its first day
    sign_ups = models.PositiveIntegerField()
    set_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "month"], name="sales_target_once"),
        ]


class Commission(models.Model):
    """What an agent earned for one signed supply; clawed back if the customer cancels."""

    agent = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    supply = models.OneToOneField(OrderSupply, on_delete=models.PROTECT, related_name="+")
    product = models.CharField(max_length=100)
    amount_pence = models.PositiveIntegerField()
    earned_at = models.DateTimeField()
    clawed_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agent", "earned_at"], name="commission_agent_idx")]
