import hashlib
import json
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from newsite.i18n import article_languages, text_direction
from newsite.markdown import render_article_markdown

from .images import lead_image_path, picture


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=70, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:tag", kwargs={"slug": self.slug})


class Source(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=110, unique=True)
    url = models.URLField(blank=True, help_text=_("The source's home page, linked from its name."))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:source", kwargs={"slug": self.slug})


class Author(models.Model):
    """A journalist's public byline: a staff account's name, address and short bio."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="author_profile",
        limit_choices_to={"is_staff": True},
        help_text=_(
            "The staff account that writes as this author (comments get the Author badge)."
        ),
    )
    name = models.CharField(max_length=100, help_text=_("The name shown in bylines."))
    slug = models.SlugField(
        max_length=110, unique=True, help_text=_("The author page's address: /authors/<slug>/.")
    )
    bio = models.TextField(
        max_length=600, blank=True, help_text=_("One or two sentences shown on the author page.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.user_id and not self.user.is_staff:
            raise ValidationError(
                {"user": "Authors are staff accounts: tick “Staff status” first."}
            )


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        """What readers may see: published, and not scheduled for later."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_listing(self) -> "ArticleQuerySet":
        """Everything a list of article cards shows, in a constant number of queries."""
        return self.prefetch_related("tags", "sources").defer("body", "body_html")

    def most_discussed(self) -> "ArticleQuerySet":
        """Most comments first (the maintained comment_count: no join); uncommented left out."""
        return self.filter(comment_count__gt=0).order_by("-comment_count", "-published_at", "-id")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=100, unique=True, help_text=_("The article's web address."))
    summary = models.TextField(
        blank=True, help_text=_("The standfirst: one or two sentences shown under the title.")
    )
    body = models.TextField(help_text=_("Markdown. Leave a blank line between paragraphs."))
    # The language the story is written in (not the reader's interface language): its page
    # marks the text with lang and dir, so an English story inside the Arabic site reads
    # left to right.
    language = models.CharField(
        max_length=10,
        choices=article_languages,
        default="en",
        help_text=_("The language the article is written in."),
    )
    body_html = models.TextField(
        blank=True, editable=False, help_text=_("Rendered from body on save.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        default=timezone.now,
        help_text=_(
            "Readers see a published article from this moment; a future time schedules it."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    comments_open = models.BooleanField(default=True)
    # Per-story discussion settings (comments.services enforces them; the page shows them).
    is_premoderated = models.BooleanField(
        _("pre-moderate comments"),
        default=False,
        help_text=_(
            "Hold every reader's comment until a moderator publishes it (sensitive stories)."
        ),
    )
    is_link_hold = models.BooleanField(
        _("hold comments with links"),
        default=False,
        help_text=_("Hold readers' comments that contain a link until a moderator publishes them."),
    )
    is_qa = models.BooleanField(
        _("Q&A mode"),
        default=False,
        help_text=(
            _(
                "Readers ask questions and only staff answer: under each question only staff "
                "replies are shown, and a question without an answer is seen only by its author "
                "and staff."
            )
        ),
    )
    comments_close_at = models.DateTimeField(
        _("close comments at"),
        null=True,
        blank=True,
        help_text=_("Comments close at this moment (empty: they stay open as usual)."),
    )
    comments_closed_message = models.CharField(
        _("message once closed"),
        max_length=300,
        blank=True,
        help_text=_("Shown in place of the comment box once comments are closed."),
    )
    comment_prompt = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Shown above the comment box, e.g. “We want to hear from readers in Japan…”."),
    )
    authors = models.ManyToManyField(
        Author, through="ArticleAuthor", blank=True, related_name="articles"
    )
    # The authors as pages show them ([{"name", "slug", "user"}]), kept from `authors` by
    # articles.signals so bylines and comment badges cost no query.
    bylines = models.JSONField(default=list, blank=True, editable=False)
    # Maintained by the comments service so listings need no join or count query.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    sources = models.ManyToManyField(Source, blank=True, related_name="articles")
    lead_image = models.ImageField(
        _("lead image"),
        upload_to=lead_image_path,
        blank=True,
        width_field="lead_image_width",
        height_field="lead_image_height",
        help_text=_(
            "Optional. JPEG, PNG, WebP or AVIF, at least 1600 pixels wide for sharp screens; "
            "smaller copies are made in the background."
        ),
    )
    lead_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_alt = models.CharField(
        _("image description (alt text)"),
        max_length=300,
        blank=True,
        help_text=_("Required with an image: what it shows, for readers who cannot see it."),
    )
    lead_image_caption = models.CharField(_("caption"), max_length=300, blank=True)
    lead_image_credit = models.CharField(
        _("credit"), max_length=200, blank=True, help_text=_("e.g. “Reuters / Kim Kyung-Hoon”.")
    )
    # Made by the worker (articles.tasks): {"source", "widths", "avif"/"webp"/"jpeg": {width:
    # name}, "og": name}. Empty, or naming another source, until the current image's are ready.
    lead_image_renditions = models.JSONField(default=dict, blank=True, editable=False)
    seed_file = models.CharField(
        max_length=255, blank=True, db_index=True, help_text=_("The seed file this came from.")
    )
    seed_digest = models.CharField(
        max_length=64, blank=True, help_text=_("Digest of the content as last imported.")
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_status_pub_idx")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_article_markdown(self.body)
        stale = self.lead_image.name != self.lead_image_renditions.get("source")
        if stale and self.lead_image_renditions:
            self.lead_image_renditions = {}
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "lead_image_renditions"}
        super().save(*args, **kwargs)
        if stale and self.lead_image:
            from .tasks import make_lead_image_renditions

            pk, name = self.pk, self.lead_image.name
            transaction.on_commit(lambda: make_lead_image_renditions.enqueue(pk, name), robust=True)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if self.lead_image and not self.lead_image_alt.strip():
            raise ValidationError(
                {"lead_image_alt": _("Describe the image for readers who cannot see it.")}
            )

    @cached_property
    def lead_picture(self) -> dict | None:
        """The <picture> of the lead image (articles.images.picture), or None without one."""
        return picture(self)

    @property
    def lead_image_ready(self) -> bool:
        """The worker has made this image's renditions."""
        return bool(self.lead_image) and (
            self.lead_image_renditions.get("source") == self.lead_image.name
        )

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_closed_by_time(self) -> bool:
        return self.comments_close_at is not None and self.comments_close_at <= timezone.now()

    @cached_property
    def author_user_ids(self) -> frozenset[int]:
        """The accounts of this article's authors: their comments get the "Author" badge."""
        return frozenset(byline["user"] for byline in self.bylines)

    def content_digest(self) -> str:
        """Digest of what an import writes; differs from seed_digest once an editor changes it."""
        return content_digest(
            title=self.title,
            summary=self.summary,
            body=self.body,
            tags=sorted(t.name for t in self.tags.all()),
            sources=sorted(s.name for s in self.sources.all()),
            authors=[byline["name"] for byline in self.bylines],
            image=(
                (self.lead_image_alt, self.lead_image_caption, self.lead_image_credit)
                if self.lead_image
                else ()
            ),
            language=self.language,
        )

    @property
    def text_direction(self) -> str:
        return text_direction(self.language)


def content_digest(
    *,
    title: str,
    summary: str,
    body: str,
    tags,
    sources,
    authors=(),
    image=(),
    language: str = "en",
) -> str:
    """`image`: the lead image's (alt, caption, credit); the file itself is not compared."""
    fields = {"title": title, "summary": summary, "body": body, "tags": tags, "sources": sources}
    # Each only when set: digests of seeds without them stay as they were.
    if authors:
        fields["authors"] = list(authors)
    if image:
        fields["image"] = list(image)
    if language != "en":
        fields["language"] = language
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


class ArticleAuthor(models.Model):
    """An author on an article's byline, in the order the byline names them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylined")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylined")
    position = models.PositiveSmallIntegerField(
        default=0, help_text=_("Bylines name authors from the lowest number up.")
    )

    class Meta:
        ordering = ["article", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="article_author_once")
        ]
        verbose_name = _("byline")

    def __str__(self) -> str:
        return f"{self.author_id} on {self.article_id}"


def byline_of(article_id: int) -> list[dict]:
    """The bylines an article stores, read from its authors in order."""
    return [
        {"name": name, "slug": slug, "user": user_id}
        for name, slug, user_id in ArticleAuthor.objects.filter(article_id=article_id)
        .order_by("position", "id")
        .values_list("author__name", "author__slug", "author__user_id")
    ]
