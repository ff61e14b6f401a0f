"""The newsroom's two staff roles, as Django groups with exactly these permissions.

Editors run the site's content and its discussion; Moderators only handle comments. Neither
can touch users' passwords, groups, permissions or site settings: those stay with superusers.

`sync_roles()` is the one place that writes the groups. The post_migrate signal runs it after
every `migrate` (so permissions of apps added later, such as comments, join the roles), and
`manage.py sync_roles` / `make_editor` run it on demand.
"""

from dataclasses import dataclass, field

EDITORS = "Editors"
MODERATORS = "Moderators"

_CRUD = ("add", "change", "delete", "view")

# What a moderator needs: the comment queue, reports against comments, and the audit trail.
MODERATION = (
    "comments.moderate_comment",
    "comments.view_comment",
    "comments.change_comment",
    "comments.view_commentrevision",
    "comments.view_commentreport",
    "comments.change_commentreport",
    "comments.view_moderationaction",
    "comments.view_trustchange",
)

# Notices and statements of reasons (EU DSA): read the queue, add decisions (which also starts
# reviews, voids spam and decides appeals). Decisions and statements are append-only: no one
# gets change or delete on them.
NOTICES = (
    "notices.view_notice",
    "notices.add_noticedecision",
    "notices.view_noticedecision",
    "notices.view_statementofreasons",
    "notices.view_appeal",
    "notices.view_communityguidelines",
)

ROLES: dict[str, tuple[str, ...]] = {
    EDITORS: (
        *(f"articles.{verb}_{model}" for model in ("article", "tag", "source") for verb in _CRUD),
        # Bylines: editors name authors and edit their bios; linking an author to a staff
        # account (add) stays with superusers, who manage accounts.
        *(f"articles.{verb}_articleauthor" for verb in _CRUD),
        "articles.view_author",
        "articles.change_author",
        *MODERATION,
        *(f"comments.{action}_watchedword" for action in _CRUD),
        "comments.view_moderationsettings",
        "comments.change_moderationsettings",
        *NOTICES,
        "notices.add_communityguidelines",
        "notices.change_communityguidelines",
        # Webhooks: endpoints (URL, events, secret) and their delivery log, which is read-only.
        *(f"webhooks.{verb}_endpoint" for verb in _CRUD),
        "webhooks.view_delivery",
        # Imports and exports of the discussion (issue 16).
        "portability.add_importrun",
        "portability.view_importrun",
        "portability.export_comments",
        "portability.view_importedidentity",
        # The fediverse (issue 17): the delivery log and the followers, both read-only.
        "federation.view_delivery",
        "federation.view_follower",
    ),
    MODERATORS: (*MODERATION, *NOTICES),
}


@dataclass
class RolesReport:
    created: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # permissions of apps not migrated yet


def sync_roles(*, group_model=None, permission_model=None) -> RolesReport:
    """Create the groups if needed and set their permissions to exactly ROLES; idempotent.

    Takes the models as arguments so a migration can pass its historical ones.
    """
    if group_model is None or permission_model is None:
        from django.contrib.auth.models import Group, Permission

        group_model, permission_model = Group, Permission
    # Every permission the roles name, in one query, not one per permission: migrate runs this.
    wanted = list(dict.fromkeys(dotted for permissions in ROLES.values() for dotted in permissions))
    existing = {
        f"{app_label}.{codename}": pk
        for app_label, codename, pk in permission_model.objects.filter(
            content_type__app_label__in={dotted.split(".", 1)[0] for dotted in wanted},
            codename__in={dotted.split(".", 1)[1] for dotted in wanted},
        ).values_list("content_type__app_label", "codename", "pk")
    }
    report = RolesReport(missing=[dotted for dotted in wanted if dotted not in existing])
    for name, permissions in ROLES.items():
        group, created = group_model.objects.get_or_create(name=name)
        if created:
            report.created.append(name)
        group.permissions.set([existing[dotted] for dotted in permissions if dotted in existing])
    return report
