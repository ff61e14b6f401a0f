"""A comment written before logging in, kept in the writer's session until they can post it.

The logged-out comment form carries no CSRF token (so the article page stays the same for every
reader without a session, and cacheable); its endpoint only keeps a draft. So that another site
cannot use it to replace a reader's session, it refuses cross-site requests, and a session keeps
one draft of at most a comment's length.
"""

from django.conf import settings
from django.http import HttpRequest

from articles.models import Article

from .models import MAX_BODY_LENGTH

SESSION_KEY = "comment_draft"


def is_cross_site(request: HttpRequest) -> bool:
    """Sent from another site's page: Fetch Metadata where the browser sends it, else Origin."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in {"same-origin", "none"}
    origin = request.headers.get("Origin")
    return origin is not None and origin != f"{request.scheme}://{request.get_host()}"


def store_draft(request: HttpRequest, article: Article, *, body: str, parent: str = "") -> None:
    request.session[SESSION_KEY] = {
        "article": article.pk,
        "body": body[:MAX_BODY_LENGTH],
        "parent": parent[:20],
    }


def read_draft(request: HttpRequest, article: Article) -> dict | None:
    # Without a session cookie there is no draft, and no session to read.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    draft = request.session.get(SESSION_KEY)
    return draft if draft and draft.get("article") == article.pk else None


def clear_draft(request: HttpRequest, article: Article) -> None:
    if read_draft(request, article) is not None:
        del request.session[SESSION_KEY]
