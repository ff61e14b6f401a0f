"""EU Digital Services Act, articles 16, 17 and 20: notices of illegal content, the decisions
taken on them, the statements of reasons sent to authors, and their one internal appeal.

Decisions and statements are a record the site may have to show a regulator or a court: they
can be added to, never changed or deleted (AppendOnlyModel). Writes go through
notices/services.py.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from newsite.markdown import ARTICLE_TAGS, render_markdown

MAX_EXPLANATION = 5_000
# Unambiguous capitals and digits: a reference read out over the phone survives.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class AppendOnlyError(Exception):
    """Someone tried to change or delete part of the decision record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be changed.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be changed.")


class AppendOnlyModel(models.Model):
    """Rows are written once. Saving an existing row or deleting one raises AppendOnlyError.

    Account deletion still empties `*_by` links (SET_NULL runs below the ORM's update()), so
    the record keeps no personal data it no longer needs.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} {self.pk} cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} {self.pk} cannot be deleted.")


def new_reference() -> str:
    """A notice's reference: the year and eight random characters (not guessable, unlike a
    sequence, so the receipt page only opens for whoever holds it)."""
    token = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"N-{timezone.now():%Y}-{token}"


class Category(models.TextChoices):
    """The Transparency Database's statement categories this site uses (its `category`)."""

    ILLEGAL_OR_HARMFUL_SPEECH = (
        "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        gettext_lazy("Illegal speech"),
    )
    DATA_PROTECTION = (
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        gettext_lazy("Data protection and privacy"),
    )
    INTELLECTUAL_PROPERTY = (
        "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        gettext_lazy("Intellectual property"),
    )
    SCAMS_AND_FRAUD = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", gettext_lazy("Scams and fraud")
    VIOLENCE = "STATEMENT_CATEGORY_VIOLENCE", gettext_lazy("Violence")
    PUBLIC_SECURITY = (
        "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        gettext_lazy("Risk for public security"),
    )
    MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", gettext_lazy("Protection of minors")
    NOT_SPECIFIED = (
        "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
        gettext_lazy("Not specified by the notifier"),
    )
    TERMS = (
        "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        gettext_lazy("Breach of the community guidelines"),
    )


class NoticeQuerySet(models.QuerySet):
    def open(self) -> NoticeQuerySet:
        """What the notice queue still has to decide."""
        return self.filter(state__in=Notice.OPEN_STATES)


class Notice(models.Model):
    """Someone, signed in or not, tells us a comment is illegal (DSA article 16)."""

    class State(models.TextChoices):
        RECEIVED = "received", gettext_lazy("Received")
        UNDER_REVIEW = "under_review", gettext_lazy("Under review")
        DECIDED = "decided", gettext_lazy("Decided")
        VOID = "void", gettext_lazy("Withdrawn or void")

    class Ground(models.TextChoices):
        HATE = "hate", gettext_lazy("Hate speech or incitement to hatred")
        DEFAMATION = "defamation", gettext_lazy("Defamation or insult")
        PRIVACY = "privacy", gettext_lazy("Privacy or personal data")
        COPYRIGHT = "copyright", gettext_lazy("Copyright or other intellectual property")
        SCAM = "scam", gettext_lazy("Scam or fraud")
        VIOLENCE = "violence", gettext_lazy("Threats or incitement to violence")
        TERRORISM = "terrorism", gettext_lazy("Terrorist content")
        MINORS = "minors", gettext_lazy("Harm to children")
        OTHER = "other", gettext_lazy("Another law (name it below)")

    CATEGORIES = {
        Ground.HATE: Category.ILLEGAL_OR_HARMFUL_SPEECH,
        Ground.DEFAMATION: Category.ILLEGAL_OR_HARMFUL_SPEECH,
        Ground.PRIVACY: Category.DATA_PROTECTION,
        Ground.COPYRIGHT: Category.INTELLECTUAL_PROPERTY,
        Ground.SCAM: Category.SCAMS_AND_FRAUD,
        Ground.VIOLENCE: Category.VIOLENCE,
        Ground.TERRORISM: Category.PUBLIC_SECURITY,
        Ground.MINORS: Category.MINORS,
        Ground.OTHER: Category.NOT_SPECIFIED,
    }
    OPEN_STATES = (State.RECEIVED, State.UNDER_REVIEW)

    reference = models.CharField(max_length=20, unique=True, default=new_reference, editable=False)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    ground = models.CharField(
        max_length=20,
        choices=Ground.choices,
        help_text=gettext_lazy("The kind of law the sender says is broken."),
    )
    law = models.CharField(
        max_length=300,
        blank=True,
        help_text=gettext_lazy("The law or provision the sender names, if any."),
    )
    explanation = models.TextField(
        max_length=MAX_EXPLANATION,
        validators=[MaxLengthValidator(MAX_EXPLANATION)],
        help_text=gettext_lazy("Why the sender thinks the comment is illegal."),
    )
    location_url = models.URLField(max_length=500, help_text=gettext_lazy("Where the content is."))
    comment = models.ForeignKey(
        "comments.Comment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
        help_text=gettext_lazy(
            "Empty if the comment has since been deleted; the snapshot below remains."
        ),
    )
    comment_text = models.TextField(
        blank=True,
        editable=False,
        help_text=gettext_lazy("The comment's text when the notice arrived."),
    )
    comment_url = models.CharField(max_length=500, blank=True, editable=False)
    sender_name = models.CharField(max_length=150)
    sender_email = models.EmailField(max_length=254)
    is_good_faith = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "The sender confirmed the notice is accurate and made in good faith."
        ),
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    review_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    void_reason = models.CharField(max_length=300, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    # From the form: a double submit of the same form makes one notice.
    client_token = models.CharField(max_length=64, blank=True, editable=False)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "-received_at"], name="notice_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["client_token"],
                condition=~models.Q(client_token=""),
                name="notice_unique_client_token",
            ),
        ]

    def __str__(self) -> str:
        return f"Notice {self.reference}"

    def get_absolute_url(self) -> str:
        return reverse("notices:receipt", kwargs={"reference": self.reference})

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def category(self) -> str:
        return self.CATEGORIES.get(self.ground, Category.NOT_SPECIFIED)


