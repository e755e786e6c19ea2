"""Recording and changing customers: rules, access and the audit trail together."""

from __future__ import annotations

import datetime

import pytest

from kilowatt.customers import models, operations, queries
from kilowatt.customers.domain.customers import ContactDetails, CustomerDetails
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Role
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.platform.models import AuditEntry

AS_AT = datetime.datetime(2026, 11, 22, 10, 30, tzinfo=datetime.UTC)
HOME = CustomerDetails(
    kind="RESIDENTIAL",
    first_name="Ada",
    last_name="Lovelace",
    email="ada@example.co.uk",
    consents=(("EMAIL", True), ("SMS", False)),
    priority_needs=("PENSIONABLE_AGE",),
)
BUSINESS = CustomerDetails(
    kind="BUSINESS",
    company_name="Harbour Cafe Ltd",
    company_number="SC123456",
    sector="HOSPITALITY",
    is_micro_business=True,
    contacts=(
        ContactDetails(role="ACCOUNT_MANAGER", name="Sam Lee"),
        ContactDetails(role="BILLING_OFFICER", name="Kim Roe"),
    ),
)


def principal(make_user, role):
    return identity_queries.principal_for(make_user(role))


@pytest.mark.django_db
class TestCreateCustomer:
    def test_records_the_customer_with_a_number_and_an_audit_entry(self, make_user):
        by = principal(make_user, Role.TELESALES)

        customer = operations.create_customer(by=by, details=HOME, as_at=AS_AT)

        assert customer.number == f"C{customer.id:08d}"
        assert customer.search_name == "lovelace ada"
        assert customer.signed_up_by_id == by.user_id
        entry = AuditEntry.objects.get(trail=queries.trail_key(customer.id))
        assert (entry.action, entry.actor_name) == ("CREATED", by.username)
        assert entry.changes["priority_needs"] == [None, "['PENSIONABLE_AGE']"]

    def test_a_business_gets_its_contacts(self, make_user):
        by = principal(make_user, Role.CORPORATE_MANAGER)

        customer = operations.create_customer(by=by, details=BUSINESS, as_at=AS_AT)

        roles = sorted(customer.contacts.values_list("role", flat=True))
        assert roles == ["ACCOUNT_MANAGER", "BILLING_OFFICER"]

    def test_refuses_bad_details_and_writes_nothing(self, make_user):
        by = principal(make_user, Role.TELESALES)
        bad = CustomerDetails(
            kind="BUSINESS", company_name="X", company_number="??", sector="OFFICE"
        )

        with pytest.raises(InvalidInput) as refused:
            operations.create_customer(by=by, details=bad, as_at=AS_AT)

        assert [(p.field, p.rule) for p in refused.value.problems] == [
            ("company_number", "company_number_format")
        ]
        assert not models.Customer.objects.filter(company_name="X").exists()
        assert not AuditEntry.objects.filter(actor_name=by.username).exists()

    def test_a_corporate_manager_may_not_sign_up_a_home(self, make_user):
        by = principal(make_user, Role.CORPORATE_MANAGER)

        with pytest.raises(NotAllowed):
            operations.create_customer(by=by, details=HOME, as_at=AS_AT)

        assert not models.Customer.objects.filter(last_name="Lovelace").exists()


@pytest.mark.django_db
class TestUpdateCustomer:
    def test_records_what_changed_who_and_when(self, make_user):
        by = principal(make_user, Role.ADMIN)
        customer = operations.create_customer(by=by, details=HOME, as_at=AS_AT)
        later = AS_AT + datetime.timedelta(hours=1)

        operations.update_customer(
            by=by,
            number=customer.number,
            changes={
                "email": "ada@lovelace.example",
                "priority_needs": ["PENSIONABLE_AGE", "DISABILITY"],
            },
            as_at=later,
        )

        newest = queries.audit_trail(by, number=customer.number)[0]
        assert newest.action == "UPDATED"
        assert newest.at == later
        assert newest.changes["email"] == ["ada@example.co.uk", "ada@lovelace.example"]
        assert set(newest.changes) == {"email", "priority_needs"}

    def test_an_agent_cannot_touch_a_customer_they_did_not_sign_up(self, make_user):
        owner = principal(make_user, Role.AGENT)
        other = principal(make_user, Role.AGENT)
        customer = operations.create_customer(by=owner, details=HOME, as_at=AS_AT)

        with pytest.raises(NotFound):
            operations.update_customer(
                by=other, number=customer.number, changes={"email": "x@y.zz"}, as_at=AS_AT
            )

        customer.refresh_from_db()
        assert customer.email == "ada@example.co.uk"

    def test_the_kind_cannot_change(self, make_user):
        by = principal(make_user, Role.ADMIN)
        customer = operations.create_customer(by=by, details=HOME, as_at=AS_AT)

        with pytest.raises(InvalidInput, match="kind"):
            operations.update_customer(
                by=by, number=customer.number, changes={"kind": "BUSINESS"}, as_at=AS_AT
            )


@pytest.mark.django_db
def test_visibility_in_the_database_matches_the_rule(make_user):
    """The database filter and the pure rule give the same answers, role by role."""
    from kilowatt.identity.domain.roles import may_see_customer

    agent = principal(make_user, Role.AGENT)
    home = operations.create_customer(by=agent, details=HOME, as_at=AS_AT)
    business = operations.create_customer(
        by=principal(make_user, Role.CORPORATE_MANAGER), details=BUSINESS, as_at=AS_AT
    )
    login = make_user(Role.CUSTOMER)
    operations.link_login(contact_id=business.contacts.first().id, user_id=login.id)

    for role in Role:
        who = principal(make_user, role) if role not in (Role.AGENT, Role.CUSTOMER) else None
        who = who or (agent if role is Role.AGENT else identity_queries.principal_for(login))
        seen = set(
            queries.visible_customers(who)
            .filter(id__in=[home.id, business.id])
            .values_list("id", flat=True)
        )
        for customer in (home, business):
            expected = may_see_customer(
                who,
                is_business=customer.kind == "BUSINESS",
                signed_up_by_id=customer.signed_up_by_id,
                contact_user_ids=frozenset(
                    customer.contacts.exclude(user=None).values_list("user_id", flat=True)
                ),
            )
            assert (customer.id in seen) is expected, (role, customer.kind)
