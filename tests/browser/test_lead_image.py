"""The lead image in a real browser: no layout shift and the right rendition fetched.
Lighthouse runs on it through the production stack (tests/scale/test_lighthouse.py)."""

import time

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from articles.models import Article

pytestmark = pytest.mark.django_db(transaction=True)

SEED = "001_harbour-at-dusk.md"
VIEWPORTS = pytest.mark.parametrize(
    ("width", "height"), [(390, 844), (1280, 900)], ids=["phone", "desktop"]
)
# Sums every layout shift the page makes, from before its first paint (buffered entries), and
# keeps what moved, so that a failure names it.
LAYOUT_SHIFTS = """
window.__layoutShift = 0;
window.__shifted = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__layoutShift += entry.value;
    for (const source of entry.sources) {
      const node = source.node;
      const text = node ? (node.textContent || "").trim().slice(0, 40) : "";
      window.__shifted.push(node ? node.nodeName + " " + text : "?");
    }
  }
}).observe({type: "layout-shift", buffered: true});
"""
# Google counts up to 0.1 as a good page. A web font that arrives after the first paint
# replaces its metric-matched fallback face (site.css): words keep their widths to a pixel or
# two, and what follows two of them on a line (the reading time after the dates) can move 3 or
# 4 px, about 4e-6. Without the fallback faces the same swap measured 0.0098 (desktop) and
# 0.052 (phone).
FONT_SWAP_BUDGET = 1e-4


@pytest.fixture
def illustrated(live_server, run_tasks) -> Article:
    """The seed article with a lead image, its renditions made by the worker."""
    call_command("load_seeds", verbosity=0)
    run_tasks()
    article = Article.objects.get(seed_file=SEED)
    assert article.lead_image_ready
    return article


def late(route) -> None:
    """Answer a second late (as on a slow phone connection). Chromium goes on rendering while
    the handler waits; only this reply waits."""
    time.sleep(1)
    route.continue_()


def layout_shift_after_load(page: Page, url: str) -> tuple[float, list[str]]:
    page.add_init_script(LAYOUT_SHIFTS)
    page.goto(url, wait_until="load")
    expect(page.locator(".lead-image img")).to_be_visible()
    assert page.evaluate("document.querySelector('.lead-image img').complete")
    assert page.evaluate("document.querySelector('.lead-image img').naturalWidth") > 0
    page.wait_for_function("document.fonts.status === 'loaded'")
    # Shifts are reported on the next frame: wait two.
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return page.evaluate("window.__layoutShift"), page.evaluate("window.__shifted")


@VIEWPORTS
def test_a_late_image_moves_nothing(illustrated, live_server, page: Page, width, height):
    """The image arrives after the text is painted: its width and height keep its place. The
    web fonts are refused, so the fallback faces are the only ones and nothing else moves."""
    page.set_viewport_size({"width": width, "height": height})
    page.route("**/media/**", late)
    page.route("**/*.woff2", lambda route: route.abort())
    shift, shifted = layout_shift_after_load(page, live_server.url + illustrated.get_absolute_url())
    assert shift == 0, shifted


@VIEWPORTS
def test_late_web_fonts_hardly_move_anything(illustrated, live_server, page: Page, width, height):
    """The web fonts arrive after the text is painted in their fallback faces, and the image
    later still: the swap stays far inside FONT_SWAP_BUDGET."""
    page.set_viewport_size({"width": width, "height": height})
    page.route("**/*.woff2", late)
    page.route("**/media/**", late)
    shift, shifted = layout_shift_after_load(page, live_server.url + illustrated.get_absolute_url())
    assert page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').length") >= 2
    assert shift < FONT_SWAP_BUDGET, shifted


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
