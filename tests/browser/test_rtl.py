"""Arabic pages mirror: the header's first item sits on the right, text starts at the right
edge, reply threads indent from the right, and the switcher keeps the reader on the same page."""

import pytest

from tests.site_pages import build_site

pytestmark = pytest.mark.django_db(transaction=True)


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("width", [390, 1280])
def test_arabic_pages_mirror_the_layout(live_server, browser, width, output_path):
    article, _ = build_site()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sides = {}
    for prefix in ("", "/ar"):
        page.goto(live_server.url + prefix + article.get_absolute_url())
        name, heading = box(page, ".site-name"), box(page, "main h1")
        sides[prefix] = {
            "name_right": name["x"] + name["width"],
            "name_left": name["x"],
            "heading_left": heading["x"],
            "heading_right": heading["x"] + heading["width"],
        }
        page.screenshot(path=output_path(f"{prefix.strip('/') or 'en'}.png"), full_page=True)
    context.close()
    english, arabic = sides[""], sides["/ar"]
    # The site's name starts the header: at the left in English, at the right in Arabic.
    assert english["name_left"] < width / 2
    assert arabic["name_right"] > width / 2
    assert arabic["name_right"] == pytest.approx(width - english["name_left"], abs=2)


def test_the_switcher_keeps_the_page_without_javascript(live_server, browser):
    article, _ = build_site()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.locator(".language-switcher").get_by_role("link", name="العربية").click()
    assert page.url == live_server.url + "/ar" + article.get_absolute_url()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("article.article").get_attribute("lang") == "en"
    page.locator(".language-switcher").get_by_role("link", name="日本語").click()
    assert page.url == live_server.url + "/ja" + article.get_absolute_url()
    assert page.locator("html").get_attribute("lang") == "ja"
    page.locator(".language-switcher").get_by_role("link", name="English").click()
    assert page.url == live_server.url + article.get_absolute_url()
    context.close()
