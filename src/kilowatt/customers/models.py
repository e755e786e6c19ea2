"""People and businesses we supply, their contacts, consents and priority needs."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower


class Customer(models.Model):
    class Kind(models.TextChoices):
        RESIDENTIAL = "RESIDENTIAL", "Home"
        BUSINESS = "BUSINESS", "Business"

    class Sector(models.TextChoices):
        RETAIL = "RETAIL", "Retail"
        HOSPITALITY = "HOSPITALITY", "Hospitality"
        OFFICE = "OFFICE", "Offices and professional services"
        MANUFACTURING = "MANUFACTURING", "Light industry and manufacturing"
        AGRICULTURE = "AGRICULTURE", "Agriculture"
        HEALTH = "HEALTH", "Health and care"
        EDUCATION = "EDUCATION", "Education"
        PUBLIC = "PUBLIC", "Public sector and charities"
        OTHER = "OTHER", "Other"

    number = models.CharField(max_length=12, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # A home customer's name; for a business, its principal contact is a Contact.
    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    company_number = models.CharField(max_length=8, blank=True)
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    is_micro_business = models.BooleanField(default=False)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    # Lower-cased "surname first" (or company) name, for prefix search on one index.
    search_name = models.CharField(max_length=220)
    signed_up_by = models.ForeignKey(
        "identity.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["RESIDENTIAL", "BUSINESS"]), name="customer_kind_known"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="RESIDENTIAL", company_name="", company_number="")
                    & ~models.Q(last_name="")
                )
                | (models.Q(kind="BUSINESS") & ~models.Q(company_name="")),
                name="customer_name_fits_kind",
            ),
        ]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%' whatever
            # the database collation; SQLite ignores the operator class.
            models.Index(
                fields=["search_name"],
                name="customer_search_name_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["signed_up_by"], name="customer_signed_up_by_idx"),
            models.Index(fields=["kind", "id"], name="customer_kind_idx"),
            models.Index(Lower("email"), name="customer_email_idx"),
        ]

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.BUSINESS:
            return self.company_name
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)


class Contact(models.Model):
    """A person we deal with for a customer; may be linked to a login for the portal."""

    class Role(models.TextChoices):
        PRIMARY = "PRIMARY", "Account holder"
        ACCOUNT_MANAGER = "ACCOUNT_MANAGER", "Account manager"
        BILLING_OFFICER = "BILLING_OFFICER", "Billing officer"
        JOINT_HOLDER = "JOINT_HOLDER", "Joint account holder"
        AUTHORISED = "AUTHORISED", "Authorised third party"

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    user = models.OneToOneField(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["customer", "id"], name="contact_customer_idx")]


class MarketingConsent(models.Model):
    """Whether the customer agrees to marketing on one channel, and when they said so."""

    class Channel(models.TextChoices):
        EMAIL = "EMAIL", "Email"
        SMS = "SMS", "Text message"
        PHONE = "PHONE", "Phone"
        POST = "POST", "Post"

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="consents", db_index=False
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    granted = models.BooleanField()
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel"], name="consent_one_per_channel")
        ]


class PriorityNeed(models.Model):
    """An entry on the priority services (vulnerability) register; debt rules read these."""

    class Need(models.TextChoices):
        PENSIONABLE_AGE = "PENSIONABLE_AGE", "Of pensionable age"
        OVER_75 = "OVER_75", "Aged 75 or over"
        DISABILITY = "DISABILITY", "Disability"
        CHRONIC_ILLNESS = "CHRONIC_ILLNESS", "Chronic illness"
        YOUNG_CHILDREN = "YOUNG_CHILDREN", "Children under 5 in the home"
        CHILD_UNDER_2 = "CHILD_UNDER_2", "A child under 2 in the home"
        MEDICAL_EQUIPMENT = "MEDICAL_EQUIPMENT", "Depends on medical equipment needing power"
        HEARING_OR_SIGHT = "HEARING_OR_SIGHT", "Hearing or sight impairment"
        TEMPORARY = "TEMPORARY", "Temporary circumstances"

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="priority_needs", db_index=False
    )
    need = models.CharField(max_length=20, choices=Need.choices)
    note = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "need"], name="priority_need_once")
        ]
