"""What an import remembers: which source rows became which site rows, who wrote them, and
each admin upload's progress and report.

Kept apart from the comments and articles models so an import never changes their shape: a
second run looks its source ids up here and creates nothing.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Format(models.TextChoices):
    DISQUS = "disqus", _("Disqus XML export")
    WXR = "wxr", _("WordPress WXR")
    REMARK42 = "remark42", _("Remark42 backup")
    COMMENTO = "commento", _("Commento JSON")
    ISSO = "isso", _("Isso SQLite database")
    JSONL = "jsonl", _("newsite JSON lines")


class ImportedRecord(models.Model):
    """One source thread, comment or post, and the site row it became."""

    class Kind(models.TextChoices):
        THREAD = "thread", _("Thread")
        COMMENT = "comment", _("Comment")
        ARTICLE = "article", _("Article")

    source = models.CharField(max_length=20, choices=Format.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_id = models.CharField(max_length=255, help_text=_("The id the old system gave it."))
    article = models.ForeignKey(
        "articles.Article", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["source", "kind", "source_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="imported_record_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id}"


class ImportedIdentity(models.Model):
    """Someone who wrote comments elsewhere: an account that cannot sign in holds their
    comments until a reader who verifies the same address claims them.

    The address is personal data: never shown on the site, exported with the reader's data
    once claimed, and deleted with their account (the row goes with `user`).
    """

    source = models.CharField(max_length=20, choices=Format.choices)
    key = models.CharField(
        max_length=255, help_text=_("How the source names this person (address, id or name).")
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True, help_text=_("Never shown: used only to offer a claim."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="imported_identities",
        help_text=_("The account holding these comments: a placeholder until claimed."),
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["source", "key"]
        verbose_name_plural = _("imported identities")
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="imported_identity_once")
        ]
        indexes = [models.Index(fields=["email"], name="imported_identity_email_idx")]

    def __str__(self) -> str:
        return f"{self.name or 'anonymous'} ({self.source})"

    @property
    def is_claimed(self) -> bool:
        return self.claimed_at is not None


class ImportRun(models.Model):
    """One upload from the admin, imported by the task worker."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file = models.FileField(
        upload_to="imports/%Y/%m/",
        help_text=_("The export file to import. It is deleted once imported (it holds addresses)."),
    )
    format = models.CharField(max_length=20, choices=Format.choices)
    url_map = models.FileField(
        upload_to="imports/%Y/%m/",
        blank=True,
        help_text=_("Optional CSV: an old URL, a comma, the new path (one pair a line)."),
    )
    site_url = models.URLField(
        blank=True, help_text=_("The old site's address, for threads that give only a path.")
    )
    is_dry_run = models.BooleanField(
        _("dry run"),
        default=False,
        help_text=_("Report what would happen without writing anything."),
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveIntegerField(default=0, help_text=_("Threads handled so far."))
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("export_comments", "Can download exports of all comments")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} import {self.pk} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("admin:portability_importrun_change", args=[self.pk])
