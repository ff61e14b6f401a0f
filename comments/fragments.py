"""Rendered comment headers, cached by content.

A header (author, time, badges, "in reply to") reads the same for every reader and costs most
of a comment's rendering (date formatting above all). The key is a digest of everything it
shows, so an entry can never be stale: it needs no invalidation, and a per-process cache
(settings.CACHES["fragments"]) serves it without a network or database round trip.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name

from .models import Comment

HEADER_TEMPLATE = "comments/_comment_header.html"
TIMEOUT = 60 * 60 * 24


def _header_key(comment: Comment) -> str:
    reply_to = comment.reply_to if comment.reply_to_id else None
    shown = (
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
    return "comment-header:" + hashlib.sha256(repr(shown).encode()).hexdigest()


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
