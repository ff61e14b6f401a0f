"""The site's public ActivityPub documents: its actor, outbox, followers and articles' replies,
and the discovery documents that lead other servers to them (WebFinger, NodeInfo, host-meta)."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from articles.models import Article
from comments.models import Comment

from . import documents, vocab
from .negotiation import wants_activity_json


def activity_response(document: dict[str, Any], content_type: str = vocab.ACTIVITY_JSON):
    response = HttpResponse(json.dumps(document), content_type=content_type)
    # Other servers' JavaScript clients may read the public documents.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def page_number(request: HttpRequest) -> int | None:
    """?page=N as a positive number; None without one; 0 for nonsense."""
    value = request.GET.get("page")
    if value is None:
        return None
    return int(value) if value.isdigit() and int(value) > 0 else 0


@require_safe
def actor(request: HttpRequest) -> HttpResponse:
    if wants_activity_json(request):
        response = activity_response(documents.actor_document())
    else:  # a reader who follows the actor's link from their app wants the site
        response = redirect("articles:home")
    patch_vary_headers(response, ["Accept"])
    return response


def article_response(article: Article) -> HttpResponse:
    """A published article as an ActivityStreams Article, with its public comments."""
    document = documents.with_context(documents.article_object(article))
    return activity_response(document)


def comment_note_response(comment: Comment) -> HttpResponse:
    """A public comment as a Note; 404 for one the public cannot read (held, deleted)."""
    if not comment.is_published or comment.is_deleted:
        raise Http404
    document = documents.with_context(documents.comment_note(comment, comment.article))
    return activity_response(document)


@require_safe
def outbox(request: HttpRequest) -> HttpResponse:
    number = page_number(request)
    if number == 0:
        return HttpResponseBadRequest(_("page must be a positive number"))
    return activity_response(
        documents.outbox() if number is None else documents.outbox_page(number)
    )


@require_safe
def followers(request: HttpRequest) -> HttpResponse:
    return activity_response(documents.followers())


@require_safe
def replies(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    number = page_number(request)
    if number == 0:
        return HttpResponseBadRequest(_("page must be a positive number"))
    if number is None:
        document = documents.with_context(documents.replies_collection(article))
    else:
        document = documents.with_context(documents.replies_page(article, number))
    return activity_response(document)


@require_safe
def webfinger(request: HttpRequest) -> HttpResponse:
    resource = request.GET.get("resource", "")
    if not resource:
        return HttpResponseBadRequest(_("The resource parameter is required."))
    document = documents.webfinger(resource)
    if document is None:
        return HttpResponse(_("No such account here."), status=404, content_type="text/plain")
    return activity_response(document, vocab.JRD_JSON)


@require_safe
def nodeinfo_links(request: HttpRequest) -> HttpResponse:
    return JsonResponse(documents.nodeinfo_links())


@require_safe
def nodeinfo(request: HttpRequest) -> HttpResponse:
    return activity_response(
        documents.nodeinfo(), f'application/json; profile="{vocab.NODEINFO_SCHEMA}#"'
    )


@require_safe
def host_meta(request: HttpRequest) -> HttpResponse:
    """The older discovery document some servers still try before WebFinger."""
    template = escape(vocab.absolute(reverse("federation:webfinger")) + "?resource={uri}")
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="application/xrd+xml" template="{template}"/>\n'
        "</XRD>\n"
    )
    return HttpResponse(xml, content_type="application/xrd+xml")
