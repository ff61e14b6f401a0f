"""A reader, without JavaScript, reads how a discussion is moderated, then the site's record."""

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from comments import services
from comments.models import Comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_discussion_figures_lead_to_the_site_record(live_server, browser: Browser):
    article = ArticleFactory(title="Ports reopen after the storm")
    moderator = UserFactory(display_name="Mo", is_staff=True, is_superuser=True)
    for body, status in [("Fine", "published"), ("Rude", "removed"), ("Buy now", "spam")]:
        comment = services.comment_create(article=article, author=UserFactory(), body=body)
        assert comment.status == Comment.Status.PENDING  # a first comment waits for review
        services.comment_set_status(comment=comment, status=status, moderator=moderator)
    services.comment_create(article=article, author=UserFactory(), body="Still waiting")

    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_text("How this discussion is moderated").click()
    figures = page.locator(".record__figures")
    expect(figures.locator('[data-record="published"]')).to_have_text("1")
    expect(figures.locator('[data-record="held"]')).to_have_text("1")
    expect(figures.locator('[data-record="removed"]')).to_have_text("1")
    expect(figures.locator('[data-record="spam"]')).to_have_text("1")
    expect(figures.locator('[data-record="median-wait"]')).to_have_text("under a minute")

    page.get_by_role("link", name="The whole site's moderation record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation record")
    month = timezone.localtime().strftime("%B %Y")
    comments = page.get_by_role("table", name="Comments by month").get_by_role("row", name=month)
    # Published, held for review, removed, spam, hidden, median time to review.
    expect(comments.locator("td")).to_have_text(["1", "4", "1", "1", "0", "under a minute"])
    notices = page.get_by_role("table", name="Notices by month").get_by_role("row", name=month)
    expect(notices.locator("td")).to_have_text(["0"] * 5)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
