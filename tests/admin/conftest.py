"""Staff accounts in each role, and comments in each moderation state."""

import pytest
from django.contrib.auth.models import Group
from django.db.models import F

from articles.models import Article
from comments.models import Comment, CommentReport
from newsroom.roles import EDITORS, MODERATORS
from tests.factories import ArticleFactory, UserFactory


def staff_in(group_name: str, **fields):
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor(db):
    return staff_in(EDITORS, email="editor@example.com", display_name="Eddie Editor")


@pytest.fixture
def moderator(db):
    return staff_in(MODERATORS, email="moderator@example.com", display_name="Mo Moderator")


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, email="boss@example.com")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def article(db):
    return ArticleFactory(title="A story worth discussing", slug="a-story")


def make_comment(article: Article, author, body: str = "A comment.", **fields) -> Comment:
    """A comment row in a given state, keeping Article.comment_count as the service would."""
    comment = Comment.objects.create(article=article, author=author, body=body, **fields)
    if comment.is_counted:
        Article.objects.filter(pk=article.pk).update(comment_count=F("comment_count") + 1)
    return comment


def report(comment: Comment, *, reason: str = CommentReport.Reason.SPAM) -> CommentReport:
    row = CommentReport.objects.create(comment=comment, reporter=UserFactory(), reason=reason)
    Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    return row
