"""A moderator clears the queue of cards with one click per comment, keyboard included."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from comments.models import Comment
from newsroom.roles import MODERATORS
from tests.browser.test_accessibility import AXE, axe_violations
from tests.browser.test_admin import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_moderator_decides_cards_in_one_click(live_server, browser, article, output_path):
    moderator = UserFactory(email="mo@example.com", is_staff=True)
    moderator.groups.add(Group.objects.get(name=MODERATORS))
    reader, troll = UserFactory(display_name="Polite Reader"), UserFactory(display_name="Troll")
    good = Comment.objects.create(
        article=article, author=reader, body="A thoughtful first comment.", status="pending"
    )
    bad = Comment.objects.create(
        article=article, author=troll, body="Buy cheap pills now.", status="pending"
    )
    context = browser.new_context(bypass_csp=False)
    page: Page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)

    sign_in(page, live_server.url, "mo@example.com")
    expect(page.locator("#dashboard-pending")).to_contain_text("2 held or hidden")
    page.get_by_role("link", name=re.compile("Open the queue: 2 comments")).click()
    expect(page).to_have_url(re.compile(r"/admin/comments/comment/cards/$"))
    expect(page.locator(".newsroom-card")).to_have_count(2)
    page.screenshot(path=output_path("cards.png"), full_page=True)

    page.locator(f"#card-{good.pk}").get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("approved")
    expect(page.locator(".newsroom-card")).to_have_count(1)

    # Keyboard: focus the Ban button of the remaining card and press Enter.
    page.locator(f"#card-{bad.pk}").get_by_role("button", name="Ban").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("author banned")
    expect(page.locator(".newsroom-queue-empty")).to_be_visible()

    good.refresh_from_db()
    bad.refresh_from_db()
    troll.refresh_from_db()
    assert (good.status, bad.status, troll.is_banned) == ("published", "removed", True)
    assert good.moderation_actions.get().moderator == moderator
    assert blocked == []
    context.close()

    # The cards page passes axe with a card on it.
    Comment.objects.create(article=article, author=reader, body="Another.", status="pending")
    audit = browser.new_context(bypass_csp=True)
    page = audit.new_page()
    sign_in(page, live_server.url, "mo@example.com")
    page.goto(live_server.url + "/admin/comments/comment/cards/")
    assert axe_violations(page) == []
    assert AXE.exists()
    audit.close()
