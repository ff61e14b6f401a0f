"""The delivery log and the followers, read-only: both are written by the protocol, not by
editors."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Delivery, Follower


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "activity_type",
        "domain",
        "state",
        "attempts",
        "last_status",
        "short_error",
        "next_attempt_at",
    ]
    list_filter = ["state", "activity_type", "domain"]
    search_fields = ["inbox", "activity_id", "last_error"]
    date_hierarchy = "created_at"
    fields = [
        "activity_id",
        "activity_type",
        "inbox",
        "domain",
        "state",
        "attempts",
        "last_status",
        "last_error",
        "next_attempt_at",
        "created_at",
        "updated_at",
        "activity",
    ]

    @admin.display(description=_("error"))
    def short_error(self, delivery: Delivery) -> str:
        return delivery.last_error[:120]


@admin.register(Follower)
class FollowerAdmin(ReadOnlyAdmin):
    list_display = ["remote_actor", "created_at"]
    list_select_related = ["remote_actor"]
    search_fields = ["remote_actor__handle", "remote_actor__actor_id"]
    fields = ["remote_actor", "follow_activity_id", "created_at"]


from . import admin_inbound  # noqa: E402, F401 - blocks, remote actors, the inbox (fed-in)
