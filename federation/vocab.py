"""ActivityStreams names and the site's own ActivityPub URLs, in one place.

Every URL is absolute and built from SITE_URL, not from a request: ids must be the same whoever
asks (another server, the worker, a test).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
CONTEXT = [AS_CONTEXT, SECURITY_CONTEXT]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
JRD_JSON = "application/jrd+json"
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def host() -> str:
    """The host (with its port, if not the default) in the site's handle: news@host."""
    return urlsplit(settings.SITE_URL).netloc


def handle() -> str:
    return f"{settings.FEDERATION_ACTOR_NAME}@{host()}"


def actor_id() -> str:
    return absolute(reverse("federation:actor"))


def key_id() -> str:
    return f"{actor_id()}#main-key"


def inbox_url() -> str:
    """The actor's own inbox."""
    return absolute(reverse("federation:actor-inbox"))


def shared_inbox_url() -> str:
    return absolute(reverse("federation:inbox"))


def outbox_url() -> str:
    return absolute(reverse("federation:outbox"))


def followers_url() -> str:
    return absolute(reverse("federation:followers"))


def activity_id(kind: str, token: str) -> str:
    """A unique id for an activity we send (Create, Update, Accept…): a fragment of the
    actor id, since these activities are not served on their own."""
    return f"{actor_id()}#{kind.lower()}-{token}"
