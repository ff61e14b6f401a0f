"""The mixed thread in Chromium: a reply from Mastodon and a comment typed here in one thread,
read without JavaScript, each remote one with its provenance mark and a link to its original;
axe finds nothing on the article and on the reply page (with "Also send to @user@host")."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import CommentFactory, UserFactory
from tests.federation.fediverse import remote_comment

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    assert len(result["passes"]) > 10, f"axe did not really run on {page.url}"
    return [f"{page.url} [{v['id']}] {v['help']}" for v in result["violations"]]


def test_the_mixed_thread_without_javascript(live_server, browser, article, output_path):
    native = CommentFactory(article=article, body="Typed on the page")
    remote = remote_comment(article, 1, parent=native)
    remote_comment(article, 2)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    thread = page.locator(f"#c{native.pk}")
    assert thread.get_by_text("Typed on the page").is_visible()
    reply = page.locator(f"#c{remote.pk}")
    assert reply.get_by_text("From afar 1").is_visible()
    assert reply.get_by_text("via social.example").is_visible()
    assert reply.get_by_text("(mastodon)").is_visible()
    original = reply.get_by_role("link", name="original reply by @alice@social.example")
    assert original.get_attribute("href") == "https://social.example/@alice/1"
    assert original.get_attribute("rel") == "nofollow ugc noopener"
    # Two remote comments and one native one, all in the same list of threads.
    assert page.locator("li.comment .comment__via").count() == 2
    page.screenshot(path=output_path("mixed-thread.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_mixed_thread(live_server, browser, article, scheme):
    if not AXE.exists():
        pytest.fail("needs node_modules/axe-core: run `make install-test`")
    remote = remote_comment(article, 1)
    reader = UserFactory()
    client = Client()
    client.force_login(reader)
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    problems = []
    page.goto(live_server.url + article.get_absolute_url())
    problems += axe_violations(page)
    page.goto(f"{live_server.url}/comments/{remote.pk}/reply/")
    checkbox = page.get_by_label("Also send to @alice@social.example")
    assert checkbox.is_checked()
    problems += axe_violations(page)
    context.close()
    assert problems == []
