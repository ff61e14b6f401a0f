"""The inbox in the admin: blocks of remote actors and servers (with who, when and why, and
an entry in the admin's log like every moderation action), the remote actors with actions
to block them, and the activities received, read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Block, InboxActivity, RemoteActor


def block_create(*, kind: str, value: str, reason: str, moderator) -> tuple[Block, bool]:
    """Block an actor or a domain (once); the inbox refuses their next activity."""
    return Block.objects.get_or_create(
        kind=kind,
        value=value.strip().lower() if kind == Block.Kind.DOMAIN else value.strip(),
        defaults={"reason": reason[:300], "created_by": moderator},
    )


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "reason", "created_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["created_by"]
    search_fields = ["value", "reason"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj: Block, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)  # the admin logs the addition


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RemoteActor)
class RemoteActorAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "name", "domain", "software_name", "fetched_at"]
    list_filter = ["software_name"]
    search_fields = ["handle", "actor_id", "name", "domain"]
    # Shown, never edited: the actor document is the source (and read-only fields build no
    # form fields).
    fields = readonly_fields = [
        "actor_id",
        "handle",
        "name",
        "url",
        "domain",
        "inbox",
        "shared_inbox",
        "key_id",
        "software_name",
        "software_version",
        "fetched_at",
        "created_at",
    ]
    actions = ["block_actors", "block_domains"]

    def _block(self, request, kind: str, values: set[str]) -> None:
        made = 0
        for value in sorted(values):
            block, created = block_create(
                kind=kind,
                value=value,
                reason=str(_("Blocked from the list of remote actors.")),
                moderator=request.user,
            )
            if created:
                made += 1
                self.log_addition(request, block, [{"added": {}}])
        self.message_user(
            request,
            ngettext("%(n)d block added.", "%(n)d blocks added.", made) % {"n": made},
            messages.SUCCESS,
        )

    @admin.action(description=_("Block the selected actors"), permissions=["block"])
    def block_actors(self, request, queryset) -> None:
        actors = set(queryset.values_list("actor_id", flat=True))
        self._block(request, Block.Kind.ACTOR, actors)

    @admin.action(description=_("Block the servers of the selected actors"), permissions=["block"])
    def block_domains(self, request, queryset) -> None:
        domains = set(queryset.values_list("domain", flat=True))
        self._block(request, Block.Kind.DOMAIN, domains)

    def has_block_permission(self, request) -> bool:
        return request.user.has_perm("federation.add_block")


@admin.register(InboxActivity)
class InboxActivityAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "activity_type", "actor_id", "state", "outcome"]
    list_filter = ["state", "activity_type", "domain"]
    search_fields = ["activity_id", "actor_id", "outcome"]
    date_hierarchy = "received_at"
    fields = readonly_fields = [
        "activity_id",
        "activity_type",
        "actor_id",
        "domain",
        "state",
        "outcome",
        "received_at",
        "processed_at",
        "payload",
    ]
