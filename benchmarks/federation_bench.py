"""Federation under load: a burst of signed inbox POSTs, and a delivery fan-out.

    python -m benchmarks.federation_bench [--actors 50] [--concurrency 50]
                                          [--followers 1000] [--servers 200]

1. The inbox. `--actors` remote actors (RSA keys, actor documents served by a local fake
   server on 127.0.0.1) each send ten signed activities, in order (five replies to an article,
   an edit, a favourite, a boost, an undo and a delete), `--concurrency` actors at once, to the
   site served by gunicorn (production settings): 500 POSTs by default. Printed: the answers by
   status (no 5xx allowed), the inbox's p50/p99/max latency, then the worker (`manage.py
   db_worker`) run until every stored activity is processed, and what it made of them.
2. The fan-out. `--followers` followers on `--servers` fake servers (127.0.0.2, 127.0.0.3, …:
   distinct domains on loopback, each with a shared inbox) and one article published: printed,
   the cost of the publish itself (it only queues), the deliveries made (each shared inbox once),
   and the worker's time and rate to sign and deliver them, with every request's signature checked
   by the receiving fake.

SQLite by default; DATABASE_URL (and REDIS_URL) for PostgreSQL (and Redis).
"""

import argparse
import contextlib
import json
import os
import statistics
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from .harness import in_process_settings, running_site
from .loopback import QuietHandler, loopback_server

SITE_URL = "http://news.bench.example"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


class FakeServer:
    """A remote server on one loopback address: serves JSON documents, takes POSTs."""

    def __init__(self, address: str, verify=None) -> None:
        self.documents: dict[str, bytes] = {}
        self.posts = 0
        self.bad_signatures = 0
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                body = server.documents.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if verify and not verify(self.command, self.path, dict(self.headers), body):
                    server.bad_signatures += 1
                server.posts += 1
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.running = contextlib.ExitStack()
        self.base = self.running.enter_context(loopback_server(Handler, address))

    def close(self) -> None:
        self.running.close()


def actor_document(base: str, name: str, public_pem: str) -> dict:
    actor_id = f"{base}/users/{name}"
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": actor_id,
        "type": "Person",
        "preferredUsername": name,
        "inbox": f"{actor_id}/inbox",
        "endpoints": {"sharedInbox": f"{base}/inbox"},
        "publicKey": {"id": f"{actor_id}#main-key", "owner": actor_id, "publicKeyPem": public_pem},
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def actor_activities(actor_id: str, article_url: str) -> list[dict]:
    """What one remote actor sends, in order: five replies, an edit of the first, a favourite,
    a boost, the favourite taken back and the last reply deleted (ten activities)."""

    def note(number: int, text: str) -> dict:
        return {
            "id": f"{actor_id}/statuses/{number}",
            "type": "Note",
            "attributedTo": actor_id,
            "inReplyTo": article_url,
            "content": f"<p>{text}</p>",
            "to": [PUBLIC],
        }

    like = {"id": f"{actor_id}#likes/1", "type": "Like", "actor": actor_id, "object": article_url}
    replies = [
        {
            "id": f"{actor_id}/statuses/{n}/activity",
            "type": "Create",
            "actor": actor_id,
            "object": note(n, f"Reply {n}: the ferry is late again."),
        }
        for n in range(5)
    ]
    return [
        *replies,
        {
            "id": f"{actor_id}/statuses/0#updates/1",
            "type": "Update",
            "actor": actor_id,
            "object": note(0, "Reply 0, edited: the ferry left at last."),
        },
        like,
        {
            "id": f"{actor_id}/boosts/1",
            "type": "Announce",
            "actor": actor_id,
            "object": article_url,
        },
        {"id": f"{actor_id}#likes/1/undo", "type": "Undo", "actor": actor_id, "object": like},
        {
            "id": f"{actor_id}/statuses/4#delete",
            "type": "Delete",
            "actor": actor_id,
            "object": {"id": f"{actor_id}/statuses/4", "type": "Tombstone"},
        },
    ]


