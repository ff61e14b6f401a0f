from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "Notices and statements of reasons (EU DSA)"

    def ready(self) -> None:
        from comments import trust

        from . import signals  # noqa: F401 - statements of reasons for restricting actions
        from .services import author_record_rows

        trust.AUTHOR_RECORD_ROWS.append(author_record_rows)
