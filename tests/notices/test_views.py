"""The public pages: notice form and receipt, statements with the appeal form, guidelines."""

import pytest
from django.core import mail
from django.test import Client

from comments.services import comment_set_status
from notices import services
from notices.models import Appeal, CommunityGuidelines, Notice, StatementOfReasons
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = "/notices/new/"


def form_data(comment=None, **overrides) -> dict:
    data = {
        "location_url": f"https://example.com/comments/{comment.pk if comment else 1}/",
        "ground": "hate",
        "law": "",
        "explanation": "It calls for violence against a group.",
        "sender_name": "Sam Sender",
        "sender_email": "sam@example.com",
        "is_good_faith": "on",
        "comment": comment.pk if comment else "",
        "client_token": "form-token-1",
        "website": "",
    }
    return {**data, **overrides}


def test_every_comment_links_to_the_notice_form_and_every_box_to_the_guidelines(
    client, comment, author
):
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert f'href="/notices/new/?comment={comment.pk}"' in page
    assert 'href="/notices/new/"' in page  # the footer
    client.force_login(author)
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert 'class="comment-form__guidelines" href="/notices/guidelines/"' in page


def test_the_form_is_prefilled_from_the_comment_for_a_logged_out_reader(client, comment):
    response = client.get(NEW, {"comment": comment.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["location_url"].value() == f"http://testserver/comments/{comment.pk}/"
    assert form["comment"].value() == comment.pk
    assert len(form["client_token"].value()) == 32
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert "The harbour master is a crook." in response.content.decode()


def test_a_logged_out_post_needs_csrf(comment):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(NEW, form_data(comment))
    assert response.status_code == 403
    assert not Notice.objects.exists()
    strict.get(NEW)
    token = strict.cookies["csrftoken"].value
    response = strict.post(NEW, {**form_data(comment), "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_sending_shows_the_reference_at_once(client, comment):
    response = client.post(NEW, form_data(comment), follow=True)
    notice = Notice.objects.get()
    assert notice.comment == comment
    assert response.redirect_chain[-1][0] == notice.get_absolute_url()
    assert notice.reference in response.content.decode()
    assert "sam@example.com" not in response.content.decode()  # the receipt page is shareable


def test_a_double_submit_makes_one_notice(client, comment):
    first = client.post(NEW, form_data(comment))
    second = client.post(NEW, form_data(comment))
    assert Notice.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"explanation": "x" * 5_001}, "at most 5000 characters"),
        ({"sender_email": "sam at example"}, "valid email address"),
        ({"location_url": "not a url at all"}, "full web address"),
        ({"is_good_faith": ""}, "good faith"),
        ({"ground": "treason"}, "Select a valid choice"),
    ],
)
def test_bad_input_reshows_the_form_with_the_text_kept(client, comment, overrides, error):
    data = form_data(comment, **overrides)
    response = client.post(NEW, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert "Your notice was not sent" in page
    assert data["explanation"][:100] in page
    assert "Sam Sender" in page
    assert not Notice.objects.exists()


def test_rate_limited_senders_keep_their_text(client, comment):
    for number in range(services.NOTICES_PER_IP):
        client.post(
            NEW, form_data(comment, client_token=f"t{number}", sender_email=f"{number}@x.org")
        )
    response = client.post(NEW, form_data(comment, client_token="last", explanation="Kept text."))
    assert response.status_code == 429
    assert "Too many notices" in response.content.decode()
    assert "Kept text." in response.content.decode()
    assert Notice.objects.count() == services.NOTICES_PER_IP


def test_the_honeypot_drops_the_notice(client, comment):
    response = client.post(NEW, form_data(comment, website="http://spam.example"))
    assert response.status_code == 302
    assert not Notice.objects.exists()


def test_an_unknown_reference_is_not_found(client):
    assert client.get("/notices/N-2026-AAAAAAAA/").status_code == 404


# --- statements and appeals ------------------------------------------------------------------


@pytest.fixture
def statement(comment, moderator):
    comment_set_status(comment=comment, status="removed", moderator=moderator, note="Insult.")
    return StatementOfReasons.objects.get()


def test_the_author_reads_the_statement_and_can_appeal_once(client, statement, author):
    client.force_login(author)
    page = client.get(statement.get_absolute_url()).content.decode()
    assert "Why your comment was removed" in page
    assert "Insult." in page
    assert "community guidelines" in page
    assert "Detected by automated means: no" in page
    assert "Send appeal" in page

    url = f"{statement.get_absolute_url()}appeal/"
    response = client.post(url, {"reason": "It was a joke between friends."}, follow=True)
    assert Appeal.objects.get().reason == "It was a joke between friends."
    page = response.content.decode()
    assert "Your appeal is sent" in page
    assert "Send appeal" not in page
    response = client.post(url, {"reason": "Again!"})
    assert response.status_code == 400
    assert "already been appealed" in response.content.decode()
    assert Appeal.objects.count() == 1


def test_an_empty_appeal_reshows_the_form(client, statement, author):
    client.force_login(author)
    response = client.post(f"{statement.get_absolute_url()}appeal/", {"reason": ""})
    assert response.status_code == 400
    assert "Tell us why" in response.content.decode()
    assert not Appeal.objects.exists()


def test_statements_are_private_to_their_author_and_staff(client, statement, moderator):
    url = statement.get_absolute_url()
    assert client.get(url).status_code == 302  # to log in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.post(f"{url}appeal/", {"reason": "Me too"}).status_code == 404
    client.force_login(moderator)
    page = client.get(url).content.decode()
    assert "Only the comment\N{RIGHT SINGLE QUOTATION MARK}s author can appeal" in page


def test_the_profile_lists_decisions_about_the_readers_comments(client, statement, author):
    client.force_login(author)
    page = client.get("/accounts/profile/").content.decode()
    assert "Decisions about your comments" in page
    assert f'href="{statement.get_absolute_url()}"' in page


def test_the_profile_lists_decisions_in_a_fixed_number_of_queries(
    client, statement, author, moderator, article
):
    """Guards the N+1 of each statement's comment, article and appeal."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comments.services import comment_create

    client.force_login(author)
    with CaptureQueriesContext(connection) as one:
        client.get("/accounts/profile/")
    for number in range(3):
        other = comment_create(article=article, author=author, body=f"Another {number}")
        comment_set_status(comment=other, status="hidden", moderator=moderator)
    services.appeal_create(statement=statement, author=author, reason="Please.")
    with CaptureQueriesContext(connection) as four:
        page = client.get("/accounts/profile/").content.decode()
    # Each hidden comment has its statement; a held one (the author's recent rejections) too.
    sent = StatementOfReasons.objects.filter(recipient=author).count()
    assert sent >= 4
    assert page.count("/notices/statements/") == sent
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_statement_page_makes_few_queries(client, statement, author, page_queries):
    client.force_login(author)
    with page_queries() as sql:
        client.get(statement.get_absolute_url())
    # session, user, the statement with its comment, article, notice and appeal, guidelines
    assert len(sql) <= 4, sql


def test_a_held_comment_is_not_named_on_the_form(client, comment, moderator):
    comment_set_status(comment=comment, status="pending", moderator=moderator)
    page = client.get(NEW, {"comment": comment.pk}).content.decode()
    assert "The harbour master" not in page
    assert "Ada" not in page


def test_the_profile_without_decisions_has_no_such_section(client, author):
    client.force_login(author)
    assert "Decisions about your comments" not in client.get("/accounts/profile/").content.decode()


def test_statement_mail_links_to_the_statement(statement, run_tasks, author):
    run_tasks()
    assert [m.to for m in mail.outbox] == [[author.email]]
    assert statement.get_absolute_url() in mail.outbox[0].body


# --- guidelines ------------------------------------------------------------------------------


def test_guidelines_exist_from_the_start_and_changes_show_at_once(client, editor):
    page = client.get("/notices/guidelines/")
    assert page.status_code == 200
    assert "Be civil." in page.content.decode()
    assert client.get("/notices/guidelines/")["X-Page-Cache"] == "hit"

    guidelines = CommunityGuidelines.current()
    guidelines.body = "1. **Be kind.** Always."
    guidelines.save()
    from tests.conftest import run_commit_callbacks

    run_commit_callbacks()
    page = client.get("/notices/guidelines/").content.decode()
    assert "<strong>Be kind.</strong>" in page
    assert "Be civil." not in page
