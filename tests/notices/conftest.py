"""A published comment by a reader, two moderators, and mail kept in memory."""

import pytest
from django.contrib.auth.models import Group

from comments.services import comment_create
from newsroom.roles import EDITORS, MODERATORS
from tests.factories import ArticleFactory, UserFactory, relaxed_moderation


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def staff_in(group: str, **fields):
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def article(db):
    relaxed_moderation()
    return ArticleFactory(title="Ports reopen after the storm")


@pytest.fixture
def author(db):
    return UserFactory(display_name="Ada", email="ada@example.com")


@pytest.fixture
def comment(article, author):
    return comment_create(article=article, author=author, body="The harbour master is a crook.")


@pytest.fixture
def moderator(db):
    return staff_in(MODERATORS, email="mo@example.com", display_name="Mo")


@pytest.fixture
def second_moderator(db):
    return staff_in(MODERATORS, email="max@example.com", display_name="Max")


@pytest.fixture
def editor(db):
    return staff_in(EDITORS, email="eddie@example.com", display_name="Eddie")


def notice_fields(**overrides) -> dict:
    """What the public form sends, as keyword arguments of notice_create."""
    return {
        "ground": "defamation",
        "law": "Criminal code, section 187",
        "explanation": "It accuses a named official of a crime without any evidence.",
        "location_url": "https://example.com/comments/1/",
        "sender_name": "Sam Sender",
        "sender_email": "sam@example.com",
        "is_good_faith": True,
        **overrides,
    }
