"""Comment cards (templates/comments/_comment.html): the avatar, times, the action bar, folded
threads, held notices and confirmations placed beside the comment they concern."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from comments import services
from comments.discussion import REPLIES_SHOWN_OPEN
from comments.models import Comment
from comments.templatetags.comment_cards import AVATAR_TONES, avatar_tone, initials, relative_time
from tests.factories import PASSWORD, ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def card_of(html: str, comment) -> str:
    """One comment's card, up to where its replies begin."""
    start = html.index(f'id="{comment.anchor}"')
    return html[start : html.index("<div data-reply-slot>", start)]


def top_messages(html: str) -> str:
    """The page-wide messages under the header ("" when there are none)."""
    start = html.find('<div class="wrap wrap--wide messages"')
    return "" if start == -1 else html[start : html.index("</div>", start)]


def discussion_top(html: str) -> str:
    """The discussion up to its list of threads: where its own notes show."""
    start = html.index("data-discussion")
    return html[start : html.index("data-comment-list", start)]


def post(article, author, body, **kwargs):
    return services.comment_create(article=article, author=author, body=body, **kwargs)


# --- the avatar and the time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "letters"),
    [("Ada Lovelace", "AL"), ("grace", "G"), ("Jean-Luc de la Tour", "JT"), ("", "?"), ("  ", "?")],
)
def test_initials(name, letters):
    assert initials(name) == letters


def test_avatar_tone_is_stable_and_spread():
    assert avatar_tone("Ada Lovelace") == avatar_tone("Ada Lovelace") == avatar_tone("ada lovelace")
    tones = {avatar_tone(f"Reader {n}") for n in range(200)}
    assert tones == set(range(1, AVATAR_TONES + 1))


def test_relative_time():
    now = timezone.now()
    assert relative_time(now) == "just now"
    assert relative_time(now - timedelta(minutes=5)) == "5 min ago"
    assert relative_time(now - timedelta(hours=2, minutes=10)) == "2 h ago"
    assert relative_time(now - timedelta(days=3)) == "3 d ago"
    old = now - timedelta(days=30)
    assert relative_time(old) == date_format(timezone.localtime(old), "DATE_FORMAT")


def test_card_shows_avatar_time_and_labelled_actions(client, rules, article, reader, other_reader):
    comment = post(article, other_reader, "Well *put*.")
    client.force_login(reader)
    card = card_of(client.get(article.get_absolute_url()).content.decode(), comment)
    tone = avatar_tone("Grace")
    assert f'<span class="avatar avatar--tone-{tone}" aria-hidden="true">G</span>' in card
    assert f'datetime="{comment.created_at:%Y-%m-%dT%H:%M:%S%z}"' in card
    assert 'title="' in card.split("<time", 1)[1].split(">", 1)[0]
    assert ">just now</time>" in card
    assert "gravatar" not in card.lower()
    for label in ("Reply", "Like", "Share", "More", "Report", "Mute", "Report illegal content"):
        assert f">{label}<" in card, label
    # Report sits behind More; Edit and Delete are the author's alone.
    more = card[card.index('<details class="comment__more">') :]
    assert ">Report<" in more
    assert ">Edit<" not in card
    assert ">Delete<" not in card
    assert " style=" not in card
    assert "<script" not in card


def test_own_card_offers_edit_and_delete_behind_more(client, rules, article, reader):
    comment = post(article, reader, "Mine.")
    client.force_login(reader)
    card = card_of(client.get(article.get_absolute_url()).content.decode(), comment)
    more = card[card.index('<details class="comment__more">') :]
    assert ">Edit<" in more
    assert ">Delete<" in more
    assert ">Report<" not in card
    assert "data-like-form" not in card


def test_anonymous_card_prints_no_zero_likes(client, rules, article, reader, other_reader):
    quiet = post(article, reader, "Nobody liked this.")
    liked = post(article, reader, "Somebody liked this.")
    services.comment_like(comment=liked, user=other_reader)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "0 like" not in html
    assert "comment__likes" not in card_of(html, quiet)
    assert '<span class="comment__count" data-like-count> 1<span class="visually-hidden"> like' in (
        card_of(html, liked)
    )


