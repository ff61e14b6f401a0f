"""A sensitive story in a real Chromium: an editor pre-moderates it with a prompt and a closing
time from the article list, a reader without JavaScript sees the rules, posts and is told why
their comment waits, and a moderator publishes it from the queue. The article page with its
settings shown has no axe violation and no Nu checker error."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from articles.models import Article
from comments.models import Comment
from newsroom.roles import EDITORS, MODERATORS
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_admin import run_action
from tests.browser.test_staff import card, sign_in, vnu_errors
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PROMPT = "We want to hear from readers in Kobe: what did you see?"
RULE = "Comments on this story are reviewed before they appear."


def staff(group: str, name: str):
    user = UserFactory(display_name=name, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_premoderated_story(live_server, article, browser, page: Page, output_path, tmp_path):
    ArticleFactory(title="A quiet story elsewhere")
    editor, moderator = staff(EDITORS, "Eddie"), staff(MODERATORS, "Mona")
    reader = UserFactory(display_name="Ada")

    # The editor sets the story's discussion from the article list (the bulk action).
    context = browser.new_context()
    sign_in(context, live_server, editor)
    admin = context.new_page()
    admin.goto(live_server.url + "/admin/articles/article/")
    run_action(admin, article.title, "set_discussion")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Change discussion settings")
    admin.get_by_label("Pre-moderate every comment").select_option("on")
    admin.get_by_label("Closing time").select_option("on")
    admin.get_by_label("Close comments at").fill("2031-03-01T18:00")
    admin.get_by_label(re.compile("^Replace the prompt")).check()
    admin.get_by_label("Prompt above the comment box").fill(PROMPT)
    admin.get_by_label("Message once closed").fill("Comments are closed: thank you, Kobe.")
    admin.screenshot(path=output_path("bulk-form.png"), full_page=True)
    admin.get_by_role("button", name="Apply to selected articles").click()
    expect(admin.locator(".messagelist")).to_contain_text("1 article updated")
    expect(admin.locator("#result_list tr", has_text=article.title)).to_contain_text(
        "pre-moderated, closes at a set time"
    )
    context.close()
    article.refresh_from_db()
    assert article.is_premoderated
    assert timezone.localtime(article.comments_close_at).strftime("%Y-%m-%d %H:%M") == (
        "2031-03-01 18:00"
    )
    assert not Article.objects.get(title="A quiet story elsewhere").is_premoderated

    # A reader without JavaScript sees the prompt and the rules before writing, and posts.
    context = browser.new_context(java_script_enabled=False)
    sign_in(context, live_server, reader)
    mine = context.new_page()
    mine.goto(live_server.url + article.get_absolute_url())
    comments = mine.locator("#comments")
    expect(comments.get_by_text(PROMPT)).to_be_visible()
    expect(comments.get_by_text(RULE)).to_be_visible()
    expect(comments.locator(".discussion__rules time")).to_have_text(
        re.compile("^1 March 2031 at 18:00")
    )
    mine.get_by_label("Your comment").fill("The ferry terminal flooded at noon.")
    mine.get_by_role("button", name="Post comment").click()
    held = card(mine, "The ferry terminal flooded at noon.")
    expect(held.locator(".comment__held")).to_contain_text("Held for review")
    expect(held.locator(".comment__held")).to_contain_text(RULE)
    expect(held.locator(".comment__note")).to_contain_text("Your comment is held for review")
    expect(mine.locator(".messages")).to_have_count(0)  # said beside the comment instead
    mine.screenshot(path=output_path("held.png"), full_page=True)

    # Nobody else sees it yet.
    anonymous = browser.new_page()
    anonymous.goto(live_server.url + article.get_absolute_url())
    expect(anonymous.get_by_text(RULE)).to_be_visible()
    expect(anonymous.get_by_text("The ferry terminal flooded at noon.")).to_have_count(0)
    anonymous.close()

    # A moderator publishes it from the queue.
    context_mod = browser.new_context()
    sign_in(context_mod, live_server, moderator)
    queue = context_mod.new_page()
    queue.goto(live_server.url + "/admin/comments/comment/")
    run_action(queue, "The ferry terminal flooded at noon.", "approve")
    expect(queue.locator(".messagelist")).to_contain_text("1 comment approved.")
    context_mod.close()
    assert Comment.objects.get().status == "published"

    mine.reload()
    published = card(mine, "The ferry terminal flooded at noon.")
    expect(published).to_be_visible()
    expect(published.locator(".comment__held")).to_have_count(0)
    context.close()

    # The page with its settings shown: axe in the browser, the Nu checker on its HTML.
    checker = browser.new_context(bypass_csp=True)
    checked = checker.new_page()
    checked.goto(live_server.url + article.get_absolute_url())
    expect(checked.get_by_text(PROMPT)).to_be_visible()
    problems = axe_violations(checked)
    checker.close()
    assert problems == []
    signed_in = Client()
    signed_in.force_login(reader)
    pages = {
        "anonymous": Client().get(article.get_absolute_url()).content.decode(),
        "reader": signed_in.get(article.get_absolute_url()).content.decode(),
    }
    assert all(PROMPT in html for html in pages.values())
    assert vnu_errors(pages, tmp_path) == []
