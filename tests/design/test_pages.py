"""The design system on real pages: self-hosted fonts, the icon sprite, the pattern page, the
article header and the front page (with its query budget)."""

import datetime as dt
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from discovery import share
from tests.factories import ArticleFactory, TagFactory, UserFactory

ROOT = Path(settings.BASE_DIR)
CSS = (ROOT / "static" / "css" / "site.css").read_text()
SPRITE = ROOT / "static" / "icons" / "sprite.svg"
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def sprite_names() -> set[str]:
    # Our own committed file; parsing it also proves the sprite is well-formed XML.
    tree = ElementTree.parse(SPRITE)  # noqa: S314
    return {
        symbol.get("id").removeprefix("i-")
        for symbol in tree.getroot().iter("{http://www.w3.org/2000/svg}symbol")
    }


# Fonts ---------------------------------------------------------------------------------------


def test_every_font_face_is_a_committed_woff2_shown_with_swap():
    faces = [face for face in re.findall(r"@font-face\s*\{([^}]*)\}", CSS) if "url(" in face]
    assert len(faces) == 4
    for face in faces:
        assert "font-display: swap" in face
        (url,) = re.findall(r'url\("\.\./fonts/([^"]+\.woff2)"\)', face)
        path = finders.find(f"fonts/{url}")
        assert path, f"{url} is not a static file"
        assert Path(path).read_bytes()[:4] == b"wOF2"
        # Subset: a full Latin face of these families is 20-24 KB; ours stay under 18 KB.
        assert Path(path).stat().st_size < 18_000


def test_each_web_font_has_a_size_matched_local_fallback():
    """What shows until the web font arrives takes the same room, so swapping moves nothing."""
    fallbacks = [face for face in re.findall(r"@font-face\s*\{([^}]*)\}", CSS) if "local(" in face]
    assert len(fallbacks) == 4
    assert all("size-adjust" in face and "url(" not in face for face in fallbacks)
    assert '--font-serif: "Source Serif 4", "Source Serif 4 Fallback",' in CSS
    assert '--font-sans: Inter, "Inter Fallback",' in CSS


@pytest.mark.django_db
def test_the_headline_weight_is_preloaded_and_served_by_us(client):
    html = client.get("/").content.decode()
    preload = re.findall(r'<link rel="preload"[^>]*>', html)
    assert preload == [
        '<link rel="preload" href="/static/fonts/source-serif-4-700.woff2" as="font" '
        'type="font/woff2" crossorigin>'
    ]
    assert (
        'font-weight: 700; font-display: swap; src: url("../fonts/source-serif-4-700.woff2")' in CSS
    )


