"""Debian's nginx in front of two gunicorns, configured by deploy/nginx/newsite.conf as shipped.

The shipped file is rendered with this run's ports and folders (benchmarks/nginx.py) and run
as `nginx -p PREFIX -c CONF -g 'daemon off;'`. On the default run the app servers share a
SQLite file; under .ci/run's second pass, PostgreSQL and Redis. Without nginx these tests
fail rather than skip: .ci/run installs it.

A new comment reaches anonymous readers within s-maxage: the real app is checked for what
it says (s-maxage of 60 s at most) and for nginx holding its copy meanwhile, and a stand-in
app server saying s-maxage=1 shows that nginx keeps a page exactly that long, then asks with
its ETag. Waiting out the real 60 s would more than double this file's time.
"""

import contextlib
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, expect

from benchmarks.harness import running_site
from benchmarks.loopback import QuietHandler, loopback_server
from benchmarks.nginx import CONF, STATIC_ROOT, nginx_binary, nginx_in_front

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SITE_NAV = re.compile(r'<nav class="site-nav".*?</nav>', re.DOTALL)
PASSWORD = "correct horse battery"
SEED_TITLE = "The Japanese government will reportedly stop buying Huawei and ZTE devices"
# The app's caching contract for shared caches (see the README's "Scaling out").
ANONYMOUS_CACHE_CONTROL = "public, max-age=0, s-maxage=60, must-revalidate"
S_MAXAGE = 60