class NoticeDecision(AppendOnlyModel):
    """A moderator's decision on a notice. A later decision is a new row, never an edit."""

    class Outcome(models.TextChoices):
        ILLEGAL = "illegal", gettext_lazy("Illegal: remove the comment")
        INCOMPATIBLE = (
            "incompatible",
            gettext_lazy("Breaks the community guidelines: remove the comment"),
        )
        NO_ACTION = (
            "no_action",
            gettext_lazy("Neither illegal nor against the guidelines: no action"),
        )

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    ground = models.CharField(
        max_length=300,
        blank=True,
        help_text=gettext_lazy(
            "The law (e.g. a section of the criminal code) or the guideline relied on. "
            "Required unless no action is taken."
        ),
    )
    explanation = models.TextField(
        max_length=MAX_EXPLANATION,
        validators=[MaxLengthValidator(MAX_EXPLANATION)],
        help_text=gettext_lazy(
            "Why: the facts and how the law or guideline applies. Sent to the notice's "
            "sender and, if the comment is removed, to its author."
        ),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notice_decisions",
        editable=False,
    )
    decided_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"Decision on {self.notice_id}: {self.get_outcome_display()}"

    def clean(self) -> None:
        if self.outcome != self.Outcome.NO_ACTION and not self.ground.strip():
            raise ValidationError({"ground": "Name the law or guideline the decision relies on."})

    @property
    def is_illegal(self) -> bool:
        return self.outcome == self.Outcome.ILLEGAL

    @property
    def restricts(self) -> bool:
        return self.outcome != self.Outcome.NO_ACTION


class StatementQuerySet(AppendOnlyQuerySet):
    def for_recipient(self, user) -> StatementQuerySet:
        return self.filter(recipient=user).order_by("-created_at", "-id")

    def for_export(self) -> StatementQuerySet:
        return self.order_by("created_at", "id")


