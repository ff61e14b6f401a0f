"""Pages as readers and editors see them, compared with committed screenshots.

Every page at a phone (390 px) and a desktop (1280 px) width, light and dark, per language.
The site is built from fixed data at a frozen moment, on the server (timezone.now) and in the
browser (Playwright's clock), so dates and "x ago" strings never drift; animations and the
caret are off. `make visual-refs` rewrites the references (tests/visual/compare.py).
"""

import datetime as dt
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.services import comment_create
from tests.conftest import clear_caches
from tests.factories import ArticleFactory, UserFactory, relaxed_moderation
from tests.visual.compare import check

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SIZES = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 900}}
SCHEMES = ("light", "dark")
# English unprefixed, Arabic (right to left) under /ar/. The admin has one language (English).
LANGUAGES = ("en", "ar")
NAMES = ("Ada Okafor", "Kenji Sato", "Grace Hopper", "Lina Haddad", "Tomás Ruiz", "Mei Chen")


def build_site() -> dict[str, str]:
    """Fixed articles, a 50-comment thread and an editor; returns the pages by name."""
    call_command("load_seeds", verbosity=0)
    relaxed_moderation(user_rate_limit=1000, ip_rate_limit=1000)
    plain = Article.objects.get(seed_file="000_bdaed668570d60b1.txt")
    illustrated = Article.objects.get(seed_file="001_harbour-at-dusk.md")
    thread = ArticleFactory(
        title="Readers debate the new tram timetable",
        slug="readers-debate-the-new-tram-timetable",
        summary="The city's trams run every six minutes from Monday; readers weigh in.",
        body="The new timetable starts on Monday.\n\nTrams will run every six minutes.",
        published_at=NOW - dt.timedelta(days=3),
    )
    people = [
        UserFactory(username=f"visual{n}", email=f"visual{n}@example.com", display_name=name)
        for n, name in enumerate(NAMES)
    ]
    parents: list[Comment] = []
    for n in range(50):
        parent = parents[n // 3] if n % 3 and parents else None
        comment = comment_create(
            article=thread,
            author=people[n % len(people)],
            body=f"Comment number {n + 1}: the six-minute service suits my commute"
            + (" on the number 4 line." if n % 2 else ", though Sundays still need work."),
            parent=parent,
        )
        Comment.objects.filter(pk=comment.pk).update(
            created_at=NOW - dt.timedelta(hours=50 - n, minutes=7 * n % 60)
        )
        parents.append(comment)
    for article, day in ((plain, 1), (illustrated, 2), (thread, 3)):
        moment = NOW - dt.timedelta(days=day)
        Article.objects.filter(pk=article.pk).update(published_at=moment, updated_at=moment)
    UserFactory(
        username="editor",
        email="editor@example.com",
        display_name="Eda Editor",
        is_staff=True,
        is_superuser=True,
    )
    clear_caches()  # the updates above bypassed the page cache's invalidation
    return {
        "home": "/",
        "article-image": illustrated.get_absolute_url(),
        "article-plain": plain.get_absolute_url(),
        "thread-50": thread.get_absolute_url() + "#comments",
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "admin-article": f"/admin/articles/article/{illustrated.pk}/change/",
    }


@pytest.fixture
def frozen_now():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


def editor_cookie() -> str:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="editor"))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_match_their_references(live_server, browser, run_tasks, frozen_now, language):
    pages = build_site()
    run_tasks()  # the lead image's renditions, as the worker makes them
    clear_caches()
    assert timezone.now() == NOW
    session = editor_cookie()
    output = Path(settings.BASE_DIR) / "test-results" / "visual"
    mismatches = []
    for scheme in SCHEMES:
        for size_name, viewport in SIZES.items():
            context = browser.new_context(
                viewport=viewport, color_scheme=scheme, reduced_motion="reduce"
            )
            page = context.new_page()
            page.clock.set_fixed_time(NOW)
            for name, path in pages.items():
                if language != "en":
                    if name.startswith("admin"):
                        continue
                    path = f"/{language}{path}"
                if name.startswith("admin"):
                    context.add_cookies(
                        [
                            {
                                "name": settings.SESSION_COOKIE_NAME,
                                "value": session,
                                "url": live_server.url,
                            }
                        ]
                    )
                page.goto(live_server.url + path, wait_until="load")
                page.evaluate("document.fonts.ready.then(() => true)")
                png = page.screenshot(animations="disabled", caret="hide")
                problem = check(f"{name}-{size_name}-{scheme}-{language}", png, output)
                if problem:
                    mismatches.append(str(problem))
            context.close()
    assert mismatches == [], "\n".join(mismatches)
