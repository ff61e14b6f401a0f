"""Rendered comment fragments, cached by content.

A header (author, time, badges, "in reply to") and a whole comment card read the same for every
reader (the card's per-reader controls are slots, comments/reader.py). Each key is a digest of
everything the fragment shows, so an entry can never be stale (newsite/fragments.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name

from newsite.fragments import TIMEOUT, fragment_key

from .models import Comment

HEADER_TEMPLATE = "comments/_comment_header.html"


def _header_facts(comment: Comment) -> tuple:
    reply_to = comment.reply_to if comment.reply_to_id else None
    return (
        comment.pk,
        comment.author_name,
        comment.created_at.isoformat(),
        comment.edited_at.isoformat() if comment.edited_at else "",
        comment.is_pinned,
        comment.is_deleted,
        comment.reply_to_id,
        reply_to.author_name if reply_to else "",
        get_current_timezone_name(),
    )


def _header_key(comment: Comment) -> str:
    return fragment_key("comment-header", *_header_facts(comment))


def card_key(comment: Comment, *, comments_are_open: bool) -> str:
    """Everything a card shows: header, body, status, likes, reply link, slot facts."""
    return fragment_key(
        "comment-card",
        *_header_facts(comment),
        hashlib.sha256(comment.body_html.encode()).hexdigest(),
        comment.author_id,
        comment.status,
        comment.moderation_reason,
        comment.review_requested_at is not None,
        comment.like_count,
        comment.is_placeholder,
        comments_are_open,
    )


def attach_headers(comments: Iterable[Comment]) -> None:
    """Set comment.header_html on each comment, rendering only those not seen before."""
    comments = list(comments)
    fragments = caches["fragments"]
    keys = {comment.pk: _header_key(comment) for comment in comments}
    found = fragments.get_many(keys.values())
    template = get_template(HEADER_TEMPLATE)
    rendered = {}
    for comment in comments:
        key = keys[comment.pk]
        if key not in found:
            found[key] = rendered[key] = template.render({"comment": comment})
        comment.header_html = mark_safe(found[key])  # noqa: S308 - our template's output
    if rendered:
        fragments.set_many(rendered, TIMEOUT)


def header_html(comment: Comment) -> SafeString:
    if getattr(comment, "header_html", None) is None:
        attach_headers([comment])
    return comment.header_html
