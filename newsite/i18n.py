"""Languages: helpers shared by the URL prefixes, caches and articles (see README, Languages)."""

from django.conf import settings
from django.utils import translation


def language_cache_key(key: str, key_prefix: str, version: int) -> str:
    """Django's cache key, plus the active language: `{% cache %}` fragments hold translated
    text, and the template tag does not vary on the language by itself."""
    return f"{key_prefix}:{version}:{translation.get_language()}:{key}"


def article_languages() -> list[tuple[str, str]]:
    """What an article may be written in: the site's languages by their base code (en, ja, ar)."""
    return [(code.split("-")[0], name) for code, name in settings.LANGUAGES]


def text_direction(language_code: str) -> str:
    """ "rtl" or "ltr" for a language code Django knows."""
    try:
        return "rtl" if translation.get_language_info(language_code)["bidi"] else "ltr"
    except KeyError:
        return "ltr"
