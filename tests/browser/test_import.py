"""A WordPress site moves in: its WXR export is imported, and readers find its articles and
discussions as they were (nested replies, names, no held or spam comments, no scripts)."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

WXR = Path(__file__).parents[1] / "portability" / "fixtures" / "wxr.xml"
TITLE = "Lighthouse keepers return to Skerry Ørn"


@pytest.fixture
def imported(live_server):
    call_command("import_comments", str(WXR), format="wxr", verbosity=0)
    return live_server


def test_imported_wordpress_site_reads_as_before(imported, page: Page, output_path):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(imported.url + "/")
    page.get_by_role("link", name=TITLE).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    body = page.locator(".article__body")
    expect(body.get_by_role("heading", name="Why now")).to_be_visible()
    expect(body.get_by_role("link", name="the review")).to_have_attribute(
        "href", "https://council.example.org/lights"
    )
    expect(body.locator("li")).to_have_count(2)
    expect(body.locator("img, iframe, script")).to_have_count(0)

    comments = page.locator("#comments")
    first = comments.get_by_role("article", name="Comment by Søren Fiskar")
    expect(first).to_contain_text("Good news for the island.")
    expect(first.locator("em")).to_have_text("Finally")
    reply = page.locator(".comment .comment .comment__card").filter(has_text="worth keeping")
    expect(reply).to_contain_text("Agreed — 灯台 are worth keeping.")
    expect(comments).not_to_contain_text("Still waiting for a moderator")
    expect(comments).not_to_contain_text("Buy pills")
    expect(comments).not_to_contain_text("Binned by the moderators")
    expect(page.locator("body")).not_to_contain_text("soren@example.net")
    page.screenshot(path=output_path("article.png"), full_page=True)

    page.get_by_role("link", name="Lighthouses").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lighthouses")
    expect(page.get_by_role("link", name=TITLE).first).to_be_visible()
    # The draft stays private.
    response = page.goto(imported.url + "/articles/ferry-fares/")
    assert response.status == 404
    assert dialogs == []


def test_editor_uploads_an_export_and_reads_the_report(
    live_server, page: Page, run_tasks, output_path, settings, tmp_path
):
    """The admin's upload runs in the task worker; the run's page shows the report."""
    from django.test import Client

    from newsroom.roles import EDITORS
    from tests.admin.conftest import staff_in

    settings.MEDIA_ROOT = tmp_path
    editor = staff_in(EDITORS, email="editor@example.com")
    client = Client()
    client.force_login(editor)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + "/admin/portability/importrun/add/")
    page.get_by_label("File").set_input_files(str(WXR))
    page.get_by_label("Format").select_option("wxr")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Waiting for the task worker.")).to_be_visible()

    run_tasks()
    page.reload()
    expect(page.get_by_text("Articles created: 2")).to_be_visible()
    expect(page.get_by_text("Comments created: 5")).to_be_visible()
    page.screenshot(path=output_path("run.png"), full_page=True)
    page.goto(live_server.url + "/articles/lighthouse-keepers-return/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
