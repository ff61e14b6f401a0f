"""Logging in and out never shows a page of the other state (issue 14, journey 1): pages a
reader without a session gets may be kept, but browsers revalidate them, and every page of a
signed-in reader is private."""

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reader(live_server):
    return UserFactory(email="ada@example.com", display_name="Ada")


def site_nav(page: Page):
    return page.get_by_role("navigation", name="Site")


def expect_signed_in(page: Page) -> None:
    expect(site_nav(page).get_by_role("link", name="Ada")).to_be_visible()
    expect(site_nav(page).get_by_role("link", name="Log in")).to_have_count(0)
    expect(page.get_by_role("button", name="Post comment")).to_be_visible()


def expect_signed_out(page: Page) -> None:
    expect(site_nav(page).get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_text("Ada")).to_have_count(0)
    expect(page.get_by_role("button", name="Log in and post")).to_be_visible()


def log_in(page: Page) -> None:
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_log_in_from_the_header_returns_to_the_article_signed_in(
    live_server, article, reader, page: Page
):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=article.title).click()
    expect_signed_out(page)
    site_nav(page).get_by_role("link", name="Log in").click()
    log_in(page)
    # Back on the article, signed in: the header's link remembered the page.
    expect(page).to_have_url(live_server.url + article.get_absolute_url())
    expect_signed_in(page)
    # Home, then the article again by its link: the logged-out copies are not reused.
    page.get_by_role("link", name="Latest").click()
    expect(site_nav(page).get_by_role("link", name="Ada")).to_be_visible()
    page.get_by_role("link", name=article.title).click()
    expect_signed_in(page)


def test_log_out_then_back_and_forward_never_shows_the_signed_in_page(
    live_server, article, reader, page: Page
):
    page.goto(live_server.url + article.get_absolute_url())
    site_nav(page).get_by_role("link", name="Log in").click()
    log_in(page)
    expect_signed_in(page)
    site_nav(page).get_by_role("button", name="Log out").click()
    expect(site_nav(page).get_by_role("link", name="Log in")).to_be_visible()
    page.go_back()  # to the article as it was shown signed in
    expect(page).to_have_url(live_server.url + article.get_absolute_url())
    expect_signed_out(page)
    page.go_forward()
    expect(site_nav(page).get_by_role("link", name="Log in")).to_be_visible()


def test_logging_in_on_another_tab_shows_on_this_one(
    live_server, article, reader, context: BrowserContext
):
    first = context.new_page()
    first.goto(live_server.url + article.get_absolute_url())
    expect_signed_out(first)
    second = context.new_page()
    second.goto(live_server.url + "/accounts/login/")
    log_in(second)
    expect(site_nav(second).get_by_role("link", name="Ada")).to_be_visible()
    # Back on the first tab, the reader follows a link to the same article.
    first.get_by_role("link", name="Latest").click()
    first.get_by_role("link", name=article.title).click()
    expect_signed_in(first)
