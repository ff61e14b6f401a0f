"""Reading a discussion: the context the article page needs, in a constant number of queries."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Window
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from accounts.backends import loading_user_with
from articles.models import Article
from newsite.fragments import by_generation, cached

from .forms import CommentForm
from .fragments import attach_headers
from .models import Comment, CommentLike, ModerationSettings, ThreadSubscription
from .reader import fill_reader_slots
from .services import CommentError, comments_open, ensure_can_post

COMMENTS_PER_PAGE = 20
MAX_PAGE = 10**6
DEFAULT_SORT = "best"
SORT_LABELS = {"best": "Best", "newest": "Newest", "oldest": "Oldest"}
DRAFTS_SESSION_KEY = "comment_drafts"


def sort_from(request: HttpRequest) -> str:
    sort = request.GET.get("sort", DEFAULT_SORT)
    return sort if sort in Comment.SORTS else DEFAULT_SORT


def discussion_url(article: Article, *, sort: str, page: int, anchor: str = "comments") -> str:
    """The article's address at this page of threads in this order."""
    params = {}
    if sort != DEFAULT_SORT:
        params["sort"] = sort
    if page > 1:
        params["page"] = page
    query = f"?{urlencode(params)}" if params else ""
    return f"{article.get_absolute_url()}{query}#{anchor}"


def login_url_for(article: Article) -> str:
    """Log in, then come back to the discussion (the draft waits in the session)."""
    query = urlencode({"next": f"{article.get_absolute_url()}#comments"})
    return f"{reverse('account_login')}?{query}"


# --- drafts kept across a login --------------------------------------------------------------


def store_draft(request: HttpRequest, article: Article, *, body: str, parent: str = "") -> None:
    drafts = dict(request.session.get(DRAFTS_SESSION_KEY, {}))
    drafts[str(article.pk)] = {"body": body[:20_000], "parent": parent}
    # Keep only the latest few so the session stays small.
    request.session[DRAFTS_SESSION_KEY] = dict(list(drafts.items())[-5:])


def read_draft(request: HttpRequest, article: Article) -> dict | None:
    # Without a session cookie there is no draft; touching the session would mark the page
    # "Vary: Cookie" and keep it out of the anonymous page cache.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    return request.session.get(DRAFTS_SESSION_KEY, {}).get(str(article.pk))


def clear_draft(request: HttpRequest, article: Article) -> None:
    drafts = request.session.get(DRAFTS_SESSION_KEY)
    if drafts and str(article.pk) in drafts:
        drafts = dict(drafts)
        del drafts[str(article.pk)]
        request.session[DRAFTS_SESSION_KEY] = drafts


def new_comment_form(
    *, body: str = "", parent: int | str | None = None, form_id: str = "new"
) -> CommentForm:
    """A form to fill in; its client token is a reader slot, drawn afresh for each page view."""
    return CommentForm(initial={"body": body, "parent": parent or ""}, form_id=form_id)


# --- the thread ------------------------------------------------------------------------------


def as_single(comment: Comment) -> Comment:
    """A comment shown on its own (a reply page, a posted comment), without its replies."""
    comment.children = []
    comment.is_placeholder = False
    return comment


def _prune(comment: Comment, user) -> bool:
    """Keep a comment if the reader may see it or it leads to one they may see."""
    comment.children = [child for child in comment.children if _prune(child, user)]
    comment.is_placeholder = not comment.is_visible_to(user)
    return not comment.is_placeholder or bool(comment.children)


def _flatten(comments: list[Comment]) -> list[Comment]:
    found: list[Comment] = []
    for comment in comments:
        found.append(comment)
        found.extend(_flatten(comment.children))
    return found


def moderation_rules(site_generation: str | None) -> ModerationSettings:
    """The rules, read once per process for each generation of the site's data."""
    return cached(by_generation("moderation-rules", site_generation), ModerationSettings.load)


