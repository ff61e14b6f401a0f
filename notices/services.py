"""Every write about notices, decisions, statements of reasons and appeals goes through here:
public views, the admin, the moderation signal and tests alike.

Comment restrictions themselves go through comments.services.comment_set_status, so the
moderation log, the article's comment count and the page cache stay right; a post_save
receiver on ModerationAction (notices/signals.py) then issues the statement of reasons.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from comments import ratelimit
from comments.models import Comment, ModerationAction
from comments.services import CommentError, comment_set_status
from newsite import pagecache
from newsite.tasks import enqueue_email

from .models import Appeal, Category, Notice, NoticeDecision, StatementOfReasons

Restriction = StatementOfReasons.Restriction
Action = ModerationAction.Action

# Per network address and per sender address, in an hour.
NOTICES_PER_IP = 10
NOTICES_PER_EMAIL = 5
NOTICE_WINDOW = 60 * 60
APPEALS_PER_HOUR = 5

# The moderation log entries that restrict a comment, and how a statement names each.
RESTRICTIONS = {
    Action.PENDING: Restriction.HELD,
    Action.AUTO_HELD: Restriction.HELD,
    Action.HIDDEN: Restriction.HIDDEN,
    Action.SPAM: Restriction.SPAM,
    Action.REMOVED: Restriction.REMOVED,
}
DEFAULT_EXPLANATIONS = {
    Restriction.HELD: "The comment waits for a moderator before it appears.",
    Restriction.HIDDEN: "A moderator hid the comment from readers.",
    Restriction.SPAM: "A moderator judged the comment to be spam or advertising.",
    Restriction.REMOVED: "A moderator removed the comment.",
}
GUIDELINES_GROUND = "The community guidelines"


class NoticeError(Exception):
    """A rule refused the action; str(error) is a message for the person who tried."""

    message = gettext_lazy("This could not be done.")

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.message
        super().__init__(self.message)


class NoticeRateLimited(NoticeError):
    message = gettext_lazy("Too many notices from you in the last hour. Please try again later.")


class NotAllowed(NoticeError):
    message = gettext_lazy("You are not allowed to do this.")


class NoticeClosed(NoticeError):
    message = gettext_lazy("This notice has already been decided or set aside.")


class AppealNotPossible(NoticeError):
    message = gettext_lazy("This decision has already been appealed.")


class SameModerator(NoticeError):
    message = gettext_lazy(
        "You took the original decision, so another moderator must decide this appeal."
    )


# The notice decision being applied, so the statement issued for the moderation log entry it
# causes cites the notice and its legal ground (a context variable: safe across threads).
_deciding: contextvars.ContextVar[NoticeDecision | None] = contextvars.ContextVar(
    "notice_decision", default=None
)


def automation_of(action: ModerationAction) -> tuple[bool, str]:
    """(detected by automated means, how automated the decision was) for a log entry.

    A hold, flag or mask the site made by itself (watched words, scorers, the first-comment,
    report and trust rules) is automated in both; a moderator's decision on text that screening
    had marked was detected automatically but decided by a person.
    """
    decision = StatementOfReasons.AutomatedDecision
    if action.is_automated:
        return True, decision.FULLY
    return bool(action.comment.screening_notes), decision.NOT_AUTOMATED


def author_record_rows(author) -> list[tuple[str, int]]:
    """What a moderator sees of this author's notices and statements beside their record."""
    return [
        ("Notices about their comments", Notice.objects.filter(comment__author=author).count()),
        (
            "Statements of reasons sent to them",
            StatementOfReasons.objects.filter(recipient=author).count(),
        ),
    ]


def can_decide(user) -> bool:
    """Moderators and editors (and superusers) decide notices and appeals."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("notices.add_noticedecision")
    )


def _ensure_can_decide(user) -> None:
    if not can_decide(user):
        raise NotAllowed("Only moderators can decide notices and appeals.")


def _clean(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\x00", "").strip()


def _full_clean(instance, *, exclude: list[str]) -> None:
    """full_clean with the first message raised as a NoticeError the form can show."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        messages = [m for ms in error.message_dict.values() for m in ms]
        raise NoticeError(" ".join(messages)) from error