@pytest.fixture(scope="module")
def site():
    if nginx_binary() is None:
        pytest.fail("nginx is needed for these tests: apt-get install nginx")
    behind_nginx = {"DJANGO_TRUSTED_PROXY_COUNT": "1", "DJANGO_BEHIND_PROXY": "1"}
    with running_site(
        database_url=os.environ.get("DATABASE_URL"),
        redis_url=os.environ.get("REDIS_URL"),
        instances=2,
        workers=2,
        fixture_args=("--articles", "3", "--users", "3", "--password", PASSWORD),
        instance_env=[behind_nginx, behind_nginx],
        access_log=True,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def front(site, media_root):
    with nginx_in_front(site.urls, media_root=media_root) as running:
        yield running


def reader(site, number: int) -> requests.Session:
    session = requests.Session()
    session.cookies.set(site.data["session_cookie"], site.data["sessions"][number])
    return session


def directives(response: requests.Response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}


def freshness(response: requests.Response) -> int:
    """How long a shared cache may keep this answer: s-maxage, else max-age (RFC 9111)."""
    values = dict(part.split("=", 1) for part in directives(response) if "=" in part)
    return int(values.get("s-maxage", values.get("max-age", 0)))


def site_nav(html: str) -> str:
    return SITE_NAV.search(html)[0]


def app_requests(site, target: str) -> int:
    """Requests for `target` the app servers logged, once their logs stop growing: gunicorn
    writes the line just after it has sent the answer."""
    count = site.requests_for(target)
    while True:
        time.sleep(0.2)
        again = site.requests_for(target)
        if again == count:
            return count
        count = again


def test_a_second_anonymous_view_is_answered_by_nginx_alone(site, front):
    """Order-proof: the first view may already be cached by another test's visit."""
    path = "/"
    first = requests.get(front.url + path, timeout=10)
    reached_app = app_requests(site, path)
    second = requests.get(front.url + path, timeout=10)
    assert first.status_code == second.status_code == 200
    assert second.headers["X-Cache-Status"] == "HIT"
    assert second.text == first.text
    assert "Set-Cookie" not in second.headers
    assert app_requests(site, path) == reached_app, "the second view reached an app server"


def test_anonymous_pages_carry_the_shared_cache_contract(front):
    """The header contract nginx's micro-cache is built on."""
    response = requests.get(front.url + "/", timeout=10)
    assert response.headers["Cache-Control"] == ANONYMOUS_CACHE_CONTROL
    assert response.headers["ETag"]
    assert "cookie" in response.headers["Vary"].lower()


def test_two_signed_in_readers_each_see_only_their_own_name(site, front):
    url = front.url + site.data["medium_article"]["url"]
    requests.get(url, timeout=10)
    assert requests.get(url, timeout=10).headers["X-Cache-Status"] == "HIT"  # a copy to leak
    names = [entry["name"] for entry in site.data["readers"]]
    for number in (0, 1, 0):
        response = reader(site, number).get(url, timeout=10)
        assert response.headers["X-Cache-Status"] == "BYPASS"
        nav = site_nav(response.text)
        assert names[number] in nav
        assert names[1 - number] not in nav
        assert "Log in" not in nav
        cache_control = directives(response)
        assert "private" in cache_control
        assert "public" not in cache_control
        assert "no-cache" in cache_control or {"max-age=0", "must-revalidate"} <= cache_control
    anonymous = requests.get(url, timeout=10)
    assert anonymous.headers["X-Cache-Status"] == "HIT"
    nav = site_nav(anonymous.text)
    assert "Log in" in nav
    assert not any(name in nav for name in names)


def test_a_pending_message_also_bypasses_the_cache(site, front):
    url = front.url + site.data["medium_article"]["url"]
    requests.get(url, timeout=10)
    response = requests.get(url, cookies={"messages": "x"}, timeout=10)
    assert response.headers["X-Cache-Status"] == "BYPASS"


def post_comment(session: requests.Session, base: str, article: dict, body: str):
    page = session.get(base + article["url"], timeout=10)
    assert page.headers["X-Cache-Status"] == "BYPASS"
    return session.post(
        f"{base}/comments/articles/{article['id']}/post/",
        data={
            "csrfmiddlewaretoken": CSRF_INPUT.search(page.text)[1],
            "body": body,
            "client_token": uuid.uuid4().hex,
        },
        headers={"Referer": base + article["url"]},
        allow_redirects=False,
        timeout=10,
    )


def test_a_new_comment_reaches_anonymous_readers_within_s_maxage(site, front):
    """The writer sees it at once; the app forgets its own copy at once; nginx keeps its copy
    for the page's s-maxage at most (how nginx honours s-maxage: the stand-in test below)."""
    article = site.data["quiet_article"]  # no other test reads it: this test's copy is fresh
    url = front.url + article["url"]
    requests.get(url, timeout=10)
    held = requests.get(url, timeout=10)
    assert held.headers["X-Cache-Status"] == "HIT"
    assert 0 < freshness(held) <= S_MAXAGE

    body = f"Through nginx {uuid.uuid4().hex[:8]}"
    writer = reader(site, 2)
    assert post_comment(writer, front.url, article, body).status_code == 302
    assert body in writer.get(url, timeout=10).text
    assert body in requests.get(site.urls[1] + article["url"], timeout=10).text
    still_held = requests.get(url, timeout=10)
    assert still_held.headers["X-Cache-Status"] == "HIT"
    assert body not in still_held.text


def test_forwarded_headers_name_the_reader_for_one_trusted_proxy(site, front):
    """With DJANGO_TRUSTED_PROXY_COUNT=1 the app takes the last address: nginx's own view of
    the client, whatever the client claimed before it."""
    probe = f"/healthz?probe={uuid.uuid4().hex[:8]}"
    requests.get(front.url + probe, headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    assert app_requests(site, probe) == 1
    logged = "\n".join(log.read_text() for log in site.access_logs)
    line = next(line for line in logged.splitlines() if probe in line)
    port = front.url.rsplit(":", 1)[1]
    assert 'forwarded-for="203.0.113.9, 127.0.0.1"' in line
    assert 'proto="http"' in line
    assert f'host="127.0.0.1:{port}"' in line


def test_static_files_are_immutable_and_precompressed(site, front):
    hashed = site.data["static_css"]
    assert re.search(r"\.[0-9a-f]{12}\.css$", hashed)
    response = requests.get(
        front.url + hashed, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    on_disk = STATIC_ROOT / hashed.removeprefix("/static/")
    # gzip_static sends whitenoise's own .gz, byte for byte.
    assert response.raw.read(decode_content=False) == Path(f"{on_disk}.gz").read_bytes()
    assert app_requests(site, hashed) == 0

    plain = requests.get(front.url + "/static/css/site.css", timeout=10)
    assert plain.status_code == 200
    assert "immutable" not in plain.headers["Cache-Control"]


def test_uploaded_images_are_served_by_nginx_alone(site, front, media_root):
    """Lead images and their renditions: from disk, kept a year, never reaching the app."""
    (media_root / "lead-images").mkdir()
    (media_root / "lead-images" / "photo.avif").write_bytes(b"not really an AVIF")
    response = requests.get(front.url + "/media/lead-images/photo.avif", timeout=10)
    assert response.status_code == 200
    assert response.content == b"not really an AVIF"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert app_requests(site, "/media/lead-images/photo.avif") == 0
    missing = requests.get(front.url + "/media/lead-images/gone.jpg", timeout=10)
    assert missing.status_code == 404


@pytest.mark.parametrize("path", ["/", "/feeds/latest.rss"])
def test_pages_and_feeds_are_gzipped(front, path):
    response = requests.get(front.url + path, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    ("first", "second"),
    [("text/html", "application/activity+json"), ("application/activity+json", "text/html")],
)
def test_nginx_keeps_an_articles_html_and_activitystreams_apart(site, front, first, second):
    """Issue 17: other servers ask the article's URL for JSON; readers must never get it, nor
    a server the HTML, whichever nginx kept first."""
    url = front.url + site.data["medium_article"]["url"]

    def get(accept: str) -> requests.Response:
        response = requests.get(url, headers={"Accept": accept}, timeout=10)
        assert response.status_code == 200
        assert "Accept" in response.headers["Vary"]
        is_json = response.headers["Content-Type"] == "application/activity+json"
        assert is_json == (accept == "application/activity+json"), response.headers
        return response

    get(first)
    assert get(first).headers["X-Cache-Status"] == "HIT"  # a kept copy that could leak
    other = get(second)
    if second == "application/activity+json":
        assert other.json()["type"] == "Article"
        assert other.json()["id"].endswith(site.data["medium_article"]["url"])
    else:
        assert "<html" in other.text
    assert get(second).headers["X-Cache-Status"] == "HIT"
    assert get(first).headers["X-Cache-Status"] == "HIT"


def test_the_shipped_file_passes_nginx_t_in_debians_own_nginx_conf(tmp_path):
    """As the operator installs it: included by Debian's nginx.conf, unedited but for the
    cache folder, which the install steps create. Logs, pid and temporary folders are moved
    to tmp_path so the check touches nothing of the system's."""
    binary = nginx_binary()
    debian = Path("/etc/nginx/nginx.conf")
    if binary is None or not debian.exists():
        pytest.fail("Debian's nginx is needed for these tests: apt-get install nginx")
    shipped = CONF.read_text()
    cache = "proxy_cache_path /var/cache/nginx/newsite "
    assert cache in shipped
    (tmp_path / "newsite.conf").write_text(
        shipped.replace(cache, f"proxy_cache_path {tmp_path}/cache ")
    )
    temporary = "".join(
        f"\t{kind}_temp_path {tmp_path}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = debian.read_text()
    for old, new in {
        "include /etc/nginx/sites-enabled/*;": f"{temporary}\tinclude {tmp_path}/newsite.conf;",
        "pid /run/nginx.pid;": f"pid {tmp_path}/nginx.pid;",
        "error_log /var/log/nginx/error.log;": f"error_log {tmp_path}/error.log;",
        "access_log /var/log/nginx/access.log;": f"access_log {tmp_path}/access.log;",
    }.items():
        assert conf.count(old) == 1, f"{debian} has changed: no {old!r}"
        conf = conf.replace(old, new)
    (tmp_path / "nginx.conf").write_text(conf)
    result = subprocess.run(
        [binary, "-t", "-e", str(tmp_path / "startup.log"), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    warnings = [
        line
        for line in result.stderr.splitlines()
        if "[warn]" in line and '"user" directive' not in line  # run without root
    ]
    assert not warnings, result.stderr


# A stand-in app server: nginx's side of the contract, in seconds instead of minutes.


class StandIn(QuietHandler):
    """Answers like the app: public pages with an ETag and a short s-maxage, a 304 to a
    matching If-None-Match; /private like a signed-in page; /cookie setting a cookie."""

    version = 1
    seen: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:
        StandIn.seen.append((self.path, self.headers.get("If-None-Match")))
        etag = f'"{self.version}"'
        if self.path == "/private":
            self.answer(200, "private, no-cache", etag)
        elif self.path == "/cookie":
            self.answer(200, "public, max-age=0, s-maxage=60", etag, cookie=True)
        elif self.headers.get("If-None-Match") == etag:
            self.answer(304, "public, max-age=0, s-maxage=1, must-revalidate", etag)
        else:
            self.answer(200, "public, max-age=0, s-maxage=1, must-revalidate", etag)

    def answer(self, status: int, cache_control: str, etag: str, cookie: bool = False) -> None:
        body = b"" if status == 304 else f"version {self.version}".encode()
        self.send_response(status)
        self.send_header("Cache-Control", cache_control)
        self.send_header("ETag", etag)
        self.send_header("Vary", "Cookie")
        if cookie:
            self.send_header("Set-Cookie", "sessionid=abc; HttpOnly")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def stand_in() -> contextlib.AbstractContextManager[str]:
    StandIn.version, StandIn.seen = 1, []
    return loopback_server(StandIn)


def poll(url: str, until, seconds: float) -> tuple[requests.Response, float]:
    started = time.monotonic()
    while True:
        response = requests.get(url, timeout=5)
        elapsed = time.monotonic() - started
        if until(response) or elapsed > seconds:
            return response, elapsed
        time.sleep(0.05)


def test_nginx_keeps_a_page_for_its_s_maxage_then_revalidates_with_its_etag():
    if nginx_binary() is None:
        pytest.fail("nginx is needed for these tests: apt-get install nginx")
    with stand_in() as upstream, nginx_in_front([upstream, upstream]) as running:
        url = running.url + "/article"
        assert requests.get(url, timeout=5).headers["X-Cache-Status"] == "MISS"
        assert requests.get(url, timeout=5).headers["X-Cache-Status"] == "HIT"
        StandIn.version = 2  # a comment was posted
        held = requests.get(url, timeout=5)
        assert (held.headers["X-Cache-Status"], held.text) == ("HIT", "version 1")

        # nginx counts whole seconds: a 1 s lifetime ends within 2 s.
        fresh, elapsed = poll(url, lambda r: r.text == "version 2", seconds=4)
        assert fresh.text == "version 2", f"still {fresh.text!r} after {elapsed:.1f} s"
        assert elapsed < 2.5
        assert fresh.headers["X-Cache-Status"] == "EXPIRED"
        assert StandIn.seen[-1] == ("/article", '"1"')  # asked with the copy's ETag

        # Nothing changed since: the next expiry costs the app a 304, not a page.
        revalidated, _ = poll(url, lambda r: r.headers["X-Cache-Status"] != "HIT", seconds=4)
        assert revalidated.headers["X-Cache-Status"] == "REVALIDATED"
        assert revalidated.text == "version 2"
        assert StandIn.seen[-1] == ("/article", '"2"')
        assert len(StandIn.seen) == 3  # one request per lifetime, all the others from nginx

        for path in ("/private", "/cookie"):
            for _ in range(2):
                requests.get(running.url + path, timeout=5)
            assert [seen for seen, _ in StandIn.seen].count(path) == 2, f"{path} was kept"
        for cookie in ("sessionid", "messages"):
            response = requests.get(url, cookies={cookie: "x"}, timeout=5)
            assert response.headers["X-Cache-Status"] == "BYPASS"


# Journey 1 in a real Chromium, through nginx.


@pytest.mark.browser
def test_journey_1_signs_in_through_nginx(site, front, browser: Browser):
    """Home, the article, "Log in" in the header, log in, the article again: the header and
    the comment form are the reader's own, not the anonymous copy nginx keeps."""
    context = browser.new_context(base_url=front.url)
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_role("link", name=SEED_TITLE).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
        header = page.locator(".site-header")
        header.get_by_role("link", name="Log in").click()

        page.get_by_label("Email").fill(site.data["readers"][0]["email"])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

        # Back on the article (the header's link remembered it), then home and the article
        # again by its link.
        expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
        header.get_by_role("link", name="Latest").click()
        page.get_by_role("link", name=SEED_TITLE).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
        expect(header.get_by_role("link", name=site.data["readers"][0]["name"])).to_be_visible()
        expect(header.get_by_role("button", name="Log out")).to_be_visible()
        expect(header.get_by_role("link", name="Log in")).to_have_count(0)
        expect(header.get_by_role("link", name="Sign up")).to_have_count(0)
        expect(page.get_by_label("Your comment")).to_be_visible()
        expect(page.get_by_role("button", name="Post comment")).to_be_visible()
        expect(page.get_by_role("button", name="Log in and post")).to_have_count(0)
    finally:
        print(f"nginx's access log (shown if this failed):\n{front.access_log()}")
        context.close()
