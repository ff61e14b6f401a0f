"""Reading an article's discussion: a page of threads as one reader may see it, and the form.

A page of threads costs two queries (the top-level comments with their total, and every reply
of them); a signed-in reader's own state (what they like, whether they follow) two more, and
a third, whom they muted among the page's authors, only for readers who muted someone (their
count is on the account the request has loaded already: comments.mutes).

Besides every thread, a discussion has two views with their own addresses (`?view=staff`:
threads where a journalist or moderator spoke; `?view=picks`: the editors' picks), and the
story's settings shape it: in Q&A mode a question shows once staff have answered it (to its
author and staff at once), and under it only staff answers.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Window
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article

from .drafts import read_draft
from .forms import CommentForm
from .models import Comment, CommentLike, ModerationSettings, ThreadSubscription
from .mutes import muted_author_ids
from .record import discussion_record, median_wait_text
from .services import CommentError, comments_open, decided_by_a_moderator, ensure_can_post

COMMENTS_PER_PAGE = 20
# A comment's replies show open up to this many (all levels below it); more start collapsed
# behind "Show N replies" (templates/comments/_comment.html).
REPLIES_SHOWN_OPEN = 5
# Messages tagged with this (and "comment-<id>" for one comment) appear beside that comment, or
# at the top of the discussion, instead of at the top of the page (comments.views.tell_beside).
BESIDE = "beside"


def live_interval_seconds() -> int:
    """How often an open page asks for new comments (comments.js); tests set it to 1."""
    return getattr(settings, "COMMENTS_LIVE_INTERVAL_SECONDS", 15)


MAX_PAGE = 10**6
DEFAULT_SORT = "best"
SORT_LABELS = {"best": _("Best"), "newest": _("Newest"), "oldest": _("Oldest")}
ALL, STAFF, PICKS = "", "staff", "picks"
VIEW_LABELS = {ALL: _("All comments"), STAFF: _("Staff replies"), PICKS: _("Editors’ picks")}  # noqa: RUF001


def sort_from(request: HttpRequest) -> str:
    sort = request.GET.get("sort", DEFAULT_SORT)
    return sort if sort in Comment.SORTS else DEFAULT_SORT


def view_from(request: HttpRequest) -> str:
    view = request.GET.get("view", ALL)
    return view if view in VIEW_LABELS else ALL


def requested_page(request: HttpRequest) -> int:
    """The page of threads ?page= asks for; nonsense is page 1, and no number is so large that
    its offset overflows the database's integers (past the end, the last page is shown)."""
    try:
        return min(max(int(request.GET.get("page") or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def discussion_variant(request: HttpRequest) -> str:
    """What of the query string an article page shows (for newsite.pagecache)."""
    return f"view={view_from(request)}&sort={sort_from(request)}&page={requested_page(request)}"


def discussion_url(
    article: Article, *, sort: str, page: int, anchor: str = "comments", view: str = ALL
) -> str:
    """The article's address at this page of threads in this order (and view)."""
    params = {}
    if view:
        params["view"] = view
    if sort != DEFAULT_SORT:
        params["sort"] = sort
    if page > 1:
        params["page"] = page
    query = f"?{urlencode(params)}" if params else ""
    return f"{article.get_absolute_url()}{query}#{anchor}"


def login_url_for(article: Article, *, draft: bool = False) -> str:
    """Log in, then come back to the discussion; `draft` makes the login page say the
    reader's comment is kept."""
    query = urlencode(
        {"next": f"{article.get_absolute_url()}#comments", **({"draft": "1"} if draft else {})}
    )
    return f"{reverse('account_login')}?{query}"


class PageOutOfRange(Exception):
    """A page of threads past the last: the view sends the reader to the last one."""

    def __init__(self, last: int) -> None:
        super().__init__(last)
        self.last = last


def _newest_published_id(article: Article) -> Subquery:
    return Subquery(
        Comment.objects.filter(article=article, status=Comment.Status.PUBLISHED)
        .order_by("-id")
        .values("id")[:1]
    )


def _page_of(top_level, number: int, article: Article) -> Page:
    """The requested page of threads and their total in one query (a window count), with
    the article's newest published comment (`page.newest_id`: what the live notice counts
    from, read in the same query so that it costs none, and the same in every render)."""
    paginator = Paginator(top_level, COMMENTS_PER_PAGE)
    start = (number - 1) * COMMENTS_PER_PAGE
    rows = list(
        top_level.annotate(
            threads_total=Window(Count("id")), newest_id=_newest_published_id(article)
        )[start : start + COMMENTS_PER_PAGE]
    )
    if not rows and number > 1:
        return paginator.get_page(number)  # past the end: counts, and serves the last page
    paginator.count = rows[0].threads_total if rows else 0
    page = Page(rows, number, paginator)
    if rows:
        page.newest_id = rows[0].newest_id or 0
    else:  # nothing listed (an empty view, or only held comments): ask on its own
        newest = Comment.objects.filter(article=article, status=Comment.Status.PUBLISHED)
        page.newest_id = newest.aggregate(newest=Max("id"))["newest"] or 0
    return page


def _prune(comment: Comment, user, *, answers_only: bool = False) -> bool:
    """Keep a comment if the reader may see it or it leads to one they may see. With
    `answers_only` (Q&A mode), replies are kept only if staff wrote them, or the reader."""
    comment.children = [
        child
        for child in comment.children
        if (not answers_only or _is_staff(child.author) or _is_own(child, user))
        and _prune(child, user, answers_only=answers_only)
    ]
    comment.is_placeholder = not comment.is_visible_to(user)
    comment.reply_total = sum(1 + child.reply_total for child in comment.children)
    comment.replies_open = comment.reply_total <= REPLIES_SHOWN_OPEN
    # A deleted comment stays only to keep its replies' place: without them, no stub.
    shown = not comment.is_placeholder and not comment.is_deleted
    return shown or bool(comment.children)


def _is_staff(user) -> bool:
    return bool(user is not None and user.is_staff)


def _is_own(comment: Comment, user) -> bool:
    return user.is_authenticated and comment.author_id == user.pk


def _published_reply_by_staff() -> Exists:
    return Exists(
        Comment.objects.filter(
            root=OuterRef("pk"), status=Comment.Status.PUBLISHED, author__is_staff=True
        )
    )


def shown_to_everyone(comments, article: Article):
    """Of an article's counted `comments`, those every reader may see, for pages and feeds
    that show comments outside the discussion (structured data, the comment feed): in Q&A
    mode, answered questions and staff answers only."""
    if not article.is_qa:
        return comments
    return comments.filter(
        Q(parent__isnull=True, author__is_staff=True)
        | Q(parent__isnull=True) & _published_reply_by_staff()
        | Q(parent__isnull=False, author__is_staff=True)
    )


def _top_level(article: Article, user, *, view: str):
    """The comments a page of this view lists at its top level, before sorting."""
    comments = Comment.objects.filter(article=article).select_related("author", "remote")
    if view == PICKS:
        return comments.filter(is_pinned=True).published().select_related("reply_to__author")
    comments = comments.threads_visible_to(user)
    if view == STAFF:
        comments = comments.filter(Q(author__is_staff=True) | _published_reply_by_staff())
    if article.is_qa and not _is_staff(user):
        # A question shows once staff answered it; until then to its author alone.
        mine = Q(author=user) if user.is_authenticated else Q(pk__in=[])
        comments = comments.filter(mine | _published_reply_by_staff())
    return comments


def page_of_threads(
    article: Article, user, *, sort: str, number: int, view: str = ALL
) -> tuple[Page, list]:
    """One page of top-level comments as `user` may see them, each with its `children`, and
    every comment of the page in display order. The picks view lists the picked comments
    alone, replies or not, without their threads."""
    top_level = _top_level(article, user, view=view).sorted_by(sort)
    page = _page_of(top_level, number, article)
    if page.number != number:
        raise PageOutOfRange(page.number)
    threads = list(page.object_list)
    if view == PICKS:
        for comment in threads:
            comment.children, comment.is_placeholder = [], False
            comment.reply_total, comment.replies_open = 0, True
        return page, threads
    replies: list[Comment] = []
    if threads:
        # Every reply of these threads, whatever its status: unpublished ones are pruned below
        # or kept as bodiless placeholders when published replies hang beneath them.
        replies = list(
            Comment.objects.filter(root_id__in=[c.pk for c in threads])
            .select_related("author", "remote")
            .order_by("created_at", "id")
        )
    by_id = {c.pk: c for c in threads + replies}
    for comment in by_id.values():
        comment.children = []
    for reply in replies:  # oldest first, so parents come before their replies
        if reply.parent_id in by_id:
            by_id[reply.parent_id].children.append(reply)
        # Who a reply answers is in its thread, so at hand without a join.
        if reply.reply_to_id in by_id:
            reply.reply_to = by_id[reply.reply_to_id]
    answers_only = article.is_qa and not _is_staff(user)
    threads = [c for c in threads if _prune(c, user, answers_only=answers_only)]
    return page, threads


def _flatten(comments: list[Comment]) -> list[Comment]:
    found: list[Comment] = []
    for comment in comments:
        found.append(comment)
        found.extend(_flatten(comment.children))
    return found


def place_messages(request: HttpRequest, threads: list[Comment]) -> tuple[list, list]:
    """The request's messages tagged BESIDE: each set on its comment's `notes` when that
    comment is on this page (its threads opened down to it), else returned to show at the top
    of the discussion. Returns (left for the discussion, all placed ones)."""
    placed = [m for m in messages.get_messages(request) if BESIDE in m.extra_tags.split()]
    if not placed:
        return [], []
    by_id: dict[int, Comment] = {}
    ancestors: dict[int, list[Comment]] = {}

    def walk(comment: Comment, above: list[Comment]) -> None:
        by_id[comment.pk] = comment
        ancestors[comment.pk] = above
        for child in comment.children:
            walk(child, [*above, comment])

    for thread in threads:
        walk(thread, [])
    left = []
    for message in placed:
        target = next(
            (
                by_id.get(int(tag.removeprefix("comment-")))
                for tag in message.extra_tags.split()
                if tag.startswith("comment-") and tag.removeprefix("comment-").isdigit()
            ),
            None,
        )
        if target is None or target.is_placeholder:
            left.append(message)
            continue
        target.notes = [*getattr(target, "notes", []), message]
        for ancestor in ancestors[target.pk]:
            ancestor.replies_open = True
    return left, placed


def mark_for_reader(comments: list[Comment], user, rules: ModerationSettings) -> None:
    """Set what each comment's controls show for this reader: `is_own`, `is_liked`,
    `is_editable` (a query for their likes, and one for which of their comments still in the
    edit window a moderator has decided on), `muted_by` (the reader's mute of its author, if
    any: a query only for readers who muted someone) and `may_mute`."""
    liked: set[int] = set()
    if user.is_authenticated and comments:
        liked = set(
            CommentLike.objects.filter(
                user=user, comment_id__in=[c.pk for c in comments]
            ).values_list("comment_id", flat=True)
        )
    editable_after = timezone.now() - timedelta(minutes=rules.edit_window_minutes)
    muted = muted_author_ids(user, {c.author_id for c in comments})
    for comment in comments:
        comment.is_own = user.is_authenticated and comment.author_id == user.pk
        comment.is_liked = comment.pk in liked
        staff = _is_staff(comment.author)
        # Staff stay visible whatever a reader muted (comments.mutes says why).
        comment.muted_by = None if staff else muted.get(comment.author_id)
        comment.may_mute = bool(
            user.is_authenticated and comment.author_id and not comment.is_own and not staff
        )
    in_window = {
        c.pk for c in comments if c.is_own and not c.is_deleted and c.created_at > editable_after
    }
    editable = in_window - (decided_by_a_moderator(list(in_window)) if in_window else set())
    for comment in comments:
        comment.is_editable = comment.pk in editable


def as_single(comment: Comment, user, rules: ModerationSettings) -> Comment:
    """A comment shown on its own (a reply page, a posted comment), without its replies."""
    comment.children = []
    comment.is_placeholder = False
    comment.reply_total, comment.replies_open = 0, True
    mark_for_reader([comment], user, rules)
    return comment


def new_comment_form(
    request: HttpRequest, *, body: str = "", parent: int | str | None = None, form_id: str = "new"
) -> CommentForm:
    """A form to fill in. A signed-in reader's carries a new client token, so that posting it
    twice makes one comment."""
    initial = {"body": body, "parent": parent or ""}
    if request.user.is_authenticated:
        initial["client_token"] = uuid.uuid4().hex
    return CommentForm(initial=initial, form_id=form_id)


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


def discussion_context(
    request: HttpRequest, article: Article, *, form: CommentForm | None = None
) -> dict[str, Any]:
    """Everything templates/comments/thread.html shows. `form` is a refused comment, shown
    again with its errors and the reader's text."""
    user = request.user
    rules = ModerationSettings.load()
    sort, view = sort_from(request), view_from(request)
    page, threads = page_of_threads(
        article, user, sort=sort, number=requested_page(request), view=view
    )
    mark_for_reader(_flatten(threads), user, rules)
    discussion_notes, placed_messages = place_messages(request, threads)
    post_refusal = ""
    following = False
    if form is None:
        draft = read_draft(request, article) or {}
        form = new_comment_form(request, body=draft.get("body", ""), parent=draft.get("parent"))
    if user.is_authenticated:
        try:
            ensure_can_post(user)
        except CommentError as error:
            post_refusal = error.message
        following = ThreadSubscription.objects.filter(article=article, user=user).exists()
    return {
        "comment_threads": threads,
        "discussion_notes": discussion_notes,
        # base.html leaves these out of the messages at the top of the page.
        "messages_placed": placed_messages,
        "comment_page": page,
        "comment_sort": sort,
        "comment_sorts": SORT_LABELS,
        "comment_view": view,
        "comment_views": VIEW_LABELS,
        "comment_form": form,
        "comments_are_open": comments_open(article, rules),
        "comment_post_refusal": post_refusal,
        "comment_login_url": login_url_for(article),
        "following_thread": following,
        # The live notice counts comments published after this one (comments.js).
        "comment_live_since": page.newest_id,
        "comment_live_url": reverse("comments:since", args=[article.pk]),
        "comment_live_interval": live_interval_seconds(),
        # Called by the template only where it shows them: kept in the cache, not queried.
        "discussion_record": partial(discussion_record, article),
        "review_wait": median_wait_text,
    }
