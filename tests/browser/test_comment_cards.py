"""The discussion as cards in Chromium, at phone and desktop width: threads that fold without
JavaScript, deep replies that stay readable at 390 px, sort tabs, "More comments" with and
without JavaScript, the like's pressed state, and confirmations beside the comment."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from comments import services
from comments.discussion import COMMENTS_PER_PAGE, REPLIES_SHOWN_OPEN
from comments.models import Comment
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_staff import vnu_errors
from tests.factories import UserFactory, relaxed_moderation

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NAMES = ["Ada Lovelace", "Grace Hopper", "Kenji Sato", "Layla Haddad", "Marta Ruiz", "Tom Okafor"]


def signed_in_context(browser: Browser, live_server, user, **options):
    context = browser.new_context(**options)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context


def card(page: Page, text: str):
    """The comment (its <li>) whose own card shows this text."""
    return page.locator(
        "xpath=//li[contains(@class, 'comment')][article[.//div[contains(@class, "
        f"'comment__body')][contains(normalize-space(.), '{text}')]]]"
    )


def conversation(article, reader, *, threads: int = 8) -> dict[str, Comment]:
    """A 50-comment discussion: `threads` top-level comments, one long thread three levels deep,
    likes, an editor's pick, a staff answer and the reader's own held comment."""
    relaxed_moderation(user_rate_limit=1000)
    people = [UserFactory(display_name=name) for name in NAMES]
    staff = UserFactory(display_name="Newsdesk", is_staff=True, is_superuser=True)
    made: dict[str, Comment] = {}
    tops = [
        services.comment_create(
            article=article,
            author=people[n % len(people)],
            body=f"Thread {n}: the ports reopened faster than the ministry said they would.",
        )
        for n in range(threads)
    ]
    made["long"] = long = tops[0]
    parent = long
    for depth in range(3):  # the deepest level the model keeps
        parent = services.comment_create(
            article=article,
            author=people[(depth + 1) % len(people)],
            body=f"Depth {depth + 1}: " + "a reply with enough words to wrap on a phone. " * 3,
            parent=parent,
        )
    made["deepest"] = parent
    for n in range(REPLIES_SHOWN_OPEN + 6):
        services.comment_create(
            article=article, author=people[n % len(people)], body=f"Long reply {n}", parent=long
        )
    made["short"] = tops[1]
    services.comment_create(
        article=article, author=people[2], body="A short answer.", parent=tops[1]
    )
    services.comment_create(
        article=article, author=staff, body="The newsdesk checked this.", parent=tops[2]
    )
    total = Comment.objects.filter(article=article).count()
    for n in range(50 - total - 1):
        services.comment_create(
            article=article,
            author=people[n % len(people)],
            body=f"Reply {n}",
            parent=tops[2 + n % (len(tops) - 2)],
        )
    services.comment_set_pinned(comment=tops[-1], pinned=True, moderator=staff)
    for person in people[1:4]:
        services.comment_like(comment=tops[0], user=person)
    made["held"] = services.comment_create(article=article, author=reader, body="My held words")
    services.comment_set_status(
        comment=made["held"], status=Comment.Status.PENDING, moderator=staff, note=""
    )
    # Spread the times over the last days, for relative times that differ.
    for n, comment in enumerate(Comment.objects.filter(article=article).order_by("pk")):
        Comment.objects.filter(pk=comment.pk).update(
            created_at=timezone.now() - timedelta(minutes=(60 - n) * 97)
        )
    assert Comment.objects.filter(article=article).count() == 50
    return made


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_fifty_comments_read_well_at_phone_and_desktop_width(
    live_server, browser, article, scheme, output_path, tmp_path
):
    reader = UserFactory(display_name="Ada Reader")
    made = conversation(article, reader)
    url = live_server.url + article.get_absolute_url()
    context = signed_in_context(
        browser, live_server, reader, color_scheme=scheme, bypass_csp=True, viewport=PHONE
    )
    page = context.new_page()
    page.goto(url + "#comments")
    long = card(page, made["long"].body[:30]).first
    expect(long.locator("> details[data-replies]")).not_to_have_attribute("open", "")
    page.screenshot(path=output_path(f"{scheme}-390.png"), full_page=True)

    # Open every fold: the deepest reply keeps a readable column and nothing scrolls sideways.
    page.evaluate("document.querySelectorAll('details[data-replies]').forEach(d => d.open = true)")
    deepest = card(page, "Depth 3").locator("> article .comment__body")
    deepest.scroll_into_view_if_needed()
    assert deepest.bounding_box()["width"] >= 240
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=output_path(f"{scheme}-390-deepest.png"))

    # Held: a calm note with its pill, no review button (it is in the queue already).
    held = card(page, "My held words")
    expect(held.locator(".pill--held")).to_have_text("Held for review")
    expect(held.get_by_role("button", name="Ask a moderator to review it")).to_have_count(0)

    # The More menu opens over the card, and closes with Escape back on its button.
    more = card(page, "Thread 5").locator(".comment__more").first
    more.locator("summary").click()
    expect(more.get_by_role("link", name="Report", exact=True)).to_be_visible()
    page.screenshot(path=output_path(f"{scheme}-390-more.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    html = page.content()  # before axe adds its script
    problems = axe_violations(page)
    page.keyboard.press("Escape")
    expect(more).not_to_have_attribute("open", "")
    expect(more.locator("summary")).to_be_focused()

    page.set_viewport_size(DESKTOP)
    page.goto(url + "#comments")
    page.screenshot(path=output_path(f"{scheme}-1280.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
    assert problems == []
    assert vnu_errors({f"thread-{scheme}": html}, tmp_path) == []


def test_replies_fold_and_unfold_without_javascript(live_server, browser, article):
    reader = UserFactory()
    made = conversation(article, reader, threads=4)
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    total = REPLIES_SHOWN_OPEN + 6 + 3
    long = card(page, made["long"].body[:30]).first
    show = long.locator("> details > summary")
    expect(show).to_have_js_property("innerText", f"Show {total} replies")  # what shows
    expect(page.get_by_text("Long reply 0", exact=True)).to_be_hidden()
    show.click()
    expect(page.get_by_text("Long reply 0", exact=True)).to_be_visible()
    expect(show).to_have_js_property("innerText", f"Hide {total} replies")
    show.click()
    expect(page.get_by_text("Long reply 0", exact=True)).to_be_hidden()
    # A short thread starts open.
    expect(page.get_by_text("A short answer.")).to_be_visible()
    context.close()


def test_sort_tabs_are_links(live_server, page: Page, article):
    relaxed_moderation(user_rate_limit=100)
    author = UserFactory()
    for n in range(3):
        services.comment_create(article=article, author=author, body=f"Number {n}")
    page.goto(live_server.url + article.get_absolute_url())
    tabs = page.get_by_role("navigation", name="Sort comments")
    expect(tabs.get_by_role("link", name="Best")).to_have_attribute("aria-current", "true")
    tabs.get_by_role("link", name="Oldest").click()
    expect(page).to_have_url(f"{live_server.url}{article.get_absolute_url()}?sort=oldest#comments")
    expect(tabs.get_by_role("link", name="Oldest")).to_have_attribute("aria-current", "true")
    expect(tabs.locator("[aria-current]")).to_have_count(1)
    expect(page.locator("[data-comment-list] > li .comment__body").first).to_have_text("Number 0")
    tabs.get_by_role("link", name="Newest").click()
    expect(page.locator("[data-comment-list] > li .comment__body").first).to_have_text("Number 2")


def many_threads(article, count: int = COMMENTS_PER_PAGE + 5) -> None:
    relaxed_moderation(user_rate_limit=1000)
    author = UserFactory()
    for n in range(count):
        services.comment_create(article=article, author=author, body=f"Thread number {n}")


def test_more_comments_is_a_link_without_javascript(live_server, browser, article):
    many_threads(article)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("[data-comment-list] > li")).to_have_count(COMMENTS_PER_PAGE)
    page.get_by_role("link", name="More comments").click()
    expect(page).to_have_url(
        f"{live_server.url}{article.get_absolute_url()}?sort=best&page=2#comments"
    )
    expect(page.locator("[data-comment-list] > li")).to_have_count(5)
    context.close()


def test_more_comments_load_in_place_with_javascript(live_server, page: Page, article):
    many_threads(article)
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="More comments").click()
    items = page.locator("[data-comment-list] > li")
    expect(items).to_have_count(COMMENTS_PER_PAGE + 5)
    expect(items.nth(COMMENTS_PER_PAGE)).to_be_focused()
    expect(page.get_by_role("link", name="More comments")).to_have_count(0)  # the last page
    expect(page.locator("[data-discussion] > p[role=status]")).to_have_text("More comments loaded.")
    assert page.evaluate("window.sameDocument") is True
    # The added threads work like the first page's: their replies can be opened.
    expect(items.nth(COMMENTS_PER_PAGE).locator(".comment__more summary")).to_be_visible()


def test_like_shows_its_pressed_state_without_javascript(live_server, browser, article):
    relaxed_moderation()
    comment = services.comment_create(article=article, author=UserFactory(), body="Likeable")
    context = signed_in_context(browser, live_server, UserFactory(), java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    item = card(page, "Likeable")
    like = item.get_by_role("button", name="Like")
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(item).not_to_contain_text("0 like")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(item.locator("[data-like-count]")).to_have_text("1 like")
    assert Comment.objects.get(pk=comment.pk).like_count == 1
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_posted_confirmation_is_beside_the_new_comment_at_390(
    live_server, browser, article, javascript, output_path
):
    reader = UserFactory(display_name="Ada Reader")
    conversation(article, UserFactory(), threads=8)
    context = signed_in_context(
        browser, live_server, reader, viewport=PHONE, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url() + "#comments")
    page.get_by_label("Your comment").fill("Posted on a phone.")
    page.get_by_role("button", name="Post comment").click()
    mine = card(page, "Posted on a phone.")
    note = mine.locator("> article > .comment__note")
    expect(note).to_have_text("Your comment was posted.")
    expect(note).to_be_in_viewport(ratio=1)  # waits for the scroll to the comment to end
    expect(page.locator(".messages")).to_have_count(0)
    if javascript:
        expect(page.locator("[data-discussion] > p[role=status]")).to_have_text(
            "Your comment was posted."
        )
    page.screenshot(path=output_path("posted.png"))
    context.close()


def test_held_reply_is_announced_as_held(live_server, browser, article):
    relaxed_moderation()
    first = services.comment_create(article=article, author=UserFactory(), body="Open to all")
    article.is_premoderated = True
    article.save()
    context = signed_in_context(browser, live_server, UserFactory(), viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    card(page, "Open to all").locator("[data-reply-link]").click()
    page.get_by_label("Your reply").fill("Held on its way.")
    page.get_by_role("button", name="Post reply").click()
    mine = page.locator(".comment--held").filter(has_text="Held on its way.")
    expect(mine.locator(".pill--held")).to_have_text("Held for review")
    expect(mine).to_be_focused()
    expect(page.locator("[data-discussion] > p[role=status]")).to_contain_text("held for review")
    assert Comment.objects.get(body="Held on its way.").parent_id == first.pk
    context.close()
