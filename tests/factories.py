import factory
from django.utils import timezone

from accounts.models import User
from articles.models import Article, Source, Tag
from comments.models import ModerationSettings


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "A short standfirst."
    body = "First paragraph.\n\nSecond paragraph."
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create and extracted:
            self.sources.set(extracted)


class AuthorFactory(factory.django.DjangoModelFactory):
    """A byline: a staff account's public name and page."""

    class Meta:
        model = "articles.Author"

    user = factory.SubFactory("tests.factories.UserFactory", is_staff=True)
    name = factory.Sequence(lambda n: f"Journalist {n}")
    slug = factory.Sequence(lambda n: f"journalist-{n}")
    bio = "Covers ports and shipping."


# Every factory-made reader's password.
PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A reader who can sign in: usable password "correct horse battery", verified address.

    Pass verified=False for one who has not yet clicked the e-mail link.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Reader {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )


class CommentFactory(factory.django.DjangoModelFactory):
    """A published comment written straight to the table (no rules, no counter upkeep).

    Use comments.services.comment_create when the test is about the rules or the counter.
    """

    class Meta:
        model = "comments.Comment"

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment number {n}")
    status = "published"


def relaxed_moderation(**overrides) -> ModerationSettings:
    """Site rules with first-comment holding off (and any overrides), so comments publish."""
    rules = ModerationSettings.load()
    rules.first_comment_held = False
    for name, value in overrides.items():
        setattr(rules, name, value)
    rules.save()
    return rules


def image_bytes(size=(1600, 900), kind="JPEG", mode="RGB") -> bytes:
    """A small gradient picture (compresses well, but is not one flat colour)."""
    import io

    from PIL import Image

    image = Image.linear_gradient("L").resize(size).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def with_lead_image(article: Article, *, size=(960, 540), alt="Cranes at dusk", **fields):
    """Give `article` a lead image (the worker's renditions are not made: run_tasks() does)."""
    from django.core.files.base import ContentFile

    article.lead_image.save("photo.jpg", ContentFile(image_bytes(size)), save=False)
    article.lead_image_alt = alt
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    return article
