"""Readers discuss an article in a real Chromium: the whole life of a comment, a draft that
survives logging in, reports that hide a comment, and posting with the keyboard alone."""

import re

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from comments.models import Comment, ModerationSettings
from comments.services import comment_create
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(context: BrowserContext, live_server, user) -> None:
    """A signed-in browser without walking through the login form (tested elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def comment_item(page: Page, text: str):
    """The one comment whose own card (not a nested reply's) shows this text."""
    return page.locator(
        "xpath=//li[contains(@class, 'comment')][article[.//div[contains(@class, "
        f"'comment__body')][contains(normalize-space(.), '{text}')]]]"
    )


def more_menu(item):
    """The comment's "More" menu, opened (Report, Edit, Delete sit behind it)."""
    menu = item.locator(".comment__more").first
    menu.locator("summary").click()
    return menu


def test_sign_up_verify_post_reply_edit_delete(
    live_server, article, page: Page, settings, run_tasks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url  # where mailed links point
    mail.outbox = []
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Display name").fill("Ada")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Check your email"))
    run_tasks()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    if page.get_by_role("link", name="Log in").count():  # confirmation did not sign in
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email").fill("ada@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_label("Your comment").fill("The harbour looks *busy* again.")
    page.get_by_role("button", name="Post comment").click()
    mine = comment_item(page, "The harbour looks busy again.")
    expect(mine).to_be_visible()
    expect(mine.locator("em")).to_have_text("busy")
    expect(mine.locator(".comment__author")).to_have_text("Ada")

    # Someone replies to Ada; Ada replies back through the inline form.
    grace = UserFactory(display_name="Grace")
    comment_create(
        article=article, author=grace, body="Ships were queueing.", parent=Comment.objects.get()
    )
    page.reload()
    page.evaluate("window.sameDocument = true")  # the inline reply must not reload the page
    theirs = comment_item(page, "Ships were queueing.")
    theirs.locator("[data-reply-link]").first.click()
    page.get_by_label("Your reply").fill("Thanks, Grace.")
    page.get_by_role("button", name="Post reply").click()
    reply = comment_item(page, "Thanks, Grace.")
    expect(reply).to_be_visible()
    assert page.evaluate("window.sameDocument") is True
    assert Comment.objects.get(body="Thanks, Grace.").parent.body == "Ships were queueing."

    # Edit within the window: marked "edited".
    more_menu(mine).get_by_role("link", name="Edit").click()
    page.get_by_label("Your comment").fill("The harbour looks busier than ever.")
    page.get_by_role("button", name="Save changes").click()
    edited = comment_item(page, "The harbour looks busier than ever.")
    expect(edited.locator(".comment__edited").first).to_have_text("edited")

    # Delete: the replies stay, the text says so.
    expect(edited.locator(".comment__note")).to_have_text("Your comment was updated.")
    more_menu(edited).get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete comment").click()
    expect(page.locator(".comment__deleted")).to_have_text("Comment deleted")
    expect(page.get_by_text("Ships were queueing.")).to_be_visible()
    expect(page.get_by_text("The harbour looks busier")).to_have_count(0)


def test_anonymous_draft_survives_login(live_server, article, page: Page):
    UserFactory(email="ada@example.com", display_name="Ada")
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("link", name="Log in to comment")).to_be_visible()
    page.get_by_label("Your comment").fill("Written before I logged in.")
    page.get_by_role("button", name="Log in and post").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_role("status")).to_contain_text(
        "Log in to post your comment: your draft is saved."
    )
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(re.escape(article.get_absolute_url()) + "#comments$"))
    expect(page.get_by_label("Your comment")).to_have_value("Written before I logged in.")
    page.get_by_role("button", name="Post comment").click()
    expect(comment_item(page, "Written before I logged in.")).to_be_visible()


def test_reports_hide_comment_after_threshold(live_server, article, browser, page: Page):
    rules = ModerationSettings.load()
    rules.report_threshold = 2
    rules.save()
    comment_create(article=article, author=UserFactory(), body="Rude remark")
    url = live_server.url + article.get_absolute_url()
    for _ in range(2):
        context = browser.new_context()
        sign_in(context, live_server, UserFactory())
        reporter = context.new_page()
        reporter.goto(url)
        more_menu(comment_item(reporter, "Rude remark")).get_by_role(
            "link", name="Report", exact=True
        ).click()
        reporter.get_by_label("Abusive or hateful").check()
        reporter.get_by_role("button", name="Send report").click()
        # Beside the comment while it shows; atop the discussion once reports hide it.
        expect(reporter.locator(".comment__note")).to_contain_text("Thanks for your report")
        expect(reporter.locator(".messages")).to_have_count(0)
        context.close()

    page.goto(url)
    expect(page.get_by_text("Rude remark")).to_have_count(0)
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_keyboard_only_posting(live_server, article, context: BrowserContext, page: Page):
    comment_create(article=article, author=UserFactory(), body="Worth a like")
    sign_in(context, live_server, UserFactory(display_name="Kay"))
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "body":
            break
    else:
        pytest.fail("the comment box cannot be reached with Tab")
    page.keyboard.type("Typed with the keyboard only.")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Post comment")
    page.keyboard.press("Enter")
    posted = comment_item(page, "Typed with the keyboard only.")
    expect(posted).to_be_visible()
    expect(posted).to_be_focused()  # focus follows the new comment, for screen readers too
    assert Comment.objects.filter(body="Typed with the keyboard only.").count() == 1

    liked = comment_item(page, "Worth a like")
    liked.get_by_role("button", name="Like").focus()
    page.keyboard.press("Enter")
    button = liked.get_by_role("button", name="Like")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(liked.locator("[data-like-count]")).to_have_text("1 like")
    page.keyboard.press("Enter")  # and again: unliked, and no "0 likes"
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(liked.locator("[data-like-count]")).to_have_text("")
    assert page.evaluate("window.sameDocument") is True
