"""A keyboard alone reaches the content, an article and the sign-in form, with focus visible."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def tab_to(page: Page, name: str, limit: int = 40) -> None:
    """Press Tab until the focused element's text or label matches `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => (document.activeElement.innerText || document.activeElement.value"
            " || document.activeElement.getAttribute('aria-label') || '').trim()"
        )
        if re.search(name, focused):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"no visible focus on {focused!r}"
            return
    raise AssertionError(f"Tab never reached {name!r}")


def tab_to_field(page: Page, kind: str, limit: int = 15) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type") == kind:
            return
    raise AssertionError(f"Tab never reached a {kind} field")


def test_read_and_sign_in_with_the_keyboard_only(live_server, page: Page):
    call_command("load_seeds", verbosity=0)
    UserFactory(email="kay@example.com", display_name="Kay")
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    tab_to(page, "The Japanese government")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("The Japanese government")

    tab_to(page, "^Log in$")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/accounts/login/"))
    tab_to_field(page, "email")
    page.keyboard.type("kay@example.com")
    tab_to_field(page, "password")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Kay")).to_be_visible()
