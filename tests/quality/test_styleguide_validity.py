"""The pattern page (every component, twice) is valid HTML5 for the Nu HTML Checker."""

import json
import shutil
import subprocess

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.quality.test_html_validity import VNU


@pytest.mark.django_db
def test_pattern_page_validates(tmp_path):
    assert VNU.exists(), "needs node_modules/vnu-jar: run `make install-test`"
    assert shutil.which("java"), "needs Java"
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/styleguide/")
    assert response.status_code == 200
    page = tmp_path / "styleguide.html"
    page.write_bytes(response.content)
    broken = tmp_path / "broken.html"  # the checker must find this one, or it checked nothing
    broken.write_bytes(response.content.replace(b'id="panel-dark"', b'id="panel-light"'))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--errors-only", str(page), str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr)["messages"]
    on_broken = [m for m in messages if m.get("url", "").endswith("/broken.html")]
    assert any("Duplicate ID" in m["message"] for m in on_broken), on_broken
    problems = [f"{m.get('lastLine')}: {m['message']}" for m in messages if m not in on_broken]
    assert problems == []
