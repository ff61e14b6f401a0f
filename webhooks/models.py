"""Webhooks: other systems told, by a signed HTTP POST, when comments, notices and articles
change. Editors add endpoints in the admin; each event becomes one Delivery per endpoint that
asked for it, sent (and retried) by the task worker (webhooks/tasks.py)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import guard

# How many deliveries each endpoint's log keeps (the newest).
LOG_SIZE = 50


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Event(models.TextChoices):
    COMMENT_CREATED = (
        "comment.created",
        gettext_lazy("comment.created: a comment was posted (any status)"),
    )
    COMMENT_HELD = "comment.held", gettext_lazy("comment.held: a comment waits for a moderator")
    COMMENT_PUBLISHED = (
        "comment.published",
        gettext_lazy("comment.published: a moderator published a comment"),
    )
    COMMENT_REMOVED = (
        "comment.removed",
        gettext_lazy("comment.removed: a comment was hidden, spam or removed"),
    )
    NOTICE_RECEIVED = (
        "notice.received",
        gettext_lazy("notice.received: a notice of illegal content arrived"),
    )
    ARTICLE_PUBLISHED = "article.published", gettext_lazy("article.published: an article went live")
    TEST = "test", gettext_lazy("test: sent from the admin to try an endpoint")


# What an endpoint may subscribe to: every event but the admin's test.
SUBSCRIBABLE = [(value, label) for value, label in Event.choices if value != Event.TEST]


class EndpointQuerySet(models.QuerySet):
    def active(self) -> EndpointQuerySet:
        return self.filter(is_active=True)


class Endpoint(models.Model):
    """A URL that receives the events it asked for, signed with its secret."""

    name = models.CharField(
        max_length=100, help_text=gettext_lazy("Who receives these: for your own reference.")
    )
    url = models.URLField(
        gettext_lazy("URL"),
        max_length=500,
        help_text=gettext_lazy(
            "Where the events are POSTed (http or https). Addresses inside our own "
            "network are refused unless DJANGO_WEBHOOK_ALLOWED_HOSTS lists the host."
        ),
    )
    events = models.JSONField(
        default=list,
        help_text=gettext_lazy("The events sent to this endpoint."),
    )
    secret = models.CharField(
        max_length=100,
        default=new_secret,
        editable=False,
        help_text=gettext_lazy(
            "Give it to the receiver: it checks each request's X-Newsite-Signature with "
            "it. “Rotate secret” makes a new one."
        ),
    )
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=gettext_lazy(
            "Until then, requests carry a signature made with the previous secret too, "
            "so the receiver can switch to the new one without missing anything."
        ),
    )
    is_active = models.BooleanField(
        gettext_lazy("active"),
        default=True,
        help_text=gettext_lazy("Untick to stop sending (nothing is queued meanwhile)."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        """Field checks, then the SSRF guard on the URL (webhooks/guard.py), which resolves
        its host. Here rather than in clean(), so a write that leaves the URL out of its checks
        (a secret's rotation) needs no DNS."""
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if self.url and "url" not in errors and "url" not in (exclude or ()):
            try:
                guard.check(self.url)
            except guard.Refused as refused:
                errors["url"] = [str(refused)]
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        unknown = set(self.events or []) - {value for value, _ in SUBSCRIBABLE}
        if not isinstance(self.events, list) or not self.events:
            raise ValidationError({"events": "Choose at least one event."})
        if unknown:
            raise ValidationError(
                {"events": f"Unknown events: {', '.join(sorted(map(str, unknown)))}."}
            )

    def wants(self, event: str) -> bool:
        return event in self.events

    def signing_secrets(self) -> list[str]:
        """The secrets each request is signed with: the current one, and the previous one
        while its overlap lasts."""
        found = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires and expires > timezone.now():
            found.append(self.previous_secret)
        return found


class Delivery(models.Model):
    """One event sent to one endpoint: its body, and how its latest attempt went."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Queued")
        DELIVERED = "delivered", gettext_lazy("Delivered")
        RETRYING = "retrying", gettext_lazy("Failed, will retry")
        FAILED = "failed", gettext_lazy("Failed, given up")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=30, choices=Event.choices)
    data = models.JSONField(
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text=gettext_lazy("The event's data, as sent in the body's “data”."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy("The receiver's HTTP status, on the latest attempt."),
    )
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(
        gettext_lazy("time (ms)"),
        null=True,
        blank=True,
        help_text=gettext_lazy("How long the latest attempt took."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    attempted_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-id"], name="delivery_endpoint_log_idx")]
        verbose_name_plural = gettext_lazy("deliveries")

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DELIVERED, self.Status.FAILED)

    def body(self) -> bytes:
        """The request body: the same bytes on every attempt (the signature's timestamp is
        what changes)."""
        return (
            DjangoJSONEncoder(separators=(",", ":"), ensure_ascii=False)
            .encode(
                {
                    "id": self.pk,
                    "event": self.event,
                    "created_at": self.created_at,
                    "data": self.data,
                }
            )
            .encode()
        )
