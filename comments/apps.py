from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_settings_row(sender, using: str, **kwargs) -> None:
    # The one row exists from the start, so reading it never needs an INSERT on a page view.
    # bulk_create sends no post_save: there is no page cache to renew yet.
    from .models import ModerationSettings

    ModerationSettings.objects.using(using).bulk_create(
        [ModerationSettings(pk=1)], ignore_conflicts=True
    )


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the page cache invalidation

        post_migrate.connect(_create_settings_row, sender=self)
