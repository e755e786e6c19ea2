"""The Django admin opens for system administrators only."""

from __future__ import annotations

import pytest

from kilowatt.identity.domain.roles import Role


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in Role if role is not Role.SYSADMIN])
def test_every_other_role_is_refused(signed_in, role):
    response = signed_in(role).get("/django-admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/django-admin/login/")


@pytest.mark.django_db
def test_a_staff_flag_set_by_hand_does_not_open_it_to_another_role(signed_in, make_user):
    user = make_user(Role.BILLING)
    user.is_staff = True
    user.save()
    client = signed_in(None)
    client.force_login(user)

    assert client.get("/django-admin/").status_code == 302


@pytest.mark.django_db
def test_a_system_administrator_gets_in(signed_in):
    response = signed_in(Role.SYSADMIN).get("/django-admin/")

    assert response.status_code == 200
    assert b"Site administration" in response.content


@pytest.mark.django_db
def test_anonymous_is_asked_to_sign_in(signed_in):
    assert signed_in(None).get("/django-admin/").status_code == 302


def test_a_system_administrator_sees_the_events_the_dispatcher_set_aside(signed_in):
    from kilowatt.platform.models import OutboxEvent

    OutboxEvent.objects.create(
        name="metering.meter.exchanged.v1",
        payload={},
        occurred_at="2026-11-01T09:00:00Z",
        attempts=10,
        last_error="InvalidInput: serial too long",
        failed_at="2026-11-01T10:00:00Z",
    )

    response = signed_in(Role.SYSADMIN).get(
        "/django-admin/platform/outboxevent/?failed_at__isempty=0"
    )

    assert response.status_code == 200
    assert b"metering.meter.exchanged.v1" in response.content
