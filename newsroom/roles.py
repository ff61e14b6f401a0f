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
)

ROLES: dict[str, tuple[str, ...]] = {
    EDITORS: (
        *(f"articles.{verb}_{model}" for model in ("article", "tag", "source") for verb in _CRUD),
        *MODERATION,
        *(f"comments.{action}_bannedword" for action in _CRUD),
        "comments.view_moderationsettings",
        "comments.change_moderationsettings",
    ),
    MODERATORS: MODERATION,
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
    report = RolesReport()
    for name, wanted in ROLES.items():
        group, created = group_model.objects.get_or_create(name=name)
        if created:
            report.created.append(name)
        permissions = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            permission = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                if dotted not in report.missing:
                    report.missing.append(dotted)
            else:
                permissions.append(permission)
        group.permissions.set(permissions)
    return report
