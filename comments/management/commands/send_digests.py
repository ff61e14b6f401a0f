"""Send the daily and weekly digests that are due. Run it hourly from cron (README)."""

from django.core.management.base import BaseCommand

from comments.digests import digests_send


class Command(BaseCommand):
    help = "Queue the digest e-mails that are due (the task worker sends them). Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be sent; send nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        report = digests_send(dry_run=dry_run)
        if options["verbosity"] >= 1:
            verb = "Would send" if dry_run else "Queued"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{verb} {report.sent} digest(s) holding {report.comments} comment(s); "
                    f"dropped {report.dropped} no longer wanted."
                )
            )
