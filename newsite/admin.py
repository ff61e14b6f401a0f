from django.contrib import admin

from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Mail waiting for the server: read-only, so nobody edits a message in flight."""

    list_display = ("subject", "status", "attempts", "next_attempt_at", "created_at")
    list_filter = ("status",)
    search_fields = ("subject", "to")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
