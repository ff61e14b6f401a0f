"""A reader signs up on a phone, verifies by the e-mailed link, names themself and takes
their data away."""

import json
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_reader_signs_up_verifies_renames_and_downloads_data(
    live_server, page: Page, settings, output_path, run_tasks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url  # where mailed links point
    mail.outbox = []
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Sign Up"))
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Display name").fill("Ada")
    page.get_by_label(re.compile(r"^Password:?$")).fill("correct horse battery")
    page.get_by_label(re.compile(r"^Password \(again\)")).fill("correct horse battery")
    no_sideways_scroll(page)
    page.screenshot(path=output_path("signup-360.png"), full_page=True)
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Check your email"))
    expect(page.get_by_role("link", name="Log in")).to_be_visible()  # not signed in yet
    run_tasks()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)

    page.goto(link)
    # Signed in straight away, with the name in the header.
    expect(
        page.get_by_role("navigation", name="Site").get_by_role("link", name="Ada")
    ).to_be_visible()

    page.get_by_role("link", name="Ada").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    no_sideways_scroll(page)
    page.get_by_label("Display name").fill("Ada L.")
    page.get_by_label("Email me about new comments in threads I follow").select_option("off")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Your settings are saved.")
    expect(page.get_by_role("link", name="Ada L.")).to_be_visible()
    page.screenshot(path=output_path("profile-360.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your data (JSON)").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["profile"]["display_name"] == "Ada L."
    assert data["profile"]["followed_mail"] == "off"
    assert data["email_addresses"] == [
        {"email": "ada@example.com", "verified": True, "primary": True}
    ]
    assert User.objects.get(email="ada@example.com").display_name == "Ada L."
