import pytest

from comments.models import ModerationSettings
from tests.factories import ArticleFactory, UserFactory


@pytest.fixture
def rules(db):
    """Site rules with first-comment holding off, so most tests see comments published."""
    rules = ModerationSettings.load()
    rules.first_comment_held = False
    rules.save()
    return rules


@pytest.fixture
def article(db):
    return ArticleFactory(title="Ports reopen after the storm")


@pytest.fixture
def reader(db):
    return UserFactory(display_name="Ada")


@pytest.fixture
def other_reader(db):
    return UserFactory(display_name="Grace")


@pytest.fixture
def moderator(db):
    return UserFactory(display_name="Editor", is_staff=True, is_superuser=True)
