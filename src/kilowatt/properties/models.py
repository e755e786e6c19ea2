"""Sites: the places we supply, with their UK postal address."""

from __future__ import annotations

from django.db import models


class Site(models.Model):
    """A supply address. The postcode is stored normalised (``SW1A 1AA``)."""

    address_line_1 = models.CharField(max_length=100)
    address_line_2 = models.CharField(max_length=100, blank=True)
    town = models.CharField(max_length=60)
    county = models.CharField(max_length=60, blank=True)
    postcode = models.CharField(max_length=8)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(address_line_1=""), name="site_has_address"),
            models.CheckConstraint(condition=~models.Q(postcode=""), name="site_has_postcode"),
        ]
        indexes = [models.Index(fields=["postcode", "id"], name="site_postcode_idx")]
