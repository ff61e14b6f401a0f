"""Reply, follow, staff-reply and editors'-pick e-mails, sent by the task worker after the
comment's transaction commits.

Replies, follows and staff replies each obey the reader's MailFrequency for that kind: mailed
at once, queued as a DigestEntry for their daily or weekly digest (comments.digests), or not at
all. Nobody hears about a commenter they muted (comments.mutes).

A broken SMTP server never fails or slows a reader's post: the request only queues a task.
Each message carries a signed one-click unsubscribe link that only works for its recipient.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from accounts.models import MailFrequency
from newsite.tasks import enqueue_email

from .models import Comment, DigestEntry, ThreadSubscription
from .mutes import muting_user_ids

UNSUBSCRIBE_SALT = "comments.unsubscribe"
KIND_REPLY = "reply"
KIND_FOLLOW = "follow"
KIND_STAFF_REPLY = "staff_reply"
KIND_PICK = "pick"
# A digest's own link turns off every kind that digest gathers ("f": its frequency).
KIND_DIGEST = "digest"
# The user's setting each kind of e-mail obeys, which its one-click unsubscribe turns off.
# Following has its setting too, but a follow mail's link ends that one subscription; a
# digest's follow link (no article) turns the setting off.
PREFERENCES = {
    KIND_REPLY: "reply_mail",
    KIND_STAFF_REPLY: "staff_reply_mail",
    KIND_FOLLOW: "followed_mail",
    KIND_PICK: "notify_on_pick",
}
# The kinds that can wait for a digest, and their setting's "off".
FREQUENCY_KINDS = (KIND_REPLY, KIND_STAFF_REPLY, KIND_FOLLOW)
OFF = {KIND_REPLY: MailFrequency.OFF, KIND_STAFF_REPLY: MailFrequency.OFF}
OFF |= {KIND_FOLLOW: MailFrequency.OFF, KIND_PICK: False}
DIGEST_FREQUENCIES = (MailFrequency.DAILY, MailFrequency.WEEKLY)


def unsubscribe_token(
    *, user_id: int, kind: str, article_id: int | None = None, frequency: str | None = None
) -> str:
    payload = {"u": user_id, "k": kind}
    if article_id is not None:
        payload["a"] = article_id
    if frequency is not None:
        payload["f"] = frequency
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> dict | None:
    """The signed payload, or None if the token was altered or made with another key."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("k") not in {*PREFERENCES, KIND_DIGEST}:
        return None
    if payload["k"] == KIND_DIGEST and payload.get("f") not in {
        MailFrequency.IMMEDIATELY,
        *DIGEST_FREQUENCIES,
    }:
        return None
    return payload


def unsubscribe_url(
    *, user_id: int, kind: str, article_id: int | None = None, frequency: str | None = None
) -> str:
    token = unsubscribe_token(
        user_id=user_id, kind=kind, article_id=article_id, frequency=frequency
    )
    return settings.SITE_URL + reverse("comments:unsubscribe", kwargs={"token": token})


def user_unsubscribe(*, user, kind: str, article=None, frequency: str | None = None) -> list[str]:
    """What a one-click link does: turn this kind off (a follow link with an article ends that
    subscription; a digest's own link turns off every kind at its frequency). Returns the
    settings turned off."""
    if kind == KIND_FOLLOW and article is not None:
        ThreadSubscription.objects.filter(user=user, article=article).delete()
        return []
    if kind == KIND_DIGEST:
        kinds = [k for k in FREQUENCY_KINDS if getattr(user, PREFERENCES[k]) == frequency]
    else:
        kinds = [kind]
    for name in kinds:
        setattr(user, PREFERENCES[name], OFF[name])
    fields = [PREFERENCES[name] for name in kinds]
    if fields:
        user.full_clean(exclude=[f.name for f in user._meta.fields if f.name not in fields])
        user.save(update_fields=fields)
    return fields


