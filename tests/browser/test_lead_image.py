"""The lead image in a real browser: no layout shift and the right rendition fetched.
Lighthouse runs on it through the production stack (tests/scale/test_lighthouse.py)."""

import time

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from articles.models import Article

pytestmark = pytest.mark.django_db(transaction=True)

SEED = "001_harbour-at-dusk.md"
# Sums every layout shift the page makes, from before its first paint (buffered entries).
LAYOUT_SHIFTS = """
window.__layoutShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__layoutShift += entry.value;
  }
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.fixture
def illustrated(live_server, run_tasks) -> Article:
    """The seed article with a lead image, its renditions made by the worker."""
    call_command("load_seeds", verbosity=0)
    run_tasks()
    article = Article.objects.get(seed_file=SEED)
    assert article.lead_image_ready
    return article


def slow_images_and_fonts(page: Page) -> None:
    """Images and web fonts arrive well after the text is painted in the fallback fonts (as on a
    slow phone connection): without width and height the text below the image would jump, and
    whatever sits after a line that changes width when the fonts swap would move. Chromium
    paints while the handler waits."""

    def late(route):
        time.sleep(1)  # the browser goes on rendering meanwhile; only this reply waits
        route.continue_()

    page.route("**/media/**", late)
    page.route("**/*.woff2", late)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)], ids=["phone", "desktop"])
def test_no_layout_shift_while_the_image_and_fonts_load(
    illustrated, live_server, page: Page, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    page.add_init_script(LAYOUT_SHIFTS)
    slow_images_and_fonts(page)
    page.goto(live_server.url + illustrated.get_absolute_url(), wait_until="load")
    image = page.locator(".lead-image img")
    expect(image).to_be_visible()
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').length") >= 2
    assert page.evaluate("document.querySelector('.lead-image img').complete")
    assert page.evaluate("document.querySelector('.lead-image img').naturalWidth") > 0
    # Shifts are reported on the next frame: wait two.
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert page.evaluate("window.__layoutShift") == 0


@pytest.mark.parametrize(
    ("width", "scale", "expected"),
    [(390, 2, "800"), (1280, 1, "800"), (1280, 2, "1600")],
    ids=["phone-2x", "desktop-1x", "desktop-2x"],
)
def test_the_browser_fetches_one_avif_of_the_width_it_needs(
    illustrated, live_server, browser, width, scale, expected
):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, device_scale_factor=scale
    )
    page = context.new_page()
    images = []
    page.on(
        "response",
        lambda r: (
            images.append((r.url, len(r.body())))
            if "/media/" in r.url and r.status == 200
            else None
        ),
    )
    page.goto(live_server.url + illustrated.get_absolute_url(), wait_until="load")
    context.close()
    rendition = "/media/" + illustrated.lead_image_renditions["avif"][expected]
    assert [url.removeprefix(live_server.url) for url, _ in images] == [rendition]
