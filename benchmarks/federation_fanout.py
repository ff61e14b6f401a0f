"""The cost of delivering one article to 1,000 followers on 200 servers (a local fake).

    python -m benchmarks.federation_fanout [--followers 1000] [--servers 200]

The servers are 200 loopback addresses (127.0.1.1, 127.0.1.2, …), each its own domain with its
own http.server, listed in DJANGO_FEDERATION_ALLOWED_HOSTS; every follower has its server's
shared inbox, so the fan-out is one delivery per server. Reported: the fan-out itself (what the
worker's task does: read the followers, write one log row and queue one task per inbox; queries
counted), then the worker's time to send them all, each POST signed, and every signature checked
by the receiving server with our verifier.
"""

import argparse
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .harness import in_process_settings, scratch_database


def receiving_servers(count: int, public_key_pem: str, tally: dict) -> list[ThreadingHTTPServer]:
    from federation.signatures import SignatureError, verify_request

    lock = threading.Lock()

    class Inbox(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                verify_request("POST", self.path, dict(self.headers), body, public_key_pem)
                outcome = "verified"
            except SignatureError:
                outcome = "refused"
            with lock:
                tally[outcome] = tally.get(outcome, 0) + 1
            self.send_response(202 if outcome == "verified" else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    servers = []
    for n in range(count):
        server = ThreadingHTTPServer((f"127.0.{1 + n // 250}.{1 + n % 250}", 0), Inbox)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=1_000)
    parser.add_argument("--servers", type=int, default=200)
    args = parser.parse_args()

    hosts = [f"127.0.{1 + n // 250}.{1 + n % 250}" for n in range(args.servers)]
    with scratch_database(os.environ.get("DATABASE_URL")) as database_url:
        in_process_settings(database_url)
        os.environ["DJANGO_FEDERATION_ALLOWED_HOSTS"] = ",".join(hosts)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext
        from django_tasks_db.models import DBTaskResult

        from federation.models import Delivery, Follower, RemoteActor, SiteActor
        from federation.services import article_activity, deliver_to_followers
        from tests.factories import ArticleFactory

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        actor = SiteActor.current()
        tally: dict[str, int] = {}
        servers = receiving_servers(args.servers, actor.public_key_pem, tally)
        for n in range(args.followers):
            server = servers[n % args.servers]
            host, port = server.server_address[:2]
            remote = RemoteActor.objects.create(
                actor_id=f"http://{host}:{port}/users/u{n}",
                inbox=f"http://{host}:{port}/users/u{n}/inbox",
                shared_inbox=f"http://{host}:{port}/inbox",
                domain=host,
            )
            Follower.objects.create(remote_actor=remote)
        with transaction.atomic():
            article = ArticleFactory(status="draft")  # no signal-queued Create of its own
        activity = article_activity("Create", article)

        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            deliveries = deliver_to_followers(activity)
        fan_out = time.perf_counter() - started
        print(
            f"fan-out to {args.followers:,} followers on {args.servers} servers: "
            f"{len(deliveries)} deliveries queued in {fan_out * 1000:.0f} ms, "
            f"{len(queries)} queries"
        )

        queued = DBTaskResult.objects.ready().count()
        started, cpu = time.perf_counter(), time.process_time()
        call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False)
        sending = time.perf_counter() - started
        cpu = time.process_time() - cpu
        sent = Delivery.objects.filter(state=Delivery.State.SENT).count()
        print(
            f"one worker sent {sent}/{queued} signed deliveries in {sending:.1f} s "
            f"({sending / max(sent, 1) * 1000:.1f} ms each; CPU {cpu:.1f} s, both sides in this "
            f"process); signatures verified by the receivers: {tally.get('verified', 0)}, "
            f"refused: {tally.get('refused', 0)}"
        )
        for server in servers:
            server.shutdown()


if __name__ == "__main__":
    main()
