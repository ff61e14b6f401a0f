"""Writes for articles: the seed import used by `load_seeds` (and later the admin upload)."""

import dataclasses
import datetime
import enum
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from newsite import pagecache

from .images import validate_lead_image
from .models import Article, ArticleAuthor, Author, Source, Tag
from .seeds import (
    MAX_SEED_BYTES,
    ParsedArticle,
    SeedError,
    SeedImage,
    read_seed_file,
    too_large_message,
)


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
    # The article each file created or updated (by file name), for links in the admin's report.
    articles: dict[str, Article] = field(default_factory=dict)

    def add(self, outcome: Outcome, name: str) -> None:
        self.outcomes[outcome].append(name)

    def count(self, outcome: Outcome) -> int:
        return len(self.outcomes[outcome])

    @property
    def summary(self) -> str:
        return ", ".join(f"{self.count(o)} {o}" for o in Outcome)


class _DryRunRollback(Exception):
    pass


def _unique_slug(model, text: str, *, max_length: int) -> str:
    base = slugify(text)[: max_length - 4].strip("-") or "item"
    if not model.objects.filter(slug=base).exists():  # the usual case, answered by the index
        return base
    taken = model.objects.filter(slug__startswith=f"{base}-").values_list("slug", flat=True)
    existing = set(taken)
    slug, n = f"{base}-2", 3
    while slug in existing:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _named(model, names: Iterable[str]) -> list:
    """Existing tags or sources by case-insensitive name, in one query; new ones created."""
    names = list(names)
    found = {
        obj.lowered: obj
        for obj in model.objects.annotate(lowered=Lower("name")).filter(
            lowered__in=[n.lower() for n in names]
        )
    }
    objects = []
    for name in names:
        obj = found.get(name.lower())
        if obj is None:
            slug_length = model._meta.get_field("slug").max_length
            obj = model(name=name, slug=_unique_slug(model, name, max_length=slug_length))
            # The model's own rules (max_length above all): SQLite would store any length.
            obj.full_clean()
            obj.save()
            found[name.lower()] = obj
        objects.append(obj)
    return objects


def article_import(
    *,
    parsed: ParsedArticle,
    force: bool = False,
    status: str = Article.Status.PUBLISHED,
    folder: Path | None = None,
) -> tuple[Outcome, Article]:
    """Create or update the article for one parsed seed; safe to run any number of times.

    An article an editor changed since its last import is left alone unless `force` is set.
    A seed without a date is published at its first import and never re-dated later.
    `status` is a new article's (an existing one keeps its own). `folder` holds the seed, and
    the image it names, if any.
    """
    authors = _authors_named(parsed.authors)
    if authors:  # named by slug or in any case, stored (and compared) as their bylines read
        parsed = dataclasses.replace(parsed, authors=tuple(a.name for a in authors))
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
        article = Article(seed_file=parsed.name, status=status)
        outcome = Outcome.CREATED

    article.title = parsed.title
    article.summary = parsed.summary
    article.body = parsed.body
    _set_seed_image(article, parsed.image, folder=folder, seed_name=parsed.name)
    article.language = parsed.language
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
    tags, sources = _named(Tag, parsed.tags), _named(Source, parsed.sources)
    if outcome is Outcome.CREATED:
        # A new article has no links yet: insert them directly (the article's post_save has
        # already invalidated cached pages), skipping set()'s lookups of existing links.
        Article.tags.through.objects.bulk_create(
            Article.tags.through(article=article, tag=tag) for tag in tags
        )
        Article.sources.through.objects.bulk_create(
            Article.sources.through(article=article, source=source) for source in sources
        )
    else:
        article.tags.set(tags)
        article.sources.set(sources)
    if authors or article.bylines:
        article_set_authors(article=article, authors=authors)
    return outcome, article


def _set_seed_image(
    article: Article, image: SeedImage | None, *, folder: Path | None, seed_name: str
) -> None:
    """Attach the seed's lead image (read, checked, then copied to the storage), or none."""
    if image is None:
        article.lead_image = None
        article.lead_image_alt = article.lead_image_caption = article.lead_image_credit = ""
        return
    path = (folder or Path()) / image.file_name
    try:
        with path.open("rb") as file:
            validate_lead_image(File(file, name=image.file_name))
            file.seek(0)
            article.lead_image.save(image.file_name, File(file), save=False)
    except OSError as exc:
        message = f"image {image.file_name!r}: cannot read it ({exc.strerror or exc})"
        raise SeedError(seed_name, message, image.line) from exc
    except ValidationError as exc:
        message = f"image {image.file_name!r}: {' '.join(exc.messages)}"
        raise SeedError(seed_name, message, image.line) from exc
    article.lead_image_alt = image.alt
    article.lead_image_caption = image.caption
    article.lead_image_credit = image.credit


def _authors_named(names: Iterable[str]) -> list[Author]:
    """The authors a seed names, by name or slug in any letter case; an unknown one is an
    error (a seed never creates a staff account)."""
    names = list(names)
    if not names:
        return []
    lowered = [n.lower() for n in names]
    known = Author.objects.annotate(lowered_name=Lower("name"), lowered_slug=Lower("slug"))
    found = {}
    for author in known.filter(Q(lowered_name__in=lowered) | Q(lowered_slug__in=lowered)):
        found.setdefault(author.lowered_name, author)
        found.setdefault(author.lowered_slug, author)
    if unknown := [n for n in names if n.lower() not in found]:
        raise ValidationError(
            {
                "authors": f"no author named {', '.join(map(repr, unknown))}: add them under "
                "Articles > Authors first"
            }
        )
    return list(dict.fromkeys(found[n] for n in lowered))


