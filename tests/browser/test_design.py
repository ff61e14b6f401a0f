"""The design system in Chromium: the pattern page passes axe in both schemes, long words never
make a phone scroll sideways, the fonts and icons come from us and actually load."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

from comments.services import comment_create
from tests.browser.test_accessibility import AXE, axe_violations
from tests.factories import ArticleFactory, TagFactory, UserFactory, relaxed_moderation

pytestmark = pytest.mark.django_db(transaction=True)

LONG_WORD = "Llanfair" + "pwllgwyngyll" * 16  # 200 characters, no break opportunity


def signed_in_context(browser: Browser, live_server, user, **options):
    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pattern_page_has_no_axe_violations(live_server, browser: Browser, scheme, output_path):
    assert AXE.exists(), "needs node_modules/axe-core: run `make install-test`"
    staff = UserFactory(is_staff=True)
    context = signed_in_context(
        browser,
        live_server,
        staff,
        bypass_csp=True,
        color_scheme=scheme,
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.goto(live_server.url + "/styleguide/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pattern library")
    # The dark panel is dark whatever the reader's setting, and the light one light.
    backgrounds = page.evaluate(
        """() => ['.scheme-light', '.scheme-dark'].map(
            s => getComputedStyle(document.querySelector(s)).backgroundColor)"""
    )
    assert backgrounds == ["rgb(255, 255, 255)", "rgb(18, 18, 18)"]
    assert axe_violations(page) == []
    page.screenshot(path=output_path(f"styleguide-{scheme}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_long_words_wrap_at_phone_width(live_server, browser: Browser, scheme, output_path):
    relaxed_moderation()
    tag = TagFactory(name=LONG_WORD[:60], slug="long")  # Tag.name holds 60
    article = ArticleFactory(
        title=f"A headline with {LONG_WORD}",
        summary=f"A standfirst with {LONG_WORD} in it.",
        body=f"A paragraph with {LONG_WORD} in it.\n\n> {LONG_WORD}",
        tags=[tag],
        comment_count=3,
    )
    reader = UserFactory(display_name=LONG_WORD[:60])
    comment_create(article=article, author=reader, body=f"A comment: {LONG_WORD}")
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = context.new_page()
    for path in ("/", article.get_absolute_url(), tag.get_absolute_url(), "/?page=1"):
        page.goto(live_server.url + path)
        expect(page.get_by_text(LONG_WORD[:40]).first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways at 390 px ({width} px wide)"
    page.screenshot(path=output_path("long-word-article.png"), full_page=True)
    context.close()


def test_fonts_and_icons_load_from_our_own_server(live_server, browser: Browser):
    article = ArticleFactory(title="Ports reopen")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate(
        """() => [...document.fonts].filter(f => f.status === 'loaded')
            .map(f => `${f.family.replaceAll('"', '')} ${f.weight}`).sort()"""
    )
    assert "Source Serif 4 700" in loaded
    assert "Inter 400" in loaded
    headline_font = page.evaluate(
        "getComputedStyle(document.querySelector('h1')).fontFamily.split(',')[0]"
    )
    assert headline_font.strip('"') == "Source Serif 4"
    # The sprite's symbols draw: an icon in the share row has a real size.
    icon = page.locator(".share__link--x svg")
    box = icon.bounding_box()
    assert box
    assert box["width"] >= 16
    assert page.evaluate("document.querySelector('.share__link--x use').getBBox().width") > 0, (
        "the icon's <use> found no symbol in the sprite"
    )
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), requested
    context.close()


def test_late_fonts_do_not_shift_the_article(live_server, browser: Browser):
    """Fonts held back until after the first paint: the size-matched fallbacks keep the
    layout shift (CLS) near zero; without them it was 0.05 at 390 px."""
    article = ArticleFactory(
        title="The Japanese government will reportedly stop buying Huawei and ZTE devices",
        body="\n\n".join(["A paragraph of the story, long enough to wrap on a phone. " * 4] * 6),
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    held: list = []
    page.route("**/*.woff2", lambda route: held.append(route))
    page.add_init_script(
        """window.shift = 0; new PerformanceObserver(list => { for (const entry of
        list.getEntries()) { if (!entry.hadRecentInput) window.shift += entry.value; } })
        .observe({type: "layout-shift", buffered: true});"""
    )
    # The page paints with the fallbacks while the fonts are held.
    page.goto(live_server.url + article.get_absolute_url(), wait_until="domcontentloaded")
    expect(page.locator("h1")).to_be_visible()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert held, "the page requested no web font"
    for route in held:
        route.continue_()
    page.evaluate("document.fonts.ready")
    page.wait_for_function(
        "() => [...document.fonts].filter(f => f.status === 'loaded').length >= 3"
    )
    assert page.evaluate("window.shift") < 0.01
    context.close()
