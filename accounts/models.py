from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A reader or editor. Readers sign in with their e-mail address (django-allauth)."""

    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="The name shown beside this person's comments.",
    )

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.email.partition("@")[0] or self.username
