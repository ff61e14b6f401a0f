"""Journalists in the thread, in a real Chromium: the article's author and a moderator reply,
their badges show, the staff-replies and editors'-picks views open by plain links, the reader
is mailed, and the byline leads to an author page (axe and the Nu checker find nothing)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from articles.services import article_set_authors
from comments.models import Comment
from comments.services import comment_set_pinned
from newsroom.roles import MODERATORS
from tests.browser.test_accessibility import axe_violations
from tests.factories import AuthorFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)


def sign_in(context: BrowserContext, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def card(page: Page, text: str):
    """The one comment whose own card shows this text."""
    return page.locator(
        "xpath=//li[contains(@class, 'comment')][article[.//div[contains(@class, "
        f"'comment__body')][contains(normalize-space(.), '{text}')]]]"
    ).locator("> article")


def vnu_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """The Nu HTML checker's errors on these pages ({label: html}); it refuses loopback URLs,
    so the HTML is saved first."""
    if not VNU.exists() or shutil.which("java") is None:
        pytest.fail("needs Java and node_modules/vnu-jar: run `make install-test`")
    files = {}
    for label, html in pages.items():
        path = folder / f"{label}.html"
        path.write_text(html)
        files[str(path)] = label
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--errors-only", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stderr, f"the checker printed nothing (exit {result.returncode})"
    return [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}:"
        f"{m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stderr)["messages"]
    ]


def reply_as(context: BrowserContext, live_server, user, article, to: str, text: str) -> None:
    """Reply the way a reader without JavaScript would: the reply page and its form."""
    sign_in(context, live_server, user)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    card(page, to).get_by_role("link", name=re.compile("^Reply")).click()
    expect(page).to_have_url(re.compile(r"/comments/\d+/reply/$"))
    page.get_by_label("Your reply").fill(text)
    page.get_by_role("button", name="Post reply").click()
    expect(card(page, text)).to_be_visible()
    page.close()


def test_staff_badges_views_and_mail(
    live_server, article, browser, page: Page, settings, run_tasks, output_path, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    journalist = AuthorFactory(
        name="Kenji Sato",
        slug="kenji-sato",
        bio="Kenji covers ports and shipping from Kobe.",
        user__display_name="Kenji Sato",
    )
    article_set_authors(article=article, authors=[journalist])
    moderator = UserFactory(display_name="Night desk", is_staff=True)
    moderator.groups.add(Group.objects.get(name=MODERATORS))
    reader = UserFactory(display_name="Ada")
    from comments.services import comment_create

    question = comment_create(article=article, author=reader, body="When do ferries resume?")
    comment_create(article=article, author=UserFactory(), body="Nobody from the paper here.")
    run_tasks()

    # The author answers, and a moderator adds a note, each from their own browser.
    for user, text in (
        (journalist.user, "Monday morning, the port says."),
        (moderator, "We will update the story when they do."),
    ):
        context = browser.new_context(java_script_enabled=False)
        reply_as(context, live_server, user, article, "When do ferries resume?", text)
        context.close()
    comment_set_pinned(comment=question, pinned=True, moderator=moderator)
    run_tasks()

    # Any reader, signed out, sees the badges in the kept page.
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(".byline")).to_have_text("By Kenji Sato")
    author_card = card(page, "Monday morning, the port says.")
    expect(author_card.locator(".badge--author")).to_have_text("Author")
    expect(author_card.locator(".badge--staff")).to_have_count(0)
    desk_card = card(page, "We will update the story when they do.")
    expect(desk_card.locator(".badge--staff")).to_have_text("Staff")
    expect(
        card(page, "When do ferries resume?").locator(".badge--author, .badge--staff")
    ).to_have_count(0)
    page.screenshot(path=output_path("badges.png"), full_page=True)

    # The views are plain links with their own addresses.
    page.get_by_role("link", name="Staff replies").click()
    expect(page).to_have_url(re.compile(r"\?view=staff#comments$"))
    expect(page.get_by_role("link", name="Staff replies")).to_have_attribute("aria-current", "page")
    expect(card(page, "Monday morning, the port says.")).to_be_visible()
    expect(page.locator(".comment__body", has_text="Nobody from the paper here.")).to_have_count(0)
    page.get_by_role("link", name="Editors’ picks").click()  # noqa: RUF001
    expect(page).to_have_url(re.compile(r"\?view=picks#comments$"))
    expect(page.locator("[data-comment-list] > li")).to_have_count(1)
    expect(card(page, "When do ferries resume?")).to_be_visible()
    page.screenshot(path=output_path("picks.png"), full_page=True)

    # The reader was told twice: a staff reply (the moderator's; the author's too) and the pick.
    to_reader = [m.subject for m in mail.outbox if m.to == [reader.email]]
    assert sorted(to_reader) == sorted(
        [f"The newsroom replied to your comment on {article.title}"] * 2
        + [f"Your comment on {article.title} is an editors' pick"]
    )

    # The byline leads to the author page, with its feeds.
    page.goto(live_server.url + article.get_absolute_url())
    page.locator(".byline").get_by_role("link", name="Kenji Sato").click()
    expect(page).to_have_url(re.compile(r"/authors/kenji-sato/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kenji Sato")
    expect(page.get_by_text("Kenji covers ports and shipping from Kobe.")).to_be_visible()
    expect(page.get_by_role("link", name=article.title)).to_be_visible()
    feed = page.get_by_role("link", name="RSS feed").get_attribute("href")
    assert page.request.get(live_server.url + feed).ok

    # axe in the browser and the Nu checker on the saved HTML: the author page and the views.
    urls = {
        "author": journalist.get_absolute_url(),
        "staff-view": article.get_absolute_url() + "?view=staff",
        "picks-view": article.get_absolute_url() + "?view=picks",
    }
    checker = browser.new_context(bypass_csp=True)
    checked = checker.new_page()
    problems = []
    for path in urls.values():
        checked.goto(live_server.url + path)
        problems += axe_violations(checked)
    checker.close()
    assert problems == []
    client = Client()
    html = {label: client.get(path).content.decode() for label, path in urls.items()}
    assert vnu_errors(html, tmp_path) == []
    assert Comment.objects.filter(author__is_staff=True).count() == 2
