"""Comments on articles, and what moderators need to keep them civil.

Writes go through comments/services.py; these models only hold data and the read querysets.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy

from .rendering import render_comment_markdown

# Replies nest at most this deep (top-level comments have depth 0); deeper replies attach to
# the deepest allowed ancestor so threads stay readable on a phone.
MAX_DEPTH = 3
MAX_BODY_LENGTH = 5_000


class CommentQuerySet(models.QuerySet):
    def published(self) -> CommentQuerySet:
        """What the public may see. Soft-deleted comments stay, shown as "comment deleted"."""
        return self.filter(status=Comment.Status.PUBLISHED)

    def counted(self) -> CommentQuerySet:
        """What Article.comment_count counts: published and not deleted by the author."""
        return self.published().filter(deleted_at__isnull=True)

    @staticmethod
    def _visible_q(user) -> Q:
        visible = Q(status=Comment.Status.PUBLISHED)
        if user is not None and user.is_authenticated:
            visible |= Q(author=user, status__in=Comment.AUTHOR_VISIBLE_STATUSES)
        return visible

    def visible_to(self, user) -> CommentQuerySet:
        """Published comments, plus the reader's own held or hidden ones (shown with why)."""
        return self.filter(self._visible_q(user))

    def top_level(self) -> CommentQuerySet:
        return self.filter(parent__isnull=True)

    def threads_visible_to(self, user) -> CommentQuerySet:
        """Top-level comments a page lists: the visible ones, and unpublished ones that still
        have published replies (shown as a placeholder so those replies keep their place)."""
        published_reply = Comment.objects.filter(
            root=OuterRef("pk"), status=Comment.Status.PUBLISHED
        )
        return self.top_level().filter(self._visible_q(user) | Q(Exists(published_reply)))

    def sorted_by(self, sort: str) -> CommentQuerySet:
        """Top-level order for a thread: the editor's pick first, then the reader's choice."""
        return self.order_by("-is_pinned", *Comment.SORTS.get(sort, Comment.SORTS["best"]))

    def with_author(self) -> CommentQuerySet:
        # `remote`: where a comment from the fediverse came from (federation.RemoteComment).
        return self.select_related("author", "reply_to__author", "remote")

    def awaiting_decision(self) -> CommentQuerySet:
        """Work still to do for a moderator: the newsroom's honest queue.

        A comment needs a person when it is held or hidden, reported or flagged suspect while
        published, or caught as spam by screening, unless a moderator has decided on it since
        its latest report and its author's latest review request. Comments their authors
        deleted need nobody. Pins are not decisions about a comment's text.
        """
        Status = Comment.Status
        Action = ModerationAction.Action
        not_decisions = [Action.REVIEW_REQUESTED, Action.AUTO_HELD, Action.PINNED, Action.UNPINNED]
        decisions = (
            ModerationAction.objects.filter(
                comment=OuterRef("pk"), is_automated=False, moderator__isnull=False
            )
            .exclude(action__in=not_decisions)
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        reports = (
            CommentReport.objects.filter(comment=OuterRef("pk"))
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        needs_a_person = Q(status__in=[Status.PENDING, Status.HIDDEN, Status.SPAM]) | Q(
            Q(report_count__gt=0) | Q(is_suspect=True), status=Status.PUBLISHED
        )
        return (
            self.filter(needs_a_person, deleted_at__isnull=True)
            .annotate(last_decision_at=Subquery(decisions), last_report_at=Subquery(reports))
            .filter(
                Q(last_decision_at__isnull=True)
                | Q(last_report_at__gt=F("last_decision_at"))
                | Q(review_requested_at__gt=F("last_decision_at"))
            )
        )

    def pending_review(self) -> CommentQuerySet:
        """The moderation queue: held by a rule, hidden by reports, or a review requested."""
        return self.filter(status__in=[Comment.Status.PENDING, Comment.Status.HIDDEN])


class Comment(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", gettext_lazy("Published")
        PENDING = "pending", gettext_lazy("Awaiting moderation")
        HIDDEN = "hidden", gettext_lazy("Hidden")
        SPAM = "spam", gettext_lazy("Spam")
        REMOVED = "removed", gettext_lazy("Removed")

    AUTHOR_VISIBLE_STATUSES = (Status.PENDING, Status.HIDDEN)
    SORTS = {
        "best": ("-like_count", "-created_at", "-id"),
        "newest": ("-created_at", "-id"),
        "oldest": ("created_at", "id"),
    }

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text=gettext_lazy("Empty once the author has deleted their account."),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The top-level comment of the thread (empty for top-level comments), so one query fetches
    # every reply on a page of threads however deep they nest.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+", editable=False
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The comment actually answered, when the depth cap attached the reply higher up.
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    body = models.TextField(help_text=gettext_lazy("Markdown source, as the reader wrote it."))
    body_html = models.TextField(
        blank=True, editable=False, help_text=gettext_lazy("Rendered from body on save.")
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    moderation_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text=gettext_lazy("Shown to the author when their comment is held or hidden."),
    )
    review_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("When the author asked a moderator to look again."),
    )
    is_pinned = models.BooleanField(
        default=False, help_text=gettext_lazy("Editor's pick: shown first in the discussion.")
    )
    is_suspect = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "Published, but automatic screening flagged it for a moderator to check."
        ),
    )
    screening_score = models.FloatField(
        null=True,
        blank=True,
        editable=False,
        help_text=gettext_lazy(
            "The highest score automatic scorers gave it (0 to 1); empty if none ran."
        ),
    )
    screening_notes = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text=gettext_lazy(
            "What automatic screening found (watched words, scores): for moderators."
        ),
    )
    like_count = models.PositiveIntegerField(default=0, editable=False)
    report_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=gettext_lazy("When the author deleted it.")
    )
    # Set once reply/follow e-mails are queued, so publishing twice never mails twice.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    # A token from the form: a double click or a re-POST of the same form creates one comment.
    client_token = models.CharField(max_length=64, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["article", "parent", "status", "created_at"], name="comment_thread_idx"
            ),
            models.Index(fields=["status", "-created_at"], name="comment_status_idx"),
            # A signed-in page asks whether its reader has held comments on the article: one
            # probe, however many comments they have written elsewhere.
            models.Index(fields=["author", "article", "status"], name="comment_author_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=~Q(client_token=""),
                name="comment_unique_client_token",
            ),
        ]
        permissions = [("moderate_comment", "Can moderate comments")]

    def __str__(self) -> str:
        # Read in the admin's titles, breadcrumbs and history: the article and the public name,
        # never an address.
        return gettext("Comment by %(author)s on “%(article)s”") % {
            "author": self.author_name,
            "article": Truncator(self.article.title).chars(60),
        }

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_comment_markdown(self.body) if self.body else ""
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def anchor(self) -> str:
        return f"c{self.pk}"

    @property
    def thread_id(self) -> int:
        return self.root_id or self.pk

    @property
    def author_name(self) -> str:
        return self.author.public_name if self.author_id else "deleted user"

    @property
    def answered(self) -> Comment | None:
        """The comment this one answers (its parent, unless the depth cap moved it up)."""
        return self.reply_to if self.reply_to_id else self.parent

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def is_visible_to(self, user) -> bool:
        """The Python twin of CommentQuerySet.visible_to, for comments already fetched."""
        if self.is_published:
            return True
        return bool(
            user is not None
            and user.is_authenticated
            and self.author_id == user.pk
            and self.status in self.AUTHOR_VISIBLE_STATUSES
        )

    @property
    def is_counted(self) -> bool:
        """Whether Article.comment_count includes this comment."""
        return self.is_published and not self.is_deleted


