"""CPU time per request, in process: where `make bench` time goes, before and after a change.

    python -m benchmarks.profile [--requests 200] [--only signed-in]
                                 [--cprofile "signed-in article" --sort tottime]
                                 [--lines 40] [--callees "render"] [--callers "urandom"]

Builds the bench data in a scratch SQLite database (or DATABASE_URL / REDIS_URL), then sends
each scenario through Django's full middleware stack in production settings and prints the
median milliseconds and the queries per request. `--cprofile NAME` prints the top functions of
one scenario.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
import uuid
from urllib.parse import urlencode

from .harness import in_process_settings, scratch_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cprofile", default="", help="A scenario's name.")
    parser.add_argument("--sort", default="cumulative", help="pstats order: tottime, …")
    parser.add_argument("--lines", type=int, default=40, help="How many functions to print.")
    parser.add_argument("--callees", default="", help="Also print what these functions call.")
    parser.add_argument("--callers", default="", help="Also print what calls these functions.")
    parser.add_argument("--only", default="", help="Run the scenarios whose name has this.")
    args = parser.parse_args()

    with scratch_database(os.environ.get("DATABASE_URL")) as database_url:
        in_process_settings(database_url)
        profile(args)


def profile(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection

    from .sitefixture import build

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    data = build(articles=50, comments=2000, medium_comments=50, users=4, rate_limit=10**6)

    handler = WSGIHandler()
    csrf = "p" * 32  # a CSRF secret: the form may carry it unmasked
    signed_in = f"{data['session_cookie']}={data['sessions'][0]}; csrftoken={csrf}"
    post_url = f"/comments/articles/{data['quiet_article']['id']}/post/"
    scenarios = {
        "anonymous article (2,000 comments), cache hit": ("GET", data["big_article"]["url"], ""),
        "article (2,000 comments), page cache off": ("GET", data["big_article"]["url"], ""),
        "article with 50 comments, page cache off": ("GET", data["medium_article"]["url"], ""),
        "home, cache hit": ("GET", "/", ""),
        "home, page cache off": ("GET", "/", ""),
        "signed-in article": ("GET", data["big_article"]["url"], signed_in),
        "signed-in article, 50 comments": ("GET", data["medium_article"]["url"], signed_in),
        "comment post": ("POST", post_url, signed_in),
    }
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    def send(method: str, url: str, cookie: str) -> tuple[str, bytes]:
        form = urlencode(
            {
                "body": f"Posted by the profiler, {uuid.uuid4().hex}",
                "client_token": uuid.uuid4().hex,
                "csrfmiddlewaretoken": csrf,
            }
        ).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": url,
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_COOKIE": cookie,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(form if method == "POST" else b""),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(form) if method == "POST" else 0),
            "wsgi.errors": sys.stderr,
        }
        status = []
        body = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
        return status[0], body

    for name, (method, url, cookie) in scenarios.items():
        if args.only not in name:
            continue
        settings.PAGE_CACHE = "cache hit" in name
        send(method, url, cookie)  # warm every cache
        queries.clear()
        with connection.execute_wrapper(count):
            status, body = send(method, url, cookie)
        assert status[:3] == ("302" if method == "POST" else "200"), (name, status, body[-3000:])
        timings = []
        profiler = cProfile.Profile() if name == args.cprofile else None
        for _ in range(args.requests):
            started = time.process_time()
            if profiler:
                profiler.enable()
            send(method, url, cookie)
            if profiler:
                profiler.disable()
            timings.append((time.process_time() - started) * 1000)
        print(
            f"{name:52} {statistics.median(timings):7.2f} ms  {len(queries):2} queries"
            f"  {len(body):7,} B"
        )
        if profiler:
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            stats.print_stats(args.lines)
            if args.callees:
                stats.print_callees(args.callees)
            if args.callers:
                stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
