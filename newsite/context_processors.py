from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """Site name and absolute base URL for templates (titles, canonical links, share links),
    and where "Log in" and "Sign up" return to: the page they were followed from (its path
    only: a kept page must not carry one reader's query string to the next)."""
    here = request.path
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "return_here": "" if here.startswith("/accounts/") else here,
    }
