"""EU DSA notices in a real Chromium: a logged-out reader's notice through to a moderator's
decision in the admin (receipt, outcome and statement e-mails read from the outbox), and an
author's appeal that the first moderator may not decide and a second one reverses. axe checks
each new public page on the way."""

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from comments.models import Comment
from comments.services import comment_create, comment_set_status
from newsroom.roles import MODERATORS
from notices.models import Appeal, Notice, NoticeDecision, StatementOfReasons
from tests.browser.test_accessibility import AXE, axe_violations
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_to_outbox(settings, live_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url  # where mailed links point
    mail.outbox = []


@pytest.fixture
def axe_context(browser):
    """A context that lets the test inject axe (the site's own CSP stays strict)."""
    if not AXE.exists():
        pytest.fail("needs node_modules/axe-core: run `make install-test`")
    context = browser.new_context(bypass_csp=True)
    yield context
    context.close()


def sign_in(context: BrowserContext, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def moderator(email: str, name: str):
    user = UserFactory(email=email, display_name=name, is_staff=True)
    user.groups.add(Group.objects.get(name=MODERATORS))
    return user


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_logged_out_notice_to_decision_with_every_email(
    live_server, article, page: Page, browser, axe_context, mail_to_outbox, run_tasks, output_path
):
    author = UserFactory(display_name="Ada", email="ada@example.com")
    comment = comment_create(
        article=article, author=author, body="The harbour master takes bribes, everyone knows."
    )
    mo = moderator("mo@example.com", "Mo")
    problems: list[str] = []

    # A logged-out reader finds the link under the comment and sends a notice.
    reader = axe_context.new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    reader.locator(".comment__more summary").first.click()  # the link sits in "More"
    reader.get_by_role("link", name="Report illegal content in the comment by Ada").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Report illegal content")
    expect(reader.get_by_label("Address of the comment")).to_have_value(
        f"{live_server.url}/comments/{comment.pk}/"
    )
    problems += axe_violations(reader)
    reader.get_by_label("What kind of law does it break?").select_option("defamation")
    reader.get_by_label("The law or provision").fill("Criminal code, section 187")
    reader.get_by_label("Why is it illegal?").fill("An unproven accusation of bribery.")
    reader.get_by_label("Your name").fill("Sam Sender")
    reader.get_by_label("Your email address").fill("sam@example.com")
    # Left unconfirmed first: the form comes back with the text kept.
    reader.get_by_role("button", name="Send notice").click()
    expect(reader.get_by_role("alert")).to_contain_text("Your notice was not sent")
    expect(reader.get_by_label("Why is it illegal?")).to_have_value(
        "An unproven accusation of bribery."
    )
    problems += axe_violations(reader)
    reader.screenshot(path=output_path("form-refused.png"), full_page=True)
    reader.get_by_label("I believe in good faith").check()
    reader.get_by_role("button", name="Send notice").click()

    expect(reader.get_by_role("heading", level=1)).to_have_text("Notice received")
    notice = Notice.objects.get()
    expect(reader.locator(".reference")).to_have_text(notice.reference)
    problems += axe_violations(reader)
    reader.screenshot(path=output_path("receipt.png"), full_page=True)
    assert notice.comment == comment
    assert notice.state == Notice.State.RECEIVED

    run_tasks()
    (receipt,) = mails_to("sam@example.com")
    assert notice.reference in receipt.subject
    assert notice.reference in receipt.body

    # A moderator decides in the admin's notice queue.
    sign_in(page.context, live_server, mo)
    page.goto(live_server.url + "/admin/notices/notice/")
    page.get_by_role("link", name=notice.reference).click()
    expect(page.locator(".field-comment_text")).to_contain_text("takes bribes")
    decision = page.locator("#noticedecision_set-group, .inline-group").locator(
        ".inline-related:not(.empty-form)"
    )  # the inline's blank form, not its hidden template
    decision.get_by_label("Outcome").select_option("illegal")
    decision.get_by_label("Ground").fill("Criminal code, section 187 (defamation)")
    decision.get_by_label("Explanation").fill(
        "An unproven accusation of a crime against a named man."
    )
    page.screenshot(path=output_path("decide.png"), full_page=True)
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("The decision is recorded")

    notice.refresh_from_db()
    comment.refresh_from_db()
    assert notice.state == Notice.State.DECIDED
    assert NoticeDecision.objects.get().decided_by == mo
    assert comment.status == Comment.Status.REMOVED

    run_tasks()
    outcome = mails_to("sam@example.com")[-1]
    assert "Decision on your notice" in outcome.subject
    assert "section 187" in outcome.body
    (statement_mail,) = mails_to("ada@example.com")
    link = re.search(r"https?://\S+/notices/statements/\S+/", statement_mail.body).group(0)

    # The author reads the statement of reasons the e-mail links to.
    author_context = browser.new_context(bypass_csp=True)
    sign_in(author_context, live_server, author)
    author_page = author_context.new_page()
    author_page.goto(link)
    expect(author_page.get_by_role("heading", level=1)).to_have_text("Why your comment was removed")
    expect(author_page.locator(".facts")).to_contain_text("section 187")
    expect(author_page.get_by_role("button", name="Send appeal")).to_be_visible()
    problems += axe_violations(author_page)
    author_page.screenshot(path=output_path("statement.png"), full_page=True)
    author_page.goto(live_server.url + "/notices/guidelines/")
    problems += axe_violations(author_page)
    author_page.screenshot(path=output_path("guidelines.png"), full_page=True)
    # The public pages in the dark colour scheme too.
    dark = browser.new_context(bypass_csp=True, color_scheme="dark")
    sign_in(dark, live_server, author)
    dark_page = dark.new_page()
    for path in (f"/notices/new/?comment={comment.pk}", notice.get_absolute_url(), link):
        dark_page.goto(path if path.startswith("http") else live_server.url + path)
        problems += axe_violations(dark_page)
    dark.close()
    author_context.close()
    assert StatementOfReasons.objects.get().notice == notice
    assert problems == []


def test_appeal_by_the_author_decided_by_a_second_moderator(
    live_server, article, page: Page, axe_context, mail_to_outbox, run_tasks, output_path
):
    author = UserFactory(display_name="Ada", email="ada@example.com")
    comment = comment_create(article=article, author=author, body="You are all idiots.")
    first, second = moderator("mo@example.com", "Mo"), moderator("max@example.com", "Max")
    comment_set_status(comment=comment, status="removed", moderator=first, note="Rule 1: insult.")
    statement = StatementOfReasons.objects.get()

    # The author finds the decision on their page and appeals it.
    sign_in(axe_context, live_server, author)
    own = axe_context.new_page()
    own.goto(live_server.url + "/accounts/profile/")
    own.get_by_role("link", name=re.compile("Your comment on .* was removed")).click()
    expect(own.locator(".facts")).to_contain_text("Rule 1: insult.")
    own.get_by_label("Why should we look again?").fill("It was a quote from the article.")
    own.get_by_role("button", name="Send appeal").click()
    expect(own.locator(".messages")).to_contain_text("Your appeal is sent")
    expect(own.get_by_role("button", name="Send appeal")).to_have_count(0)
    assert axe_violations(own) == []
    appeal = Appeal.objects.get()
    assert appeal.statement == statement

    def decide(user, outcome: str, note: str) -> None:
        page.context.clear_cookies()
        sign_in(page.context, live_server, user)
        page.goto(f"{live_server.url}/admin/notices/appeal/{appeal.pk}/change/")
        expect(page.locator(".field-reason")).to_contain_text("a quote from the article")
        page.get_by_label("Outcome").select_option(outcome)
        page.get_by_label("Decision note").fill(note)
        page.locator('input[name="_save"]').click()

    # The moderator who removed it may not decide the appeal.
    decide(first, "reversed", "I was wrong.")
    expect(page.locator(".errornote, .errorlist")).to_contain_text(
        ["another moderator must decide"]
    )
    page.screenshot(path=output_path("refused.png"), full_page=True)
    appeal.refresh_from_db()
    assert not appeal.is_decided

    # A second moderator reverses it: the comment is back.
    decide(second, "reversed", "A quotation, not an insult.")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    appeal.refresh_from_db()
    comment.refresh_from_db()
    assert appeal.decided_by == second
    assert appeal.outcome == Appeal.Outcome.REVERSED
    assert comment.status == Comment.Status.PUBLISHED

    run_tasks()
    subjects = [m.subject for m in mails_to("ada@example.com")]
    assert any("the reasons" in s for s in subjects)  # the statement
    assert any("Your appeal: Reversed" in s for s in subjects)
    own.reload()
    expect(own.locator("#appeal-heading + p")).to_contain_text("Reversed")
