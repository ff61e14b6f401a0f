"""Every public and account page is valid HTML5 according to the Nu HTML Checker (vnu.jar)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.site_pages import build_site, public_paths, reader_paths

CONTROL_PAGE = (
    '<!doctype html><html lang="en"><head><title>x</title></head>'
    "<body><blink>x</blink></body></html>"
)
VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/ar"], ids=["en", "ar"])
def test_pages_validate_with_the_nu_checker(tmp_path, prefix):
    """English, and Arabic (right to left)."""
    if not VNU.exists() or shutil.which("java") is None:
        pytest.fail("needs Java and node_modules/vnu-jar: run `make install-test`")
    article, reader = build_site()
    anonymous, signed_in = Client(raise_request_exception=False), Client()
    signed_in.force_login(reader)
    files = []
    for label, client, paths in (
        ("anon", anonymous, public_paths(article)),
        ("reader", signed_in, reader_paths(article)),
    ):
        for number, path in enumerate(paths):
            response = client.get(prefix + path)
            assert response.status_code in {200, 404}, path
            page = tmp_path / f"{label}-{number}.html"
            page.write_bytes(response.content)
            files.append((page, path))
    # A page with one known error: the checker must find it, or it checked nothing.
    control = tmp_path / "control.html"
    control.write_text(CONTROL_PAGE)
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--format",
            "json",
            "--errors-only",
            *(str(f) for f, _ in files),
            str(control),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stderr, f"the checker printed nothing (exit {result.returncode})"
    messages = json.loads(result.stderr)["messages"]
    found_control = [m for m in messages if m.get("url", "").endswith("/control.html")]
    assert found_control, "the checker found no error in the control page"
    assert all("blink" in m["message"] for m in found_control), found_control
    messages = [m for m in messages if m not in found_control]
    by_page = {str(f): p for f, p in files}
    problems = [
        f"{by_page.get(m.get('url', '').removeprefix('file:'), m.get('url'))}:"
        f"{m.get('lastLine')}: {m['message']}"
        for m in messages
    ]
    assert problems == []
    assert len(files) == len(public_paths(article)) + len(reader_paths(article))
