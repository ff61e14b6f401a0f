"""Reading a discussion: the context the article page needs, in a constant number of queries.

One query pages the top-level comments, one fetches every reply of that page (through
Comment.root), one the reader's likes; the tree is assembled in Python.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse

from articles.models import Article

from .forms import CommentForm
from .fragments import attach_headers
from .models import Comment, CommentLike, ModerationSettings, ThreadSubscription
from .services import CommentError, can_edit, comments_open, ensure_can_post

COMMENTS_PER_PAGE = 20
DEFAULT_SORT = "best"
SORT_LABELS = {"best": "Best", "newest": "Newest", "oldest": "Oldest"}
DRAFTS_SESSION_KEY = "comment_drafts"


def sort_from(request: HttpRequest) -> str:
    sort = request.GET.get("sort", DEFAULT_SORT)
    return sort if sort in Comment.SORTS else DEFAULT_SORT


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
    return CommentForm(
        initial={"body": body, "parent": parent or "", "client_token": uuid.uuid4().hex},
        form_id=form_id,
    )


# --- the thread ------------------------------------------------------------------------------


def mark_for_reader(comments: list[Comment], user, rules: ModerationSettings) -> None:
    """Per-reader flags the templates need, without a query per comment."""
    liked: set[int] = set()
    if user.is_authenticated and comments:
        liked = set(
            CommentLike.objects.filter(
                user=user, comment_id__in=[c.pk for c in comments]
            ).values_list("comment_id", flat=True)
        )
    for comment in comments:
        comment.is_own = user.is_authenticated and comment.author_id == user.pk
        comment.liked = comment.pk in liked
        comment.editable = comment.is_own and can_edit(comment, user, rules)
        if not hasattr(comment, "children"):
            comment.children = []
        if not hasattr(comment, "is_placeholder"):
            comment.is_placeholder = False


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


def thread_context(
    request: HttpRequest, article: Article, *, form: CommentForm | None = None
) -> dict[str, Any]:
    """Everything templates/comments/thread.html shows for one page of an article's threads."""
    user = request.user
    rules = ModerationSettings.load()
    sort = sort_from(request)
    top_level = (
        Comment.objects.filter(article=article)
        .threads_visible_to(user)
        .with_author()
        .sorted_by(sort)
    )
    page = Paginator(top_level, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    threads = list(page.object_list) if page.paginator.count else []
    replies: list[Comment] = []
    if threads:
        # Every reply of these threads, whatever its status: unpublished ones are pruned below
        # or kept as bodiless placeholders when published replies hang beneath them.
        replies = list(
            Comment.objects.filter(root_id__in=[c.pk for c in threads])
            .with_author()
            .order_by("created_at", "id")
        )
    by_id = {c.pk: c for c in threads + replies}
    for comment in by_id.values():
        comment.children = []
    for reply in replies:  # oldest first, so parents come before their replies
        parent = by_id.get(reply.parent_id)
        if parent is not None:
            parent.children.append(reply)
    threads = [c for c in threads if _prune(c, user)]
    shown = _flatten(threads)
    mark_for_reader(shown, user, rules)
    attach_headers(shown)

    is_open = comments_open(article, rules)
    post_refusal = ""
    following = False
    if user.is_authenticated:
        try:
            ensure_can_post(user)
        except CommentError as error:
            post_refusal = error.message
        following = ThreadSubscription.objects.filter(user=user, article=article).exists()

    if form is None:
        draft = read_draft(request, article) or {}
        form = new_comment_form(body=draft.get("body", ""), parent=draft.get("parent"))

    return {
        "comment_threads": threads,
        "comment_page": page,
        "comment_sort": sort,
        "comment_sorts": SORT_LABELS,
        "comment_form": form,
        "comments_are_open": is_open,
        "comment_post_refusal": post_refusal,
        "comment_login_url": login_url_for(article),
        "following_thread": following,
        "comment_edit_minutes": rules.edit_window_minutes,
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
