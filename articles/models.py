import hashlib
import json

from django.db import models
from django.urls import reverse
from django.utils import timezone

from newsite.markdown import render_article_markdown


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
    url = models.URLField(blank=True, help_text="The source's home page, linked from its name.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:source", kwargs={"slug": self.slug})


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
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=100, unique=True, help_text="The article's web address.")
    summary = models.TextField(
        blank=True, help_text="The standfirst: one or two sentences shown under the title."
    )
    body = models.TextField(help_text="Markdown. Leave a blank line between paragraphs.")
    body_html = models.TextField(
        blank=True, editable=False, help_text="Rendered from body on save."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        default=timezone.now,
        help_text="Readers see a published article from this moment; a future time schedules it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    comments_open = models.BooleanField(default=True)
    # Maintained by the comments service so listings need no join or count query.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    sources = models.ManyToManyField(Source, blank=True, related_name="articles")
    seed_file = models.CharField(
        max_length=255, blank=True, db_index=True, help_text="The seed file this came from."
    )
    seed_digest = models.CharField(
        max_length=64, blank=True, help_text="Digest of the content as last imported."
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_status_pub_idx")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_article_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    def content_digest(self) -> str:
        """Digest of what an import writes; differs from seed_digest once an editor changes it."""
        return content_digest(
            title=self.title,
            summary=self.summary,
            body=self.body,
            tags=sorted(t.name for t in self.tags.all()),
            sources=sorted(s.name for s in self.sources.all()),
        )


def content_digest(*, title: str, summary: str, body: str, tags, sources) -> str:
    payload = json.dumps(
        {"title": title, "summary": summary, "body": body, "tags": tags, "sources": sources},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
