"""Lighthouse on the article with its lead image, served as in production: gunicorn behind the
shipped nginx config (HTML gzipped, static files pre-compressed and immutable, uploads from
MEDIA_ROOT), the image's renditions made by the task worker. One mobile run (Lighthouse's
default), all four categories must score 100."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks.harness import ROOT, running_site
from benchmarks.nginx import nginx_binary, nginx_in_front
from tests.conftest import CHROMIUM_FLAGS

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
# seeds/001_harbour-at-dusk.md: the seed with a lead image.
ILLUSTRATED = "/articles/harbour-cranes-return-after-storm/"


@pytest.fixture(scope="module")
def front():
    if nginx_binary() is None:
        pytest.fail("nginx is needed for this test: apt-get install nginx")
    behind_nginx = {"DJANGO_TRUSTED_PROXY_COUNT": "1", "DJANGO_BEHIND_PROXY": "1"}
    with running_site(
        database_url=os.environ.get("DATABASE_URL"),
        redis_url=os.environ.get("REDIS_URL"),
        fixture_args=("--articles", "3", "--users", "1"),
        instance_env=[behind_nginx],
    ) as site:
        site.manage("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
        with nginx_in_front(site.urls) as running:
            yield running


def test_lighthouse_scores_100_on_the_article_with_its_lead_image(front, tmp_path):
    if not LIGHTHOUSE.exists():
        pytest.fail("npm ci first: Lighthouse is an npm dev dependency")
    report = tmp_path / "lighthouse.json"
    flags = " ".join(["--headless=new", *CHROMIUM_FLAGS]).replace(
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        '--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"',
    )
    command = [
        str(LIGHTHOUSE),
        front.url + ILLUSTRATED,
        "--only-categories=performance,accessibility,best-practices,seo",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={flags}",
        "--quiet",
    ]
    environment = {**os.environ, "CHROME_PATH": shutil.which("chromium")}
    # Lighthouse sometimes fails to record the page load's trace ("NO_NAVSTART", "Please run
    # Lighthouse again"; twice in a row in one CI run): such a run measured nothing, so it is run
    # again, up to three times in all. A run that measured is never repeated.
    for _attempt in range(3):
        run = subprocess.run(
            command, capture_output=True, text=True, timeout=180, env=environment, check=False
        )
        if run.returncode == 0 or "run Lighthouse again" not in run.stderr:
            break
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(Path(report).read_text())
    assert result["finalDisplayedUrl"].endswith(ILLUSTRATED)
    images = [
        request["url"]
        for request in result["audits"]["network-requests"]["details"]["items"]
        if request.get("resourceType") == "Image"
    ]
    assert any("/media/" in url and url.endswith(".avif") for url in images), images
    scores = {key: category["score"] for key, category in result["categories"].items()}
    failing = [
        f"{audit['id']}: {audit['title']} {audit.get('displayValue', '')}".strip()
        for audit in result["audits"].values()
        if audit["score"] is not None
        and audit["score"] < 1
        and audit["scoreDisplayMode"] in ("binary", "numeric")
    ]
    assert scores == {
        "performance": 1,
        "accessibility": 1,
        "best-practices": 1,
        "seo": 1,
    }, failing
