"""Rate limits say how long to wait, and limit each account before each network address."""

import pytest

from comments import ratelimit, services
from comments.models import Comment, TrustChange
from tests.admin.conftest import make_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.50"


def post(article, author, body, **kwargs):
    return services.comment_create(article=article, author=author, body=body, **kwargs)


def test_wait_counts_down_to_the_end_of_the_window(monkeypatch):
    monkeypatch.setattr(ratelimit, "now", lambda: 600.0 * 1000 + 30.5)
    assert ratelimit.wait("t:a", limit=1, window=600) == 0
    assert ratelimit.wait("t:a", limit=1, window=600) == 570  # 600 - 30.5, rounded up
    assert not ratelimit.hit("t:a", limit=1, window=600)
    monkeypatch.setattr(ratelimit, "now", lambda: 600.0 * 1001)
    assert ratelimit.wait("t:a", limit=1, window=600) == 0


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1, "Try again in 1 second."),
        (45, "Try again in 45 seconds."),
        (60, "Try again in 1 minute."),
        (61, "Try again in 2 minutes."),
        (170, "Try again in 3 minutes."),
    ],
)
def test_try_again_in(seconds, text):
    assert ratelimit.try_again_in(seconds) == text


def test_the_message_says_how_long_to_wait(rules, article, reader, monkeypatch):
    monkeypatch.setattr(ratelimit, "now", lambda: 600.0 * 2000 + 430)
    rules.user_rate_limit = 1
    rules.save()
    post(article, reader, "one")
    with pytest.raises(services.RateLimited) as refused:
        post(article, reader, "two")
    assert refused.value.wait_seconds == 170
    assert refused.value.message == "You are commenting too quickly. Try again in 3 minutes."


def test_trusted_readers_sharing_an_address_are_limited_per_account_only(
    rules, article, monkeypatch
):
    """Colleagues behind one office address with a record of approved comments are not
    locked out by each other: only their own per-account limit applies."""
    monkeypatch.setattr(ratelimit, "now", lambda: 600.0 * 3000)
    rules.ip_rate_limit = 2
    rules.trusted_after_comments = 1
    rules.save()
    colleagues = [UserFactory() for _ in range(4)]
    for colleague in colleagues:
        make_comment(ArticleFactory(), colleague)  # an approved comment: earned trust
    for colleague in colleagues:
        assert post(article, colleague, f"From {colleague.pk}", ip_address=OFFICE).pk
    assert Comment.objects.filter(article=article).count() == 4


def test_fresh_accounts_still_share_the_address_limit(rules, article, monkeypatch):
    monkeypatch.setattr(ratelimit, "now", lambda: 600.0 * 4000)
    rules.ip_rate_limit = 2
    rules.trusted_after_comments = 1
    rules.save()
    post(article, UserFactory(), "one", ip_address=OFFICE)
    post(article, UserFactory(), "two", ip_address=OFFICE)
    with pytest.raises(services.RateLimited):
        post(article, UserFactory(), "three", ip_address=OFFICE)
    # A reader a moderator marked untrusted counts towards the address too.
    untrusted = UserFactory()
    make_comment(ArticleFactory(), untrusted)
    TrustChange.objects.create(user=untrusted, level=TrustChange.Level.UNTRUSTED, note="x")
    with pytest.raises(services.RateLimited):
        post(article, untrusted, "four", ip_address=OFFICE)


def test_the_account_limit_applies_before_the_address_is_counted(rules, article, monkeypatch):
    """A chatty account hitting its own limit does not use up its colleagues' address."""
    monkeypatch.setattr(ratelimit, "now", lambda: 600.0 * 5000)
    rules.user_rate_limit = 1
    rules.ip_rate_limit = 2
    rules.save()
    chatty = UserFactory()
    post(article, chatty, "one", ip_address=OFFICE)
    for n in range(3):
        with pytest.raises(services.RateLimited):
            post(article, chatty, f"again {n}", ip_address=OFFICE)
    assert post(article, UserFactory(), "a colleague", ip_address=OFFICE).pk
