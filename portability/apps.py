from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    """Import comments and articles from other systems, and export them."""

    name = "portability"
    verbose_name = "Import and export"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - offers imported comments to a verified reader
