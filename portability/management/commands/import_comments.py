from django.core.management.base import BaseCommand, CommandError

from portability.importers.core import ImportFileError
from portability.services import FORMATS, comments_import


class Command(BaseCommand):
    help = (
        "Import comments (and WordPress posts) from Disqus, WordPress WXR, Remark42, Commento, "
        "Isso or newsite's own export. Safe to run twice: nothing is created the second time."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The export file.")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )
        parser.add_argument("--url-map", help="CSV of old URL,new path for unmatched threads.")
        parser.add_argument("--site-url", default="", help="The old site's address.")

    def handle(self, *args, **options) -> None:
        verbosity = options["verbosity"]

        def progress(done: int) -> None:
            if verbosity > 1 and done % 100 == 0:
                self.stdout.write(f"{done} threads…")

        try:
            report = comments_import(
                path=options["file"],
                format=options["format"],
                dry_run=options["dry_run"],
                url_map=options["url_map"],
                site_url=options["site_url"],
                on_progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(f"{options['file']}: {exc}") from exc
        for line in report.lines():
            style = self.style.ERROR if line.startswith("Error") else None
            if line.startswith("Warning") and verbosity < 2:
                continue
            self.stdout.write(style(line) if style else line)
        if report.warnings and verbosity < 2:
            self.stdout.write(f"{len(report.warnings)} warnings (-v 2 lists them).")
        if report.threads_failed:
            # The others are in; a script running this should still notice.
            raise CommandError(f"{report.threads_failed} threads failed (see above)")
