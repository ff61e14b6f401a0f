"""Writes for articles: the seed import used by `load_seeds` (and later the admin upload)."""

import datetime
import enum
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Article, Source, Tag
from .seeds import ParsedArticle, SeedError, read_seed_file


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # changed by an editor since import; --force overwrites
    FAILED = "failed"


@dataclass
class ImportReport:
    outcomes: dict[Outcome, list[str]] = field(default_factory=lambda: {o: [] for o in Outcome})
    errors: list[SeedError] = field(default_factory=list)
    # What the parser left out of each article (headlines, chrome, call to action).
    dropped: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, outcome: Outcome, name: str) -> None:
        self.outcomes[outcome].append(name)

    def count(self, outcome: Outcome) -> int:
        return len(self.outcomes[outcome])

    @property
    def summary(self) -> str:
        return ", ".join(f"{self.count(o)} {o}" for o in Outcome)


class _DryRunRollback(Exception):
    pass


def _unique_slug(model, text: str, *, max_length: int, exclude_pk=None) -> str:
    base = slugify(text)[: max_length - 4].strip("-") or "item"
    slug, n = base, 2
    taken = model.objects.exclude(pk=exclude_pk).filter(slug__startswith=base)
    existing = set(taken.values_list("slug", flat=True))
    while slug in existing:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _named(model, names: Iterable[str]) -> list:
    objects = []
    for name in names:
        obj = model.objects.filter(name__iexact=name).first()
        if obj is None:
            slug_length = model._meta.get_field("slug").max_length
            obj = model.objects.create(
                name=name, slug=_unique_slug(model, name, max_length=slug_length)
            )
        objects.append(obj)
    return objects


def article_import(*, parsed: ParsedArticle, force: bool = False) -> tuple[Outcome, Article]:
    """Create or update the article for one parsed seed; safe to run any number of times.

    An article an editor changed since its last import is left alone unless `force` is set.
    A seed without a date is published at its first import and never re-dated later.
    """
    existing = Article.objects.prefetch_related("tags", "sources")
    article = existing.filter(seed_file=parsed.name).first()
    if article is None and parsed.slug:
        article = existing.filter(slug=parsed.slug).first()
    if article is not None:
        if article.seed_digest == parsed.digest and not force:
            return Outcome.UNCHANGED, article
        if article.content_digest() != article.seed_digest and not force:
            return Outcome.SKIPPED, article
        outcome = Outcome.UPDATED
    else:
        article = Article(seed_file=parsed.name, status=Article.Status.PUBLISHED)
        outcome = Outcome.CREATED

    article.title = parsed.title
    article.summary = parsed.summary
    article.body = parsed.body
    article.seed_file = parsed.name
    article.seed_digest = parsed.digest
    if parsed.published_at:
        article.published_at = parsed.published_at
    elif outcome is Outcome.CREATED:
        article.published_at = timezone.now()
    if not article.slug:
        article.slug = parsed.slug or _unique_slug(
            Article, parsed.title, max_length=Article._meta.get_field("slug").max_length
        )
    article.full_clean()
    article.save()
    article.tags.set(_named(Tag, parsed.tags))
    article.sources.set(_named(Source, parsed.sources))
    return outcome, article


def import_seed_files(
    paths: Iterable[Path],
    *,
    force: bool = False,
    dry_run: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import each file in its own transaction; one bad file never stops the others."""
    report = ImportReport()
    for done, path in enumerate(paths, start=1):
        try:
            parsed = read_seed_file(path)
            report.dropped[path.name] = parsed.dropped
            with transaction.atomic():
                outcome, _ = article_import(parsed=parsed, force=force)
                if dry_run:
                    raise _DryRunRollback
        except _DryRunRollback:
            pass
        except SeedError as error:
            report.errors.append(error)
            outcome = Outcome.FAILED
        except Exception as exc:  # a database constraint, a validation error: report, go on
            report.errors.append(SeedError(path.name, f"cannot import: {exc}"))
            outcome = Outcome.FAILED
        report.add(outcome, path.name)
        if on_progress:
            on_progress(done)
    return report


# --- Publishing workflow (the newsroom admin's actions call these) ----------------------------


def article_publish(*, article: Article, at: datetime.datetime | None = None) -> Article:
    """Publish now, or at `at`; an article already scheduled for later keeps its time.

    A future published_at is how scheduling works: Article.objects.published() hides it until
    then, so no cron job is needed.
    """
    now = timezone.now()
    if at is not None:
        article.published_at = at
    elif article.status != Article.Status.PUBLISHED and article.published_at <= now:
        article.published_at = now  # a draft goes out dated today, not the day it was started
    article.status = Article.Status.PUBLISHED
    article.full_clean()
    article.save()
    return article


def article_unpublish(*, article: Article) -> Article:
    """Back to draft: readers get a 404, the article and its comments are kept."""
    article.status = Article.Status.DRAFT
    article.full_clean()
    article.save()
    return article


def article_set_comments_open(*, article: Article, is_open: bool) -> Article:
    article.comments_open = is_open
    article.full_clean()
    article.save(update_fields=["comments_open", "updated_at"])
    return article


def import_seed_uploads(
    uploads: Iterable[tuple[str, bytes]], *, force: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import uploaded seed files through exactly the code path `load_seeds` uses.

    Each upload is written under its own base name to a private temporary folder and handed to
    import_seed_files, so size limits, decoding, parsing and the upsert rules cannot drift apart.
    """
    with tempfile.TemporaryDirectory(prefix="seed-upload-") as folder:
        paths = []
        for name, data in uploads:
            path = Path(folder) / (Path(name.replace("\\", "/")).name or "upload.txt")
            path.write_bytes(data)
            paths.append(path)
        return import_seed_files(paths, force=force, dry_run=dry_run)