def inbox_burst(site, args) -> None:
    from federation.models import new_key_pair
    from federation.signatures import sign_request

    fake = FakeServer("127.0.0.1")
    fake.documents["/.well-known/nodeinfo"] = json.dumps({"links": []}).encode()
    article_url = SITE_URL + site.data["quiet_article"]["url"]
    inbox = f"{site.urls[0]}/federation/inbox"
    senders = []
    for n in range(args.actors):
        private_pem, public_pem = new_key_pair()
        document = actor_document(fake.base, f"reader{n}", public_pem)
        fake.documents[f"/users/reader{n}"] = json.dumps(document).encode()
        activities = actor_activities(document["id"], article_url)
        senders.append((f"{document['id']}#main-key", private_pem, activities))

    def send(sender) -> list[tuple[int, float]]:
        """One actor's activities, in order, as its server delivers them."""
        key_id, private_pem, activities = sender
        answers = []
        for activity in activities:
            body = json.dumps(activity).encode()
            headers = sign_request(
                "POST", inbox, body, key_id, private_pem, content_type="application/activity+json"
            )
            started = time.perf_counter()
            response = requests.post(inbox, data=body, headers=headers, timeout=60)
            answers.append((response.status_code, time.perf_counter() - started))
        return answers

    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        results = [answer for answers in pool.map(send, senders) for answer in answers]
    burst = time.perf_counter() - started
    statuses = Counter(status for status, _ in results)
    latencies = [seconds * 1000 for _, seconds in results]
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    print(
        f"inbox: {len(results)} signed POSTs from {args.actors} actors, {args.concurrency} at once"
    )
    print(f"  answers: {dict(sorted(statuses.items()))}; 5xx: {server_errors}")
    print(
        f"  latency ms: p50 {statistics.median(latencies):.0f}, "
        f"p99 {percentile(latencies, 0.99):.0f}, max {max(latencies):.0f}; "
        f"burst {burst:.1f} s ({len(results) / burst:.0f}/s)"
    )

    started = time.perf_counter()
    site.manage("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    worked = time.perf_counter() - started
    from comments.models import Comment
    from federation.models import InboxActivity, Reaction

    states = Counter(InboxActivity.objects.values_list("state", flat=True))
    remote = Comment.objects.filter(remote__isnull=False)
    print(
        f"  worker: {worked:.1f} s for {sum(states.values())} activities "
        f"({sum(states.values()) / worked:.0f}/s); states {dict(states)}"
    )
    print(
        f"  made: {remote.count()} comments ({remote.exclude(edited_at=None).count()} edited, "
        f"{remote.exclude(deleted_at=None).count()} deleted), "
        f"{Counter(Reaction.objects.values_list('kind', flat=True))} reactions"
    )
    fake.close()


def fan_out(site, args) -> None:
    from django.db import transaction

    from articles.models import Article
    from articles.services import article_publish
    from federation.models import Delivery, Follower, RemoteActor, SiteActor
    from federation.signatures import SignatureError, verify_request

    public_pem = SiteActor.current().public_key_pem

    def verify(method, path, headers, body) -> bool:
        try:
            verify_request(method, path, headers, body, public_pem)
        except SignatureError:
            return False
        return True

    servers = [FakeServer(f"127.0.0.{n + 2}", verify) for n in range(args.servers)]
    with transaction.atomic():
        for n in range(args.followers):
            server = servers[n % len(servers)]
            actor = RemoteActor.objects.create(
                actor_id=f"{server.base}/users/f{n}",
                inbox=f"{server.base}/users/f{n}/inbox",
                shared_inbox=f"{server.base}/inbox",
                preferred_username=f"f{n}",
                handle=f"f{n}@{server.base.split('//')[1]}",
                domain=server.base.split("//")[1].split(":")[0],
            )
            Follower.objects.create(remote_actor=actor)

    draft = Article.objects.filter(status="published").order_by("pk").first()
    draft.pk = None
    draft.slug = f"fan-out-{uuid.uuid4().hex[:8]}"
    draft.status = "draft"
    draft.save()
    started = time.perf_counter()
    article_publish(article=draft)
    published = time.perf_counter() - started

    started = time.perf_counter()
    site.manage("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    worked = time.perf_counter() - started
    states = Counter(Delivery.objects.values_list("state", flat=True))
    received = sum(server.posts for server in servers)
    bad = sum(server.bad_signatures for server in servers)
    print(f"fan-out: {args.followers} followers on {args.servers} servers, one article published")
    print(f"  publish (queues only): {published * 1000:.0f} ms")
    print(
        f"  worker: {worked:.1f} s, {received} deliveries ({received / worked:.0f}/s, "
        f"{worked / max(received, 1) * 1000:.1f} ms each); states {dict(states)}; "
        f"signatures refused by the receivers: {bad}"
    )
    for server in servers:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--servers", type=int, default=200)
    args = parser.parse_args()

    allowed = ",".join(["127.0.0.1"] + [f"127.0.0.{n + 2}" for n in range(args.servers)])

    def configure(site) -> None:
        site.env.update(DJANGO_SITE_URL=SITE_URL, DJANGO_FEDERATION_ALLOWED_HOSTS=allowed)

    with running_site(
        database_url=os.environ.get("DATABASE_URL"),
        redis_url=os.environ.get("REDIS_URL"),
        fixture_args=("--articles", "20", "--comments", "0"),
        before_start=configure,
    ) as site:
        in_process_settings(site.env["DATABASE_URL"])
        os.environ.update(DJANGO_SITE_URL=SITE_URL, DJANGO_FEDERATION_ALLOWED_HOSTS=allowed)
        if "REDIS_URL" in site.env:
            os.environ.update(REDIS_URL=site.env["REDIS_URL"])
        import django

        django.setup()
        inbox_burst(site, args)
        fan_out(site, args)
        errors = [line for line in site.errors().splitlines() if "ERROR" in line or "Trace" in line]
        print(f"server errors logged: {len(errors)}", *errors[-10:], sep="\n  ")


if __name__ == "__main__":
    main()
