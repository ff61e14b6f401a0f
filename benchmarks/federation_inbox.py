"""A burst of signed activities at the inbox: 500 POSTs from 50 actors on 10 servers.

    python -m benchmarks.federation_inbox [--actors 50] [--per-actor 10] [--concurrency 16]

The actors' servers are local fakes on 127.0.2.x serving their actor documents and NodeInfo
(listed in DJANGO_FEDERATION_ALLOWED_HOSTS). Each actor sends, signed as Mastodon signs:
5 replies to an article, an Update of one, a Like, an Announce, an Undo of the Like and a
Delete of a reply. The POSTs go through Django's full middleware stack in this process
(no gunicorn, no network to the app), `--concurrency` at a time. Reported: status codes (5xx
must be 0), the inbox's latency p50/p99/max (the first POST per actor fetches its key), then
the worker's run over everything queued, and what it made of each activity.
"""

import argparse
import json
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .harness import in_process_settings, scratch_database


def actor_servers(count: int, documents: dict) -> list[ThreadingHTTPServer]:
    class Server(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            key = (self.server.server_address[0], self.path.partition("?")[0])
            document = documents.get(key)
            body = json.dumps(document).encode() if document else b"{}"
            self.send_response(200 if document else 404)
            self.send_header("Content-Type", "application/activity+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    servers = []
    for n in range(count):
        server = ThreadingHTTPServer((f"127.0.2.{n + 1}", 0), Server)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actors", type=int, default=50)
    parser.add_argument("--servers", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    hosts = [f"127.0.2.{n + 1}" for n in range(args.servers)]
    with scratch_database(os.environ.get("DATABASE_URL")) as database_url:
        in_process_settings(database_url)
        os.environ["DJANGO_FEDERATION_ALLOWED_HOSTS"] = ",".join(hosts)
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        from federation import vocab
        from federation.models import InboxActivity, new_key_pair
        from federation.signatures import sign_request
        from tests.factories import ArticleFactory, relaxed_moderation

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        # Rate-limit counters and seen signatures of an earlier run would refuse this one: a
        # REDIS_URL given here must name a database of its own.
        from django.core.cache import caches

        for alias in caches:
            caches[alias].clear()
        relaxed_moderation()
        article = ArticleFactory(title="A story for the fediverse")
        article_url = vocab.absolute(article.get_absolute_url())
        documents: dict = {}
        servers = actor_servers(args.servers, documents)
        started = time.perf_counter()
        keys = [new_key_pair() for _ in range(args.actors)]
        print(f"{args.actors} RSA key pairs made in {time.perf_counter() - started:.1f} s")

        per_actor = []  # each actor's (activity, key id, private key), in the order sent
        for n in range(args.actors):
            server = servers[n % args.servers]
            host, port = server.server_address[:2]
            origin = f"http://{host}:{port}"
            actor = f"{origin}/users/u{n}"
            documents[(host, f"/users/u{n}")] = {
                "id": actor,
                "type": "Person",
                "preferredUsername": f"u{n}",
                "inbox": f"{actor}/inbox",
                "publicKey": {
                    "id": f"{actor}#main-key",
                    "owner": actor,
                    "publicKeyPem": keys[n][1],
                },
            }
            documents[(host, "/.well-known/nodeinfo")] = {
                "links": [
                    {
                        "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                        "href": f"{origin}/nodeinfo/2.0",
                    }
                ]
            }
            documents[(host, "/nodeinfo/2.0")] = {"software": {"name": "mastodon"}}

            def note(i: int, text: str, actor=actor) -> dict:
                return {
                    "id": f"{actor}/statuses/{i}",
                    "type": "Note",
                    "attributedTo": actor,
                    "inReplyTo": article_url,
                    "content": f"<p>{text}</p>",
                    "to": [vocab.PUBLIC],
                    "url": f"{actor}/statuses/{i}",
                }

            like = {"id": f"{actor}#likes/1", "type": "Like", "actor": actor, "object": article_url}
            activities = [
                {
                    "id": f"{actor}/statuses/{i}/activity",
                    "type": "Create",
                    "actor": actor,
                    "object": note(i, f"Reply {i} from u{n}"),
                }
                for i in range(5)
            ] + [
                {
                    "id": f"{actor}/statuses/0#updates/1",
                    "type": "Update",
                    "actor": actor,
                    "object": note(0, f"Reply 0 from u{n}, edited"),
                },
                like,
                {
                    "id": f"{actor}/statuses/9/activity",
                    "type": "Announce",
                    "actor": actor,
                    "object": article_url,
                },
                {"id": f"{actor}#likes/1/undo", "type": "Undo", "actor": actor, "object": like},
                {
                    "id": f"{actor}/statuses/4#delete",
                    "type": "Delete",
                    "actor": actor,
                    "object": {"id": f"{actor}/statuses/4", "type": "Tombstone"},
                },
            ]
            per_actor.append([(a, f"{actor}#main-key", keys[n][0]) for a in activities])
        # Interleaved as a burst from many servers would arrive, each actor's own in order.
        requests = [sent[i] for i in range(10) for sent in per_actor]

        local = threading.local()
        latencies: list[float] = []
        codes: dict[int, int] = {}
        lock = threading.Lock()

        def post(item) -> None:
            activity, key_id, private_key = item
            client = getattr(local, "client", None) or Client()
            local.client = client
            body = json.dumps(activity).encode()
            headers = sign_request(
                "POST",
                "http://testserver/federation/inbox",
                body,
                key_id,
                private_key,
                content_type="application/activity+json",
            )
            headers.pop("Content-Type")
            began = time.perf_counter()
            response = client.post(
                "/federation/inbox",
                data=body,
                content_type="application/activity+json",
                headers=headers,
            )
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)
                codes[response.status_code] = codes.get(response.status_code, 0) + 1

        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(post, requests))
        burst = time.perf_counter() - started
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        print(
            f"{len(requests)} signed POSTs from {args.actors} actors on {args.servers} servers, "
            f"{args.concurrency} at a time, in {burst:.1f} s: "
            f"statuses {dict(sorted(codes.items()))}"
        )
        print(
            f"inbox latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        )

        started = time.perf_counter()
        call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False)
        worked = time.perf_counter() - started
        states = {
            state: InboxActivity.objects.filter(state=state).count()
            for state in InboxActivity.State.values
        }
        print(
            f"worker: {InboxActivity.objects.count()} stored activities processed in "
            f"{worked:.1f} s; states {states}"
        )
        from django.db.models import Count

        not_done = (
            InboxActivity.objects.exclude(state="done")
            .values("activity_type", "outcome")
            .annotate(n=Count("pk"))
            .order_by("-n")
        )
        for row in not_done[:5]:
            print(f"  not done: {row['n']} {row['activity_type']}: {row['outcome']}")
        from comments.models import Comment

        print(
            f"comments: {Comment.objects.count()} "
            f"({Comment.objects.filter(deleted_at__isnull=False).count()} deleted, "
            f"{Comment.objects.filter(edited_at__isnull=False).count()} edited)"
        )
        for server in servers:
            server.shutdown()


if __name__ == "__main__":
    main()
