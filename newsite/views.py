import logging
import re
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve

from articles.models import Article

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: 200 when the database and the cache answer, else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        logger.exception("health check: database unavailable")
        checks["database"] = "unavailable"
    try:
        cache.set("healthz", "ok", 10)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "unavailable"
    except Exception:
        logger.exception("health check: cache unavailable")
        checks["cache"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503
    )


# The palette tokens the pattern page shows (site.css :root).
STYLEGUIDE_COLOURS = [
    "bg",
    "fg",
    "muted",
    "accent",
    "kicker",
    "line",
    "card",
    "surface",
    "focus",
    "danger",
    "success",
    "warning-bg",
]


@require_safe
@never_cache
def styleguide(request: HttpRequest) -> HttpResponse:
    """The pattern page: every component in both schemes. Staff only (or DEBUG): it is a
    reference for the team and the visual tests, not a page for readers."""
    if not (settings.DEBUG or request.user.is_staff):
        raise Http404
    sample = Article(
        title=gettext("Japan to stop buying Huawei and ZTE phones for government offices"),
        slug="sample-story",
        summary=gettext(
            "Officials say the decision follows a security review; both companies deny the claims."
        ),
        published_at=timezone.now(),
        comment_count=12,
    )
    return render(
        request,
        "pages/styleguide.html",
        {
            "sample": sample,
            "schemes": [("light", gettext("Light")), ("dark", gettext("Dark"))],
            "colours": STYLEGUIDE_COLOURS,
            "steps": ["-1", "0", "1", "2", "3", "4"],
            "icons": sprite_icon_names(),
        },
    )


def sprite_icon_names() -> list[str]:
    """The names of the icons in static/icons/sprite.svg (i-NAME symbols)."""
    sprite = Path(settings.BASE_DIR, "static", "icons", "sprite.svg").read_text()
    return re.findall(r'<symbol id="i-([a-z0-9-]+)"', sprite)


# Uploaded files get new, random names (articles.images), so a name's content never changes.
MEDIA_MAX_AGE = 365 * 24 * 60 * 60


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded files from MEDIA_ROOT, for a site run without nginx (`make run`). Behind nginx
    its `location /media/` answers first (deploy/nginx/newsite.conf); with an S3 storage the
    files have their own URLs and DJANGO_SERVE_MEDIA=0 turns this off."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    patch_cache_control(response, public=True, max_age=MEDIA_MAX_AGE, immutable=True)
    return response


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """allauth's rate-limit page (ROOT_URLCONF.handler429), saying how long to wait."""
    from accounts.ratelimits import ACTIONS_BY_URL_NAME, longest_wait
    from comments.ratelimit import try_again_in

    match = request.resolver_match
    actions = ACTIONS_BY_URL_NAME.get(match.url_name) if match else None
    wait = longest_wait(actions)
    context = {"try_again": try_again_in(wait) if wait else ""}
    return render(request, "429.html", context, status=429)
