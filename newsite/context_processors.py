from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


def path_without_language(path: str) -> str:
    """The path as English has it: /ja/articles/x/ -> /articles/x/."""
    language = translation.get_language_from_path(path)
    if not language:
        return path
    return path.removeprefix(f"/{language}") or "/"


def language_links(path: str) -> list[dict[str, object]]:
    """This page in each language (path only: a kept page must not carry a query string)."""
    here = path_without_language(path)
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        prefix = "" if code == settings.LANGUAGE_CODE else f"/{code}"
        links.append(
            {
                "code": code,
                "name": name,
                "url": prefix + here,
                "bidi": translation.get_language_info(code)["bidi"],
                "current": code == current,
            }
        )
    return links


def site(request: HttpRequest) -> dict[str, object]:
    """Site name and absolute base URL for templates (titles, canonical links, share links),
    where "Log in" and "Sign up" return to: the page they were followed from (its path
    only: a kept page must not carry one reader's query string to the next), and this page in
    the other languages (the footer's switcher)."""
    here = request.path
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "return_here": "" if path_without_language(here).startswith("/accounts/") else here,
        "language_links": language_links(here),
    }
