from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class DiscoveryConfig(AppConfig):
    """Sharing and discovery: share links, social metadata and cards, feeds, sitemap, search.

    A separate app so that the search index (an SQLite FTS5 table, or a PostgreSQL GIN index)
    has migrations of its own, apart from the articles app's schema.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "discovery"

    def ready(self) -> None:
        from .search import ensure_search_index

        # A later articles migration may rebuild the articles table (SQLite does that for many
        # ALTERs), which drops the triggers feeding the index: put them back after every migrate.
        # Sent for the articles app: Django sends post_migrate only to apps that have models.
        post_migrate.connect(
            ensure_search_index,
            sender=apps.get_app_config("articles"),
            dispatch_uid="discovery.ensure_search_index",
        )
