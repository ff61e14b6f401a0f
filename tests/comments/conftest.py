import pytest

from tests.factories import ArticleFactory, UserFactory, relaxed_moderation


@pytest.fixture
def rules(db):
    """Site rules with first-comment holding off, so most tests see comments published."""
    return relaxed_moderation()


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
