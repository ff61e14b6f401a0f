"""A new key pair for the site's actor; followers are sent an Update of the actor."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from federation.models import Follower, SiteActor
from federation.services import key_rotate


class Command(BaseCommand):
    help = (
        "Give the site's ActivityPub actor a new RSA key pair (the old one is kept, no longer "
        "used) and send followers an Update of the actor so they fetch the new key."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would happen; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        followers = Follower.objects.count()
        if dry_run:
            self.stdout.write(
                f"Would make a new key pair and send an Update to {followers} follower(s)."
            )
            return
        SiteActor.current()  # so there is an old key to keep
        actor = key_rotate()
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"New key pair for @{actor.username} ({actor.created_at:%Y-%m-%d %H:%M}); "
                    f"an Update queued for {followers} follower(s)' servers."
                )
            )
