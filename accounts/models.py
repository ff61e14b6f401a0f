from django.contrib.auth.models import AbstractUser
from django.db import models

from .validators import validate_display_name


class User(AbstractUser):
    """A reader or editor. Readers sign in with their e-mail address (django-allauth)."""

    display_name = models.CharField(
        max_length=60,
        blank=True,
        validators=[validate_display_name],
        help_text="The name shown beside this person's comments.",
    )
    notify_on_reply = models.BooleanField(
        default=True, help_text="E-mail this person when someone replies to their comment."
    )
    notify_on_followed = models.BooleanField(
        default=True, help_text="E-mail this person about new comments in threads they follow."
    )
    notify_on_staff_reply = models.BooleanField(
        default=True,
        help_text="E-mail this person when a journalist or moderator replies to their comment.",
    )
    notify_on_pick = models.BooleanField(
        default=True, help_text="E-mail this person when their comment becomes an editors' pick."
    )
    # Enforced by the comments service, whatever form or endpoint a post arrives through.
    posting_suspended_until = models.DateTimeField(
        null=True, blank=True, help_text="This person cannot comment until this moment."
    )
    is_banned = models.BooleanField(default=False, help_text="This person can never comment.")

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.email.partition("@")[0] or self.username
