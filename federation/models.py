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


# --- incoming: the inbox, remote comments, reactions and blocks (federation/inbound.py) ------


class RemoteAuthor(models.Model):
    """The local account a remote actor's comments are posted under.

    A shadow user (no password, no e-mail, never able to sign in) keeps every comments rule
    keyed on the author working unchanged for remote replies: screening, trust, holds,
    reports, notices and statements, suspensions, bans and readers' mutes.
    """

    remote_actor = models.OneToOneField(
        RemoteActor, on_delete=models.CASCADE, related_name="author"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="remote_author"
    )

    class Meta:
        ordering = ["remote_actor"]

    def __str__(self) -> str:
        return str(self.remote_actor)


class RemoteComment(models.Model):
    """Where a comment came from, when it came from the fediverse: its provenance."""

    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, primary_key=True, related_name="remote"
    )
    remote_actor = models.ForeignKey(
        RemoteActor, on_delete=models.CASCADE, related_name="remote_comments"
    )
    object_id = models.URLField(_("object ID"), max_length=500, unique=True)
    url = models.URLField(
        _("original"), max_length=500, help_text=_("The reply where it was written.")
    )
    handle = models.CharField(max_length=300, help_text=_("user@host of the remote author."))
    domain = models.CharField(max_length=255)
    software = models.CharField(
        max_length=100, blank=True, help_text=_("The remote server's software, from NodeInfo.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.object_id


class InboxActivity(models.Model):
    """An activity the inbox accepted (signature checked), kept until and after the worker
    processed it. Its id is unique: a redelivery is recognised and does nothing."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for the worker")
        DONE = "done", _("processed")
        IGNORED = "ignored", _("ignored")
        FAILED = "failed", _("failed")

    activity_id = models.CharField(_("activity ID"), max_length=500, unique=True)
    activity_type = models.CharField(max_length=50)
    actor_id = models.CharField(_("actor ID"), max_length=500)
    domain = models.CharField(max_length=255, db_index=True)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    outcome = models.CharField(max_length=300, blank=True, help_text=_("What processing did."))
    received_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = _("inbox activities")

    def __str__(self) -> str:
        return f"{self.activity_type} from {self.actor_id}"


class Reaction(models.Model):
    """A remote favourite (Like) or boost (Announce) of an article: one per actor and kind."""

    class Kind(models.TextChoices):
        LIKE = "like", _("favourite")
        ANNOUNCE = "announce", _("boost")

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="fediverse_reactions"
    )
    remote_actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    activity_id = models.CharField(_("activity ID"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "remote_actor", "kind"], name="federation_reaction_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.article_id} by {self.remote_actor_id}"


class Block(models.Model):
    """A moderator's block of a remote actor or a whole server, as Mastodon admins have: the
    inbox refuses their next activity."""

    class Kind(models.TextChoices):
        ACTOR = "actor", _("one actor")
        DOMAIN = "domain", _("a whole server (domain)")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(
        max_length=500,
        unique=True,
        help_text=_("The actor ID (https://host/users/name) or the domain (host.example)."),
    )
    reason = models.CharField(max_length=300, help_text=_("Why: kept for other moderators."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args, **kwargs) -> None:
        self.value = self.value.strip()
        if self.kind == self.Kind.DOMAIN:
            self.value = self.value.lower()
        super().save(*args, **kwargs)


class FederatedAnswer(models.Model):
    """A reader's reply to a remote comment that they asked to send to its author: the site's
    actor delivers it as a Note mentioning them once it is published (held replies wait)."""

    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    answered = models.ForeignKey(RemoteComment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Answer {self.comment_id} to {self.answered_id}"
