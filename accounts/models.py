from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import validate_display_name


class MailFrequency(models.TextChoices):
    """When a kind of comment mail reaches a reader: at once, gathered in a digest, or never."""

    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off")


class User(AbstractUser):
    """A reader or editor. Readers sign in with their e-mail address (django-allauth)."""

    display_name = models.CharField(
        max_length=60,
        blank=True,
        validators=[validate_display_name],
        help_text=_("The name shown beside this person's comments."),
    )
    reply_mail = models.CharField(
        max_length=11,
        choices=MailFrequency.choices,
        default=MailFrequency.IMMEDIATELY,
        help_text=_("How this person hears about replies to their comments."),
    )
    followed_mail = models.CharField(
        max_length=11,
        choices=MailFrequency.choices,
        default=MailFrequency.IMMEDIATELY,
        help_text=_("How this person hears about new comments in discussions they follow."),
    )
    staff_reply_mail = models.CharField(
        max_length=11,
        choices=MailFrequency.choices,
        default=MailFrequency.IMMEDIATELY,
        help_text=_("How this person hears about a journalist's or moderator's reply to them."),
    )
    notify_on_pick = models.BooleanField(
        default=True, help_text=_("E-mail this person when their comment becomes an editors' pick.")
    )
    # Enforced by the comments service, whatever form or endpoint a post arrives through.
    posting_suspended_until = models.DateTimeField(
        null=True, blank=True, help_text=_("This person cannot comment until this moment.")
    )
    is_banned = models.BooleanField(default=False, help_text=_("This person can never comment."))
    # Kept by comments.mutes, so the article page asks for mutes only of readers who have some.
    mute_count = models.PositiveIntegerField(
        default=0, editable=False, help_text=_("How many commenters this person has muted.")
    )

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.email.partition("@")[0] or self.username
