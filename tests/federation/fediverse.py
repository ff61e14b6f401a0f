"""For the inbox's tests: remote actors on a fake server on 127.0.0.1 (actor documents,
NodeInfo) that POST signed activities to our inbox as Mastodon does (the skeleton's
sign_request, test key pairs). Its fixtures are imported by conftest.py."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from benchmarks.loopback import QuietHandler, loopback_server
from federation import vocab
from federation.models import RemoteActor, RemoteAuthor, RemoteComment, new_key_pair
from federation.signatures import sign_request
from tests.factories import ArticleFactory, CommentFactory, UserFactory

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KEYS = [new_key_pair() for _ in range(2)]  # made once: RSA key generation is slow


class FakeServer:
    """Serves JSON documents by path, and counts the requests for each."""

    def __init__(self) -> None:
        self.documents: dict[str, dict] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                path = self.path.partition("?")[0]
                server.hits[path] = server.hits.get(path, 0) + 1
                document = server.documents.get(path)
                body = json.dumps(document).encode() if document is not None else b"{}"
                self.send_response(200 if document is not None else 404)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.running = contextlib.ExitStack()
        self.origin = self.running.enter_context(loopback_server(Handler))
        self.documents["/.well-known/nodeinfo"] = {
            "links": [
                {
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                    "href": f"{self.origin}/nodeinfo/2.0",
                }
            ]
        }
        self.documents["/nodeinfo/2.0"] = {"version": "2.0", "software": {"name": "mastodon"}}

    def add_actor(self, name: str, *, key: int = 0, display: str = "") -> RemoteIdentity:
        actor_id = f"{self.origin}/users/{name}"
        self.documents[f"/users/{name}"] = {
            "@context": [vocab.AS_CONTEXT, vocab.SECURITY_CONTEXT],
            "id": actor_id,
            "type": "Person",
            "preferredUsername": name,
            "name": display or name.title(),
            "inbox": f"{actor_id}/inbox",
            "endpoints": {"sharedInbox": f"{self.origin}/inbox"},
            "url": f"{self.origin}/@{name}",
            "publicKey": {
                "id": f"{actor_id}#main-key",
                "owner": actor_id,
                "publicKeyPem": KEYS[key][1],
            },
        }
        return RemoteIdentity(self, name, actor_id, key)

    def stop(self) -> None:
        self.running.close()


class RemoteIdentity:
    def __init__(self, server: FakeServer, name: str, actor_id: str, key: int) -> None:
        self.server, self.name, self.actor_id, self.key = server, name, actor_id, key

    @property
    def key_id(self) -> str:
        return f"{self.actor_id}#main-key"

    def rotate_key(self) -> None:
        """Their server made a new key pair; its actor document now carries the new key."""
        self.key = 1 - self.key
        self.server.documents[f"/users/{self.name}"]["publicKey"]["publicKeyPem"] = KEYS[self.key][
            1
        ]

    def activity(self, fixture: str, *, article=None, object_suffix: str = "") -> dict:
        """A fixture as this actor sends it, replying to (or reacting to) `article`."""
        text = (FIXTURES / fixture).read_text(encoding="utf-8")
        text = text.replace("https://mastodon.example/users/alice", self.actor_id)
        text = text.replace("https://mastodon.example", self.server.origin)
        text = text.replace("https://blog.example/?author=1", self.actor_id)
        text = text.replace("https://news.example/federation/actor", vocab.actor_id())
        text = text.replace("https://news.example/@news", vocab.absolute("/@news"))
        if article is not None:
            text = text.replace(
                "https://news.example/articles/example-story/",
                vocab.absolute(article.get_absolute_url()),
            )
        data = json.loads(text)
        if object_suffix:
            data["id"] += object_suffix
            if isinstance(data.get("object"), dict):
                data["object"]["id"] += object_suffix
        return data

    def post(self, client, activity, *, path="/federation/inbox", body=None, now=None, **extra):
        """POST the activity to our inbox, signed as their server would sign it."""
        body = json.dumps(activity).encode() if body is None else body
        headers = sign_request(
            "POST",
            f"http://testserver{path}",
            body,
            extra.pop("key_id", self.key_id),
            KEYS[extra.pop("signing_key", self.key)][0],
            content_type="application/activity+json",
            now=now,
        )
        headers.pop("Content-Type")
        headers.update(extra.pop("headers", {}))
        return client.post(
            path, data=body, content_type="application/activity+json", headers=headers
        )


@pytest.fixture
def fediverse(settings):
    settings.FEDERATION_ALLOWED_HOSTS = ["127.0.0.1"]
    server = FakeServer()
    yield server
    server.stop()


@pytest.fixture
def alice(fediverse):
    return fediverse.add_actor("alice", display="Alice Example")


@pytest.fixture
def story(db):
    return ArticleFactory(title="Ports reopen after the storm", slug="ports-reopen")


def remote_comment(article, number: int, *, parent=None):
    """A published comment from @alice@social.example with its provenance, written straight
    to the tables (as the worker leaves it), for pages that show remote comments."""
    actor, _ = RemoteActor.objects.get_or_create(
        actor_id="https://social.example/users/alice",
        defaults={"handle": "alice@social.example", "domain": "social.example"},
    )
    link = RemoteAuthor.objects.filter(remote_actor=actor).first()
    user = link.user if link else UserFactory(display_name="Alice (@alice@social.example)")
    if link is None:
        RemoteAuthor.objects.create(remote_actor=actor, user=user)
    comment = CommentFactory(
        article=article,
        author=user,
        body=f"From afar {number}",
        parent=parent,
        root=parent,
        depth=1 if parent else 0,
    )
    RemoteComment.objects.create(
        comment=comment,
        remote_actor=actor,
        object_id=f"https://social.example/users/alice/statuses/{number}",
        url=f"https://social.example/@alice/{number}",
        handle="alice@social.example",
        domain="social.example",
        software="mastodon",
    )
    return comment
