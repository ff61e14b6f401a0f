"""newsite/gunicorn.conf.py: what production runs."""

import socket
import subprocess
import sys
import time

from benchmarks.harness import ROOT, free_port
from tests.newsite.test_settings import run_python


def test_a_port_already_served_is_refused_though_workers_share_ports():
    """reuse_port lets every worker listen on its own socket; a second gunicorn on a port an
    earlier one still serves must fail as a failed bind would, not quietly share the port."""
    with socket.socket() as earlier:
        earlier.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        earlier.bind(("127.0.0.1", 0))
        earlier.listen()
        port = earlier.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "gunicorn", "-c", "newsite/gunicorn.conf.py"],
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "PORT": str(port), "DJANGO_SECRET_KEY": "k" * 50},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"127.0.0.1:{port} is already served" in result.stderr


def test_the_start_up_line_names_the_address_though_only_workers_bind():
    """With reuse_port the master binds nothing, and gunicorn's own line read
    "Listening at:  (pid)"; a newcomer should see where to point the browser."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "newsite/gunicorn.conf.py"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "PORT": str(port),
            "WEB_CONCURRENCY": "1",
            "DJANGO_SECRET_KEY": "k" * 50,
        },
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        with socket.socket() as probe:
            while probe.connect_ex(("127.0.0.1", port)) and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        process.terminate()
        log = process.communicate(timeout=30)[1]
    assert f"Listening at: http://127.0.0.1:{port} ({process.pid})" in log
    assert "Listening at:  (" not in log


def test_the_app_gunicorn_preloads_has_every_view_loaded_before_the_fork():
    """Each worker's first request would otherwise import the URLconf and the views: 60-70 ms."""
    code = (
        "import sys, newsite.wsgi; from django.urls import get_resolver; "
        "print(get_resolver()._populated, 'comments.views' in sys.modules, "
        "'allauth.account.views' in sys.modules)"
    )
    result = run_python(code, DJANGO_SECRET_KEY="k" * 50)
    assert result.stdout.split() == ["True", "True", "True"], result.stderr
