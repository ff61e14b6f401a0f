"""Answers go back: a reader replying to a remote comment may send the reply to its author,
as a public Note from the site's actor mentioning them (inReplyTo their note), so they see it
in their own app. It goes once the reply is published: a held reply waits for a moderator."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html
from django_tasks import task

from comments.models import Comment

from . import services, vocab
from .models import FederatedAnswer, RemoteComment


def answer_requested(*, comment: Comment, answered: Comment) -> FederatedAnswer | None:
    """The reader ticked "also send to @user@host" on their reply to `answered`; None when
    `answered` is not a remote comment."""
    remote = RemoteComment.objects.filter(comment=answered).first()
    if remote is None:
        return None
    answer, _ = FederatedAnswer.objects.get_or_create(
        comment=comment, defaults={"answered": remote}
    )
    if comment.is_counted:
        transaction.on_commit(lambda: send_answer.enqueue(comment.pk), robust=True)
    return answer


def answer_waiting(comment: Comment) -> bool:
    return FederatedAnswer.objects.filter(comment=comment, sent_at__isnull=True).exists()


@task()
def send_answer(comment_id: int) -> str:
    """Deliver a published answer, once."""
    answer = (
        FederatedAnswer.objects.select_related("comment__author", "answered__remote_actor")
        .filter(comment_id=comment_id, sent_at__isnull=True)
        .first()
    )
    if answer is None or not answer.comment.is_counted:
        return "nothing to send"
    if not FederatedAnswer.objects.filter(pk=answer.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    ):
        return "already sent"
    comment = answer.comment
    permalink = vocab.absolute(comment.get_absolute_url())
    content = format_html("<p><strong>{}</strong>:</p>", comment.author_name) + comment.body_html
    delivery = services.deliver_note(
        to=answer.answered.remote_actor,
        content_html=content,
        in_reply_to=answer.answered.object_id,
        public=True,
        note_id=permalink,
        url=permalink,
    )
    return f"answer {comment.pk} sent as delivery {delivery.pk}"
