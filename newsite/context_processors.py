from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """Site name and absolute base URL for templates (titles, canonical links, share links)."""
    return {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
