from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "Notices and statements of reasons (EU DSA)"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - statements of reasons for restricting actions
