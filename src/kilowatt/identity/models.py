"""Users: staff with one role each, and customers' logins. Bearer tokens for the API."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from kilowatt.identity.domain.roles import Role


class User(AbstractUser):
    """A person who signs in. Staff carry a role; customers carry ``CUSTOMER``.

    Which customer a customer login belongs to is recorded by ``customers`` (a contact
    points at its login), because identity sits below customers.
    """

    role = models.CharField(max_length=20, choices=[(role.value, role.label) for role in Role])
    # The regional sales manager an agent reports to, and the region (distributor ID) a
    # manager or agent covers.
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="agents"
    )
    region = models.CharField(max_length=2, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[role.value for role in Role]), name="user_role_known"
            )
        ]


class ApiToken(models.Model):
    """A bearer token for the API. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