# --- threads ----------------------------------------------------------------------------------


def test_short_threads_open_long_ones_fold(client, rules, article, reader, other_reader):
    rules.user_rate_limit = 100
    rules.save()
    short = post(article, reader, "Short thread")
    for number in range(REPLIES_SHOWN_OPEN):
        post(article, other_reader, f"Short reply {number}", parent=short)
    long = post(article, reader, "Long thread")
    parent = long
    for number in range(REPLIES_SHOWN_OPEN + 7):
        # Some nested: the count is of every reply below, not only the first level.
        parent = post(
            article, other_reader, f"Long reply {number}", parent=parent if number % 2 else long
        )
    html = client.get(article.get_absolute_url()).content.decode()

    def replies_of(comment):
        start = html.index(f'id="{comment.anchor}"')
        return html[html.index('<details class="comment__replies"', start) :][:400]

    assert "data-replies open>" in replies_of(short)
    folded = replies_of(long)
    assert "data-replies>" in folded
    assert f"Show {REPLIES_SHOWN_OPEN + 7} replies" in folded
    assert f"Hide {REPLIES_SHOWN_OPEN + 7} replies" in folded  # shown by CSS once open
    assert "Long reply 3" in html  # folded, not left out


def test_deleted_comment_without_replies_leaves_no_stub(
    client, rules, article, reader, other_reader
):
    alone = post(article, reader, "Regret alone")
    answered = post(article, reader, "Regret answered")
    post(article, other_reader, "An answer", parent=answered)
    services.comment_delete(comment=alone, user=reader)
    services.comment_delete(comment=answered, user=reader)
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'id="{alone.anchor}"' not in html
    assert "Comment deleted" in card_of(html, answered)
    assert "An answer" in html
    assert html.count("Comment deleted") == 1


# --- held comments ----------------------------------------------------------------------------


def test_held_comment_is_a_calm_note_without_a_second_review_request(client, rules, reader):
    article = ArticleFactory(is_premoderated=True)
    client.force_login(reader)
    client.post(reverse("comments:create", args=[article.pk]), {"body": "Held words"})
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    card = card_of(client.get(article.get_absolute_url()).content.decode(), comment)
    assert '<span class="pill pill--held">Held for review</span>' in card
    assert "Only you can see this comment." in card
    assert "Ask a moderator to review it" not in card  # it is in the queue already


def test_hidden_comment_offers_one_review_request(client, rules, article, reader, moderator):
    comment = post(article, reader, "Contested")
    services.comment_set_status(
        comment=comment, status=Comment.Status.HIDDEN, moderator=moderator, note="Off topic."
    )
    client.force_login(reader)
    card = card_of(client.get(article.get_absolute_url()).content.decode(), comment)
    assert "Hidden by a moderator" in card
    assert "Off topic." in card
    assert "Ask a moderator to review it" in card
    response = client.post(reverse("comments:request-review", args=[comment.pk]), follow=True)
    html = response.content.decode()
    card = card_of(html, comment)
    assert "Ask a moderator to review it" not in card
    assert "You asked for a review" in card
    # The confirmation sits in the card, not at the top of the page.
    assert "A moderator will look at your comment again." in card
    assert "A moderator will look at your comment again." not in top_messages(html)


# --- confirmations beside what they concern ---------------------------------------------------


def test_posted_confirmation_is_in_the_new_comments_card(client, rules, article, reader):
    client.force_login(reader)
    response = client.post(
        reverse("comments:create", args=[article.pk]), {"body": "Fresh words"}, follow=True
    )
    html = response.content.decode()
    comment = Comment.objects.get()
    assert "Your comment was posted." in card_of(html, comment)
    assert 'role="status"' in card_of(html, comment)
    assert "Your comment was posted." not in top_messages(html)
    assert html.count("Your comment was posted.</p>") == 1
    # Shown once: the next view has no confirmation.
    again = client.get(article.get_absolute_url()).content.decode()
    assert "Your comment was posted.</p>" not in again


