"""What we know of other servers and their actors: actor documents (for their keys and
names), their server's software (NodeInfo), and the shadow accounts their comments are
posted under. Every fetch goes through federation/fetch.py (the SSRF guard, signed GETs)."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urldefrag, urlsplit

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.validators import strip_hidden_characters

from . import fetch
from .activities import as_id
from .models import RemoteActor, RemoteAuthor

logger = logging.getLogger(__name__)

SOFTWARE_CACHE_SECONDS = 24 * 60 * 60
NODEINFO_RELS = (
    "http://nodeinfo.diaspora.software/ns/schema/2.1",
    "http://nodeinfo.diaspora.software/ns/schema/2.0",
)
DISPLAY_NAME_LENGTH = 60
_USERNAME_CHARACTERS = re.compile(r"[^\w.@+-]", re.ASCII)


def domain_of(url: str) -> str:
    """The host of an id, lower case, without port: what domain blocks name."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _text(value: Any, limit: int) -> str:
    return strip_hidden_characters(value)[:limit].strip() if isinstance(value, str) else ""


def store_actor(document: dict[str, Any]) -> RemoteActor:
    """Create or refresh a RemoteActor from its actor document; FetchError if unusable."""
    actor_id = as_id(document)
    key = document.get("publicKey")
    key = key[0] if isinstance(key, list) and key else key
    if not actor_id or not isinstance(key, dict) or not isinstance(key.get("publicKeyPem"), str):
        raise fetch.FetchError("The actor document has no id or no public key.")
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    username = _text(document.get("preferredUsername"), 200)
    netloc = urlsplit(actor_id).netloc
    fields = {
        "inbox": as_id(document.get("inbox")),
        "shared_inbox": as_id(endpoints.get("sharedInbox")),
        "preferred_username": username,
        "handle": f"{username}@{netloc}" if username else "",
        "name": _text(document.get("name"), 300),
        "domain": domain_of(actor_id),
        "url": as_id(document.get("url")),
        "public_key_pem": key["publicKeyPem"],
        "key_id": as_id(key) or f"{actor_id}#main-key",
        "fetched_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            actor, _ = RemoteActor.objects.update_or_create(actor_id=actor_id, defaults=fields)
    except IntegrityError:  # a concurrent request stored it first
        actor = RemoteActor.objects.get(actor_id=actor_id)
    return actor


def fetch_actor(url: str) -> RemoteActor:
    """Fetch an actor document (or a key document pointing at its owner) and store it.

    A server speaks for its own actors only: a document whose id is on another host is
    refused, so no server can replace another's actor (and its key) here."""
    document = fetch.get_json(urldefrag(url).url)
    if "publicKeyPem" in document and document.get("owner"):
        owner = as_id(document["owner"])
        if domain_of(owner) != domain_of(url):
            raise fetch.FetchError("The key's owner is on another server.")
        document = fetch.get_json(owner)
    if domain_of(as_id(document)) != domain_of(url):
        raise fetch.FetchError("The actor document names an actor on another server.")
    return store_actor(document)


def actor_for_key(key_id: str, *, refresh: bool = False) -> tuple[RemoteActor, bool]:
    """The actor owning `key_id` and whether it was fetched just now (from the cache
    otherwise). `refresh` fetches even when known: their key may have rotated."""
    if not refresh:
        actor = RemoteActor.objects.filter(key_id=key_id).exclude(public_key_pem="").first()
        if actor is not None:
            return actor, False
    actor = fetch_actor(key_id)
    if actor.key_id != key_id and urldefrag(actor.key_id).url != urldefrag(key_id).url:
        raise fetch.FetchError("The key is not the actor's key.")
    return actor, True


def server_software(actor: RemoteActor) -> str:
    """The software a server runs ("mastodon"), from NodeInfo, cached per domain; '' when it
    does not say or cannot be reached."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(actor.actor_id))
    cache_key = f"federation:software:{origin}"
    software = cache.get(cache_key)
    if software is None:
        software = ""
        try:
            links = fetch.get_json(f"{origin}/.well-known/nodeinfo", signed=False).get("links")
            hrefs = {
                link.get("rel"): link.get("href")
                for link in (links if isinstance(links, list) else [])
                if isinstance(link, dict)
            }
            href = next((hrefs[rel] for rel in NODEINFO_RELS if hrefs.get(rel)), None)
            if isinstance(href, str) and domain_of(href) == actor.domain:
                info = fetch.get_json(href, accept="application/json", signed=False)
                name = info.get("software", {}).get("name") if isinstance(info, dict) else None
                software = _text(name, 100) if isinstance(name, str) else ""
        except (fetch.FetchError, AttributeError) as error:
            logger.info("No NodeInfo for %s: %s", origin, error)
        cache.set(cache_key, software, SOFTWARE_CACHE_SECONDS)
    if software and actor.software_name != software:
        RemoteActor.objects.filter(pk=actor.pk).update(software_name=software)
        actor.software_name = software
    return software


def display_name(actor: RemoteActor) -> str:
    """ "Name (@user@host)", shortened to fit the name field; the handle always shows whole."""
    handle = f"@{actor.handle or actor.domain}"
    name = actor.name or actor.preferred_username
    room = DISPLAY_NAME_LENGTH - len(handle) - 3
    if not name or room < 2:
        return handle[:DISPLAY_NAME_LENGTH]
    return f"{name[:room].strip()} ({handle})"


def shadow_user(actor: RemoteActor):
    """The local account for a remote actor's comments, made on first need, its name kept
    up to date with the actor document."""
    link = RemoteAuthor.objects.select_related("user").filter(remote_actor=actor).first()
    name = display_name(actor)
    if link is not None:
        if link.user.display_name != name:
            link.user.display_name = name
            link.user.save(update_fields=["display_name"])
        return link.user
    user_model = get_user_model()
    base = _USERNAME_CHARACTERS.sub("", f"ap+{actor.handle or actor.domain}")[:140]
    username, number = base, 1
    while user_model.objects.filter(username=username).exists():
        number += 1
        username = f"{base}-{number}"
    try:
        with transaction.atomic():
            user = user_model(username=username, email="", display_name=name, is_active=False)
            user.set_unusable_password()
            user.save()
            RemoteAuthor.objects.create(remote_actor=actor, user=user)
    except IntegrityError:  # another worker made theirs first
        return RemoteAuthor.objects.select_related("user").get(remote_actor=actor).user
    return user