class StatementOfReasons(AppendOnlyModel):
    """What an author is told when their comment is restricted (DSA article 17), and what the
    Transparency Database export is made from."""

    class Restriction(models.TextChoices):
        REMOVED = "removed", gettext_lazy("Removed")
        SPAM = "spam", gettext_lazy("Removed as spam")
        HIDDEN = "hidden", gettext_lazy("Hidden from readers")
        HELD = "held", gettext_lazy("Held for review before it appears")

    class DecisionGround(models.TextChoices):
        ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT", gettext_lazy("Illegal content")
        INCOMPATIBLE = (
            "DECISION_GROUND_INCOMPATIBLE_CONTENT",
            gettext_lazy("Content incompatible with the community guidelines"),
        )

    class AutomatedDecision(models.TextChoices):
        FULLY = "AUTOMATED_DECISION_FULLY", gettext_lazy("Fully automated")
        PARTIALLY = "AUTOMATED_DECISION_PARTIALLY", gettext_lazy("Partially automated")
        NOT_AUTOMATED = "AUTOMATED_DECISION_NOT_AUTOMATED", gettext_lazy("Not automated")

    class SourceType(models.TextChoices):
        ARTICLE_16 = "SOURCE_ARTICLE_16", gettext_lazy("A notice (DSA article 16)")
        VOLUNTARY = "SOURCE_VOLUNTARY", gettext_lazy("Our own initiative")

    # Transparency Database `decision_visibility` for each restriction.
    VISIBILITY = {
        Restriction.REMOVED: "DECISION_VISIBILITY_CONTENT_REMOVED",
        Restriction.SPAM: "DECISION_VISIBILITY_CONTENT_REMOVED",
        Restriction.HIDDEN: "DECISION_VISIBILITY_CONTENT_DISABLED",
        Restriction.HELD: "DECISION_VISIBILITY_CONTENT_DISABLED",
    }

    puid = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=gettext_lazy("The statement's stable identifier; names no one."),
    )
    comment = models.ForeignKey(
        "comments.Comment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements_of_reasons",
        help_text=gettext_lazy("The comment's author."),
    )
    moderation_action = models.OneToOneField(
        "comments.ModerationAction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statement",
        help_text=gettext_lazy("The moderation log entry this statement explains."),
    )
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    restriction = models.CharField(max_length=10, choices=Restriction.choices)
    scope = models.CharField(
        max_length=300,
        default="This comment only, for readers everywhere. Your account is not restricted.",
    )
    comment_excerpt = models.TextField(
        blank=True, help_text=gettext_lazy("The comment's text at the time.")
    )
    comment_url = models.CharField(max_length=500, blank=True)
    decision_ground = models.CharField(max_length=40, choices=DecisionGround.choices)
    legal_ground = models.CharField(max_length=500, blank=True)
    terms_ground = models.CharField(max_length=500, blank=True)
    # The Transparency Database's limits (StatementStoreRequest).
    explanation = models.TextField(max_length=2_000, validators=[MaxLengthValidator(2_000)])
    facts = models.TextField(
        max_length=MAX_EXPLANATION,
        validators=[MaxLengthValidator(MAX_EXPLANATION)],
        help_text=gettext_lazy("The facts relied on."),
    )
    category = models.CharField(max_length=80, choices=Category.choices)
    is_automated_detection = models.BooleanField(default=False)
    automated_decision = models.CharField(
        max_length=40, choices=AutomatedDecision.choices, default=AutomatedDecision.NOT_AUTOMATED
    )
    source_type = models.CharField(max_length=20, choices=SourceType.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy("The moderator who decided; an appeal goes to someone else."),
    )
    content_date = models.DateTimeField(help_text=gettext_lazy("When the comment was posted."))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("statement of reasons")
        verbose_name_plural = gettext_lazy("statements of reasons")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Statement {self.puid}"

    def get_absolute_url(self) -> str:
        return reverse("notices:statement", kwargs={"puid": self.puid})

    @property
    def is_illegal_ground(self) -> bool:
        return self.decision_ground == self.DecisionGround.ILLEGAL

    @property
    def decision_visibility(self) -> str:
        return self.VISIBILITY[self.restriction]


class Appeal(models.Model):
    """The author's one internal complaint against a statement (DSA article 20).

    Decided once, by a moderator other than the one who took the first decision; a decided
    appeal cannot be changed.
    """

    class Outcome(models.TextChoices):
        UPHELD = "upheld", gettext_lazy("Upheld: the decision stands")
        REVERSED = "reversed", gettext_lazy("Reversed: the comment is published again")

    statement = models.OneToOneField(
        StatementOfReasons, on_delete=models.PROTECT, related_name="appeal"
    )
    reason = models.TextField(
        max_length=MAX_EXPLANATION, validators=[MaxLengthValidator(MAX_EXPLANATION)]
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    decision_note = models.TextField(
        max_length=2_000,
        validators=[MaxLengthValidator(2_000)],
        blank=True,
        help_text=gettext_lazy("Sent to the author with the outcome."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Appeal against {self.statement_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk and type(self).objects.filter(pk=self.pk, decided_at__isnull=False).exists():
            raise AppendOnlyError(f"Appeal {self.pk} is decided and cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.statement.get_absolute_url()

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"Appeal {self.pk} cannot be deleted.")

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


# What the guidelines say until editors rewrite them in the admin.
STARTING_GUIDELINES = """\
These rules apply to every comment on this site. Moderators hold, hide or remove comments
that break them, and tell the author why. You can appeal any decision once.

1. **Be civil.** No personal attacks, insults or harassment of other readers, journalists or
   the people in the story.
2. **No hate.** Nothing that attacks people for their ethnicity, nationality, religion,
   gender, sexual orientation, disability or age.
3. **Nothing illegal.** No threats, incitement to violence, defamation, or other content
   that breaks the law. Anyone can report illegal content with the "Report illegal content"
   link under each comment.
4. **Respect privacy.** Do not post other people's personal data.
5. **No spam.** No advertising, repeated posts or links posted for their own sake.
6. **Stay on topic.** Comments should be about the story.
"""


class CommunityGuidelines(models.Model):
    """The one page of rules readers agree to; statements on terms grounds cite it."""

    title = models.CharField(max_length=200, default="Community guidelines")
    body = models.TextField(
        help_text=gettext_lazy(
            "Markdown: ## headings, lists, **bold**, [links](https://…). Number the "
            "rules so moderators and statements can cite them."
        )
    )
    body_html = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("community guidelines")
        verbose_name_plural = gettext_lazy("community guidelines")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        self.body_html = render_markdown(self.body, tags=ARTICLE_TAGS)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("notices:guidelines")

    @classmethod
    def current(cls) -> CommunityGuidelines:
        """The guidelines, written from STARTING_GUIDELINES the first time they are asked for."""
        guidelines, _ = cls.objects.get_or_create(pk=1, defaults={"body": STARTING_GUIDELINES})
        return guidelines
