"""Exports: our own JSON lines (everything needed to rebuild the discussions) and Disqus XML.

Both stream article by article to a text file, so memory stays flat. Ids in the JSON lines
export are portable: a comment or author that came from a JSON lines import keeps the id it
had there, so export, import elsewhere and export again give the same file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TextIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Count

from accounts.models import User
from articles.models import Article
from comments.models import Comment, CommentRevision

from .importers.jsonl import FORMAT, VERSION
from .models import Format, ImportedIdentity, ImportedRecord


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment else None


def articles_to_export(slug: str | None = None):
    articles = Article.objects.order_by("slug")
    if slug:
        return articles.filter(slug=slug)
    return articles.annotate(n=Count("comments")).filter(n__gt=0)


def _line(file: TextIO, row: dict) -> None:
    file.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


class _Authors:
    """Portable ids, names and addresses for the accounts an export names."""

    def __init__(self) -> None:
        self.rows: dict[int, dict] = {}

    def load(self, user_ids: Iterable[int]) -> None:
        wanted = set(user_ids) - self.rows.keys()
        if not wanted:
            return
        identities = {
            identity.user_id: identity
            for identity in ImportedIdentity.objects.filter(
                user_id__in=wanted, claimed_at__isnull=True
            ).order_by("-source")
        }
        for user in User.objects.filter(pk__in=wanted).only(
            "pk", "email", "display_name", "username"
        ):
            identity = identities.get(user.pk)
            if identity is not None:
                row = {
                    "id": identity.key if identity.source == Format.JSONL else str(user.pk),
                    "name": identity.name,
                    "email": identity.email,
                }
            else:
                row = {"id": str(user.pk), "name": user.public_name, "email": user.email}
            self.rows[user.pk] = row


def export_jsonl(file: TextIO, *, slug: str | None = None) -> int:
    """Write the export; returns the number of comments written."""
    _line(file, {"type": "header", "format": FORMAT, "version": VERSION})
    authors = _Authors()
    written_authors: set[str] = set()
    total = 0
    for article in articles_to_export(slug).iterator():
        url = f"{settings.SITE_URL}{article.get_absolute_url()}"
        _line(
            file,
            {
                "type": "article",
                "id": article.slug,
                "slug": article.slug,
                "title": article.title,
                "url": url,
            },
        )
        comments = list(Comment.objects.filter(article=article).order_by("created_at", "pk"))
        portable = dict(
            ImportedRecord.objects.filter(
                source=Format.JSONL, kind=ImportedRecord.Kind.COMMENT, comment__article=article
            ).values_list("comment_id", "source_id")
        )
        revisions: dict[int, list] = {}
        for revision in CommentRevision.objects.filter(comment__article=article).order_by(
            "comment_id", "created_at", "pk"
        ):
            revisions.setdefault(revision.comment_id, []).append(
                {"body": revision.body, "created_at": _iso(revision.created_at)}
            )
        authors.load(c.author_id for c in comments if c.author_id)
        for comment in comments:
            if comment.author_id and authors.rows[comment.author_id]["id"] not in written_authors:
                row = authors.rows[comment.author_id]
                written_authors.add(row["id"])
                _line(file, {"type": "author", **row})
        for comment in comments:
            answered = comment.reply_to_id or comment.parent_id
            _line(
                file,
                {
                    "type": "comment",
                    "id": portable.get(comment.pk, str(comment.pk)),
                    "article": article.slug,
                    "parent": portable.get(answered, str(answered)) if answered else None,
                    "author": authors.rows[comment.author_id]["id"] if comment.author_id else None,
                    "body": comment.body,
                    "status": comment.status,
                    "created_at": _iso(comment.created_at),
                    "edited_at": _iso(comment.edited_at),
                    "deleted_at": _iso(comment.deleted_at),
                    "like_count": comment.like_count,
                    "is_pinned": comment.is_pinned,
                    "revisions": revisions.get(comment.pk, []),
                },
            )
        total += len(comments)
    return total


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _disqus_date(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_disqus(file: TextIO, *, slug: str | None = None) -> int:
    """Disqus's export format (the one its importers, ours and Remark42's, read)."""
    forum = escape(settings.SITE_URL.split("//")[-1].split("/")[0].replace(".", "-") or "newsite")
    file.write(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" '
        'xmlns:dsq="http://disqus.com/disqus-internals" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd '
        'http://disqus.com/api/schemas/1.0/disqus-internals.xsd">\n'
        f'  <category dsq:id="1">\n    <forum>{forum}</forum>\n    <title>General</title>\n'
        "    <isDefault>true</isDefault>\n  </category>\n"
    )
    articles = list(
        articles_to_export(slug).values_list("pk", "slug", "title", "published_at", "comments_open")
    )
    for pk, article_slug, title, published_at, is_open in articles:
        url = f"{settings.SITE_URL}/articles/{article_slug}/"
        file.write(
            f'  <thread dsq:id="{pk}">\n'
            f"    <id>{escape(article_slug)}</id>\n    <forum>{forum}</forum>\n"
            '    <category dsq:id="1"/>\n'
            f"    <link>{escape(url)}</link>\n    <title>{_cdata(title)}</title>\n"
            "    <message/>\n"
            f"    <createdAt>{_disqus_date(published_at)}</createdAt>\n"
            "    <author>\n      <name>newsite</name>\n      <isAnonymous>false</isAnonymous>\n"
            "    </author>\n"
            f"    <isClosed>{'false' if is_open else 'true'}</isClosed>\n"
            "    <isDeleted>false</isDeleted>\n  </thread>\n"
        )
    total = 0
    authors = _Authors()
    for pk, _slug, _title, _at, _open in articles:
        comments = list(Comment.objects.filter(article_id=pk).order_by("created_at", "pk"))
        authors.load(c.author_id for c in comments if c.author_id)
        for comment in comments:
            author = authors.rows.get(comment.author_id) or {
                "id": "",
                "name": "deleted user",
                "email": "",
            }
            answered = comment.reply_to_id or comment.parent_id
            spam = comment.status == Comment.Status.SPAM
            deleted = comment.deleted_at is not None or comment.status == Comment.Status.REMOVED
            file.write(
                f'  <post dsq:id="{comment.pk}">\n'
                f"    <id>{comment.pk}</id>\n"
                f"    <message>{_cdata(comment.body_html)}</message>\n"
                f"    <createdAt>{_disqus_date(comment.created_at)}</createdAt>\n"
                f"    <isDeleted>{'true' if deleted else 'false'}</isDeleted>\n"
                f"    <isSpam>{'true' if spam else 'false'}</isSpam>\n"
                + (
                    "    <isApproved>false</isApproved>\n"
                    if comment.status in {Comment.Status.PENDING, Comment.Status.HIDDEN}
                    else ""
                )
                + "    <author>\n"
                f"      <email>{escape(author['email'])}</email>\n"
                f"      <name>{escape(author['name'])}</name>\n"
                f"      <isAnonymous>{'false' if comment.author_id else 'true'}</isAnonymous>\n"
                + (
                    f"      <username>user-{escape(author['id'])}</username>\n"
                    if comment.author_id
                    else ""
                )
                + "    </author>\n"
                f'    <thread dsq:id="{pk}"/>\n'
                + (f'    <parent dsq:id="{answered}"/>\n' if answered else "")
                + "  </post>\n"
            )
        total += len(comments)
    file.write("</disqus>\n")
    return total


def export_comments(file: TextIO, *, format: str, slug: str | None = None) -> int:
    exporters = {"jsonl": export_jsonl, "disqus": export_disqus}
    return exporters[format](file, slug=slug)
