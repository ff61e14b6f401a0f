"""What each event's `data` holds: public facts only. Ids, public URLs, statuses and the
article's slug; a comment's text only once it is published. Never an e-mail or network
address, a notice's explanation or its sender.

Each builder has two halves: a snapshot taken when the event happens (from the saved object,
without queries, so a request pays nothing when no endpoint listens), and the rest, read after
the commit, only when some endpoint wants the event.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from articles.models import Article


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def comment_snapshot(comment) -> dict:
    data = {
        "id": comment.pk,
        "url": absolute(comment.get_absolute_url()),
        "status": comment.status,
        "article_id": comment.article_id,
        "parent_id": comment.parent_id,
        "created_at": comment.created_at,
    }
    if comment.is_published and not comment.is_deleted:
        data["body"] = comment.body
        data["body_html"] = comment.body_html
    return data


def comment_data(snapshot: dict) -> dict:
    slug = Article.objects.filter(pk=snapshot["article_id"]).values_list("slug", flat=True).first()
    article = {"id": snapshot["article_id"], "slug": slug}
    if slug:
        article["url"] = absolute(reverse("articles:detail", kwargs={"slug": slug}))
    rest = {key: value for key, value in snapshot.items() if key != "article_id"}
    return {**rest, "article": article}


def notice_snapshot(notice) -> dict:
    return {
        "id": notice.pk,
        "state": notice.state,
        "ground": notice.ground,
        "category": notice.category,
        "comment_id": notice.comment_id,
        "comment_url": notice.comment_url,
        "received_at": notice.received_at,
        "admin_url": absolute(reverse("admin:notices_notice_change", args=[notice.pk])),
    }


def article_snapshot(article) -> dict:
    return {
        "id": article.pk,
        "slug": article.slug,
        "title": article.title,
        "url": absolute(article.get_absolute_url()),
        "published_at": article.published_at,
    }


def ping_data(endpoint) -> dict:
    return {"endpoint_id": endpoint.pk, "message": "A test event from the newsite admin."}