def _send(template: str, context: dict, *, to: str) -> None:
    """Queue one e-mail (sent by the worker after the commit)."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"notices/email/{template}_subject.txt", context)
    enqueue_email(
        EmailMessage(
            subject=" ".join(subject.split()),
            body=render_to_string(f"notices/email/{template}.txt", context),
            to=[to],
        )
    )


# --- notices ---------------------------------------------------------------------------------


def comment_for_location(url: str) -> Comment | None:
    """The comment a pasted address points at: a comment's permalink, or `#c123` on a page."""
    parts = urlsplit(url or "")
    pk = None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        match = None
    if match is not None and match.view_name == "comments:permalink":
        pk = match.kwargs["pk"]
    elif found := re.fullmatch(r"c(\d{1,12})", parts.fragment):
        pk = int(found.group(1))
    return Comment.objects.filter(pk=pk).first() if pk else None


def _snapshot(comment: Comment) -> tuple[str, str]:
    """The comment's text and address as they are now; a deleted comment's last text."""
    text = comment.body
    if comment.is_deleted or not text:
        last = comment.revisions.order_by("-created_at", "-id").first()
        text = last.body if last else ""
    return text, settings.SITE_URL + comment.get_absolute_url()


def notice_create(
    *,
    ground: str,
    explanation: str,
    location_url: str,
    sender_name: str,
    sender_email: str,
    is_good_faith: bool,
    law: str = "",
    comment: Comment | None = None,
    ip_address: str | None = None,
    client_token: str = "",
) -> Notice:
    """Receive a notice and send its receipt. A repeated client_token returns the first one."""
    client_token = (client_token or "")[:64]
    if client_token:
        existing = Notice.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing
    if not is_good_faith:
        raise NoticeError(
            gettext("Please confirm that the notice is accurate and made in good faith.")
        )
    sender_email = _clean(sender_email)
    if ip_address and not ratelimit.hit(
        f"notice:ip:{ip_address}", limit=NOTICES_PER_IP, window=NOTICE_WINDOW
    ):
        raise NoticeRateLimited()
    # Hashed: any text may arrive here, and cache keys must be plain.
    email_key = hashlib.sha256(sender_email.casefold().encode()).hexdigest()[:32]
    if not ratelimit.hit(
        f"notice:email:{email_key}", limit=NOTICES_PER_EMAIL, window=NOTICE_WINDOW
    ):
        raise NoticeRateLimited()

    location_url = _clean(location_url)
    if comment is None:
        comment = comment_for_location(location_url)
    text, url = _snapshot(comment) if comment is not None else ("", "")
    notice = Notice(
        ground=ground,
        law=_clean(law),
        explanation=_clean(explanation),
        location_url=location_url,
        comment=comment,
        comment_text=text,
        comment_url=url,
        sender_name=_clean(sender_name),
        sender_email=sender_email,
        is_good_faith=True,
        ip_address=ip_address or None,
        client_token=client_token,
    )
    _full_clean(notice, exclude=["comment"])
    try:
        with transaction.atomic():
            notice.save()
            _send("receipt", {"notice": notice}, to=notice.sender_email)
    except IntegrityError:
        existing = Notice.objects.filter(client_token=client_token).first()
        if client_token and existing is not None:
            return existing
        raise
    return notice


def notice_start_review(*, notice: Notice, moderator) -> Notice:
    """A moderator takes a received notice off the pile."""
    _ensure_can_decide(moderator)
    Notice.objects.filter(pk=notice.pk, state=Notice.State.RECEIVED).update(
        state=Notice.State.UNDER_REVIEW, review_started_at=timezone.now()
    )
    notice.refresh_from_db(fields=["state", "review_started_at"])
    if not notice.is_open:
        raise NoticeClosed()
    return notice


