"""A small, realistic site (the seed article, a discussion, a reader) and the pages to check."""

from django.core.management import call_command

from articles.models import Article, Source, Tag
from comments.mutes import mute_create
from comments.services import comment_create
from portability.models import ImportedIdentity
from tests.factories import UserFactory, relaxed_moderation

READER_PASSWORD = "correct horse battery"


def build_site():
    """Load the seed and start a discussion; returns (article, reader)."""
    call_command("load_seeds", verbosity=0)
    relaxed_moderation()
    article = Article.objects.get(seed_file="000_bdaed668570d60b1.txt")
    reader = UserFactory(display_name="Ada <b>Reader</b>")
    first = comment_create(article=article, author=reader, body="Is this *really* new?")
    other = UserFactory(display_name="Grace")
    comment_create(
        article=article,
        author=other,
        body="> quoted\n\nIt was in [Reuters](https://reuters.com).",
        parent=first,
    )
    # A muted commenter: the reader's pages show the folded comment and the mutes list.
    troll = UserFactory(display_name="Troll")
    comment_create(article=article, author=troll, body="Muted for Ada.")
    mute_create(user=reader, muted=troll)
    # Comments imported from an earlier system under the reader's address: the claim page.
    placeholder = UserFactory(display_name="Ada (2019)", is_active=False)
    ImportedIdentity.objects.create(
        source="disqus", key=reader.email, name="Ada", email=reader.email, user=placeholder
    )
    return article, reader


def public_paths(article) -> list[str]:
    return [
        "/",
        article.get_absolute_url(),
        # The seed with a lead image (its original, sized: no worker runs here).
        Article.objects.get(seed_file="001_harbour-at-dusk.md").get_absolute_url(),
        Tag.objects.get(name="Security").get_absolute_url(),
        Source.objects.get(name="Reuters").get_absolute_url(),
        "/search/?q=Huawei",
        "/accessibility/",
        "/moderation/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/no-such-page/",
    ]


def reader_paths(article) -> list[str]:
    return [
        article.get_absolute_url(),
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/import/claim/",
    ]
