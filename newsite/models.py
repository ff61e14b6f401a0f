from django.db import models
from django.utils import timezone


class OutgoingEmail(models.Model):
    """A message the mail server refused or could not be reached for; retried with backoff."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be retried"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    subject = models.CharField(max_length=998)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    from_email = models.CharField(max_length=254)
    to = models.JSONField(default=list)
    headers = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=1)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["next_attempt_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"
