"""The site on the fediverse (ActivityPub): its one actor and key pair, the remote actors it
knows, who follows it, and the log of every activity it delivers."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_key_pair() -> tuple[str, str]:
    """A 2048-bit RSA key pair as (private PEM, public PEM): what Mastodon expects."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


class SiteActor(models.Model):
    """The site's actor (@news@host). One row is current; a key rotation retires it (kept for
    reference, is_current False) and makes a new current one."""

    username = models.CharField(max_length=100, default="", help_text=_("The actor's name."))
    private_key_pem = models.TextField(editable=False)
    public_key_pem = models.TextField(editable=False)
    is_current = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    rotated_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When a newer key replaced this one.")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("site actor key")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="federation_one_current_site_actor",
            )
        ]

    def __str__(self) -> str:
        return f"@{self.username} ({self.created_at:%Y-%m-%d})"

    @classmethod
    def current(cls) -> SiteActor:
        """The current actor, its key pair generated on first use."""
        actor = cls.objects.filter(is_current=True).first()
        if actor is not None:
            return actor
        private_pem, public_pem = new_key_pair()
        try:
            with transaction.atomic():
                return cls.objects.create(
                    username=settings.FEDERATION_ACTOR_NAME,
                    private_key_pem=private_pem,
                    public_key_pem=public_pem,
                )
        except IntegrityError:  # another process made it first: use theirs
            return cls.objects.get(is_current=True)


class RemoteActor(models.Model):
    """An actor on another server, as its actor document described it when last fetched."""

    actor_id = models.URLField("actor ID", max_length=500, unique=True)
    inbox = models.URLField(max_length=500, blank=True)
    shared_inbox = models.URLField(max_length=500, blank=True)
    preferred_username = models.CharField(max_length=200, blank=True)
    handle = models.CharField(
        max_length=300, blank=True, db_index=True, help_text=_("user@host, as Mastodon shows it.")
    )
    name = models.CharField(max_length=300, blank=True)
    domain = models.CharField(max_length=255, db_index=True)
    url = models.URLField(_("profile URL"), max_length=500, blank=True)
    public_key_pem = models.TextField(blank=True)
    key_id = models.URLField(_("key ID"), max_length=500, blank=True, db_index=True)
    software_name = models.CharField(
        max_length=100, blank=True, help_text=_("From the server's NodeInfo.")
    )
    software_version = models.CharField(max_length=100, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["domain", "preferred_username"]

    def __str__(self) -> str:
        return f"@{self.handle}" if self.handle else self.actor_id

    @property
    def delivery_inbox(self) -> str:
        """Where activities for this actor go: the server's shared inbox when it has one."""
        return self.shared_inbox or self.inbox


class Follower(models.Model):
    remote_actor = models.OneToOneField(
        RemoteActor, on_delete=models.CASCADE, related_name="follower"
    )
    follow_activity_id = models.URLField(_("Follow activity ID"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.remote_actor)


class Delivery(models.Model):
    """One activity POSTed (or to be POSTed) to one inbox: the delivery log."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    activity_id = models.URLField(_("activity ID"), max_length=500)
    activity_type = models.CharField(max_length=50)
    activity = models.JSONField(help_text=_("The activity as sent."))
    inbox = models.URLField(max_length=500)
    domain = models.CharField(max_length=255, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["state", "domain"])]

    def __str__(self) -> str:
        return f"{self.activity_type} → {self.inbox}"
