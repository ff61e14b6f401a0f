"""An editor runs the newsroom from the admin; a moderator cannot reach the articles."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import Page, expect

from articles.models import Article
from comments.models import Comment
from newsroom.roles import EDITORS, MODERATORS
from tests.factories import PASSWORD, ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SEED_FILE = settings.BASE_DIR / "seeds" / "000_bdaed668570d60b1.txt"
BROKEN_SEED = settings.BASE_DIR / "tests" / "seed_fixtures" / "no_body.txt"
SEED_TITLE = "The Japanese government will reportedly stop buying Huawei and ZTE devices"


def staff(email: str, group: str):
    user = UserFactory(email=email, is_staff=True)  # verified primary address, usable password
    user.groups.add(Group.objects.get(name=group))
    return user


def sign_in(page: Page, base_url: str, email: str) -> None:
    """The admin login goes through allauth's login page (secure_admin_login)."""
    page.goto(base_url + "/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def run_action(page: Page, row_text: str, action: str) -> None:
    page.locator("#result_list tr", has_text=row_text).locator("input.action-select").check()
    page.locator('select[name="action"]').select_option(action)
    page.get_by_role("button", name="Go").click()


def test_editor_edits_publishes_restores_and_moderates(live_server, page: Page, output_path):
    call_command("load_seeds", verbosity=0)
    seed = Article.objects.get(title=SEED_TITLE)
    original_standfirst = seed.summary
    ArticleFactory(title="Budget draft waiting for sign-off", status=Article.Status.DRAFT)
    reader, spammer = (
        UserFactory(display_name="Polite Reader"),
        UserFactory(display_name="Spam Bot"),
    )
    held = Comment.objects.create(
        article=seed, author=reader, body="A thoughtful first comment.", status="pending"
    )
    spam = Comment.objects.create(article=seed, author=spammer, body="Cheap pills at example")
    staff("editor@example.com", EDITORS)
    blocked: list[str] = []  # the admin screens must work under the strict CSP
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)

    sign_in(page, live_server.url, "editor@example.com")
    expect(page.locator("#dashboard-pending")).to_contain_text(
        "1 held or hidden, awaiting a decision"
    )
    page.screenshot(path=output_path("index.png"), full_page=True)

    # Edit the seed article's standfirst.
    page.locator("#content-main").get_by_role("link", name="Articles", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"/admin/articles/article/$"))
    page.get_by_role("link", name=SEED_TITLE).click()
    expect(page.locator("textarea.newsroom-body-editor")).to_be_visible()
    page.get_by_label("Summary").fill("An editor's sharper standfirst.")
    page.screenshot(path=output_path("article-change.png"), full_page=True)
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    seed.refresh_from_db()
    assert seed.summary == "An editor's sharper standfirst."

    # Publish the draft with the bulk action.
    run_action(page, "Budget draft waiting for sign-off", "publish")
    expect(page.locator(".messagelist")).to_contain_text("1 article published.")
    assert Article.objects.get(title__startswith="Budget draft").is_published

    # Restore the seed article's earlier version from its history.
    page.get_by_role("link", name=SEED_TITLE).click()
    page.get_by_role("link", name="History").click()
    expect(page.locator("#change-history")).to_contain_text("Before the first edit.")
    page.screenshot(path=output_path("history.png"), full_page=True)
    page.locator("#change-history tr", has_text="Before the first edit.").get_by_role(
        "link"
    ).click()
    expect(page.get_by_label("Summary")).to_have_value(original_standfirst)
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    seed.refresh_from_db()
    assert seed.summary == original_standfirst

    # Approve the held comment from the queue, where it comes first.
    page.goto(live_server.url + "/admin/comments/comment/")
    expect(page.locator("#result_list tbody tr").first).to_contain_text("A thoughtful first")
    page.screenshot(path=output_path("queue.png"), full_page=True)
    run_action(page, "A thoughtful first comment.", "approve")
    expect(page.locator(".messagelist")).to_contain_text("1 comment approved.")
    held.refresh_from_db()
    assert held.status == "published"

    # Ban the spammer from their comment's page, and mark the comment as spam.
    page.get_by_role("link", name="Cheap pills at example").click()
    page.get_by_label("Decision").select_option("spam")
    page.get_by_label("Author's posting").select_option("ban")
    page.screenshot(path=output_path("comment-change.png"), full_page=True)
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("Banned from posting.")
    spammer.refresh_from_db()
    spam.refresh_from_db()
    assert spammer.is_banned
    assert spam.status == "spam"
    assert spam.moderation_actions.get().moderator.email == "editor@example.com"

    # Upload seed files: one good, one broken; the report names the broken file and line.
    page.goto(live_server.url + "/admin/articles/article/")
    page.get_by_role("link", name="Import seed files").click()
    page.get_by_label("Seed files").set_input_files([str(SEED_FILE), str(BROKEN_SEED)])
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#report-heading")).to_contain_text("1 unchanged")
    expect(page.locator("#import-errors")).to_contain_text("no_body.txt, line 1")
    page.screenshot(path=output_path("import.png"), full_page=True)
    assert blocked == []


def test_moderator_cannot_open_the_article_change_page(live_server, page: Page, output_path):
    article = ArticleFactory(title="Editors only")
    staff("moderator@example.com", MODERATORS)
    sign_in(page, live_server.url, "moderator@example.com")
    expect(page.get_by_role("link", name="Comments", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="Articles", exact=True)).to_have_count(0)
    response = page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    assert response.status == 403
    page.screenshot(path=output_path("moderator-403.png"), full_page=True)
