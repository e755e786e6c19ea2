"""Django admin registrations: for system administrators only (see config.admin).

The outbox is here so a person can see the events the dispatcher set aside (``failed_at``)
and why (``last_error``)."""

from django.contrib import admin

from kilowatt.platform import models


@admin.register(models.OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "occurred_at", "dispatched_at", "attempts", "failed_at")
    list_filter = (("failed_at", admin.EmptyFieldListFilter), "name")
    readonly_fields = ("name", "payload", "occurred_at", "dispatched_at", "attempts")
    search_fields = ("name",)


admin.site.register(models.AuditEntry)
