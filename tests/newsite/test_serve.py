"""`make run` (bin/serve): gunicorn and the task worker start together and stop together."""

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.harness import ROOT, free_port, new_site, scratch_database, wait_until_up


def children(pid: int) -> list[int]:
    """Every process descended from pid (gunicorn's own workers included), from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent:
                found.append(child)
                frontier.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def site():
    """A migrated scratch SQLite database for the site to serve."""
    with scratch_database(None) as url:
        site = new_site(url, None)
        site.env["WEB_CONCURRENCY"] = "2"
        site.env.pop("DJANGO_LOG_LEVEL")  # the worker's shutdown lines are INFO and WARNING
        site.manage("migrate", "--noinput", "-v0")
        site.manage("createcachetable", "-v0")
        yield site


@pytest.fixture
def served(site, tmp_path):
    """bin/serve running, as `make run` starts it, answering on a free port."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["bin/serve"],
            cwd=ROOT,
            env={**site.env, "PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal of its own, as `make run` has
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process)
        deadline = time.monotonic() + 30
        while "Starting worker" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)  # the worker handles signals from then on
        started = {pid: command_line(pid) for pid in children(process.pid)}
        process.log = log
        process.url = f"http://127.0.0.1:{port}"
        process.started = started
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            for pid in children(process.pid):
                os.kill(pid, signal.SIGKILL)
            process.wait()


def test_make_run_serves_with_bin_serve():
    recipe = subprocess.run(
        ["make", "-n", "--no-print-directory", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert recipe[-1] == "exec bin/serve"


def test_sigterm_stops_gunicorn_and_the_worker(served):
    lines = served.started.values()
    assert any("gunicorn -c newsite/gunicorn.conf.py" in line for line in lines)
    assert any("manage.py db_worker" in line for line in lines)
    with urllib.request.urlopen(served.url + "/healthz", timeout=5) as response:  # noqa: S310
        assert response.status == 200

    served.send_signal(signal.SIGTERM)
    assert served.wait(timeout=30) == 0
    assert [pid for pid in served.started if alive(pid)] == []
    log = served.log.read_text()
    assert "Shutting down: Master" in log
    assert log.count("shutting down gracefully") == 1


def test_ctrl_c_stops_both_once_and_gracefully(served):
    """A terminal's Ctrl-C goes to the whole foreground process group: the worker must still
    hear one signal (a second makes it abandon the task it is running)."""
    os.killpg(served.pid, signal.SIGINT)
    assert served.wait(timeout=30) == 0
    assert [pid for pid in served.started if alive(pid)] == []
    log = served.log.read_text()
    assert log.count("shutting down gracefully") == 1
    assert "terminating current task" not in log


def test_when_the_worker_dies_gunicorn_is_stopped_too(served):
    worker = next(pid for pid, line in served.started.items() if "db_worker" in line)
    os.kill(worker, signal.SIGKILL)
    assert served.wait(timeout=30) == 128 + signal.SIGKILL
    assert [pid for pid in served.started if alive(pid)] == []
    assert "Shutting down: Master" in served.log.read_text()
