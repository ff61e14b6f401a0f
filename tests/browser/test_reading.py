"""A reader opens the home page, follows the seed article and one of its tags."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "The Japanese government will reportedly stop buying Huawei and ZTE devices"


@pytest.fixture
def seeded(live_server):
    call_command("load_seeds", verbosity=0)
    return live_server


@pytest.mark.parametrize(("width", "height"), [(360, 740), (1280, 900)], ids=["phone", "desktop"])
def test_reader_follows_seed_article_and_tag(seeded, page: Page, width, height, output_path):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(seeded.url + "/")
    expect(page).to_have_title(re.compile("Latest news"))
    page.get_by_role("link", name=TITLE).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".standfirst")).to_contain_text("The U.S. believes the companies")
    body = page.locator(".article__body")
    expect(body.locator("p")).to_have_count(6)
    expect(body).not_to_contain_text("ZTE ZMAX 2 Review")
    expect(body).not_to_contain_text("Google+")
    expect(page.get_by_role("link", name="Reuters")).to_be_visible()
    expect(page.locator("#comments")).to_be_visible()
    # Nothing overflows sideways on a 360 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=output_path(f"article-{width}.png"), full_page=True)

    page.get_by_role("link", name="Security").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tagged “Security”")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
