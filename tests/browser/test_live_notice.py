"""The live new-comment notice in a real Chromium, with two readers: A has the article open,
B posts; A is told politely, without the page moving or focus leaving where A was."""

import pytest
from playwright.sync_api import Browser, expect

from comments.services import comment_create
from tests.browser.test_comments import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
# What a browser does when the reader switches tabs (headless Chromium never hides a tab).
SET_VISIBILITY = """state => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_a_reader_sees_new_comments_from_another(
    live_server, article, browser: Browser, settings, output_path
):
    settings.COMMENTS_LIVE_INTERVAL_SECONDS = 1  # 15 in production
    ada, grace = UserFactory(display_name="Ada"), UserFactory(display_name="Grace")
    comment_create(article=article, author=ada, body="Is the harbour open?")
    url = live_server.url + article.get_absolute_url()

    # Reduced motion: focusing the box scrolls at once, not smoothly while we measure.
    context_a = browser.new_context(reduced_motion="reduce")
    context_b = browser.new_context()
    sign_in(context_a, live_server, ada)
    sign_in(context_b, live_server, grace)
    page_a, page_b = context_a.new_page(), context_b.new_page()
    statuses: list[int] = []
    page_a.on(
        "response",
        lambda r: "/since/" in r.url and statuses.append(r.status),
    )
    page_a.goto(url)
    notice = page_a.locator("[data-live-notice]")
    expect(notice).to_have_attribute("aria-live", "polite")

    # Nothing new: several checks, the repeats answered 304, and nothing shown.
    page_a.wait_for_timeout(3500)
    assert len(statuses) >= 2, statuses
    assert statuses[0] == 200
    assert set(statuses[1:]) == {304}
    expect(notice).to_be_empty()

    # A is typing; the first comment's place on the page is noted.
    box = page_a.get_by_label("Your comment")
    box.focus()
    box.fill("Half a thought")
    first = page_a.locator("[data-comment]").first
    place = "e => [e.getBoundingClientRect().top + window.scrollY, window.scrollY]"
    before = first.evaluate(place)

    page_b.goto(url)
    page_b.get_by_label("Your comment").fill("Yes, since this morning.")
    page_b.get_by_role("button", name="Post comment").click()
    expect(page_b.get_by_text("Yes, since this morning.")).to_be_visible()

    link = notice.get_by_role("link", name="1 new comment: show")
    expect(link).to_be_visible(timeout=5000)
    assert first.evaluate(place) == before  # nothing moved, nor scrolled
    # Focus stayed in the comment box (a textarea named "body").
    assert page_a.evaluate("document.activeElement.name") == "body"
    assert box.input_value() == "Half a thought"
    page_a.screenshot(path=output_path("notice.png"))

    # Hidden tab: no checks at all until it is visible again.
    page_a.evaluate(SET_VISIBILITY, "hidden")
    page_a.wait_for_timeout(300)  # a check already under way may finish
    count = len(statuses)
    page_a.wait_for_timeout(2500)
    assert len(statuses) == count
    page_a.evaluate(SET_VISIBILITY, "visible")
    page_a.wait_for_timeout(2500)
    assert len(statuses) > count

    link.click()
    page_a.wait_for_url("**?sort=newest#comments")
    expect(page_a.get_by_text("Yes, since this morning.")).to_be_visible()
    expect(page_a.locator("[data-live-notice]")).to_be_empty()
    context_a.close()
    context_b.close()


def test_without_javascript_nothing_is_asked(live_server, article, browser: Browser, settings):
    settings.COMMENTS_LIVE_INTERVAL_SECONDS = 1
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: "/since/" in r.url and asked.append(r.url))
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_timeout(2500)
    assert asked == []
    expect(page.locator("[data-live-notice]")).to_be_empty()
    context.close()
