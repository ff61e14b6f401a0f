import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.seeds import seed_paths
from articles.services import Outcome, import_seed_files


class Command(BaseCommand):
    help = (
        "Import seed articles (scraped .txt or Markdown with front matter). Safe to run again: "
        "unchanged files change nothing, and articles edited since import are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths", nargs="*", type=Path, help=f"Files or folders (default: {settings.SEEDS_DIR})"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and report, but write nothing."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite articles an editor changed since import.",
        )

    def handle(self, *args, paths: list[Path], dry_run: bool, force: bool, **options) -> None:
        verbosity = options["verbosity"]
        files = seed_paths(paths or [settings.SEEDS_DIR])
        missing = [p for p in files if not p.exists()]
        for path in missing:
            self.stderr.write(self.style.ERROR(f"{path}: no such file or folder"))
        files = [p for p in files if p.exists()]

        show_progress = verbosity >= 1 and len(files) > 20 and sys.stdout.isatty()

        def progress(done: int) -> None:
            self.stdout.write(f"\r{done}/{len(files)} files", ending="")
            self.stdout.flush()

        report = import_seed_files(
            files, force=force, dry_run=dry_run, on_progress=progress if show_progress else None
        )
        if show_progress:
            self.stdout.write("")
        if verbosity >= 2:
            for outcome in Outcome:
                for name in report.outcomes[outcome]:
                    self.stdout.write(f"{outcome:>9}  {name}")
                    for line in report.dropped.get(name, ()):
                        self.stdout.write(f"           left out {line}")
        for error in report.errors:
            self.stderr.write(self.style.ERROR(str(error)))
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary}."))
        if skipped := report.count(Outcome.SKIPPED):
            self.stdout.write(f"{skipped} edited since import and kept (--force overwrites).")
        if report.errors or missing:
            raise CommandError(f"{len(report.errors) + len(missing)} seed file(s) failed.")
