"""A reader shares the seed article: the icon row, copy link, Mastodon behind <details>
(remembered), and the header search."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Browser, Page, Route, expect

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "The Japanese government will reportedly stop buying Huawei and ZTE devices"


@pytest.fixture
def article_url(live_server):
    call_command("load_seeds", verbosity=0)
    from articles.models import Article

    return live_server.url + Article.objects.get(title=TITLE).get_absolute_url()


def _fake_mastodon(page: Page) -> list[str]:
    """Answer for mastodon.social here: the test never leaves the machine."""
    visited: list[str] = []

    def answer(route: Route) -> None:
        visited.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>Mastodon</title>")

    page.route("https://mastodon.social/**", answer)
    return visited


def test_share_block_with_javascript(article_url, page: Page, output_path):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(article_url)
    share = page.get_by_role("region", name="Share this story")
    # One compact row of icons, each named for screen readers; one call to action.
    expect(share.get_by_role("link", name="Reddit (opens in a new tab)")).to_have_attribute(
        "rel", "noopener noreferrer"
    )
    expect(share.get_by_role("link", name="Reddit (opens in a new tab)")).to_be_visible()
    expect(share).not_to_contain_text("Let us know")
    rows = page.evaluate(
        """() => new Set([...document.querySelectorAll('.share__links > li:not([hidden])')]
            .map(li => Math.round(li.getBoundingClientRect().top))).size"""
    )
    assert rows == 1, "the share icons should fit one row at desktop width"

    share.get_by_role("link", name="Copy link").click()
    expect(share.get_by_role("status")).to_have_text("Link copied.")
    # The canonical address (SITE_URL), whatever host the page was reached through.
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == settings.SITE_URL + article_url.removeprefix(page.url.split("/articles/")[0])
    expect(page).to_have_url(article_url)  # copying does not navigate
    # The device's share sheet appears only where the browser can share.
    can_share = page.evaluate("typeof navigator.share === 'function'")
    native = share.get_by_role("button", name="Share…")
    expect(native).to_be_visible() if can_share else expect(native).to_be_hidden()
    page.screenshot(path=output_path("share.png"), full_page=True)

    # Mastodon sits behind a <details>: closed until the reader asks for it.
    server = share.get_by_label("Share on Mastodon: your server")
    expect(server).to_be_hidden()
    share.get_by_text("Mastodon", exact=True).click()
    visited = _fake_mastodon(page)
    server.fill("@ada@Mastodon.Social")
    share.get_by_role("button", name="Share on Mastodon").click()
    expect(page).to_have_title("Mastodon")
    assert visited[0].startswith("https://mastodon.social/share?text=The%20Japanese%20government")

    page.goto(article_url)
    page.get_by_text("Mastodon", exact=True).click()
    expect(page.get_by_label("Share on Mastodon: your server")).to_have_value(
        "@ada@Mastodon.Social"
    )


def test_share_block_without_javascript(article_url, browser: Browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(article_url)
    share = page.get_by_role("region", name="Share this story")
    # Without the script the link icon is a plain link to the story, and no share sheet.
    link = share.get_by_role("link", name="Link to this story")
    expect(link).to_have_attribute("href", re.compile(r"/articles/.+/$"))
    expect(share.get_by_role("button", name="Share…")).to_be_hidden()

    visited = _fake_mastodon(page)
    share.get_by_text("Mastodon", exact=True).click()
    share.get_by_label("Share on Mastodon: your server").fill("not a server/evil")
    share.get_by_role("button", name="Share on Mastodon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share on Mastodon")
    expect(page.locator(".errorlist")).to_contain_text("is not a server name")
    page.get_by_label("Your Mastodon server").fill("mastodon.social")
    page.get_by_role("button", name="Share on Mastodon").click()
    expect(page).to_have_title("Mastodon")
    assert visited
    assert visited[0].startswith("https://mastodon.social/share?text=")
    context.close()


def test_header_search_finds_the_seed_article(article_url, page: Page):
    page.goto(article_url)
    search = page.get_by_role("search", name="Site search")
    search.get_by_label("Search articles").fill("huawei devices")
    search.get_by_label("Search articles").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.get_by_role("status")).to_have_text("1 result for “huawei devices”.")
    result = page.get_by_role("link", name=TITLE)
    expect(result).to_be_visible()
    expect(result.locator("mark").first).to_have_text("Huawei")
