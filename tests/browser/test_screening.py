"""Screening in a real Chromium: a regular expression holds a comment (the author is told why,
the moderator sees it in the queue with the reason), and a scoring service that does not
answer in time leaves the page to the editor's fallback."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from comments import screening
from comments.models import Comment, ModerationSettings, WatchedWord
from newsroom.roles import MODERATORS
from tests.browser.test_admin import sign_in as sign_in_to_admin
from tests.browser.test_admin import staff
from tests.browser.test_comments import comment_item, sign_in
from tests.comments.scoring import scoring_service
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_REASON = "Held for a moderator: offers of followers are checked first."


def post_comment(page: Page, live_server, article, text: str) -> None:
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_label("Your comment").fill(text)
    page.get_by_role("button", name="Post comment").click()


def test_regex_hold_explained_to_author_and_queued_for_moderator(
    live_server, article, page: Page, browser: Browser, output_path
):
    word = WatchedWord(
        pattern=r"buy\s+(cheap\s+)?followers?",
        is_regex=True,
        action=WatchedWord.Action.HOLD,
        reason=HOLD_REASON,
    )
    word.full_clean()
    word.save()
    reader = UserFactory(display_name="Ada")
    sign_in(page.context, live_server, reader)

    # Look-alike letters do not get past it: the "o" and "e" here are Cyrillic.
    post_comment(page, live_server, article, "Want to BUY f\u043ell\u043ew\u0435rs? Ask me.")
    mine = comment_item(page, "Want to BUY")
    expect(mine).to_contain_text("Held for review")
    expect(mine).to_contain_text(HOLD_REASON)
    page.screenshot(path=output_path("author.png"), full_page=True)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING

    # Readers who are not the author do not see it.
    other = browser.new_page()
    other.goto(live_server.url + article.get_absolute_url())
    expect(other.get_by_text("Want to BUY")).to_have_count(0)
    other.close()

    # The moderator finds it in the queue, with what matched and why it waits.
    staff("moderator@example.com", MODERATORS)
    desk = browser.new_page()
    sign_in_to_admin(desk, live_server.url, "moderator@example.com")
    desk.goto(live_server.url + "/admin/comments/comment/?queue=attention")
    row = desk.locator("#result_list tr", has_text="Want to BUY")
    expect(row).to_contain_text("Awaiting moderation")
    expect(row).to_contain_text(r"watched word /buy\s+(cheap\s+)?followers?/ (hold)")
    row.get_by_role("link", name=re.compile("Want to BUY")).click()
    expect(desk.locator(".fieldBox.field-moderation_reason")).to_contain_text(HOLD_REASON)
    expect(desk.get_by_text("Held automatically", exact=True)).to_be_visible()
    desk.screenshot(path=output_path("moderator.png"), full_page=True)
    desk.close()


def test_scorer_that_times_out_applies_the_fallback(live_server, article, page: Page):
    reader = UserFactory(display_name="Ada")
    sign_in(page.context, live_server, reader)
    with scoring_service(delay=10) as service:
        rules = ModerationSettings.load()
        rules.scorer_url, rules.scorer_secret = service.url, "shared"
        rules.scorer_timeout_ms, rules.scorer_fallback = 300, "hold"
        rules.save()

        post_comment(page, live_server, article, "Scored while the service sleeps.")
        held = comment_item(page, "Scored while the service sleeps.")
        expect(held).to_contain_text("Held for review")
        expect(held).to_contain_text(screening.SCORER_FAILED_REASON)

        rules.scorer_fallback = "publish"
        rules.save()
        post_comment(page, live_server, article, "Published though nobody scored it.")
        published = comment_item(page, "Published though nobody scored it.")
        expect(published).to_be_visible()
        expect(published).not_to_contain_text("Held for review")
        assert len(service.received) == 2  # both were sent; neither answer was waited for

    statuses = dict(Comment.objects.values_list("body", "status"))
    assert statuses == {
        "Scored while the service sleeps.": "pending",
        "Published though nobody scored it.": "published",
    }