def notice_decide(
    *, notice: Notice, moderator, outcome: str, ground: str = "", explanation: str
) -> NoticeDecision:
    """Record the decision, restrict the comment if it is illegal or breaks the guidelines,
    and tell the sender. The comment's author gets a statement of reasons (signals.py)."""
    _ensure_can_decide(moderator)
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if not locked.is_open:
            raise NoticeClosed()
        decision = NoticeDecision(
            notice=locked,
            outcome=outcome,
            ground=_clean(ground),
            explanation=_clean(explanation),
            decided_by=moderator,
        )
        _full_clean(decision, exclude=["notice", "decided_by"])
        decision.save()
        locked.state = Notice.State.DECIDED
        locked.decided_at = decision.decided_at
        locked.review_started_at = locked.review_started_at or decision.decided_at
        locked.save(update_fields=["state", "decided_at", "review_started_at"])
        comment = Comment.objects.filter(pk=locked.comment_id).first()
        restricted = False
        if decision.restricts and comment is not None:
            restricted = comment.status not in (Comment.Status.REMOVED, Comment.Status.SPAM)
            if restricted:
                token = _deciding.set(decision)
                try:
                    comment_set_status(
                        comment=comment,
                        status=Comment.Status.REMOVED,
                        moderator=moderator,
                        note=f"Notice {locked.reference}: {decision.get_outcome_display()}",
                    )
                except CommentError as error:  # e.g. no right to moderate comments
                    raise NoticeError(error.message) from error
                finally:
                    _deciding.reset(token)
        _send(
            "outcome",
            {"notice": locked, "decision": decision, "comment_gone": comment is None},
            to=locked.sender_email,
        )
    for field in ("state", "decided_at", "review_started_at"):
        setattr(notice, field, getattr(locked, field))
    return decision


def notice_void(
    *, notices: Iterable[Notice], moderator, reason: str = "Spam or abuse of the notice form."
) -> int:
    """Set aside open notices that are not real ones (spam, abuse); returns how many."""
    _ensure_can_decide(moderator)
    voided = Notice.objects.filter(
        pk__in=[n.pk for n in notices], state__in=Notice.OPEN_STATES
    ).update(state=Notice.State.VOID, void_reason=reason[:300], decided_at=timezone.now())
    pagecache.invalidate(pagecache.NOTICES)  # an update() sends no post_save
    return voided


# --- statements of reasons -------------------------------------------------------------------


def statement_issue_for_action(*, action: ModerationAction) -> StatementOfReasons | None:
    """The statement of reasons for a moderation log entry that restricts a comment, mailed
    to its author once the transaction commits; None for entries that restrict nothing."""
    restriction = RESTRICTIONS.get(action.action)
    if restriction is None or StatementOfReasons.objects.filter(moderation_action=action).exists():
        return None
    comment = Comment.objects.select_related("article", "author").get(pk=action.comment_id)
    detected, decided = automation_of(action)
    text, url = _snapshot(comment)
    grounds = StatementOfReasons.DecisionGround
    decision = _deciding.get()
    if decision is not None and decision.notice.comment_id == comment.pk:
        notice = decision.notice
        illegal = decision.is_illegal
        fields = {
            "notice": notice,
            "source_type": StatementOfReasons.SourceType.ARTICLE_16,
            "decision_ground": grounds.ILLEGAL if illegal else grounds.INCOMPATIBLE,
            "legal_ground": decision.ground if illegal else "",
            "terms_ground": "" if illegal else f"{GUIDELINES_GROUND}: {decision.ground}",
            "explanation": decision.explanation[:2000],
            "facts": (
                f"A notice received on {date_format(timezone.localtime(notice.received_at))} "
                f"said this comment is unlawful ({notice.get_ground_display().lower()}). "
                "A moderator read the "
                f"comment and the notice and decided: {decision.get_outcome_display()}."
            ),
            "category": notice.category if illegal else Category.TERMS,
            "decided_by": decision.decided_by,
        }
    else:
        if detected:
            facts = f"Our automatic rules held the comment when it was posted: {action.note}"
        else:
            facts = (
                f"A moderator read the comment and decided: {action.get_action_display().lower()}."
            )
        fields = {
            "source_type": StatementOfReasons.SourceType.VOLUNTARY,
            "decision_ground": grounds.INCOMPATIBLE,
            "terms_ground": GUIDELINES_GROUND,
            "explanation": action.note or DEFAULT_EXPLANATIONS[restriction],
            "facts": facts,
            "category": Category.TERMS,
            "decided_by": action.moderator,
        }
    statement = StatementOfReasons(
        comment=comment,
        recipient=comment.author,
        moderation_action=action,
        restriction=restriction,
        comment_excerpt=text,
        comment_url=url,
        is_automated_detection=detected,
        automated_decision=decided,
        content_date=comment.created_at,
        **fields,
    )
    statement.full_clean(
        exclude=["comment", "recipient", "moderation_action", "notice", "decided_by"]
    )
    statement.save()
    author = comment.author
    if author is not None and author.email and author.is_active:
        _send(
            "statement",
            {"statement": statement, "article": comment.article, "recipient": author},
            to=author.email,
        )
    return statement