def _message(*, comment: Comment, recipient, kind: str, template: str) -> EmailMultiAlternatives:
    """Plain text plus an HTML part with the comment's Markdown rendered (body_html is
    sanitised when saved), from DEFAULT_FROM_EMAIL."""
    link = unsubscribe_url(
        user_id=recipient.pk,
        kind=kind,
        article_id=comment.article_id if kind == KIND_FOLLOW else None,
    )
    context = {
        "kind": template,
        "comment": comment,
        "article": comment.article,
        "recipient": recipient,
        "comment_url": settings.SITE_URL + comment.get_absolute_url(),
        "unsubscribe_url": link,
        "site_name": settings.SITE_NAME,
    }
    subject = " ".join(render_to_string(f"comments/email/{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"comments/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    html = render_to_string("comments/email/notification.html", {**context, "subject": subject})
    message.attach_alternative(html, "text/html")
    return message


def recipients(comment: Comment) -> list[tuple[object, str]]:
    """Who hears about a newly published comment, and as which kind: the replied-to author,
    then followers. Readers who turned that kind off, or muted the comment's author, are left
    out; each reader's frequency then decides between a mail now and a digest entry."""
    if not comment.is_counted:
        return []
    found: list[tuple[object, str]] = []
    told = {comment.author_id, *muting_user_ids(comment.author_id)}
    parent = comment.answered
    if parent is not None and parent.author is not None and parent.author_id not in told:
        recipient = parent.author
        # A journalist's or moderator's answer is its own kind of mail, with its own setting.
        kind = KIND_STAFF_REPLY if comment.author and comment.author.is_staff else KIND_REPLY
        if (
            getattr(recipient, PREFERENCES[kind]) != MailFrequency.OFF
            and recipient.email
            and recipient.is_active
        ):
            found.append((recipient, kind))
        told.add(recipient.pk)
    followers = (
        ThreadSubscription.objects.filter(article_id=comment.article_id, user__is_active=True)
        .exclude(user__followed_mail=MailFrequency.OFF)
        .exclude(user_id__in=[pk for pk in told if pk])
        .select_related("user")
    )
    found.extend(
        (subscription.user, KIND_FOLLOW) for subscription in followers if subscription.user.email
    )
    return found


def build_messages(comment: Comment, found: list | None = None) -> list[EmailMessage]:
    """The mails sent at once about a newly published comment (to readers who chose that)."""
    found = recipients(comment) if found is None else found
    return [
        _message(
            comment=comment,
            recipient=recipient,
            kind=kind,
            template="followed" if kind == KIND_FOLLOW else kind,
        )
        for recipient, kind in found
        if getattr(recipient, PREFERENCES[kind]) == MailFrequency.IMMEDIATELY
    ]


def queue_for_digests(comment: Comment, found: list | None = None) -> int:
    """Keep the comment for the digests of readers who chose one for its kind."""
    found = recipients(comment) if found is None else found
    entries = [
        DigestEntry(user=recipient, comment=comment, kind=kind)
        for recipient, kind in found
        if getattr(recipient, PREFERENCES[kind]) in DIGEST_FREQUENCIES
    ]
    DigestEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return len(entries)


@task
def send_comment_notifications(comment_id: int) -> int:
    """Queue one send_email task per recipient of build_messages(), and digest entries for
    the others; returns how many mails were queued.

    Runs in the worker, queued once the comment's transaction has committed: the request pays
    for neither the followers' query nor the mail. One task per message, so a failing address
    is retried alone and nobody is told twice.
    """
    comment = (
        Comment.objects.select_related("article", "author", "parent__author", "reply_to__author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:  # deleted before the worker got to it
        return 0
    found = recipients(comment)
    messages = build_messages(comment, found)
    for message in messages:
        enqueue_email(message)
    queue_for_digests(comment, found)
    return len(messages)


def pick_message(comment: Comment) -> EmailMessage | None:
    """The mail telling a reader their comment became an editors' pick, if they want it."""
    recipient = comment.author
    if (
        recipient is None
        or not comment.is_pinned
        or not comment.is_counted
        or recipient.is_staff
        or not (recipient.notify_on_pick and recipient.email and recipient.is_active)
    ):
        return None
    return _message(comment=comment, recipient=recipient, kind=KIND_PICK, template="pick")


@task
def send_pick_notification(comment_id: int) -> int:
    """Queued by comments.services.comment_set_pinned the first time a comment is picked."""
    comment = Comment.objects.select_related("article", "author").filter(pk=comment_id).first()
    message = pick_message(comment) if comment is not None else None
    if message is None:  # unpicked, deleted or unsubscribed before the worker got to it
        return 0
    enqueue_email(message)
    return 1
