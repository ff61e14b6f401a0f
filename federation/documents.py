"""The JSON documents other servers read: the site's actor, articles as `Article` objects,
their public comments as `Note`s, the outbox and followers collections, WebFinger and NodeInfo.

Local readers' comments are attributed to the site's actor, with the reader's public name at the
start of the content: readers have no actors of their own (they would need inboxes, keys and
followers), and a Note must be attributed to an actor that can be fetched. Remote replies keep
their own id and author (see `comment_note`).
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from articles.models import Article
from comments.models import Comment

from . import vocab
from .models import Follower, SiteActor

OUTBOX_PAGE_SIZE = 20
REPLIES_PAGE_SIZE = 50


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def actor_document(actor: SiteActor | None = None) -> dict[str, Any]:
    actor = actor or SiteActor.current()
    actor_id = vocab.actor_id()
    return {
        "@context": vocab.CONTEXT,
        "id": actor_id,
        # Service: Mastodon shows it as an automated account, which a site's feed is.
        "type": "Service",
        "preferredUsername": settings.FEDERATION_ACTOR_NAME,
        "name": settings.SITE_NAME,
        "summary": format_html(
            "<p>{}</p>",
            _("News from %(site)s. Reply to an article to join its discussion.")
            % {"site": settings.SITE_NAME},
        ),
        "url": vocab.absolute(reverse("articles:home")),
        "inbox": vocab.inbox_url(),
        "outbox": vocab.outbox_url(),
        "followers": vocab.followers_url(),
        "endpoints": {"sharedInbox": vocab.shared_inbox_url()},
        "icon": {
            "type": "Image",
            "mediaType": "image/png",
            "url": vocab.absolute(static("icons/logo.png")),
        },
        "discoverable": True,
        "indexable": True,
        "manuallyApprovesFollowers": False,
        "published": iso(actor.created_at),
        "publicKey": {
            "id": vocab.key_id(),
            "owner": actor_id,
            "publicKeyPem": actor.public_key_pem,
        },
    }


def article_url(article: Article) -> str:
    """The article's canonical URL: its id on the fediverse."""
    return vocab.absolute(article.get_absolute_url())


def comment_url(comment: Comment) -> str:
    return vocab.absolute(comment.get_absolute_url())


def replies_url(article: Article) -> str:
    return vocab.absolute(reverse("federation:replies", kwargs={"slug": article.slug}))


def comment_note(comment: Comment, article: Article) -> dict[str, Any]:
    """A public comment as a Note answering the article or its parent comment."""
    parent = comment.answered if comment.parent_id else None
    remote = getattr(comment, "remote", None)  # a reply from another server: its own id
    remote_id = remote.object_id if remote else ""
    name = comment.author_name
    content = format_html("<p><strong>{}</strong>:</p>", name) + comment.body_html
    return {
        "id": remote_id or comment_url(comment),
        "type": "Note",
        "attributedTo": vocab.actor_id(),
        "inReplyTo": comment_url(parent) if parent else article_url(article),
        "content": content,
        "url": comment_url(comment),
        "published": iso(comment.created_at),
        **({"updated": iso(comment.edited_at)} if comment.edited_at else {}),
        "to": [vocab.PUBLIC],
        "cc": [vocab.followers_url()],
    }


def public_comments(article: Article):
    return (
        Comment.objects.filter(article=article, deleted_at__isnull=True)
        .published()
        .select_related("author", "parent", "reply_to", "remote")
        .order_by("created_at", "id")
    )


def _replies_page(article: Article, number: int) -> tuple[dict[str, Any], int]:
    """A page of the article's public comments as Notes, and how many there are in all."""
    paginator = Paginator(public_comments(article), REPLIES_PAGE_SIZE)
    page = paginator.get_page(number)
    base = replies_url(article)
    document = {
        "id": f"{base}?page={page.number}",
        "type": "OrderedCollectionPage",
        "partOf": base,
        "orderedItems": [comment_note(comment, article) for comment in page.object_list],
    }
    if page.has_next():
        document["next"] = f"{base}?page={page.next_page_number()}"
    if page.has_previous():
        document["prev"] = f"{base}?page={page.previous_page_number()}"
    return document, paginator.count


def replies_page(article: Article, number: int) -> dict[str, Any]:
    return _replies_page(article, number)[0]


def replies_collection(article: Article) -> dict[str, Any]:
    """The article's public comments, oldest first, the first page embedded."""
    first, count = _replies_page(article, 1)
    return {
        "id": replies_url(article),
        "type": "OrderedCollection",
        "totalItems": count,
        "first": first,
    }


