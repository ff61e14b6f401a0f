"""Statements of reasons since a date, for the EU DSA Transparency Database (CSV or JSON lines).

manage.py export_statements --since 2026-01-01 --format jsonl > statements.jsonl
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notices.export import WRITERS
from notices.models import StatementOfReasons


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since wants a date like 2026-01-31, not {value!r}.") from None


class Command(BaseCommand):
    help = "Write statements of reasons issued since a date, in the DSA Transparency schema."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", required=True, help="First day to include (YYYY-MM-DD).")
        parser.add_argument("--format", choices=sorted(WRITERS), default="csv")

    def handle(self, *args, since: str, format: str, **options) -> None:
        day = parse_date(since)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        statements = StatementOfReasons.objects.for_export().filter(created_at__gte=start)
        count = WRITERS[format](statements.iterator(), self.stdout)
        if options["verbosity"] > 1:
            self.stderr.write(f"{count} statements written.")