def requested_page(request: HttpRequest) -> int:
    """The page of threads ?page= asks for; nonsense is page 1, and no number is so large that
    its offset overflows the database's integers (past the end, the last page is shown)."""
    try:
        return min(max(int(request.GET.get("page") or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def discussion_variant(request: HttpRequest) -> str:
    """What of the query string an article page shows (for newsite.pagecache)."""
    return f"sort={sort_from(request)}&page={requested_page(request)}"


class PageOutOfRange(Exception):
    """A page of threads past the last: the view sends the reader to the last one."""

    def __init__(self, last: int) -> None:
        super().__init__(last)
        self.last = last


def _page_of(top_level, number: int) -> Page:
    """The requested page of threads and their total in one query (a window count).

    Only a page past the end costs more: Paginator then counts and serves the last page.
    """
    paginator = Paginator(top_level, COMMENTS_PER_PAGE)
    start = (number - 1) * COMMENTS_PER_PAGE
    rows = list(
        top_level.annotate(threads_total=Window(Count("id")))[start : start + COMMENTS_PER_PAGE]
    )
    if not rows and number > 1:
        return paginator.get_page(number)
    paginator.count = rows[0].threads_total if rows else 0
    return Page(rows, number, paginator)


def render_listing(
    article: Article, user, *, sort: str, page_number: int, comments_are_open: bool
) -> str:
    """One page of threads as `user` may see them (comments/_listing.html), with reader slots.

    One query pages the top-level comments, one fetches every reply of that page (through
    Comment.root); the tree, and who each reply answers, is assembled in Python.
    """
    top_level = (
        Comment.objects.filter(article=article)
        .threads_visible_to(user)
        .select_related("author")
        .sorted_by(sort)
    )
    page = _page_of(top_level, page_number)
    if page.number != page_number:
        raise PageOutOfRange(page.number)
    threads = list(page.object_list)
    replies: list[Comment] = []
    if threads:
        # Every reply of these threads, whatever its status: unpublished ones are pruned below
        # or kept as bodiless placeholders when published replies hang beneath them.
        replies = list(
            Comment.objects.filter(root_id__in=[c.pk for c in threads])
            .select_related("author")
            .order_by("created_at", "id")
        )
    by_id = {c.pk: c for c in threads + replies}
    for comment in by_id.values():
        comment.children = []
    for reply in replies:  # oldest first, so parents come before their replies
        parent = by_id.get(reply.parent_id)
        if parent is not None:
            parent.children.append(reply)
        # The comment a reply answers is in its thread, so at hand: a join in SQL for it cost
        # PostgreSQL a hash of the whole comments table.
        if reply.reply_to_id in by_id:
            reply.reply_to = by_id[reply.reply_to_id]
    threads = [c for c in threads if _prune(c, user)]
    attach_headers(_flatten(threads))
    return render_to_string(
        "comments/_listing.html",
        {
            "article": article,
            "comment_threads": threads,
            "comment_page": page,
            "comment_sort": sort,
            "comment_sorts": SORT_LABELS,
            "comments_are_open": comments_are_open,
        },
    )


class Discussion:
    """One reader's view of an article's discussion: what all readers share, and what is theirs.

    Most readers see the same page of threads, rendered once per generation of the discussion
    with slots for each reader's controls (comments/reader.py). So is the page around it, unless
    `shared` is False: a reader with held or hidden comments of their own on the article, a
    draft, a refused form or a refusal to post sees a page rendered for them alone.
    """

    def __init__(
        self,
        request: HttpRequest,
        article: Article,
        generation: dict[str, str | None],
        *,
        form: CommentForm | None = None,
    ) -> None:
        self.request = request
        self.article = article
        self.generation = generation
        self.rules = moderation_rules(generation.get("site"))
        self.sort = sort_from(request)
        self.is_open = comments_open(article, self.rules)
        user = request.user
        # The reader's facts are read with their user row, if it is not read yet.
        with loading_user_with(*reader_facts_query(article)):
            signed_in = user.is_authenticated
        self.reader = reader_facts(user, article) if signed_in else {}
        self.page_number = requested_page(request)
        self.post_refusal = ""
        if signed_in:
            try:
                ensure_can_post(user, email_verified=self.reader["email_verified"])
            except CommentError as error:
                self.post_refusal = error.message
        self.refused_form = form
        self.draft = read_draft(request, article) if form is None else None

    @property
    def blank_form(self) -> bool:
        return self.refused_form is None and not self.draft

    @property
    def shared(self) -> bool:
        return self.blank_form and not (self.reader.get("has_unpublished") or self.post_refusal)

    def key(self, name: str, *parts: object) -> str | None:
        """The fragment key of a part of this page that every reader of it shares."""
        return by_generation(
            name,
            self.article.pk,
            self.generation.get("site"),
            self.generation.get("discussion"),
            self.sort,
            self.page_number,
            self.is_open,
            *parts,
        )

    def listing(self) -> SafeString:
        """This page of threads, with reader slots."""
        user = self.request.user
        if self.reader.get("has_unpublished"):
            viewer, key = user, None
        else:
            viewer, key = AnonymousUser(), self.key("comment-listing")
        html = cached(
            key,
            lambda: render_listing(
                self.article,
                viewer,
                sort=self.sort,
                page_number=self.page_number,
                comments_are_open=self.is_open,
            ),
            store="pages",
        )
        return mark_safe(html)  # noqa: S308 - our template's output

    def form(self) -> CommentForm:
        """The comment form: refused, with its errors; the reader's draft; or blank. Built only
        when the page is rendered, not for a view of a page already kept."""
        if self.refused_form is not None:
            return self.refused_form
        draft = self.draft or {}
        return new_comment_form(body=draft.get("body", ""), parent=draft.get("parent"))

    def context(self) -> dict[str, Any]:
        """Everything templates/comments/thread.html shows."""
        return {
            "comment_listing": self.listing(),
            "comment_form": self.form(),
            "comment_form_is_blank": self.blank_form or None,  # None: not a cacheable fragment
            "comments_are_open": self.is_open,
            "comment_post_refusal": self.post_refusal,
            "comment_login_url": login_url_for(self.article),
        }

    def fill(self, html: str) -> SafeString:
        """A page showing this discussion, its reader slots filled for this reader."""
        follow = ""
        if self.request.user.is_authenticated:
            follow = follow_form(self.article.pk, following=self.reader["following"])
        return fill_reader_slots(
            html, self.request, self.rules, follow=follow, liked=self.reader.get("liked")
        )


@functools.lru_cache(maxsize=4096)
def follow_form(article_pk: int, *, following: bool) -> str:
    """The follow/unfollow form of a discussion (its CSRF token is a reader slot)."""
    return render_to_string(
        "comments/_follow_form.html", {"article_pk": article_pk, "following_thread": following}
    )


# What a signed-in page needs to know about its reader, in one round trip: three yes/no facts,
# repeated on each row, and the comments of the article they like, one per row (NULL for none).
# CROSS JOIN makes SQLite start from the reader's likes, not from every comment of the article
# (200 µs on 2,000 comments); PostgreSQL plans it as the join it is.
# Written as SQL because the ORM's version cost more to build than to run, on every signed-in
# page view (benchmarks/profile.py).
READER_FACTS_SQL = """
SELECT facts.has_unpublished, facts.following, facts.email_verified, liked.comment_id
FROM (
  SELECT
    {has_unpublished} AS has_unpublished,
    EXISTS (SELECT 1 FROM {subscription} WHERE article_id = %s AND user_id = %s) AS following,
    EXISTS (SELECT 1 FROM {email} WHERE user_id = %s AND verified) AS email_verified
) AS facts
LEFT JOIN (
  SELECT l.comment_id FROM {like} l CROSS JOIN {comment} c
  WHERE c.id = l.comment_id AND l.user_id = %s AND c.article_id = %s
) AS liked ON TRUE
"""
# One probe of comment_author_idx per held status. PostgreSQL reads `status IN (...)` as a
# filter over all the reader's comments on the article instead: 500 rows for a busy commenter.
HELD_SQL = (
    "EXISTS (SELECT 1 FROM {comment} WHERE article_id = %s AND author_id = %s AND status = %s)"
)


@functools.cache
def _reader_facts_sql() -> str:
    comment = Comment._meta.db_table
    return READER_FACTS_SQL.format(
        has_unpublished=" OR ".join(
            [HELD_SQL.format(comment=comment)] * len(Comment.AUTHOR_VISIBLE_STATUSES)
        ),
        comment=comment,
        subscription=ThreadSubscription._meta.db_table,
        email=EmailAddress._meta.db_table,
        like=CommentLike._meta.db_table,
    )


def reader_facts_query(article: Article) -> tuple[str, Callable[[int], tuple[str, list]]]:
    """The name and the query of a reader's facts about this article, for loading_user_with()."""

    def query(reader_pk: int) -> tuple[str, list]:
        held_params = [
            param
            for status in Comment.AUTHOR_VISIBLE_STATUSES
            for param in (article.pk, reader_pk, status)
        ]
        return _reader_facts_sql(), [*held_params, article.pk, *[reader_pk] * 3, article.pk]

    return f"reader-facts:{article.pk}", query


def reader_facts(user, article: Article) -> dict:
    """What the page needs to know about a signed-in reader, in one query (or none, when
    they came with the user)."""
    name, query = reader_facts_query(article)
    rows = getattr(user, "loaded_with", {}).get(name)
    if rows is None:
        sql, params = query(user.pk)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    has_unpublished, following, email_verified, _ = rows[0]
    return {
        "has_unpublished": bool(has_unpublished),
        "following": bool(following),
        "email_verified": bool(email_verified),
        "liked": {row[3] for row in rows if row[3] is not None},
    }


def page_number_for(comment: Comment, user, sort: str) -> int:
    """Which page of top-level threads holds this comment's thread, in this sort order."""
    ids = list(
        Comment.objects.filter(article_id=comment.article_id)
        .threads_visible_to(user)
        .sorted_by(sort)
        .values_list("id", flat=True)
    )
    try:
        position = ids.index(comment.thread_id)
    except ValueError:
        return 1
    return position // COMMENTS_PER_PAGE + 1
