from django.core.management.base import BaseCommand

from newsite.mail import send_queued


class Command(BaseCommand):
    help = "Retry e-mail that could not be sent earlier (run every few minutes from cron)."

    def handle(self, *args, **options) -> None:
        sent, failing = send_queued()
        self.stdout.write(f"{sent} sent, {failing} still failing.")
