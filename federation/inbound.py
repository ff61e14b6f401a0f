"""What the worker does with an activity the inbox accepted (federation/inbox.py).

Replies become comments through the comments services, exactly as a comment typed on the page:
the same screening, trust rules, holds, rate limits and notifications. Each handler returns
what it did, kept on the InboxActivity for the admin; anything it will not do is "ignored".
"""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django_tasks import task

from articles.models import Article
from comments.models import Comment
from comments.services import CommentError, comment_create, comment_delete, comment_edit

from . import remote, services, vocab
from .activities import NOTE_TYPES, Activity, ActivityError, parse_activity
from .content import note_to_markdown
from .models import InboxActivity, Reaction, RemoteActor, RemoteComment

logger = logging.getLogger(__name__)

State = InboxActivity.State
REACTIONS = {"Like": Reaction.Kind.LIKE, "Announce": Reaction.Kind.ANNOUNCE}


class Ignored(Exception):
    """The activity asks for nothing we do (a reply to something else, a private note…)."""


# --- what a reply answers ----------------------------------------------------------------------


def resolve_target(url: str) -> tuple[Article, Comment | None] | None:
    """The article (and comment, if it is one) an id names: one of our article or comment
    URLs, or a remote note already in a thread. None for anything else."""
    if not url:
        return None
    known = RemoteComment.objects.select_related("comment__article").filter(object_id=url).first()
    if known is not None:
        return known.comment.article, known.comment
    site = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name == "articles:detail":
        article = Article.objects.published().filter(slug=match.kwargs["slug"]).first()
        return (article, None) if article else None
    if match.view_name == "comments:permalink":
        comment = (
            Comment.objects.published()
            .select_related("article")
            .filter(pk=match.kwargs["pk"], article__in=Article.objects.published())
            .first()
        )
        return (comment.article, comment) if comment else None
    return None


def mentions_this_site(href: str, text: str) -> bool:
    """Whether a link in a reply is its mention of the site's actor ("@news", linked to our
    actor or its profile page), which adds nothing under the article."""
    name = settings.FEDERATION_ACTOR_NAME.lower()
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(settings.SITE_URL))
    return href.startswith(origin) and text.lower() in {f"@{name}", f"@{vocab.handle()}"}


def client_token_for(object_id: str) -> str:
    """The comments service's repeat guard, keyed by the note: a redelivered or re-created
    note returns the comment already made."""
    return "ap:" + hashlib.sha256(object_id.encode()).hexdigest()[:60]


# --- handlers ------------------------------------------------------------------------------------


def note_create(activity: Activity, actor: RemoteActor) -> str:
    note = activity.note
    if note is None or note.type not in NOTE_TYPES:
        raise Ignored("not a note")
    if note.attributed_to and note.attributed_to != actor.actor_id:
        raise Ignored("the note is someone else's")
    if not activity.is_public:
        raise Ignored("not public: a direct message is never shown as a comment")
    existing = RemoteComment.objects.filter(object_id=note.id).first()
    if existing is not None:
        return f"already comment {existing.comment_id}"
    target = resolve_target(note.in_reply_to)
    if target is None:
        raise Ignored(f"a reply to something else ({note.in_reply_to[:200] or 'nothing'})")
    article, parent = target
    body = note_to_markdown(note.content, is_dropped=mentions_this_site)
    author = remote.shadow_user(actor)
    software = remote.server_software(actor)
    with transaction.atomic():
        comment = comment_create(
            article=article,
            author=author,
            body=body,
            parent=parent,
            client_token=client_token_for(note.id),
            email_verified=True,  # their server signed it; every other rule applies
        )
        RemoteComment.objects.get_or_create(
            comment=comment,
            defaults={
                "remote_actor": actor,
                "object_id": note.id,
                "url": note.url if note.url.startswith(("https://", "http://")) else note.id,
                "handle": actor.handle or actor.domain,
                "domain": actor.domain,
                "software": software,
            },
        )
    return f"comment {comment.pk} ({comment.status})"


def _own_remote_comment(object_id: str, actor: RemoteActor) -> RemoteComment:
    found = (
        RemoteComment.objects.select_related("comment__article", "comment__author")
        .filter(object_id=object_id, remote_actor=actor)
        .first()
    )
    if found is None:
        raise Ignored("not a comment here")
    return found


def note_update(activity: Activity, actor: RemoteActor) -> str:
    if activity.note is None:
        raise Ignored("not a note")
    found = _own_remote_comment(activity.note.id, actor)
    body = note_to_markdown(activity.note.content, is_dropped=mentions_this_site)
    comment = comment_edit(
        comment=found.comment, editor=found.comment.author, body=body, email_verified=True
    )
    return f"comment {comment.pk} edited ({comment.status})"