def article_set_authors(*, article: Article, authors: Iterable[Author]) -> Article:
    """Name these authors on the article's byline, in this order (articles.signals keeps
    `bylines` and the cached pages in step)."""
    authors = list(dict.fromkeys(authors))
    for author in authors:
        author.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        ArticleAuthor.objects.filter(article=article).delete()
        for position, author in enumerate(authors):
            ArticleAuthor(article=article, author=author, position=position).save()
    article.refresh_from_db(fields=["bylines"])
    return article


# What editors may set per story, and what they may set it to (see Article's help texts).
DISCUSSION_SETTINGS = (
    "is_premoderated",
    "is_link_hold",
    "is_qa",
    "comments_close_at",
    "comments_closed_message",
    "comment_prompt",
)


def article_set_discussion(*, article: Article, **settings) -> Article:
    """Change an article's discussion settings (pre-moderation, link hold, Q&A mode, closing
    time and message, prompt); the admin's form and bulk action call this."""
    if unknown := set(settings) - set(DISCUSSION_SETTINGS):
        raise ValueError(f"not a discussion setting: {', '.join(sorted(unknown))}")
    for name, value in settings.items():
        setattr(article, name, value)
    article.full_clean()
    article.save(update_fields=[*settings, "updated_at"])
    return article


def import_seed_files(
    paths: Iterable[Path],
    *,
    force: bool = False,
    dry_run: bool = False,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = 200,
    status: str = Article.Status.PUBLISHED,
) -> ImportReport:
    """Import seed files; one bad file never stops the others. New articles get `status`
    (the admin's upload makes drafts, for an editor to check before readers see them).

    Files commit in batches (one transaction each, so 10,000 files are quick) and each file
    runs in its own savepoint, so a failing file rolls back alone.
    """
    report = ImportReport()
    for start, batch in enumerate(_batched(paths, batch_size)):
        with transaction.atomic(), pagecache.deferred_invalidation():
            for done, path in enumerate(batch, start=start * batch_size + 1):
                outcome = _import_one(path, report, force=force, dry_run=dry_run, status=status)
                report.add(outcome, path.name)
                if on_progress:
                    on_progress(done)
    return report


def _batched(items: Iterable[Path], size: int) -> Iterator[list[Path]]:
    """itertools.batched, which arrives in Python 3.12; lazy, so memory stays flat."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _import_one(
    path: Path, report: ImportReport, *, force: bool, dry_run: bool, status: str
) -> Outcome:
    try:
        parsed = read_seed_file(path)
        report.dropped[path.name] = parsed.dropped
        with transaction.atomic():
            outcome, article = article_import(
                parsed=parsed, force=force, folder=path.parent, status=status
            )
            if dry_run:
                raise _DryRunRollback
            if outcome in (Outcome.CREATED, Outcome.UPDATED):
                report.articles[path.name] = article
    except _DryRunRollback:
        return outcome
    except SeedError as error:
        report.errors.append(error)
        return Outcome.FAILED
    except ValidationError as exc:
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
        report.errors.append(SeedError(path.name, f"cannot import: {problems}"))
        return Outcome.FAILED
    except Exception as exc:  # a database constraint, a validation error: report, go on
        report.errors.append(SeedError(path.name, f"cannot import: {exc}"))
        return Outcome.FAILED
    return outcome


# --- Publishing workflow (the newsroom admin's actions call these) ----------------------------


def article_due(article_id: int, published_at: str) -> Article | None:
    """The article, if it is still published for the moment a scheduled task was queued for
    (an editor may have moved or withdrawn it since; a new time queued its own task)."""
    article = Article.objects.filter(pk=article_id).first()
    if (
        article is None
        or not article.is_published
        or article.published_at != datetime.datetime.fromisoformat(published_at)
    ):
        return None
    return article


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
    uploads: Iterable[UploadedFile],
    *,
    force: bool = False,
    dry_run: bool = False,
    status: str = Article.Status.PUBLISHED,
) -> ImportReport:
    """Import uploaded seed files through exactly the code path `load_seeds` uses.

    Each upload is written under its own base name to a private temporary folder and handed to
    import_seed_files, so size limits, decoding, parsing and the upsert rules cannot drift apart.
    An upload over the size limit is refused by its size, before a byte of it is read.
    """
    too_large: list[str] = []
    with tempfile.TemporaryDirectory(prefix="seed-upload-") as folder:
        paths = []
        for upload in uploads:
            name = Path((upload.name or "").replace("\\", "/")).name or "upload.txt"
            if upload.size is None or upload.size > MAX_SEED_BYTES:
                too_large.append(name)
                continue
            path = Path(folder) / name
            with path.open("wb") as file:
                for chunk in upload.chunks():
                    file.write(chunk)
            paths.append(path)
        report = import_seed_files(paths, force=force, dry_run=dry_run, status=status)
    for name in too_large:
        report.add(Outcome.FAILED, name)
        report.errors.append(SeedError(name, too_large_message()))
    return report
