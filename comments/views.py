"""Comment pages and form endpoints.

Every form is a plain POST with CSRF that redirects to the comment's permalink, so the site works
without JavaScript; static/js/comments.js asks for HTML fragments (X-Requested-With) instead.
"""

from __future__ import annotations

import hashlib
import logging
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Article
from discovery import oembed
from discovery.meta import absolute_url
from federation.answers import answer_requested
from federation.negotiation import wants_activity_json
from federation.views import comment_note_response
from newsite import pagecache

from . import mutes, ratelimit, services
from .discussion import (
    BESIDE,
    as_single,
    discussion_url,
    login_url_for,
    new_comment_form,
    page_number_for,
    shown_to_everyone,
    sort_from,
)
from .drafts import clear_draft, is_cross_site, store_draft
from .forms import CommentEditForm, CommentForm, CommentReportForm
from .models import Comment, ModerationSettings, Mute
from .notifications import KIND_FOLLOW, read_unsubscribe_token, user_unsubscribe
from .record import median_wait_text

logger = logging.getLogger(__name__)
# Drafts one network address may leave per minute before logging in.
DRAFTS_PER_MINUTE = 10
# Likes and unlikes one reader may make per minute.
LIKES_PER_MINUTE = 60


def wants_fragment(request: HttpRequest) -> bool:
    """comments.js sets this header; it gets an HTML fragment instead of a redirect."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def tell_beside(
    request: HttpRequest, text: str, comment: Comment | None = None, level: int = messages.SUCCESS
) -> None:
    """A confirmation shown beside `comment` on the article page (or at the top of its
    discussion when it is not on the page), not at the top of a page scrolled to the thread."""
    tags = f"{BESIDE} comment-{comment.pk}" if comment is not None else BESIDE
    messages.add_message(request, level, text, extra_tags=tags)


def posted_text(comment: Comment) -> str:
    if comment.is_published:
        return _("Your comment was posted.")
    return _("Your comment is held for review: only you can see it until a moderator approves it.")


def public_articles():
    return Article.objects.published()


def public_comments():
    """Comments on published articles: the only ones any comment action may reach."""
    return Comment.objects.filter(article__in=public_articles())


def open_comment(pk: int) -> Comment:
    """A comment readers can answer or report: counted, on a published article; else 404."""
    return get_object_or_404(
        public_comments().counted().select_related("article", "author"),
        pk=pk,
    )


def render_single(
    request: HttpRequest, template: str, comment: Comment, *, status: int = 200, **context
) -> HttpResponse:
    """A page showing one comment's card, with this reader's controls."""
    rules = ModerationSettings.load()
    versions = pagecache.versions(
        request, site=pagecache.SITE, discussion=pagecache.discussion(comment.article.slug)
    )
    context = {
        "versions": versions,
        "comment": as_single(comment, request.user, rules),
        "article": comment.article,
        "comments_are_open": services.comments_open(comment.article, rules),
        "review_wait": median_wait_text,
        **context,
    }
    return render(request, template, context, status=status)


def render_comment(
    request: HttpRequest, comment: Comment, *, status: int = 200, note: str = ""
) -> HttpResponse:
    """A comment's card for comments.js, with the confirmation `note` inside it."""
    comment.notes = [Message(messages.SUCCESS, note)] if note else []
    return render_single(request, "comments/_comment.html", comment, status=status)


def render_article_with_form(request: HttpRequest, article: Article, form) -> HttpResponse:
    """Show the article page again, the reader's text kept and the problem explained."""
    from articles.views import ArticleDetailView

    view = ArticleDetailView(refused_form=form)
    view.setup(request, slug=article.slug)
    return view.get(request)


def fragment_errors(request: HttpRequest, form) -> HttpResponse:
    return render(request, "comments/_errors.html", {"form": form}, status=400)


def keep_draft_and_log_in(request: HttpRequest, article: Article) -> HttpResponse:
    store_draft(
        request,
        article,
        body=request.POST.get("body", ""),
        parent=request.POST.get("parent", ""),
    )
    login_url = login_url_for(article, draft=True)
    if wants_fragment(request):
        return JsonResponse({"login_url": login_url}, status=401)
    return redirect(login_url)  # the login page says the draft is kept (account/login.html)


