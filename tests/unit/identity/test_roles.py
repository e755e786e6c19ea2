"""The access rules: who may see which customer and do what."""

from __future__ import annotations

import pytest

from kilowatt.identity.domain.roles import (
    ANONYMOUS,
    Permission,
    Principal,
    Role,
    may_create_customer,
    may_see_customer,
)


def as_role(role: Role, user_id: int = 7) -> Principal:
    return Principal(user_id=user_id, username=role.value.lower(), role=role)


HOME = {"is_business": False, "signed_up_by_id": 99, "contact_user_ids": frozenset({50})}
BUSINESS = {"is_business": True, "signed_up_by_id": None, "contact_user_ids": frozenset({51})}


class TestMaySeeCustomer:
    @pytest.mark.parametrize(
        ("role", "sees_home", "sees_business"),
        [
            (Role.SALES_MANAGER, True, False),
            (Role.CORPORATE_MANAGER, False, True),
            (Role.TELESALES, True, True),
            (Role.ADMIN, True, True),
            (Role.BILLING, True, True),
            (Role.COLLECTIONS, True, True),
            (Role.COMPLAINTS, True, True),
            (Role.SYSADMIN, True, True),
            (Role.AGENT, False, False),
            (Role.CUSTOMER, False, False),
        ],
    )
    def test_each_role_reaches_only_its_customers(self, role, sees_home, sees_business):
        principal = as_role(role)

        assert may_see_customer(principal, **HOME) is sees_home
        assert may_see_customer(principal, **BUSINESS) is sees_business

    def test_an_agent_sees_the_customers_they_signed_up(self):
        assert may_see_customer(as_role(Role.AGENT, user_id=99), **HOME)

    def test_a_customer_login_sees_its_own_customer(self):
        assert may_see_customer(as_role(Role.CUSTOMER, user_id=50), **HOME)
        assert not may_see_customer(as_role(Role.CUSTOMER, user_id=50), **BUSINESS)

    def test_anonymous_sees_nothing(self):
        assert not may_see_customer(ANONYMOUS, **HOME)
        assert not ANONYMOUS.may(Permission.USE_BACK_OFFICE)


class TestPermissions:
    def test_only_the_system_administrator_uses_the_django_admin(self):
        holders = [role for role in Role if as_role(role).may(Permission.USE_DJANGO_ADMIN)]

        assert holders == [Role.SYSADMIN]

    def test_the_admin_and_complaints_teams_and_system_administrators_work_cases(self):
        holders = [role for role in Role if as_role(role).may(Permission.WORK_CASES)]

        assert holders == [Role.ADMIN, Role.COMPLAINTS, Role.SYSADMIN]
        assert not ANONYMOUS.may(Permission.WORK_CASES)

    def test_customers_do_not_use_the_back_office(self):
        assert not as_role(Role.CUSTOMER).may(Permission.USE_BACK_OFFICE)

    def test_a_corporate_manager_may_not_sign_up_a_home(self):
        assert not may_create_customer(as_role(Role.CORPORATE_MANAGER), is_business=False)
        assert may_create_customer(as_role(Role.CORPORATE_MANAGER), is_business=True)

    def test_a_sales_manager_may_not_sign_up_a_business(self):
        assert not may_create_customer(as_role(Role.SALES_MANAGER), is_business=True)

    def test_billing_may_not_sign_up_customers_but_may_price_tariffs(self):
        assert not may_create_customer(as_role(Role.BILLING), is_business=False)
        assert as_role(Role.BILLING).may(Permission.MANAGE_TARIFFS)
