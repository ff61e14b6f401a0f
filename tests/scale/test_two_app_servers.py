"""Two gunicorn instances on one database and one cache behave as one site.

On the default run they share a SQLite file and its database cache; under .ci/run's second
pass (DATABASE_URL + REDIS_URL) they share PostgreSQL and Redis.
"""

import os
import re
import time
import uuid

import pytest
import requests

from benchmarks.harness import running_site

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RATE_LIMIT = 3


@pytest.fixture(scope="module")
def site():
    with running_site(
        database_url=os.environ.get("DATABASE_URL"),
        redis_url=os.environ.get("REDIS_URL"),
        instances=2,
        workers=2,
        fixture_args=("--articles", "3", "--users", "3", "--rate-limit", str(RATE_LIMIT)),
    ) as running:
        yield running


def reader(site, number: int = 0) -> requests.Session:
    session = requests.Session()
    key = site.data["sessions"][number]
    session.cookies.set(site.data["session_cookie"], key, domain="127.0.0.1")
    return session


def post_comment(session: requests.Session, base: str, site, body: str) -> requests.Response:
    article = site.data["big_article"]
    page = session.get(base + article["url"], timeout=10)
    token = CSRF_INPUT.search(page.text)
    assert token, "the signed-in article page has a comment form"
    return session.post(
        f"{base}/comments/articles/{article['id']}/post/",
        data={"csrfmiddlewaretoken": token[1], "body": body, "client_token": uuid.uuid4().hex},
        headers={"Referer": base + article["url"]},
        allow_redirects=False,
        timeout=10,
    )


def test_write_on_a_is_seen_on_b_and_invalidates_b_s_page_cache(site):
    a, b = site.urls
    url = site.data["big_article"]["url"]
    anonymous = requests.Session()
    anonymous.get(b + url, timeout=10)
    assert anonymous.get(b + url, timeout=10).headers["X-Page-Cache"] == "hit"

    body = f"Seen everywhere {uuid.uuid4().hex[:8]}"
    response = post_comment(reader(site), a, site, body)
    assert response.status_code == 302

    fresh = anonymous.get(b + url, timeout=10)
    assert fresh.headers["X-Page-Cache"] == "miss"
    assert body in fresh.text
    assert "Set-Cookie" not in fresh.headers
    assert "public" in fresh.headers["Cache-Control"]


def test_rate_limit_reached_on_a_holds_on_b(site):
    """Each test posts as its own reader, so the count starts at zero whatever the order."""
    a, b = site.urls
    session = reader(site, 2)
    statuses = [
        post_comment(session, a, site, f"Quick comment {n} {uuid.uuid4().hex[:6]}").status_code
        for n in range(RATE_LIMIT)
    ]
    assert statuses == [302] * RATE_LIMIT
    refused = post_comment(session, b, site, "One more, through the other server")
    assert refused.status_code == 200
    assert "You are commenting too quickly" in refused.text


def test_ten_parallel_posts_of_one_comment_store_exactly_one(site):
    """A double click times ten, spread over both servers: one comment, no 5xx."""
    from concurrent.futures import ThreadPoolExecutor

    a, b = site.urls
    article = site.data["big_article"]
    session = reader(site, 1)
    token = CSRF_INPUT.search(session.get(a + article["url"], timeout=10).text)[1]
    body = f"Posted ten times at once {uuid.uuid4().hex[:8]}"
    client_token = uuid.uuid4().hex

    def post(number: int) -> int:
        base = (a, b)[number % 2]
        return session.post(
            f"{base}/comments/articles/{article['id']}/post/",
            data={"csrfmiddlewaretoken": token, "body": body, "client_token": client_token},
            headers={"Referer": base + article["url"]},
            allow_redirects=False,
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(post, range(10)))
    assert all(status < 500 for status in statuses), (statuses, site.errors()[-5000:])
    page = requests.get(b + article["url"], timeout=10).text
    assert page.count(f"<p>{body}</p>") == 1  # the body shows once (JSON-LD repeats it as data)


def test_huge_headers_and_bodies_are_refused_with_a_4xx(site):
    """gunicorn caps header size; Django caps form bodies: both answer 4xx, never 5xx."""
    a, _ = site.urls
    huge_header = requests.get(a + "/", headers={"X-Padding": "x" * 70_000}, timeout=10)
    assert 400 <= huge_header.status_code < 500
    many_headers = requests.get(a + "/", headers={f"X-H{n}": "v" for n in range(150)}, timeout=10)
    assert 400 <= many_headers.status_code < 500
    big_body = requests.post(
        a + "/accounts/login/", data={"login": "x" * 3_000_000, "password": "y"}, timeout=30
    )
    assert 400 <= big_body.status_code < 500


def listening_sockets(port: int) -> int:
    """How many sockets listen on this loopback port (Linux's /proc/net/tcp)."""
    local = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return sum(1 for row in rows if row[1] == local and row[3] == "0A")


def test_each_worker_listens_on_its_own_socket(site):
    """gunicorn's reuse_port: the kernel spreads connections over the workers, so a burst of
    connections cannot all land on one worker and leave the other cores idle."""
    for url in site.urls:
        port = int(url.rsplit(":", 1)[1])
        deadline = time.monotonic() + 10  # the second worker may still be booting
        while listening_sockets(port) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert listening_sockets(port) == 2