def test_no_third_party_urls_in_stylesheet_or_templates():
    """Fonts, icons and scripts come from us: no CDN, no font service, no tracking pixel."""
    absolute = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""")
    offenders = [str(path) for path in TEMPLATES if absolute.search(path.read_text())]
    assert not absolute.search(CSS)
    assert "@import" not in CSS
    assert offenders == []


# Icons ---------------------------------------------------------------------------------------


def test_every_icon_a_template_names_is_in_the_sprite():
    used = set()
    for path in TEMPLATES:
        used |= set(re.findall(r'"includes/icon\.html" with name="([a-z0-9-]+)"', path.read_text()))
    assert {"reply", "like", "share", "comment", "clock", "rss"} <= used
    assert used - sprite_names() == set()


def test_the_agreed_icons_and_every_share_network_have_a_symbol():
    agreed = {
        "reply", "like", "share", "flag", "more", "edit", "trash", "link", "mastodon", "bluesky",
        "facebook", "x", "linkedin", "email", "rss", "clock", "check", "chevron", "globe",
        "search", "user",
    }  # fmt: skip
    networks = {link.key for link in share.share_links(title="t", url="https://e.example/")}
    assert agreed | networks <= sprite_names()


@pytest.mark.django_db
def test_icons_are_decorative_and_drawn_from_the_sprite(client):
    html = client.get(ArticleFactory().get_absolute_url()).content.decode()
    icons = re.findall(r"<svg [^>]*>", html)
    assert icons
    assert all('aria-hidden="true"' in tag and 'focusable="false"' in tag for tag in icons)
    assert '<use href="/static/icons/sprite.svg#i-clock"></use>' in html


# The pattern page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_pattern_page_is_for_staff(client):
    assert client.get(reverse("styleguide")).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("styleguide")).status_code == 404
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("styleguide"))
    assert response.status_code == 200
    html = response.content.decode()
    # Both schemes, forced by class, each with every component.
    assert 'class="styleguide__panel scheme-light"' in html
    assert 'class="styleguide__panel scheme-dark"' in html
    for component in (
        "swatch--accent", "step-4", 'class="button button--secondary"', "<textarea",
        'class="lead-story"', 'class="story"', 'class="comment"', "message--warning",
        'class="share"', 'class="pill', 'class="tabs"', "#i-mastodon",
    ):  # fmt: skip
        assert html.count(component) >= 2, component
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_pattern_page_open_to_all_in_debug(client, settings):
    settings.DEBUG = True
    assert client.get(reverse("styleguide")).status_code == 200


# The article header --------------------------------------------------------------------------


@pytest.mark.django_db
def test_article_header_kicker_headline_standfirst_byline_dates(client):
    tag = TagFactory(name="Security", slug="security")
    article = ArticleFactory(title="Ports reopen", summary="Ships wait.", tags=[tag])
    html = client.get(article.get_absolute_url()).content.decode()
    header = html[
        html.index('<header class="article__header">') : html.index(
            "</header>", html.index('<header class="article__header">')
        )
    ]
    assert (
        header.index('<p class="kicker"><a href="/tags/security/">Security</a></p>')
        < header.index('<h1 class="article__title">Ports reopen</h1>')
        < header.index('<p class="standfirst">Ships wait.</p>')
        < header.index("By newsite staff")
    )
    assert "<span>1 min read</span>" in header
    assert f'<time datetime="{article.published_at:%Y-%m-%dT%H:%M:%S%z}">' in header
    assert "Updated" not in header
    assert '<section class="share"' in header


@pytest.mark.django_db
def test_article_header_shows_a_later_update(client):
    article = ArticleFactory(published_at=timezone.now() - dt.timedelta(days=1))
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now())
    article.refresh_from_db()
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'Updated <time datetime="{article.updated_at:%Y-%m-%dT%H:%M:%S%z}">' in html


@pytest.mark.django_db
def test_article_without_tags_has_no_kicker(client):
    html = client.get(ArticleFactory().get_absolute_url()).content.decode()
    assert 'class="kicker"' not in html


# The front page ------------------------------------------------------------------------------


def make_front_page(*, tags: int, stories_per_tag: int) -> list:
    """A full first page of stories, and older ones in each tag for the tag sections."""
    topics = [TagFactory() for _ in range(tags)]
    now = timezone.now()
    for n in range(settings.ARTICLES_PER_PAGE):
        ArticleFactory(
            title=f"Recent {n}", published_at=now - dt.timedelta(minutes=n), tags=topics[:1]
        )
    for t, tag in enumerate(topics):
        for n in range(stories_per_tag):
            ArticleFactory(
                title=f"Older {tag.name} {n}",
                published_at=now - dt.timedelta(days=1 + n, minutes=t),
                tags=[tag],
                comment_count=n,
            )
    return topics


@pytest.mark.django_db
def test_front_page_lead_grid_rail_and_tag_sections(client):
    topics = make_front_page(tags=6, stories_per_tag=5)
    html = client.get("/").content.decode()
    assert html.count('<article class="lead-story">') == 1
    assert html.index("Recent 0") < html.index('id="more-news-heading"') < html.index("Recent 1")
    assert html.count('<article class="story">') >= settings.ARTICLES_PER_PAGE - 1
    assert '<aside class="most-discussed"' in html
    # Four tag sections (the busiest tags), four latest stories each, none from higher up.
    sections = re.findall(r'<section class="front-section tag-section"(.*?)</section>', html, re.S)
    assert len(sections) == 4
    for section in sections:
        assert section.count('<article class="story">') == 4
        assert "Recent" not in section
    first = sections[0]
    name = re.search(r'<a href="/tags/([^/]+)/">', first).group(1)
    assert name in {tag.slug for tag in topics}
    # Newest first within a section.
    titles = re.findall(r"Older \S+ (\d)", first)
    assert titles == sorted(titles)


@pytest.mark.django_db
def test_second_page_is_the_plain_list(client):
    make_front_page(tags=1, stories_per_tag=3)
    html = client.get("/?page=2").content.decode()
    assert "lead-story" not in html
    assert "tag-section" not in html
    assert html.count('<article class="card">') == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("tags", "stories_per_tag"), [(1, 1), (8, 6)])
def test_front_page_queries_do_not_grow_with_stories_or_tags(
    client, page_queries, tags, stories_per_tag
):
    """Stops a query per tag section (and per story in it): every section comes from one
    windowed query; the lead and the grid share the page's one prefetch of tags."""
    make_front_page(tags=tags, stories_per_tag=stories_per_tag)
    with page_queries() as sql:
        html = client.get("/").content.decode()
    # count, page of articles, their tags, most discussed, tag sections
    assert len(sql) == 5, "\n".join(sql)
    assert html.count('class="front-section tag-section"') == min(tags, 4)