def delete(activity: Activity, actor: RemoteActor) -> str:
    if activity.object_id == actor.actor_id:
        found = RemoteComment.objects.select_related("comment__author").filter(
            remote_actor=actor, comment__deleted_at__isnull=True
        )
        count = 0
        for remote_comment in found:
            comment_delete(comment=remote_comment.comment, user=remote_comment.comment.author)
            count += 1
        return f"actor deleted: {count} comments removed"
    found = _own_remote_comment(activity.object_id, actor)
    comment_delete(comment=found.comment, user=found.comment.author)
    return f"comment {found.comment_id} deleted"


def react(activity: Activity, actor: RemoteActor) -> str:
    target = resolve_target(activity.object_id)
    if target is None or target[1] is not None:
        raise Ignored("not one of our articles")
    article = target[0]
    try:
        with transaction.atomic():
            _, created = Reaction.objects.get_or_create(
                article=article,
                remote_actor=actor,
                kind=REACTIONS[activity.type],
                defaults={"activity_id": activity.id},
            )
    except IntegrityError:
        created = False
    return f"{activity.type} of article {article.pk}" + ("" if created else " (already counted)")


def undo(activity: Activity, actor: RemoteActor) -> str:
    inner = activity.inner
    if inner is None or inner.actor != actor.actor_id:
        raise Ignored("nothing of theirs to undo")
    if inner.type in REACTIONS:
        target = resolve_target(inner.object_id)
        found = Reaction.objects.filter(remote_actor=actor, kind=REACTIONS[inner.type])
        if target is not None:
            found = found.filter(article=target[0])
        else:  # some servers undo by the activity's id alone
            found = found.filter(activity_id=inner.id)
        deleted = sum(reaction.delete()[0] for reaction in found)
        return f"{inner.type} undone ({deleted} removed)"
    if inner.type == "Follow":
        was_following = services.undo_follow(remote_actor=actor)
        return "unfollowed" if was_following else "was not following"
    raise Ignored(f"undo of {inner.type}")


def follow(activity: Activity, actor: RemoteActor) -> str:
    if activity.object_id != vocab.actor_id():
        raise Ignored("a follow of someone else")
    services.accept_follow(remote_actor=actor, follow_activity=activity.raw)
    return "follow accepted"


def handle(activity: Activity, actor: RemoteActor) -> str:
    """Do what the activity asks; its outcome, or Ignored / CommentError."""
    if activity.type == "Create":
        return note_create(activity, actor)
    if activity.type == "Update":
        return note_update(activity, actor)
    if activity.type == "Delete":
        return delete(activity, actor)
    if activity.type in REACTIONS:
        return react(activity, actor)
    if activity.type == "Undo":
        return undo(activity, actor)
    if activity.type == "Follow":
        return follow(activity, actor)
    raise Ignored(f"{activity.type} is not handled")


@task()
def process_inbox_activity(inbox_activity_id: int) -> str:
    """Process one stored activity, once (a second run finds it no longer pending)."""
    stored = InboxActivity.objects.filter(pk=inbox_activity_id, state=State.PENDING).first()
    if stored is None:
        return "already processed"
    state = State.DONE
    try:
        actor = RemoteActor.objects.get(actor_id=stored.actor_id)
        outcome = handle(parse_activity(stored.payload), actor)
    except (Ignored, ActivityError, RemoteActor.DoesNotExist) as reason:
        state, outcome = State.IGNORED, f"ignored: {reason}"
    except CommentError as refusal:
        state, outcome = State.IGNORED, f"refused by the comment rules: {refusal.message}"
    except Exception as failure:
        InboxActivity.objects.filter(pk=stored.pk).update(
            state=State.FAILED, outcome=repr(failure)[:300], processed_at=timezone.now()
        )
        raise
    logger.info("Inbox %s %s: %s", stored.activity_type, stored.activity_id, outcome)
    InboxActivity.objects.filter(pk=stored.pk).update(
        state=state, outcome=outcome[:300], processed_at=timezone.now()
    )
    return outcome


# --- statements of reasons to remote authors -----------------------------------------------------


def remote_actor_of(user) -> RemoteActor | None:
    if user is None:
        return None
    return RemoteActor.objects.filter(author__user=user).first()


@task()
def send_statement_to_remote_author(statement_id: int) -> str:
    """A statement of reasons about a remote author's comment, sent to them as a direct Note
    (they have no e-mail address here, and read it in their own app)."""
    from django.template.loader import render_to_string

    from notices.models import StatementOfReasons

    statement = (
        StatementOfReasons.objects.select_related("comment__article", "recipient")
        .filter(pk=statement_id)
        .first()
    )
    actor = remote_actor_of(statement.recipient) if statement else None
    if actor is None:
        return "no remote author"
    comment = statement.comment
    content = render_to_string(
        "federation/statement_note.html",
        {
            "statement": statement,
            "article": comment.article if comment else None,
            "statement_url": vocab.absolute(statement.get_absolute_url()),
        },
    )
    remote_comment = RemoteComment.objects.filter(comment=comment).first() if comment else None
    delivery = services.deliver_note(
        to=actor,
        content_html=content,
        in_reply_to=remote_comment.object_id if remote_comment else None,
    )
    return f"statement {statement.pk} sent as delivery {delivery.pk}"
