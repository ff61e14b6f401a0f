"""axe-core in Chromium finds no WCAG violations on public and account pages, light and dark."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.site_pages import build_site, public_paths, reader_paths

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    assert len(result["passes"]) > 10, f"axe did not really run on {page.url}"
    return [
        f"{page.url} [{v['id']}] {v['help']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("prefix", ["", "/ar"], ids=["en", "ar"])
def test_axe_finds_no_violations(live_server, browser, scheme, prefix, output_path):
    """English, and Arabic: right to left, with its own lang on the page."""
    if not AXE.exists():
        pytest.fail("needs node_modules/axe-core: run `make install-test`")
    article, reader = build_site()
    client = Client()
    client.force_login(reader)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    problems = []
    for signed_in, paths in ((False, public_paths(article)), (True, reader_paths(article))):
        # bypass_csp lets the test inject axe; the site's own CSP stays strict.
        context = browser.new_context(bypass_csp=True, color_scheme=scheme)
        if signed_in:
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )
        page = context.new_page()
        for path in paths:
            page.goto(live_server.url + prefix + path)
            if prefix:
                assert page.locator("html").get_attribute("dir") == "rtl", path
            problems += axe_violations(page)
        page.screenshot(
            path=output_path(f"{scheme}{prefix.replace('/', '-')}-last.png"), full_page=True
        )
        context.close()
    assert problems == []