def article_object(article: Article, *, with_replies: bool = True) -> dict[str, Any]:
    """An article as an ActivityStreams `Article` (tags and sources prefetched or fetched)."""
    url = article_url(article)
    document = {
        "id": url,
        "type": "Article",
        "name": article.title,
        "summary": article.summary,
        "content": article.body_html,
        "mediaType": "text/html",
        "url": url,
        "published": iso(article.published_at),
        "updated": iso(article.updated_at),
        "attributedTo": vocab.actor_id(),
        "to": [vocab.PUBLIC],
        "cc": [vocab.followers_url()],
        "tag": [
            {
                "type": "Hashtag",
                "name": f"#{tag.name.replace(' ', '')}",
                "href": vocab.absolute(tag.get_absolute_url()),
            }
            for tag in article.tags.all()
        ],
    }
    if with_replies:
        document["replies"] = replies_collection(article)
    return document


def with_context(document: dict[str, Any]) -> dict[str, Any]:
    return {"@context": vocab.AS_CONTEXT, **document}


def activity(kind: str, obj: Any, token: str, *, to=None, cc=None) -> dict[str, Any]:
    """An activity by the site's actor, addressed publicly (to followers) unless told."""
    return {
        "@context": vocab.AS_CONTEXT,
        "id": vocab.activity_id(kind, token),
        "type": kind,
        "actor": vocab.actor_id(),
        "to": to if to is not None else [vocab.PUBLIC],
        "cc": cc if cc is not None else [vocab.followers_url()],
        "object": obj,
    }


def outbox_page(number: int) -> dict[str, Any]:
    articles = Article.objects.published().prefetch_related("tags").order_by("-published_at", "-id")
    paginator = Paginator(articles, OUTBOX_PAGE_SIZE)
    page = paginator.get_page(number)
    base = vocab.outbox_url()
    items = []
    for article in page.object_list:
        created = activity("Create", article_object(article, with_replies=False), article.slug)
        del created["@context"]
        created["published"] = iso(article.published_at)
        items.append(created)
    document = {
        "@context": vocab.AS_CONTEXT,
        "id": f"{base}?page={page.number}",
        "type": "OrderedCollectionPage",
        "partOf": base,
        "totalItems": paginator.count,
        "orderedItems": items,
    }
    if page.has_next():
        document["next"] = f"{base}?page={page.next_page_number()}"
    if page.has_previous():
        document["prev"] = f"{base}?page={page.previous_page_number()}"
    return document


def outbox() -> dict[str, Any]:
    count = Article.objects.published().count()
    base = vocab.outbox_url()
    pages = max(1, -(-count // OUTBOX_PAGE_SIZE))
    return {
        "@context": vocab.AS_CONTEXT,
        "id": base,
        "type": "OrderedCollection",
        "totalItems": count,
        "first": f"{base}?page=1",
        "last": f"{base}?page={pages}",
    }


def followers() -> dict[str, Any]:
    """Only the count: who follows the site is theirs to tell (Mastodon hides it too)."""
    return {
        "@context": vocab.AS_CONTEXT,
        "id": vocab.followers_url(),
        "type": "OrderedCollection",
        "totalItems": Follower.objects.count(),
    }


def webfinger(resource: str) -> dict[str, Any] | None:
    """The JRD for `acct:news@host` or the actor's URL; None for anyone else."""
    subject = f"acct:{vocab.handle()}"
    accepted = {subject.lower(), vocab.actor_id().lower()}
    if resource.strip().lower() not in accepted:
        return None
    home = vocab.absolute(reverse("articles:home"))
    return {
        "subject": subject,
        "aliases": [vocab.actor_id(), home],
        "links": [
            {"rel": "self", "type": vocab.ACTIVITY_JSON, "href": vocab.actor_id()},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": home},
        ],
    }


def nodeinfo_links() -> dict[str, Any]:
    return {
        "links": [
            {"rel": vocab.NODEINFO_SCHEMA, "href": vocab.absolute(reverse("federation:nodeinfo"))}
        ]
    }


@functools.cache
def software_version() -> str:
    """The version in pyproject.toml (the project is not installed as a package)."""
    with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["version"]


def nodeinfo() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True).count()
    return {
        "version": "2.1",
        "software": {
            "name": "newsite",
            "version": software_version(),
            "homepage": vocab.absolute(reverse("articles:home")),
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": True,
        "usage": {
            "users": {"total": users},
            "localPosts": Article.objects.published().count(),
            "localComments": Comment.objects.published().filter(deleted_at__isnull=True).count(),
        },
        "metadata": {"nodeName": settings.SITE_NAME},
    }
