"""Reply, follow, staff-reply and editors'-pick e-mails, sent by the task worker after the
comment's transaction commits.

A broken SMTP server never fails or slows a reader's post: the request only queues a task.
Each message carries a signed one-click unsubscribe link that only works for its recipient.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from newsite.tasks import enqueue_email

from .models import Comment, ThreadSubscription

UNSUBSCRIBE_SALT = "comments.unsubscribe"
KIND_REPLY = "reply"
KIND_FOLLOW = "follow"
KIND_STAFF_REPLY = "staff_reply"
KIND_PICK = "pick"
# The user's setting each kind of e-mail obeys, which its one-click unsubscribe turns off
# (following is per discussion: its unsubscribe ends that subscription).
PREFERENCES = {
    KIND_REPLY: "notify_on_reply",
    KIND_STAFF_REPLY: "notify_on_staff_reply",
    KIND_PICK: "notify_on_pick",
}


def unsubscribe_token(*, user_id: int, kind: str, article_id: int | None = None) -> str:
    payload = {"u": user_id, "k": kind}
    if article_id is not None:
        payload["a"] = article_id
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> dict | None:
    """The signed payload, or None if the token was altered or made with another key."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("k") not in {*PREFERENCES, KIND_FOLLOW}:
        return None
    return payload


def unsubscribe_url(*, user_id: int, kind: str, article_id: int | None = None) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind, article_id=article_id)
    return settings.SITE_URL + reverse("comments:unsubscribe", kwargs={"token": token})


def _message(*, comment: Comment, recipient, kind: str, template: str) -> EmailMessage:
    link = unsubscribe_url(
        user_id=recipient.pk,
        kind=kind,
        article_id=comment.article_id if kind == KIND_FOLLOW else None,
    )
    context = {
        "comment": comment,
        "article": comment.article,
        "recipient": recipient,
        "comment_url": settings.SITE_URL + comment.get_absolute_url(),
        "unsubscribe_url": link,
        "site_name": settings.SITE_NAME,
    }
    subject = render_to_string(f"comments/email/{template}_subject.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=render_to_string(f"comments/email/{template}.txt", context),
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def build_messages(comment: Comment) -> list[EmailMessage]:
    """Who hears about a newly published comment: the replied-to author, then followers."""
    if not comment.is_counted:
        return []
    messages: list[EmailMessage] = []
    told = {comment.author_id}
    parent = comment.answered
    if parent is not None and parent.author is not None and parent.author_id not in told:
        recipient = parent.author
        # A journalist's or moderator's answer is its own kind of mail, with its own switch.
        kind = KIND_STAFF_REPLY if comment.author and comment.author.is_staff else KIND_REPLY
        if getattr(recipient, PREFERENCES[kind]) and recipient.email and recipient.is_active:
            messages.append(
                _message(comment=comment, recipient=recipient, kind=kind, template=kind)
            )
        told.add(recipient.pk)
    followers = (
        ThreadSubscription.objects.filter(
            article_id=comment.article_id,
            user__notify_on_followed=True,
            user__is_active=True,
        )
        .exclude(user_id__in=[pk for pk in told if pk])
        .select_related("user")
    )
    for subscription in followers:
        if subscription.user.email:
            messages.append(
                _message(
                    comment=comment,
                    recipient=subscription.user,
                    kind=KIND_FOLLOW,
                    template="followed",
                )
            )
    return messages


@task
def send_comment_notifications(comment_id: int) -> int:
    """Queue one send_email task per recipient of build_messages(); returns how many.

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
    messages = build_messages(comment)
    for message in messages:
        enqueue_email(message)
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
