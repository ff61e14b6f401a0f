from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, **kwargs) -> None:
    from .roles import sync_roles

    sync_roles()


class NewsroomConfig(AppConfig):
    """Staff roles and the editors' admin tools (dashboard, make_editor)."""

    name = "newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin
        from django.utils.translation import gettext_lazy as _

        admin.site.site_header = _("newsite newsroom")
        admin.site.site_title = _("newsite newsroom")
        admin.site.index_title = _("Newsroom")
        # newsroom comes after articles and comments in INSTALLED_APPS, so by the time its
        # post_migrate fires (models.py exists for that), their permissions exist.
        post_migrate.connect(_sync_roles_after_migrate, sender=self)
