"""A remote ActivityPub server that we did not write, for the interoperability tests.

It runs in its own process and virtual environment (`.venv-interop`, made by `make install-test`
from requirements.txt beside this file) and does its federation with the `bovine` library: bovine
signs its requests the way Mastodon does (draft-cavage `rsa-sha256` over `(request-target)`, host,
date, digest and content-type), verifies the signatures of what it receives, and looks accounts up
through WebFinger. This file is only the glue that gives bovine an actor, an inbox and a small
control API for the test to drive:

    python peer.py PORT        serves http://127.0.0.1:PORT until killed

- `GET /users/<name>`: the actor document (a Person with an RSA key made at start-up);
- `GET /.well-known/webfinger`, `/.well-known/nodeinfo`, `/nodeinfo/2.1`: discovery;
- `POST /inbox`, `/users/<name>/inbox`: activities, kept with the actor bovine verified them as
  (or `null` when the signature did not verify; then the answer is 401);
- `GET /control/received`: what the inboxes kept;
- `POST /control/send`: `{"actor", "inbox", "activity", "tamper"}`, bovine signs and posts it;
- `POST /control/webfinger`: `{"resource", "server"}`, bovine's WebFinger look-up;
- `POST /control/fetch`: `{"actor", "url"}`, a signed GET asking for ActivityPub JSON.
"""

import json
import sys

import aiohttp
from aiohttp import web
from bovine.clients.lookup_account import lookup_with_webfinger
from bovine.clients.signed_http_methods import signed_get, signed_post
from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
from bovine.crypto.helper import content_digest_sha256
from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret

ACTORS = ("alice", "bob")
AS_JSON = "application/activity+json"


def mastodon_digest(body: bytes) -> tuple[str, str]:
    """The `Digest: SHA-256=…` header Mastodon sends (bovine defaults to it too)."""
    return "digest", content_digest_sha256(body, prefix="SHA-256")


class Peer:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.keys = {name: generate_rsa_public_private_key() for name in ACTORS}
        self.received: list[dict] = []
        self.session: aiohttp.ClientSession | None = None
        self.verify = build_validate_http_signature_raw(self.retrieve_key)

    def actor_id(self, name: str) -> str:
        return f"{self.base}/users/{name}"

    def secret(self, name: str) -> CryptographicSecret:
        return CryptographicSecret.from_pem(f"{self.actor_id(name)}#main-key", self.keys[name][1])

    async def retrieve_key(self, key_id: str) -> CryptographicIdentifier | None:
        """The signer's public key, from their actor document (as Mastodon does)."""
        async with self.session.get(key_id, headers={"accept": AS_JSON}) as response:
            if response.status != 200:
                return None
            document = json.loads(await response.read())
        return CryptographicIdentifier.from_public_key(document.get("publicKey", document))

    # --- the server ---------------------------------------------------------------------

    async def actor(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ACTORS:
            raise web.HTTPNotFound()
        actor_id = self.actor_id(name)
        document = {
            "@context": [
                "https://www.w3.org/ns/activitystreams",
                "https://w3id.org/security/v1",
            ],
            "id": actor_id,
            "type": "Person",
            "preferredUsername": name,
            "name": name.title(),
            "url": f"{self.base}/@{name}",
            "inbox": f"{actor_id}/inbox",
            "outbox": f"{actor_id}/outbox",
            "followers": f"{actor_id}/followers",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "publicKey": {
                "id": f"{actor_id}#main-key",
                "owner": actor_id,
                "publicKeyPem": self.keys[name][0],
            },
        }
        return web.json_response(document, content_type=AS_JSON)

    async def webfinger(self, request: web.Request) -> web.Response:
        resource = request.query.get("resource", "")
        name = resource.removeprefix("acct:").split("@")[0]
        if name not in ACTORS:
            raise web.HTTPNotFound()
        links = [{"rel": "self", "type": AS_JSON, "href": self.actor_id(name)}]
        return web.json_response({"subject": resource, "links": links})

    async def nodeinfo_links(self, request: web.Request) -> web.Response:
        rel = "http://nodeinfo.diaspora.software/ns/schema/2.1"
        return web.json_response({"links": [{"rel": rel, "href": f"{self.base}/nodeinfo/2.1"}]})

    async def nodeinfo(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "version": "2.1",
                "software": {"name": "bovine", "version": "0.5.19"},
                "protocols": ["activitypub"],
                "services": {"inbound": [], "outbound": []},
                "openRegistrations": False,
                "usage": {"users": {"total": len(ACTORS)}},
                "metadata": {},
            }
        )

    async def inbox(self, request: web.Request) -> web.Response:
        body = await request.read()

        async def read_body() -> bytes:
            return body

        signer = await self.verify(request.method, str(request.url), request.headers, read_body)
        self.received.append(
            {
                "path": request.path,
                "signer": signer,
                "headers": dict(request.headers),
                "activity": json.loads(body or b"null"),
            }
        )
        return web.Response(status=202 if signer else 401)

    # --- the control API the test drives ---------------------------------------------------

    async def control_received(self, request: web.Request) -> web.Response:
        return web.json_response(self.received)

    async def control_send(self, request: web.Request) -> web.Response:
        order = await request.json()
        body = json.dumps(order["activity"])
        secret = self.secret(order.get("actor", "alice"))
        if order.get("tamper"):  # a signature made with a key that is not the actor's
            _, other_private = generate_rsa_public_private_key()
            secret = CryptographicSecret.from_pem(secret.key_id, other_private)
        response = await signed_post(
            self.session, secret, order["inbox"], body, digest_method=mastodon_digest
        )
        async with response:
            return web.json_response({"status": response.status, "body": await response.text()})

    async def control_webfinger(self, request: web.Request) -> web.Response:
        order = await request.json()
        href = await lookup_with_webfinger(
            self.session,
            f"{order['server']}/.well-known/webfinger",
            {"resource": order["resource"]},
        )
        return web.json_response({"href": href})

    async def control_fetch(self, request: web.Request) -> web.Response:
        order = await request.json()
        secret = self.secret(order.get("actor", "alice"))
        response = await signed_get(self.session, secret, order["url"])
        async with response:
            return web.json_response(
                {
                    "status": response.status,
                    "content_type": response.headers.get("content-type", ""),
                    "vary": response.headers.get("vary", ""),
                    "json": json.loads(await response.read() or b"null"),
                }
            )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/users/{name}", self.actor)
        app.router.add_get("/.well-known/webfinger", self.webfinger)
        app.router.add_get("/.well-known/nodeinfo", self.nodeinfo_links)
        app.router.add_get("/nodeinfo/2.1", self.nodeinfo)
        app.router.add_post("/inbox", self.inbox)
        app.router.add_post("/users/{name}/inbox", self.inbox)
        app.router.add_get("/control/received", self.control_received)
        app.router.add_post("/control/send", self.control_send)
        app.router.add_post("/control/webfinger", self.control_webfinger)
        app.router.add_post("/control/fetch", self.control_fetch)
        app.on_startup.append(self.start_session)
        app.on_cleanup.append(self.close_session)
        return app

    async def start_session(self, app: web.Application) -> None:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def close_session(self, app: web.Application) -> None:
        await self.session.close()


if __name__ == "__main__":
    port = int(sys.argv[1])
    web.run_app(Peer(port).app(), host="127.0.0.1", port=port, print=None)
