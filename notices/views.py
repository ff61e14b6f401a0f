"""Public pages: the notice form and its receipt, statements of reasons with their appeal
form, the community guidelines, and the moderation record. Every form is a plain POST with
CSRF (no JavaScript)."""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Article
from comments.models import Comment
from comments.ratelimit import client_ip
from comments.record import MONTHS_SHOWN, median_wait_text, monthly_record
from newsite import pagecache

from . import services
from .forms import AppealForm, NoticeForm
from .models import CommunityGuidelines, Notice, StatementOfReasons
from .record import monthly_notices

logger = logging.getLogger(__name__)


def reportable_comment(pk) -> Comment | None:
    """A published comment on a published article; one its author deleted since can still be
    reported. Held or hidden ones are not shown to the public, so not named here either."""
    if not str(pk or "").isdigit():
        return None
    return (
        Comment.objects.published()
        .filter(pk=int(pk), article__in=Article.objects.published())
        .select_related("article", "author")
        .first()
    )


@require_http_methods(["GET", "POST"])
def notice_create(request: HttpRequest) -> HttpResponse:
    """Anyone, signed in or not, may send a notice about a comment."""
    status = 200
    if request.method == "POST":
        form = NoticeForm(request.POST)
        comment = reportable_comment(request.POST.get("comment"))
        if form.is_valid():
            data = form.cleaned_data
            if data["website"]:
                logger.info("Honeypot filled on the notice form; notice dropped")
                return redirect("articles:home")
            try:
                notice = services.notice_create(
                    ground=data["ground"],
                    law=data["law"],
                    explanation=data["explanation"],
                    location_url=data["location_url"],
                    sender_name=data["sender_name"],
                    sender_email=data["sender_email"],
                    is_good_faith=data["is_good_faith"],
                    comment=comment,
                    ip_address=client_ip(request),
                    client_token=data["client_token"],
                )
            except services.NoticeError as error:
                form.add_error(None, error.message)
                status = 429 if isinstance(error, services.NoticeRateLimited) else 400
            else:
                return redirect(notice)
        else:
            status = 400
    else:
        comment = reportable_comment(request.GET.get("comment"))
        initial = {"client_token": uuid.uuid4().hex}
        if comment is not None:
            initial |= {
                "comment": comment.pk,
                "location_url": request.build_absolute_uri(comment.get_absolute_url()),
            }
        if request.user.is_authenticated:
            initial |= {"sender_name": request.user.public_name, "sender_email": request.user.email}
        form = NoticeForm(initial=initial)
    return render(
        request, "notices/notice_form.html", {"form": form, "comment": comment}, status=status
    )


def notice_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """The reference and where the notice stands; nothing personal (the reference is the key)."""
    notice = get_object_or_404(Notice, reference=reference)
    return render(request, "notices/notice_receipt.html", {"notice": notice})


def _statement_for(request: HttpRequest, puid) -> StatementOfReasons:
    statement = get_object_or_404(
        StatementOfReasons.objects.select_related("comment__article", "notice", "appeal"),
        puid=puid,
    )
    user = request.user
    if statement.recipient_id != user.pk and not (
        user.is_staff and user.has_perm("notices.view_statementofreasons")
    ):
        raise Http404("No such statement.")
    return statement


def _render_statement(
    request: HttpRequest, statement: StatementOfReasons, form=None, *, status: int = 200
) -> HttpResponse:
    appeal = getattr(statement, "appeal", None)
    context = {
        "statement": statement,
        "appeal": appeal,
        "can_appeal": appeal is None and statement.recipient_id == request.user.pk,
        "form": form or AppealForm(),
        "guidelines": CommunityGuidelines.current(),
    }
    return render(request, "notices/statement.html", context, status=status)


@login_required
def statement_detail(request: HttpRequest, puid) -> HttpResponse:
    """The author's statement of reasons (and staff's), with the appeal form until used."""
    return _render_statement(request, _statement_for(request, puid))


@login_required
@require_POST
def appeal_create(request: HttpRequest, puid) -> HttpResponse:
    statement = _statement_for(request, puid)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_create(
                statement=statement, author=request.user, reason=form.cleaned_data["reason"]
            )
        except services.NoticeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Your appeal is sent. A different moderator will decide it.")
            )
            return redirect(statement)
    return _render_statement(request, statement, form, status=400)


@pagecache.anonymous_page_cache(lambda **kwargs: ())
def guidelines(request: HttpRequest) -> HttpResponse:
    return render(request, "notices/guidelines.html", {"guidelines": CommunityGuidelines.current()})


@pagecache.anonymous_page_cache(lambda: [pagecache.LISTS, pagecache.NOTICES])
def moderation_record(request: HttpRequest) -> HttpResponse:
    """/moderation/: the site's moderation in numbers, per month, without names."""
    return render(
        request,
        "notices/moderation_record.html",
        {
            "months": monthly_record(),
            "notice_months": monthly_notices(),
            "months_shown": MONTHS_SHOWN,
            "median_wait": median_wait_text(),
        },
    )
