"""Debian's nginx in front of running app servers, configured by deploy/nginx/newsite.conf.

The shipped file is rendered with this run's port, app servers and folders in place of its
example values, and included from a top-level nginx.conf of our own with its own prefix, pid,
logs, temporary and cache folders in a temporary directory: no root, no system nginx touched.
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .harness import ROOT, free_port

CONF = ROOT / "deploy" / "nginx" / "newsite.conf"
STATIC_ROOT = ROOT / "staticfiles"
MEDIA_ROOT = ROOT / "media"
MISSING = "nginx is needed: apt-get install nginx (.ci/run installs it)"

TOP_LEVEL = """\
{user}worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    include {mime_types};
    default_type application/octet-stream;
    types_hash_max_size 2048;
    sendfile on;
    tcp_nopush on;
    log_format front '$request_method $request_uri $status '
                     'cache=$upstream_cache_status upstream=$upstream_addr';
    {access_log};
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/newsite.conf;
}}
"""


@dataclass
class Front:
    url: str
    prefix: Path

    def errors(self) -> str:
        return (self.prefix / "error.log").read_text()

    def access_log(self) -> str:
        path = self.prefix / "access.log"
        return path.read_text() if path.exists() else ""


def nginx_binary() -> str | None:
    """Debian puts nginx in /usr/sbin, which is not on every user's PATH."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def render(
    text: str,
    *,
    port: int,
    upstreams: list[str],
    static_root: Path,
    cache_dir: Path,
    media_root: Path = MEDIA_ROOT,
) -> str:
    """The shipped configuration with this run's values in place of its examples.

    Each example value must be there exactly once: a change to the shipped file that this
    does not follow fails loudly instead of testing something else.
    """
    replacements = {
        "    listen 80;\n    listen [::]:80;\n": f"    listen 127.0.0.1:{port};\n",
        "server_name news.example.com;": "server_name 127.0.0.1 localhost;",
        "alias /srv/newsite/staticfiles/;": f"alias {static_root}/;",
        "alias /srv/newsite/media/;": f"alias {media_root}/;",
        "proxy_cache_path /var/cache/nginx/newsite ": f"proxy_cache_path {cache_dir} ",
        "    server 10.0.0.11:8000;\n    server 10.0.0.12:8000;\n": "".join(
            f"    server {address};\n" for address in upstreams
        ),
    }
    for old, new in replacements.items():
        if text.count(old) != 1:
            raise ValueError(f"{CONF} no longer holds {old.strip()!r} once; update render()")
        text = text.replace(old, new)
    return text


def _mime_types(binary: str) -> str:
    """mime.types beside the nginx.conf this nginx was built to read (/etc/nginx on Debian)."""
    built = subprocess.run([binary, "-V"], capture_output=True, text=True, check=True).stderr  # noqa: S603
    conf_path = re.search(r"--conf-path=(\S+)", built)
    return str(Path(conf_path[1] if conf_path else "/etc/nginx/nginx.conf").parent / "mime.types")


def _wait_until_listening(port: int, process: subprocess.Popen, prefix: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = prefix / "error.log"
            raise RuntimeError(
                f"nginx exited with status {process.returncode}:\n"
                + (log.read_text() if log.exists() else "")
                + (prefix / "stderr.log").read_text()
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port} within 10 s")


@contextlib.contextmanager
def nginx_in_front(
    upstreams: list[str],
    *,
    static_root: Path = STATIC_ROOT,
    media_root: Path = MEDIA_ROOT,
    workers: int | str = 1,
    access_log: bool = True,
) -> Iterator[Front]:
    """Serve deploy/nginx/newsite.conf on a free loopback port, proxying to `upstreams`
    (base URLs or host:port). Raises RuntimeError(MISSING) if nginx is not installed."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError(MISSING)
    prefix = Path(tempfile.mkdtemp(prefix="newsite-nginx-"))
    port = free_port()
    (prefix / "newsite.conf").write_text(
        render(
            CONF.read_text(),
            port=port,
            upstreams=[url.removeprefix("http://") for url in upstreams],
            static_root=static_root,
            media_root=media_root,
            cache_dir=prefix / "cache",
        )
    )
    (prefix / "nginx.conf").write_text(
        TOP_LEVEL.format(
            # Run by root, the workers would otherwise become "nobody"; keep them our own user,
            # as they are when anyone else starts it.
            user="user root;\n" if os.geteuid() == 0 else "",
            workers=workers,
            prefix=prefix,
            mime_types=_mime_types(binary),
            access_log=f"access_log {prefix}/access.log front" if access_log else "access_log off",
        )
    )
    with (prefix / "stderr.log").open("w") as stderr:
        process = subprocess.Popen(  # noqa: S603 - Debian's nginx, our own configuration
            [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        _wait_until_listening(port, process, prefix)
        yield Front(url=f"http://127.0.0.1:{port}", prefix=prefix)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(prefix, ignore_errors=True)
