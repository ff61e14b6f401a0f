"""Which representation of a page a request asks for: HTML (the default) or ActivityStreams.

Browsers never list the ActivityStreams types, and servers list nothing else worth having, so
the rule is: a request that accepts `application/activity+json` or `application/ld+json` (with
q > 0) gets the ActivityStreams document.
"""

from __future__ import annotations

from django.http import HttpRequest

AS_TYPES = {"application/activity+json", "application/ld+json"}


def wants_activity_json(request: HttpRequest) -> bool:
    for media_range in request.headers.get("Accept", "").split(","):
        media_type, *parameters = (part.strip() for part in media_range.split(";"))
        if media_type.lower() not in AS_TYPES:
            continue
        q = next((p[2:] for p in parameters if p.lower().startswith("q=")), "1")
        try:
            if float(q) > 0:
                return True
        except ValueError:
            return True
    return False


def representation(request: HttpRequest) -> str:
    """A name for the representation asked for, to key caches by."""
    return "as" if wants_activity_json(request) else "html"