# The logged-out form carries no CSRF token (comments/drafts.py says why): this endpoint only
# keeps a draft in the poster's own session and sends them to log in.
@csrf_exempt
@require_POST
def comment_draft(request: HttpRequest, article_id: int) -> HttpResponse:
    if is_cross_site(request):
        return HttpResponseForbidden("Drafts are only kept from this site's own pages.")
    article = get_object_or_404(public_articles(), pk=article_id)
    if request.user.is_authenticated:
        return redirect(f"{article.get_absolute_url()}#comments")
    if wait := ratelimit.wait(
        f"draft:{ratelimit.client_ip(request)}", limit=DRAFTS_PER_MINUTE, window=60
    ):
        return render(request, "429.html", {"try_again": ratelimit.try_again_in(wait)}, status=429)
    return keep_draft_and_log_in(request, article)


@require_POST
def comment_create(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(public_articles(), pk=article_id)
    parent_field = request.POST.get("parent", "")
    form = CommentForm(
        request.POST, form_id=f"reply{parent_field}" if parent_field.isdigit() else "new"
    )
    if not request.user.is_authenticated:
        # Typically a session that expired while the reader was writing.
        return keep_draft_and_log_in(request, article)

    parent = None
    if form.is_valid():
        if form.cleaned_data["website"]:
            logger.info("Honeypot filled by user %s; comment dropped", request.user.pk)
            return redirect(f"{article.get_absolute_url()}#comments")
        parent_id = form.cleaned_data["parent"]
        if parent_id:
            # Only a comment this reader may see: the error path below shows it.
            parent = (
                Comment.objects.visible_to(request.user)
                .filter(pk=parent_id, article=article)
                .select_related("article", "author")
                .first()
            )
            if parent is None:
                form.add_error(None, services.InvalidParent.message)
    if form.is_valid():
        try:
            comment = services.comment_create(
                article=article,
                author=request.user,
                body=form.cleaned_data["body"],
                parent=parent,
                ip_address=ratelimit.client_ip(request),
                client_token=form.cleaned_data["client_token"],
            )
        except services.CommentError as error:
            form.add_error("body", error.message)
        else:
            if parent is not None and form.cleaned_data["send_to_fediverse"]:
                answer_requested(comment=comment, answered=parent)
    if not form.is_valid():
        if wants_fragment(request):
            return fragment_errors(request, form)
        if parent is not None:
            return render_reply_page(request, parent, form)
        return render_article_with_form(request, article, form)

    clear_draft(request, article)
    if wants_fragment(request):
        return render_comment(request, comment, status=201, note=posted_text(comment))
    tell_beside(request, posted_text(comment), comment)
    return redirect(comment.get_absolute_url())


def comment_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """/comments/<id>/ opens the page of the discussion that holds the comment."""
    comment = get_object_or_404(
        Comment.objects.visible_to(request.user)
        .filter(article__in=public_articles())
        .select_related("article"),
        pk=pk,
    )
    if wants_activity_json(request):
        # The permalink is the comment's id on the fediverse: other servers fetch its Note.
        response = comment_note_response(comment)
        patch_vary_headers(response, ["Accept"])
        return response
    sort = sort_from(request)
    page = page_number_for(comment, request.user, sort)
    response = redirect(
        discussion_url(comment.article, sort=sort, page=page, anchor=comment.anchor)
    )
    # The page it leads to advertises the article's embed; this is where a comment's is found.
    embed = oembed.endpoint(absolute_url(comment.get_absolute_url()))
    response["Link"] = f'<{embed}>; rel="alternate"; type="application/json+oembed"'
    patch_vary_headers(response, ["Accept"])
    return response


def render_reply_page(request: HttpRequest, parent: Comment, form) -> HttpResponse:
    template = "comments/_form.html" if wants_fragment(request) else "comments/reply.html"
    return render_single(request, template, parent, form=form)


@login_required
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A page with one comment and a reply form: the no-JavaScript way to reply."""
    parent = open_comment(pk)
    form = new_comment_form(request, parent=parent.pk, form_id=f"reply{parent.pk}")
    return render_reply_page(request, parent, form)


def own_comment(request: HttpRequest, pk: int) -> Comment:
    """The reader's own, undeleted comment, or 404: nobody learns about others' comments."""
    return get_object_or_404(
        public_comments().select_related("article", "author"),
        pk=pk,
        author=request.user,
        deleted_at__isnull=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = own_comment(request, pk)
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                services.comment_edit(
                    comment=comment, editor=request.user, body=form.cleaned_data["body"]
                )
            except services.CommentError as error:
                form.add_error("body", error.message)
            else:
                if comment.is_published:
                    text = _("Your comment was updated.")
                else:
                    text = _("Your comment was updated and is held for review.")
                if wants_fragment(request):
                    return render_comment(request, comment, note=text)
                tell_beside(request, text, comment)
                return redirect(comment.get_absolute_url())
    else:
        form = CommentEditForm(initial={"body": comment.body})
    rules = ModerationSettings.load()
    return render(
        request,
        "comments/edit.html",
        {
            "comment": comment,
            "form": form,
            "deadline": services.edit_deadline(comment, rules),
            "window_open": services.can_edit(comment, request.user, rules),
            "moderator_has_decided": services.moderator_has_decided(comment),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = own_comment(request, pk)
    if request.method == "POST":
        services.comment_delete(comment=comment, user=request.user)
        text = _("Your comment was deleted.")
        if wants_fragment(request):
            return render_comment(request, comment, note=text)
        tell_beside(request, text, comment)
        # Without replies a deleted comment leaves no trace on the page: the confirmation
        # then shows at the top of the discussion.
        if comment.is_published and comment.replies.exists():
            return redirect(comment.get_absolute_url())
        return redirect(f"{comment.article.get_absolute_url()}#comments")
    return render(request, "comments/delete.html", {"comment": comment})


@login_required
@require_POST
def comment_like(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(public_comments().published(), pk=pk)
    try:
        if not ratelimit.hit(f"like:{request.user.pk}", limit=LIKES_PER_MINUTE, window=60):
            raise services.CommentError("You are liking too quickly. Please wait a minute.")
        if request.POST.get("action") == "unlike":
            services.comment_unlike(comment=comment, user=request.user)
        else:
            services.comment_like(comment=comment, user=request.user)
    except services.CommentError as error:
        if wants_fragment(request):
            return JsonResponse({"error": error.message}, status=400)
        tell_beside(request, error.message, comment, messages.ERROR)
    if wants_fragment(request):
        liked = comment.likes.filter(user=request.user).exists()
        # The words after the count, for screen readers ("3 likes"), in the reader's language.
        label = ngettext("like", "likes", comment.like_count)
        return JsonResponse({"liked": liked, "like_count": comment.like_count, "label": label})
    return redirect(comment.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = open_comment(pk)
    if request.method == "POST":
        form = CommentReportForm(request.POST)
        if form.is_valid():
            try:
                services.comment_report(
                    comment=comment,
                    reporter=request.user,
                    reason=form.cleaned_data["reason"],
                    detail=form.cleaned_data["detail"],
                )
            except services.CommentError as error:
                tell_beside(request, error.message, comment, messages.ERROR)
            else:
                thanks = _("Thanks for your report. A moderator will look at it.")
                tell_beside(request, thanks, comment)
            comment.refresh_from_db(fields=["status"])
            if comment.is_published:  # enough reports hide it: then back to the discussion
                return redirect(comment.get_absolute_url())
            return redirect(f"{comment.article.get_absolute_url()}#comments")
    else:
        form = CommentReportForm()
    return render(request, "comments/report.html", {"comment": comment, "form": form})


@login_required
@require_POST
def comment_request_review(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(public_comments(), pk=pk, author=request.user)
    try:
        services.comment_request_review(comment=comment, author=request.user)
    except services.CommentError as error:
        tell_beside(request, error.message, comment, messages.ERROR)
    else:
        tell_beside(request, _("Thank you. A moderator will look at your comment again."), comment)
    return redirect(comment.get_absolute_url())


@login_required
@require_POST
def thread_follow(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(public_articles(), pk=article_id)
    if request.POST.get("action") == "unfollow":
        services.thread_unfollow(article=article, user=request.user)
        tell_beside(request, _("You no longer follow this discussion."))
    else:
        services.thread_follow(article=article, user=request.user)
        tell_beside(request, _("You will get an email about new comments here."))
    return redirect(f"{article.get_absolute_url()}#comments")


@csrf_exempt  # the signed token is the credential; mail clients POST without a cookie (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from an e-mail: GET asks to confirm (link scanners only GET), POST acts."""
    payload = read_unsubscribe_token(token)
    if payload is None:
        return render(request, "comments/unsubscribe.html", {"invalid": True}, status=400)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=payload["u"]).first()
    article = None
    # A follow link from a single mail names its discussion; one from a digest names none and
    # turns following mail off altogether.
    if payload["k"] == KIND_FOLLOW and "a" in payload:
        article = Article.objects.filter(pk=payload["a"]).first()
    if user is None or ("a" in payload and article is None):
        return render(request, "comments/unsubscribe.html", {"gone": True}, status=404)
    done = False
    if request.method == "POST":
        user_unsubscribe(user=user, kind=payload["k"], article=article, frequency=payload.get("f"))
        done = True
    return render(
        request,
        "comments/unsubscribe.html",
        {
            "kind": payload["k"],
            "frequency": payload.get("f"),
            "article": article,
            "done": done,
            "token": token,
        },
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def comment_mute_author(request: HttpRequest, pk: int) -> HttpResponse:
    """Mute the author of this comment, for the signed-in reader alone (comments.mutes)."""
    comment = get_object_or_404(public_comments().published().select_related("author"), pk=pk)
    try:
        mutes.mute_create(user=request.user, muted=comment.author)
    except services.CommentError as error:
        messages.error(request, error.message)
    else:
        tell_beside(
            request,
            _(
                "You muted %(name)s. Their comments are folded away for you, and we will not "
                "email you about them. Unmute them here or on your account page."
            )
            % {"name": comment.author.public_name},
            comment,
        )
    return redirect(_safe_next(request, comment.get_absolute_url()))


@login_required
@require_POST
def mute_delete(request: HttpRequest, pk: int) -> HttpResponse:
    mute = get_object_or_404(Mute.objects.select_related("muted"), pk=pk, user=request.user)
    try:
        mutes.mute_delete(user=request.user, mute=mute)
    except services.CommentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You unmuted {mute.muted.public_name}.")
    return redirect(_safe_next(request, reverse("accounts:profile")))


def _since(request: HttpRequest) -> int | None:
    """?after=: the newest comment id the page knew (data-live-since)."""
    after = request.GET.get("after", "")
    return int(after) if re.fullmatch(r"[0-9]{1,18}", after) else None


@require_http_methods(["GET", "HEAD"])
def comments_since(request: HttpRequest, article_id: int) -> HttpResponse:
    """How many comments were published on this article after the newest one the reader's
    page knew (static/js/comments.js asks every 15 s or so while the tab is visible).

    The ETag is the discussion's page-cache version with the question asked: until a comment
    changes, a repeat check answers 304 after a single row lookup (the article's slug, which
    names the version), before any comment is counted. A reader's own comments and those of
    commenters they muted are not news to them.
    """
    after = _since(request)
    if after is None:
        return JsonResponse({"error": "after= must be a page's data-live-since."}, status=400)
    article = get_object_or_404(public_articles().only("pk", "slug", "is_qa"), pk=article_id)
    version = pagecache.versions(request, discussion=pagecache.discussion(article.slug))
    user = request.user
    who = f"{user.pk}:{user.mute_count}" if user.is_authenticated else "-"
    tag = hashlib.sha256(f"{version['discussion']}|{after}|{who}".encode())
    etag = f'"{tag.hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        new = shown_to_everyone(
            Comment.objects.filter(article=article, pk__gt=after).counted(), article
        )
        if user.is_authenticated:
            new = new.exclude(author=user)
            if user.mute_count:
                new = new.exclude(author__in=user.mutes.values("muted"), author__is_staff=False)
        response = JsonResponse(
            {
                "count": new.count(),
                "url": discussion_url(article, sort="newest", page=1),
            }
        )
        response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response