# --- appeals ---------------------------------------------------------------------------------


def can_appeal(statement: StatementOfReasons, user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and statement.recipient_id == user.pk
        and not Appeal.objects.filter(statement=statement).exists()
    )


def appeal_create(*, statement: StatementOfReasons, author, reason: str) -> Appeal:
    """The author contests a statement, once."""
    if author is None or not author.is_authenticated or statement.recipient_id != author.pk:
        raise NotAllowed("Only the comment's author can appeal this decision.")
    if Appeal.objects.filter(statement=statement).exists():
        raise AppealNotPossible()
    if not ratelimit.hit(f"appeal:{author.pk}", limit=APPEALS_PER_HOUR, window=60 * 60):
        raise NoticeRateLimited("Too many appeals in the last hour. Please try again later.")
    appeal = Appeal(statement=statement, reason=_clean(reason))
    _full_clean(appeal, exclude=["statement"])
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError:
        raise AppealNotPossible() from None
    return appeal


def appeal_decide(*, appeal: Appeal, moderator, outcome: str, note: str = "") -> Appeal:
    """Decide an appeal, by someone other than the first moderator; reversing publishes the
    comment again. The author is told either way."""
    _ensure_can_decide(moderator)
    with transaction.atomic():
        locked = (
            # Lock the appeal row only: PostgreSQL cannot lock the nullable side of the joins.
            Appeal.objects.select_for_update(of=("self",))
            .select_related("statement__recipient", "statement__comment")
            .get(pk=appeal.pk)
        )
        if locked.is_decided:
            raise AppealNotPossible("This appeal has already been decided.")
        statement = locked.statement
        if statement.decided_by_id is not None and statement.decided_by_id == moderator.pk:
            raise SameModerator()
        if outcome not in Appeal.Outcome.values:
            raise NoticeError(gettext("Choose whether the decision stands or is reversed."))
        locked.outcome = outcome
        locked.decision_note = _clean(note)
        locked.decided_by = moderator
        locked.decided_at = timezone.now()
        _full_clean(locked, exclude=["statement", "decided_by"])
        locked.save()
        comment = statement.comment
        if (
            outcome == Appeal.Outcome.REVERSED
            and comment is not None
            and comment.status != Comment.Status.PUBLISHED
        ):
            try:
                comment_set_status(
                    comment=comment,
                    status=Comment.Status.PUBLISHED,
                    moderator=moderator,
                    note=f"Appeal against statement {statement.puid} reversed the decision.",
                )
            except CommentError as error:
                raise NoticeError(error.message) from error
        recipient = statement.recipient
        if recipient is not None and recipient.email and recipient.is_active:
            _send(
                "appeal_outcome",
                {"appeal": locked, "statement": statement, "recipient": recipient},
                to=recipient.email,
            )
    for field in ("outcome", "decision_note", "decided_by", "decided_at"):
        setattr(appeal, field, getattr(locked, field))
    return appeal


def statement_url(statement: StatementOfReasons) -> str:
    return settings.SITE_URL + reverse("notices:statement", kwargs={"puid": statement.puid})