class CommentRevision(models.Model):
    """An earlier body of an edited or deleted comment, kept for moderators."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    created_at = models.DateTimeField(
        default=timezone.now, help_text=gettext_lazy("When this version was replaced.")
    )

    class Meta:
        ordering = ["comment", "-created_at"]

    def __str__(self) -> str:
        return f"Revision of comment {self.comment_id} at {self.created_at:%Y-%m-%d %H:%M}"


class CommentLike(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_likes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="comment_like_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes comment {self.comment_id}"


class CommentReport(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", gettext_lazy("Spam or advertising")
        ABUSE = "abuse", gettext_lazy("Abusive or hateful")
        OFF_TOPIC = "off_topic", gettext_lazy("Off topic")
        MISINFORMATION = "misinformation", gettext_lazy("False or misleading")
        OTHER = "other", gettext_lazy("Something else")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reports"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="comment_report_once")
        ]

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id}: {self.get_reason_display()}"


class ModerationAction(models.Model):
    """What happened to a comment, who did it and why: the history moderators read."""

    class Action(models.TextChoices):
        PUBLISHED = "published", gettext_lazy("Published")
        PENDING = "pending", gettext_lazy("Held for moderation")
        HIDDEN = "hidden", gettext_lazy("Hidden")
        SPAM = "spam", gettext_lazy("Marked as spam")
        REMOVED = "removed", gettext_lazy("Removed")
        PINNED = "pinned", gettext_lazy("Pinned as editor's pick")
        UNPINNED = "unpinned", gettext_lazy("Unpinned")
        AUTO_HELD = "auto_held", gettext_lazy("Held automatically")
        FLAGGED = "flagged", gettext_lazy("Flagged as suspect")
        CENSORED = "censored", gettext_lazy("Published with words masked")
        REVIEW_REQUESTED = "review_requested", gettext_lazy("Author requested a review")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="moderation_actions"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_actions",
        help_text=gettext_lazy("Empty when the site or the author did it."),
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    note = models.CharField(max_length=300, blank=True)
    is_automated = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "Taken by a rule or a scorer, not a person (statements of reasons say so)."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} on comment {self.comment_id}"


class ScorerFallback(models.TextChoices):
    PUBLISH = "publish", gettext_lazy("Publish it")
    HOLD = "hold", gettext_lazy("Hold it for a moderator")


class ModerationSettings(models.Model):
    """One row of site-wide comment rules, editable in the admin."""

    first_comment_held = models.BooleanField(
        default=True,
        help_text=gettext_lazy("Hold a reader's first comment until a moderator publishes it."),
    )
    report_threshold = models.PositiveIntegerField(
        default=3,
        help_text=gettext_lazy("Hide a comment for review after this many reader reports."),
    )
    auto_close_after_days = models.PositiveIntegerField(
        default=30,
        help_text=gettext_lazy(
            "Close comments this many days after an article is published (0: never)."
        ),
    )
    max_links = models.PositiveIntegerField(
        default=3, help_text=gettext_lazy("Refuse comments with more links than this.")
    )
    edit_window_minutes = models.PositiveIntegerField(
        default=15, help_text=gettext_lazy("Authors may edit their comment for this many minutes.")
    )
    user_rate_limit = models.PositiveIntegerField(
        default=5, help_text=gettext_lazy("Comments one reader may post per rate-limit window.")
    )
    ip_rate_limit = models.PositiveIntegerField(
        default=20,
        help_text=gettext_lazy("Comments one network address may post per rate-limit window."),
    )
    rate_limit_window_seconds = models.PositiveIntegerField(
        default=600, help_text=gettext_lazy("Length of the rate-limit window, in seconds.")
    )
    trusted_after_comments = models.PositiveIntegerField(
        default=5,
        help_text=gettext_lazy(
            "A reader becomes trusted after this many approved comments: trusted "
            "readers skip the first-comment and link holds."
        ),
    )
    rejection_limit = models.PositiveIntegerField(
        default=2,
        help_text=gettext_lazy(
            "Hold a reader's comments when this many of their recent comments were "
            "rejected (removed, hidden or marked as spam by a moderator); 0: never."
        ),
    )
    rejection_window_comments = models.PositiveIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text=gettext_lazy("How many of the reader's latest decided comments count as recent."),
    )
    rejection_window_days = models.PositiveIntegerField(
        default=7,
        validators=[MinValueValidator(1)],
        help_text=gettext_lazy("Only comments from this many past days count as recent."),
    )
    scorer_url = models.URLField(
        blank=True,
        help_text=gettext_lazy(
            "Address of an automatic scoring service (leave empty for none). Each new "
            "or edited comment is sent to it, signed with the shared secret."
        ),
    )
    scorer_secret = models.CharField(
        max_length=200,
        blank=True,
        help_text=gettext_lazy(
            "Shared secret for the HMAC-SHA256 signature (X-Newsite-Signature header)."
        ),
    )
    scorer_threshold = models.FloatField(
        default=0.8,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=gettext_lazy(
            "Hold a comment for a moderator when a scorer gives it more than this (0 to 1)."
        ),
    )
    scorer_timeout_ms = models.PositiveIntegerField(
        default=1500,
        validators=[MinValueValidator(50), MaxValueValidator(10_000)],
        help_text=gettext_lazy(
            "How long to wait for the scoring service, in milliseconds (50 to 10,000)."
        ),
    )
    scorer_fallback = models.CharField(
        max_length=10,
        choices=ScorerFallback.choices,
        default=ScorerFallback.PUBLISH,
        help_text=gettext_lazy("What happens to a comment when a scorer times out or fails."),
    )

    class Meta:
        verbose_name = gettext_lazy("moderation settings")
        verbose_name_plural = gettext_lazy("moderation settings")

    def __str__(self) -> str:
        return "Moderation settings"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> ModerationSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class WatchedWord(models.Model):
    """A word, phrase or pattern that screening acts on before a comment is published.

    Matching sees through letter case, accents, zero-width characters and look-alike letters
    (comments/screening.py says how); patterns are checked when saved, and run under a time
    budget, so a slow one cannot stall posting.
    """

    class Action(models.TextChoices):
        BLOCK = "block", gettext_lazy("Block: refuse the comment")
        HOLD = "hold", gettext_lazy("Hold for a moderator")
        FLAG = "flag", gettext_lazy("Flag: publish, and mark it suspect in the queue")
        CENSOR = "censor", gettext_lazy("Censor: publish with the match masked")

    pattern = models.CharField(
        max_length=200,
        unique=True,
        help_text=gettext_lazy(
            "A word or phrase (matched as whole words, in any letter case), or a regular "
            "expression if the box below is ticked. Regular expressions see the comment in lower "
            "case, without accents, with look-alike letters (Cyrillic, Greek) as Latin ones."
        ),
    )
    is_regex = models.BooleanField(
        gettext_lazy("regular expression"),
        default=False,
        help_text=gettext_lazy(
            "Treat the pattern as a regular expression rather than a plain phrase."
        ),
    )
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.BLOCK)
    reason = models.CharField(
        max_length=200,
        blank=True,
        help_text=gettext_lazy(
            "What the author is told when this refuses or holds their comment (optional; "
            "a plain default is used otherwise). Never quote the pattern here."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pattern"]

    def __str__(self) -> str:
        return f"/{self.pattern}/" if self.is_regex else self.pattern

    def save(self, *args, **kwargs) -> None:
        if not self.is_regex:
            self.pattern = " ".join(self.pattern.split()).lower()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from .screening import pattern_problem

        if not self.is_regex:
            self.pattern = " ".join(self.pattern.split())
        if problem := pattern_problem(self.pattern, is_regex=self.is_regex):
            raise ValidationError({"pattern": problem})


class TrustChange(models.Model):
    """A moderator setting a reader's trust by hand; the latest row is the one in force."""

    class Level(models.TextChoices):
        AUTO = "auto", gettext_lazy("Automatic (earned by approved comments)")
        TRUSTED = "trusted", gettext_lazy("Trusted: skips the first-comment and link holds")
        UNTRUSTED = "untrusted", gettext_lazy("Untrusted: every comment is held for a moderator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trust_changes"
    )
    level = models.CharField(max_length=10, choices=Level.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="trust_changes_made",
        help_text=gettext_lazy("Who changed it (empty once their account is deleted)."),
    )
    note = models.CharField(
        max_length=300, help_text=gettext_lazy("Why: kept in the reader's record.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="trustchange_user_idx")]

    def __str__(self) -> str:
        return f"Trust of {self.user_id} set to {self.level}"


class ThreadSubscription(models.Model):
    """A reader following an article's discussion: e-mailed about each new published comment."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_subscriptions"
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="thread_subscriptions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="thread_subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.article_id}"


class Mute(models.Model):
    """A reader muting a commenter, for that reader alone: the commenter's comments are
    collapsed on the reader's pages and never mailed to them. Staff cannot be muted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes"
    )
    muted = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="muted_by",
        help_text=gettext_lazy("The commenter this reader no longer wants to see or hear about."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "muted"], name="mute_once"),
            models.CheckConstraint(condition=~Q(user=models.F("muted")), name="mute_not_self"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="mute_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} muted {self.muted_id}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile") + "#mutes-heading"


class DigestEntry(models.Model):
    """A comment waiting for a reader's daily or weekly digest (comments.digests).

    Which digest it joins is read from the reader's settings when the digest is sent, so a
    changed setting (or an unsubscribe) applies to what is already waiting.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", gettext_lazy("Reply to you")
        FOLLOW = "follow", gettext_lazy("In a discussion you follow")
        STAFF_REPLY = "staff_reply", gettext_lazy("Reply from the newsroom")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_entries"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=11, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "created_at", "id"]
        verbose_name_plural = gettext_lazy("digest entries")
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="digest_entry_once")
        ]
        indexes = [models.Index(fields=["user", "created_at", "id"], name="digest_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id}: {self.comment_id}"

    def get_absolute_url(self) -> str:
        return self.comment.get_absolute_url()
