"""Finding 5: moderators see readers' public names, never e-mail addresses."""

import pytest
from django.urls import reverse

from comments.models import ModerationAction
from tests.admin.conftest import make_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_changelist")
HISTORY = reverse("admin:comments_moderationaction_changelist")


@pytest.fixture
def commenter():
    author = UserFactory(email="private.person@example.com", display_name="Public Pat")
    comment = make_comment(ArticleFactory(), author, "Something to moderate.")
    ModerationAction.objects.create(comment=comment, action="hidden", note="Looked at it")
    return author


def test_author_filters_show_no_email_addresses(moderator_client, commenter, superuser):
    """Finding 5: `?author=<id>` on the moderation list and the moderation history offers only
    authors of comments in that list, by public name; any other id (staff included) names
    nobody, and no address appears anywhere on the page."""
    bystander = UserFactory(email="never.commented@example.com", display_name="Quiet Quinn")
    for page in (QUEUE, HISTORY):
        html = moderator_client.get(f"{page}?author={commenter.pk}").content.decode()
        assert "Public Pat" in html  # offered, by the name readers see
        assert "private.person@example.com" not in html
        assert "private.person" not in html

        for other in (superuser, bystander):
            html = moderator_client.get(f"{page}?author={other.pk}").content.decode()
            assert other.email not in html, page
            assert other.email.partition("@")[0] not in html, page
            assert other.public_name not in html, page


def test_moderation_lists_cannot_be_searched_by_email_address(
    moderator_client, moderator, commenter
):
    """Finding 5: a search by address would confirm whose address it is; names only."""

    def found(page: str, query: str) -> int:
        return moderator_client.get(page, {"q": query}).context["cl"].result_count

    assert found(QUEUE, "private.person@example.com") == 0
    assert found(QUEUE, "Public Pat") == 1
    ModerationAction.objects.update(moderator=moderator)
    assert found(HISTORY, "moderator@example.com") == 0
    assert found(HISTORY, "Mo Moderator") == 1