def test_held_reply_deep_in_a_folded_thread_opens_to_its_confirmation(
    client, rules, article, reader, other_reader
):
    rules.user_rate_limit = 100
    rules.save()
    top = post(article, other_reader, "A long thread")
    for number in range(REPLIES_SHOWN_OPEN + 2):
        post(article, other_reader, f"Reply {number}", parent=top)
    client.force_login(reader)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "data-replies open>" not in html[html.index(f'id="{top.anchor}"') :]
    response = client.post(
        reverse("comments:create", args=[article.pk]),
        {"body": "My answer", "parent": top.pk},
        follow=True,
    )
    html = response.content.decode()
    mine = Comment.objects.get(body="My answer")
    assert "Your comment was posted." in card_of(html, mine)
    assert "data-replies open>" in html[html.index(f'id="{top.anchor}"') :]


def test_edit_report_and_mute_confirmations_sit_in_the_card(
    client, rules, article, reader, other_reader
):
    mine = post(article, reader, "First draft")
    theirs = post(article, other_reader, "Provocative")
    client.force_login(reader)
    html = client.post(
        reverse("comments:edit", args=[mine.pk]), {"body": "Second draft"}, follow=True
    ).content.decode()
    assert "Your comment was updated." in card_of(html, mine)
    html = client.post(
        reverse("comments:report", args=[theirs.pk]), {"reason": "abuse"}, follow=True
    ).content.decode()
    assert "Thanks for your report." in card_of(html, theirs)
    assert "Thanks for your report." not in top_messages(html)


def test_delete_and_follow_confirmations_top_the_discussion(client, rules, article, reader):
    mine = post(article, reader, "Soon gone")
    client.force_login(reader)
    response = client.post(reverse("comments:delete", args=[mine.pk]), follow=True)
    assert response.redirect_chain[-1][0] == f"{article.get_absolute_url()}#comments"
    html = response.content.decode()
    assert "Your comment was deleted." in discussion_top(html)
    assert "Your comment was deleted." not in top_messages(html)
    html = client.post(
        reverse("comments:follow", args=[article.pk]), {"action": "follow"}, follow=True
    ).content.decode()
    assert "You will get an email about new comments here." in discussion_top(html)
    assert top_messages(html) == ""


def test_signed_in_on_the_way_to_the_discussion_is_said_there(client, rules, article):
    user = UserFactory(display_name="Lin")
    next_url = f"{article.get_absolute_url()}#comments"
    response = client.post(
        f"{reverse('account_login')}?next={next_url}",
        {"login": user.email, "password": PASSWORD, "next": next_url},
        follow=True,
    )
    html = response.content.decode()
    assert "Logged in as Lin." in discussion_top(html)
    assert "Logged in" not in top_messages(html)


def test_other_messages_stay_at_the_top(client, rules, article, reader):
    user = UserFactory(display_name="Kim")
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert "Logged in as Kim." in top_messages(response.content.decode())


def test_script_gets_the_card_with_its_confirmation(client, rules, article, reader):
    client.force_login(reader)
    response = client.post(
        reverse("comments:create", args=[article.pk]), {"body": "Via script"}, **XHR
    )
    assert response.status_code == 201
    html = response.content.decode()
    assert html.lstrip().startswith("<li")
    assert "Your comment was posted." in html


def test_script_gets_a_held_card(client, rules, reader):
    article = ArticleFactory(is_premoderated=True)
    client.force_login(reader)
    response = client.post(
        reverse("comments:create", args=[article.pk]), {"body": "Held words"}, **XHR
    )
    html = response.content.decode()
    assert "comment--held" in html
    assert "held for review" in html
    assert "Your comment was posted." not in html


# --- sort tabs and the heading ----------------------------------------------------------------


def test_sort_tabs_are_links_marking_the_current_order(client, rules, article, reader):
    post(article, reader, "One")
    post(article, reader, "Two")
    html = client.get(article.get_absolute_url() + "?sort=newest").content.decode()
    assert '<h2 id="comments-heading">Comments <span class="comments__count">2</span></h2>' in html
    tabs = html[html.index('class="sort-tabs"') :]
    tabs = tabs[: tabs.index("</nav>")]
    assert (
        '<a class="sort-tabs__tab" href="?sort=newest#comments" aria-current="true">Newest' in tabs
    )
    assert tabs.count("aria-current") == 1
    assert ">Best<" in tabs
    assert ">Oldest<" in tabs
