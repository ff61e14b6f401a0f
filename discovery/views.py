import json

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET, require_safe

from articles.models import Article
from newsite.pagecache import has_session

from . import oembed as oembed_provider
from .cards import article_card, article_card_digest
from .meta import article_url
from .search import MAX_QUERY_LENGTH, corrected_terms, search_articles, search_terms
from .share import clean_instance, mastodon_share_url

CARD_MAX_AGE = 24 * 60 * 60


@require_GET
def card(request: HttpRequest, slug: str) -> HttpResponse:
    """The article's social card PNG; unchanged cards answer 304 without being read."""
    article = get_object_or_404(Article.objects.published().prefetch_related("tags"), slug=slug)
    etag = quote_etag(article_card_digest(article))
    response = get_conditional_response(request, etag=etag)
    if response is None:
        _, png = article_card(article)
        response = HttpResponse(png, content_type="image/png")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=CARD_MAX_AGE)
    return response


@require_GET
def share_mastodon(request: HttpRequest) -> HttpResponse:
    """The no-JavaScript path of the Mastodon button: validate the server, send the reader on.

    The redirect target is always https://<a host name>/share with the article's own title and
    URL, so this cannot be used to send anyone to an arbitrary page.
    """
    article = get_object_or_404(Article.objects.published(), slug=request.GET.get("article", ""))
    typed = request.GET.get("instance", "")[:300]
    instance = clean_instance(typed)
    if instance is None:
        return render(
            request,
            "discovery/share_mastodon.html",
            {"article": article, "instance": typed, "invalid": bool(typed)},
            status=400 if typed else 200,
        )
    target = mastodon_share_url(instance=instance, title=article.title, url=article_url(article))
    return HttpResponseRedirect(target)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "")[:MAX_QUERY_LENGTH].split())
    paginator = Paginator(search_articles(query), settings.SEARCH_RESULTS_PER_PAGE)
    corrected = ""
    # Nothing found: try again with typos corrected ("Huawai" finds Huawei).
    if query and not paginator.count and (terms := corrected_terms(search_terms(query))):
        corrected = " ".join(terms)
        paginator = Paginator(search_articles(corrected), settings.SEARCH_RESULTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "discovery/search.html",
        {"query": query, "corrected": corrected, "page_obj": page, "hits": page.object_list},
    )


@require_safe
def oembed(request: HttpRequest) -> HttpResponse:
    """The oEmbed endpoint: /oembed/?url=<article or comment URL>&format=json|xml&maxwidth=...

    Errors answer in plain text with the status the oEmbed spec names (404 for anything not
    embeddable, 501 for another format) and 400 for a request that cannot be read.
    """
    try:
        wanted = oembed_provider.parse_request(request.GET)
        target = oembed_provider.find(wanted.url)
    except oembed_provider.BadRequest as error:
        return _plain(str(error), status=400)
    except oembed_provider.NotFound as error:
        return _plain(str(error), status=404)
    except oembed_provider.UnsupportedFormat as error:
        return _plain(str(error), status=501)
    data = oembed_provider.embed(target, maxwidth=wanted.maxwidth, maxheight=wanted.maxheight)
    if wanted.format == "xml":
        body = oembed_provider.as_xml(data)
    else:
        body = json.dumps(data, ensure_ascii=False)
    content_type = f"{oembed_provider.FORMATS[wanted.format]}; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    if not has_session(request):
        # The same for every reader: shared caches may keep it, as they keep anonymous pages.
        response.shared_cacheable = True
    return response


def _plain(message: str, *, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        "Disallow: /share/",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('discovery:sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
