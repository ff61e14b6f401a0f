"""Muting a commenter (comments.mutes): for the reader alone, collapsed behind "Muted: show",
no mail about them, managed on the reader's own page; staff cannot be muted; the moderation
views are unaffected; the article page pays one query only for readers who muted someone."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import MailFrequency, User
from comments import services
from comments.models import Comment, CommentLike, DigestEntry, Mute
from comments.mutes import (
    MUTES_PER_MINUTE,
    CannotMute,
    MutingTooOften,
    mute_create,
    mute_delete,
)
from tests.comments import test_queries
from tests.comments.test_queries import SIGNED_IN, sql_for_page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
discussion = test_queries.discussion  # the fixture the article page's query guards use

SUMMARY = "<summary>Muted: show"


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def troll(db):
    return UserFactory(display_name="Troll")


def post(article, author, body, **kwargs) -> Comment:
    comment = services.comment_create(article=article, author=author, body=body, **kwargs)
    return Comment.objects.select_related("author").get(pk=comment.pk)


def card_of(html: str, comment) -> str:
    start = html.index(f'id="{comment.anchor}"')
    return html[start : html.find("<div data-reply-slot>", start)]


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def test_muting_from_a_comment_collapses_that_commenter_for_me_alone(
    client, rules, article, reader, other_reader, troll
):
    bait = post(article, troll, "Bait for everyone")
    fine = post(article, other_reader, "A fair point")
    reply = post(article, other_reader, "Answering the bait", parent=bait)
    client.force_login(reader)
    before = client.get(article.get_absolute_url()).content.decode()
    assert SUMMARY not in before
    assert 'Mute<span class="visually-hidden"> Troll</span>' in card_of(before, bait)

    response = client.post(reverse("comments:mute", args=[bait.pk]))
    assert response.status_code == 302
    mute = Mute.objects.get()
    assert (mute.user, mute.muted) == (reader, troll)
    assert fresh(reader).mute_count == 1

    html = client.get(article.get_absolute_url()).content.decode()
    card = card_of(html, bait)
    # Collapsed, not removed: a <details> the reader can open without JavaScript.
    assert '<details class="comment__muted"><summary>Muted: show' in card
    assert card.index("<details") < card.index("Bait for everyone") < card.index("</details>")
    assert f'action="{reverse("comments:unmute", args=[mute.pk])}"' in card
    assert SUMMARY not in card_of(html, fine)
    assert SUMMARY not in card_of(html, reply)  # replies to them stay as they are
    # Nobody else sees a difference.
    other = Client()
    other.force_login(other_reader)
    assert SUMMARY not in other.get(article.get_absolute_url()).content.decode()
    assert SUMMARY not in Client().get(article.get_absolute_url()).content.decode()


def test_unmute_from_the_profile_page(client, rules, article, reader, troll, other_reader):
    mute = mute_create(user=reader, muted=troll)
    client.force_login(reader)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Muted commenters" in profile
    assert "Troll" in profile
    assert f'action="{reverse("comments:unmute", args=[mute.pk])}"' in profile
    # Somebody else's mute is not theirs to lift.
    theirs = mute_create(user=other_reader, muted=troll)
    assert client.post(reverse("comments:unmute", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("comments:unmute", args=[mute.pk]), {"next": reverse("accounts:profile")}
    )
    assert response["Location"] == reverse("accounts:profile")
    assert list(Mute.objects.values_list("user_id", flat=True)) == [other_reader.pk]
    assert fresh(reader).mute_count == 0
    assert "You have muted nobody" in client.get(reverse("accounts:profile")).content.decode()


def test_unmute_refuses_a_next_address_off_the_site(client, rules, article, reader, troll):
    comment = post(article, troll, "Hello")
    mute = mute_create(user=reader, muted=troll)
    client.force_login(reader)
    response = client.post(
        reverse("comments:unmute", args=[mute.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:profile")
    assert comment.pk  # the comment itself untouched
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_mute_needs_a_post_with_csrf_and_a_login(rules, article, reader, troll):
    comment = post(article, troll, "Hello")
    url = reverse("comments:mute", args=[comment.pk])
    anonymous = Client()
    assert anonymous.post(url).status_code == 302  # to log in
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert strict.get(url).status_code == 405
    assert strict.post(url).status_code == 403  # no CSRF token
    assert not Mute.objects.exists()


def test_staff_and_oneself_cannot_be_muted(client, rules, article, reader, moderator):
    staff_comment = post(article, moderator, "House rules")
    with pytest.raises(CannotMute):
        mute_create(user=reader, muted=moderator)
    with pytest.raises(CannotMute):
        mute_create(user=reader, muted=reader)
    client.force_login(reader)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Mute<span" not in card_of(html, staff_comment)
    response = client.post(reverse("comments:mute", args=[staff_comment.pk]), follow=True)
    assert "Journalists and moderators cannot be muted." in response.content.decode()
    assert not Mute.objects.exists()


def test_a_mute_made_before_someone_joined_the_staff_is_ignored(
    client, rules, article, reader, troll, other_reader, run_tasks
):
    mute_create(user=reader, muted=troll)
    User.objects.filter(pk=troll.pk).update(is_staff=True)
    parent = post(article, reader, "Mine")
    comment = post(article, User.objects.get(pk=troll.pk), "Now on the desk", parent=parent)
    client.force_login(reader)
    html = client.get(article.get_absolute_url()).content.decode()
    assert SUMMARY not in card_of(html, comment)
    run_tasks()
    assert [m.to for m in mail.outbox] == [[reader.email]]  # their staff reply is mailed


def test_no_mail_about_muted_commenters(rules, article, reader, other_reader, troll, run_tasks):
    services.thread_follow(article=article, user=reader)
    parent = post(article, reader, "Mine")
    mute_create(user=reader, muted=troll)
    post(article, troll, "Reply from the troll", parent=parent)
    post(article, troll, "Top-level from the troll")
    run_tasks()
    assert mail.outbox == []
    # Nor in a digest.
    User.objects.filter(pk=reader.pk).update(
        reply_mail=MailFrequency.DAILY, followed_mail=MailFrequency.DAILY
    )
    post(article, troll, "Another reply", parent=parent)
    run_tasks()
    assert not DigestEntry.objects.exists()
    # Others still hear from them, and the reader from others.
    services.thread_follow(article=article, user=other_reader)
    post(article, troll, "For the followers")
    run_tasks()
    assert [m.to for m in mail.outbox] == [[other_reader.email]]


def test_mutes_are_rate_limited(rules, article, reader):
    others = [UserFactory() for _ in range(MUTES_PER_MINUTE + 1)]
    for person in others[:MUTES_PER_MINUTE]:
        mute_create(user=reader, muted=person)
    with pytest.raises(MutingTooOften):
        mute_create(user=reader, muted=others[-1])
    assert Mute.objects.count() == MUTES_PER_MINUTE
    with pytest.raises(MutingTooOften):  # unmuting counts too
        mute_delete(user=reader, mute=Mute.objects.first())


def test_rate_limited_mute_says_so(client, rules, article, reader):
    comments = [post(article, UserFactory(), f"C{n}") for n in range(MUTES_PER_MINUTE + 1)]
    client.force_login(reader)
    for comment in comments[:MUTES_PER_MINUTE]:
        client.post(reverse("comments:mute", args=[comment.pk]))
    response = client.post(reverse("comments:mute", args=[comments[-1].pk]), follow=True)
    assert "too quickly" in response.content.decode()
    assert Mute.objects.count() == MUTES_PER_MINUTE


def test_moderation_views_ignore_a_moderators_mutes(client, rules, article, moderator, troll):
    comment = post(article, troll, "Needs a look")
    mute_create(user=moderator, muted=troll)
    client.force_login(moderator)
    response = client.get(reverse("admin:comments_comment_changelist"))
    assert response.status_code == 200
    assert reverse("admin:comments_comment_change", args=[comment.pk]) in response.content.decode()


def test_export_names_my_mutes_and_not_who_muted_me(client, rules, reader, troll):
    mute_create(user=reader, muted=troll)
    client.force_login(reader)
    mine = client.get(reverse("accounts:export")).json()
    assert [m["name"] for m in mine["muted commenters"]] == ["Troll"]
    client.force_login(troll)
    theirs = client.get(reverse("accounts:export")).json()
    assert theirs["muted commenters"] == []
    assert "mutes" not in theirs


@pytest.mark.parametrize("total", [1, 500])
def test_a_reader_with_mutes_pays_one_query_and_without_none(
    client, discussion, reader, page_queries, total
):
    """The mutes query runs only for readers who muted someone (User.mute_count), so the
    article page's SIGNED_IN count holds for everyone else."""
    client.force_login(reader)
    url = discussion(total, client)
    CommentLike.objects.bulk_create(
        CommentLike(comment=comment, user=reader) for comment in Comment.objects.all()[:50]
    )
    sql = sql_for_page(client, url, page_queries)
    assert len(sql) == SIGNED_IN
    assert not any("comments_mute" in statement for statement in sql)
    steady = len(sql_for_page(client, url, page_queries))  # the page's fragments now kept
    muted = Comment.objects.exclude(author=reader).select_related("author").first().author
    mute_create(user=reader, muted=muted)
    sql = sql_for_page(client, url, page_queries)
    assert len(sql) == steady + 1, "\n".join(sql)
    assert sum("comments_mute" in statement for statement in sql) == 1
    assert SUMMARY in client.get(url).content.decode()
