"""What differs by reader in a discussion, filled into HTML that every reader shares.

Comment cards, pages of threads and the article page around them are rendered once and cached
for everyone. Where a reader's own part goes (account links, like, edit, delete, report,
follow, a form's CSRF and client tokens), that shared HTML holds a slot,
`<!--reader:NAME:FACT:…-->`, carrying the facts the part depends on; fill_reader_slots()
replaces each slot for the reader at hand with one query for their likes. Readers' text can
never forge a slot: Markdown is rendered with raw HTML off and then sanitised (which drops
comments), and names are escaped.
"""

from __future__ import annotations

import functools
import re
import uuid
from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .models import Comment, CommentLike, ModerationSettings

SLOT = re.compile(r"<!--reader:(\w+)(?::(\d+):(\d+):(\d+):(\d+))?-->")


def slot(name: str, comment: Comment | None = None) -> SafeString:
    """The marker for one reader-dependent part; `comment` adds the facts it depends on."""
    facts = ""
    if comment is not None:
        facts = (
            f":{comment.pk}:{comment.author_id or 0}:{int(comment.is_published)}"
            f":{int(comment.created_at.timestamp())}"
        )
    return mark_safe(f"<!--reader:{name}{facts}-->")  # noqa: S308 - digits only


CSRF_SLOT = "<!--reader:csrf-->"
CSRF_MARK = "reader-csrf-slot"
ACCOUNT_NAV = "includes/account_nav.html"


@functools.cache
def _anonymous_nav() -> str:
    return get_template(ACCOUNT_NAV).render({"user": AnonymousUser()})


@functools.lru_cache(maxsize=4096)
def _reader_nav(public_name: str) -> str:
    """A signed-in reader's account links: the template reads their name and nothing else, and
    its form's token is left as a slot, so the links are rendered once per name."""
    reader = SimpleNamespace(is_authenticated=True, public_name=public_name)
    html = get_template(ACCOUNT_NAV).render({"user": reader, "csrf_token": CSRF_MARK})
    return html.replace(_csrf_input(CSRF_MARK), CSRF_SLOT)


def _csrf_input(token: str) -> str:
    """What {% csrf_token %} writes."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


# Each control is drawn once per process and comment state; the page's token is filled last.
@functools.lru_cache(maxsize=8192)
def _like_form(pk: int, liked: bool) -> SafeString:
    return format_html(
        '<form method="post" action="{}" class="inline-form" data-like-form>{}'
        '<input type="hidden" name="action" value="{}">'
        '<button type="submit" class="link-button" aria-pressed="{}">{}</button></form> ',
        reverse("comments:like", args=[pk]),
        mark_safe(CSRF_SLOT),  # noqa: S308 - a constant
        "unlike" if liked else "like",
        "true" if liked else "false",
        "Liked" if liked else "Like",
    )


@functools.lru_cache(maxsize=8192)
def _own_links(pk: int, editable: bool) -> SafeString:
    delete = format_html('<a href="{}">Delete</a>', reverse("comments:delete", args=[pk]))
    if not editable:
        return delete
    return format_html('<a href="{}">Edit</a> {}', reverse("comments:edit", args=[pk]), delete)


@functools.lru_cache(maxsize=8192)
def _report_link(pk: int) -> SafeString:
    return format_html('<a href="{}">Report</a>', reverse("comments:report", args=[pk]))


LIKED_SQL = "SELECT comment_id FROM {table} WHERE user_id = %s AND comment_id IN ({ids})"


def _liked(reader_pk: int, comment_ids: list[int]) -> set[int]:
    """Which of these comments the reader likes. Written as SQL because the ORM's version cost
    more to build than to run, on every signed-in page view (benchmarks/profile.py)."""
    if not comment_ids:
        return set()
    sql = LIKED_SQL.format(
        table=CommentLike._meta.db_table, ids=", ".join(["%s"] * len(comment_ids))
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [reader_pk, *comment_ids])
        return {row[0] for row in cursor.fetchall()}


def fill_reader_slots(
    html: str,
    request: HttpRequest,
    rules: ModerationSettings,
    *,
    follow: str = "",
    liked: set[int] | None = None,
) -> SafeString:
    """`html` with every slot replaced for this reader. One who is not signed in gets the
    "Log in" links and nothing else: their forms carry no token.

    `follow` is the reader's follow/unfollow form for the discussion's slot; `liked`, the
    comments they like, when already known (else they are looked up).
    """
    user = request.user
    if not user.is_authenticated:
        return mark_safe(  # noqa: S308 - our templates' output
            SLOT.sub(lambda match: _anonymous_nav() if match[1] == "nav" else "", html)
        )

    reader_pk = user.pk
    if liked is None:
        ids = [int(found[1]) for found in SLOT.findall(html) if found[0] == "like"]
        liked = _liked(reader_pk, ids)
    editable_after = (timezone.now() - timedelta(minutes=rules.edit_window_minutes)).timestamp()
    token = get_token(request)

    def replace(match: re.Match) -> str:
        name = match[1]
        if name == "csrf":
            return match[0]  # filled last, with the forms this pass adds
        if name == "nav":
            return _reader_nav(user.public_name)
        if name == "client_token":  # a comment form's, new for each page view
            return uuid.uuid4().hex
        if name == "follow":
            return follow
        pk, own = int(match[2]), int(match[3]) == reader_pk
        published, created = match[4] == "1", int(match[5])
        if name == "like":
            return "" if own else _like_form(pk, pk in liked)
        if own:  # "tools": the author's own links, or everyone else's report link
            return _own_links(pk, editable=created > editable_after)
        return _report_link(pk) if published else ""

    # One token for the whole page, as {% csrf_token %} gives every form of a page.
    return mark_safe(SLOT.sub(replace, html).replace(CSRF_SLOT, _csrf_input(token)))  # noqa: S308
