"""Run the real site under gunicorn on loopback, for the scale-out test and `make bench`.

Each run gets its own database (a SQLite file, or a scratch PostgreSQL database) so it never
touches the development data or the test database.
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
# The request line and status, then what a proxy in front forwarded.
ACCESS_LOG_FORMAT = (
    '%(h)s "%(r)s" %(s)s forwarded-for="%({x-forwarded-for}i)s" '
    'proto="%({x-forwarded-proto}i)s" host="%({host}i)s"'
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Site:
    env: dict[str, str]
    urls: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    processes: list[subprocess.Popen] = field(default_factory=list)
    log: Path | None = None
    access_logs: list[Path] = field(default_factory=list)

    def errors(self) -> str:
        """What the servers logged at WARNING and above (tracebacks included)."""
        return self.log.read_text() if self.log else ""

    def requests_for(self, target: str) -> int:
        """How many requests for this path (and query) the app servers logged, all of them
        together: what a proxy in front did not answer itself. Needs `access_log=True`."""
        line = f'"GET {target} HTTP/'
        return sum(log.read_text().count(line) for log in self.access_logs if log.exists())

    def manage(self, *args: str, capture: bool = False) -> str:
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout if capture else ""


@contextlib.contextmanager
def scratch_database(database_url: str | None) -> Iterator[str]:
    """A fresh database: a temporary SQLite file, or a new PostgreSQL database dropped after."""
    if not database_url or database_url.startswith("sqlite"):
        folder = tempfile.mkdtemp(prefix="newsite-bench-")
        try:
            yield f"sqlite:///{folder}/db.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import psycopg

    name = f"newsite_scratch_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(database_url)
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def in_process_settings(database_url: str) -> None:
    """Production settings for Django run inside this process (the profiler, the import bench)
    on a scratch database."""
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="newsite.settings",
        DJANGO_DEBUG="",
        DJANGO_SECRET_KEY="bench-" + uuid.uuid4().hex * 2,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_LOG_LEVEL="ERROR",
    )


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer /healthz within {timeout} s")


def new_site(database_url: str, redis_url: str | None) -> Site:
    """A site in production settings on the given database (and Redis), not yet serving."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS"))},
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "newsite.settings",
        "PYTHONPATH": str(ROOT),
    }
    if redis_url:
        # Its own keys: counters (rate limits) must not carry over from another site or test.
        env.update(REDIS_URL=redis_url, DJANGO_CACHE_KEY_PREFIX=f"site-{uuid.uuid4().hex[:8]}")
    return Site(env=env, log=Path(tempfile.mkdtemp(prefix="newsite-log-")) / "server.log")


def migrate(site: Site) -> None:
    """Migrate an empty database, timed."""
    started = time.perf_counter()
    site.manage("migrate", "--noinput", "-v0")
    site.timings["migrate"] = time.perf_counter() - started


@contextlib.contextmanager
def serving(
    site: Site,
    *,
    instances: int,
    workers: int | None = None,
    threads: int | None = None,
    instance_env: list[dict[str, str]] | None = None,
    access_log: bool = False,
) -> Iterator[Site]:
    """Start `instances` gunicorns on the site's database, timed to the first 200 of each.

    `access_log` keeps each one's access log (Site.access_logs), with the forwarding headers a
    proxy in front sets; otherwise requests are not logged, as under load.
    """
    log = site.log.open("a")
    try:
        started = time.perf_counter()
        for number in range(instances):
            port = free_port()
            access = ["--access-logfile", "/dev/null"]
            if access_log:
                site.access_logs.append(site.log.parent / f"access-{number}.log")
                access = [
                    "--access-logfile",
                    str(site.access_logs[-1]),
                    "--access-logformat",
                    ACCESS_LOG_FORMAT,
                ]
            process = subprocess.Popen(  # noqa: S603 - our own gunicorn
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "-c",
                    "newsite/gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{port}",
                    *(["--workers", str(workers)] if workers else []),
                    *(["--threads", str(threads)] if threads else []),
                    *access,
                ],
                cwd=ROOT,
                env={**site.env, **(instance_env[number] if instance_env else {})},
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
            site.processes.append(process)
            site.urls.append(f"http://127.0.0.1:{port}")
        for url_, process in zip(site.urls, site.processes, strict=True):
            wait_until_up(url_, process)
        site.timings["launch_to_first_200"] = time.perf_counter() - started
        yield site
    finally:
        for process in site.processes:
            process.terminate()
        for process in site.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        site.processes.clear()
        site.urls.clear()
        site.access_logs.clear()
        log.close()


@contextlib.contextmanager
def running_site(
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    instances: int = 1,
    workers: int | None = None,
    threads: int | None = None,
    fixture_args: tuple[str, ...] = (),
    instance_env: list[dict[str, str]] | None = None,
    before_start: Callable[[Site], None] | None = None,
    access_log: bool = False,
) -> Iterator[Site]:
    """Migrate a scratch database, build data, and serve it from `instances` gunicorns.

    `instance_env` adds variables per instance; `before_start` runs once the data is built.
    Workers and threads left out are newsite/gunicorn.conf.py's, as in production.
    """
    with scratch_database(database_url) as url:
        site = new_site(url, redis_url)
        migrate(site)
        site.manage("createcachetable", "-v0")
        site.manage("collectstatic", "--noinput", "-v0")
        output = subprocess.run(  # noqa: S603 - our own interpreter and module
            [PYTHON, "-m", "benchmarks.sitefixture", *fixture_args],
            cwd=ROOT,
            env=site.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        site.data = json.loads(output.strip().splitlines()[-1])
        if before_start:
            before_start(site)
        with serving(
            site,
            instances=instances,
            workers=workers,
            threads=threads,
            instance_env=instance_env,
            access_log=access_log,
        ):
            yield site
