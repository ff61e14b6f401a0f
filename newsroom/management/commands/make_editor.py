from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from newsroom.roles import EDITORS, MODERATORS, sync_roles


class Command(BaseCommand):
    help = (
        "Make the person with this e-mail address an editor (or, with --moderator, a comment "
        "moderator): creates the staff account if needed and adds it to the role's group. "
        "Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The person's e-mail address (their sign-in name).")
        parser.add_argument(
            "--moderator",
            action="store_true",
            help="The smaller role: moderate comments only.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change, write nothing."
        )

    def handle(self, *args, email: str, moderator: bool, dry_run: bool, **options) -> None:
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an e-mail address.") from exc
        role = MODERATORS if moderator else EDITORS
        User = get_user_model()
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if dry_run:
            who = "the existing account" if user else "a new staff account"
            self.stdout.write(f"Dry run: would add {who} for {email} to {role}.")
            return

        with transaction.atomic():
            sync_roles()
            created = user is None
            if created:
                user = User(username=email.lower()[:150], email=email)
                user.set_unusable_password()
            elif not _address_verified(user) and user.has_usable_password():
                # Anyone can sign up with an address they do not own; the operator vouches for
                # the address, not for whoever chose this password. The owner sets a new one.
                user.set_unusable_password()
                self.stdout.write(
                    self.style.WARNING(
                        f"{email} was never verified: its password is cleared, so only the "
                        "address's owner (or you) can set one."
                    )
                )
            user.is_staff = True
            user.full_clean()
            user.save()
            user.groups.add(Group.objects.get(name=role))
            _vouch_for_email_address(user)

        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {email}: staff, in {role}."))
        if not user.has_usable_password():
            reset = f"{settings.SITE_URL}{reverse('account_reset_password')}"
            self.stdout.write(
                "No password yet. Set one now with:\n"
                f"  .venv/bin/python manage.py changepassword {user.get_username()}\n"
                f"or let them choose it at {reset} (a reset link is e-mailed to {email})."
            )


def _address_verified(user) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def _vouch_for_email_address(user) -> None:
    """Make the account's address verified and primary: the operator who runs make_editor
    vouches for it, so signing in at /admin/ does not stop at "Verify Your Email Address"."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        address = EmailAddress.objects.create(
            user=user, email=user.email, primary=False, verified=True
        )
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    if not address.primary:
        address.set_as_primary()
