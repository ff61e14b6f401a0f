"""CPU per request, in process: where `make bench` time goes, before and after a change.

    python -m benchmarks.profile [--requests 200] [--cprofile "signed-in article"]

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
import tempfile
import time
import uuid


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cprofile", default="")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="newsite-profile-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/db.sqlite3")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="newsite.settings",
        DJANGO_DEBUG="",
        DJANGO_SECRET_KEY="profile-" + uuid.uuid4().hex * 2,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_LOG_LEVEL="ERROR",
    )
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
    signed_in = f"{data['session_cookie']}={data['sessions'][0]}"
    scenarios = {
        "anonymous article (2,000 comments), page cache": (data["big_article"]["url"], ""),
        "article with 50 comments, uncached": (data["medium_article"]["url"], ""),
        "home, uncached": ("/", ""),
        "signed-in article": (data["big_article"]["url"], signed_in),
        "signed-in article, 50 comments": (data["medium_article"]["url"], signed_in),
    }
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    def get(url: str, cookie: str) -> tuple[str, bytes]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": url,
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_COOKIE": cookie,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        status = []
        body = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
        return status[0], body

    for name, (url, cookie) in scenarios.items():
        settings.PAGE_CACHE = "page cache" in name
        get(url, cookie)  # warm every cache
        queries.clear()
        with connection.execute_wrapper(count):
            status, body = get(url, cookie)
        assert status.startswith("200"), (name, status)
        timings = []
        profiler = cProfile.Profile() if name == args.cprofile else None
        for _ in range(args.requests):
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            get(url, cookie)
            if profiler:
                profiler.disable()
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:52} {statistics.median(timings):7.2f} ms  {len(queries):2} queries"
            f"  {len(body):7,} B"
        )
        if profiler:
            pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(40)


if __name__ == "__main__":
    main()
