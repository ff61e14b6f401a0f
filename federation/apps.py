from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = "Federation (ActivityPub)"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - publication becomes activities; reactions renew pages
