"""The site's public ActivityPub documents: its actor, outbox and followers, and the discovery
documents that lead other servers to them (WebFinger, NodeInfo, host-meta)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def actor(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


outbox = followers = webfinger = nodeinfo_links = nodeinfo = host_meta = actor
