"""Writes for imports and claims: the command, the admin's task and the claim page call these."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from articles.models import Article
from comments.models import Comment
from newsite import pagecache

from .importers import READERS
from .importers.core import ImportFileError, ImportReport, WrongFormat, import_records, read_url_map
from .models import Format, ImportedIdentity, ImportRun

FORMATS = tuple(READERS)


def _check_format(path: Path, format: str) -> None:
    """Refuse a file in another format before anything is read into the site."""
    reader = READERS[format]
    if reader.sniff(path):
        return
    looks_like = [Format(name).label for name, other in READERS.items() if other.sniff(path)]
    hint = f" It looks like a {looks_like[0]}." if looks_like else ""
    raise WrongFormat(f"this is not a {Format(format).label} file.{hint}")


def comments_import(
    *,
    path: str | Path,
    format: str,
    dry_run: bool = False,
    url_map: str | Path | None = None,
    site_url: str = "",
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one export file; raises ImportFileError (naming the line or record) when the file
    is unreadable, malformed or in another format, before any thread is written."""
    if format not in READERS:
        raise ImportFileError(f"unknown format “{format}”: one of {', '.join(FORMATS)}")
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    _check_format(path, format)
    records = READERS[format].read(path, site_url=site_url)
    return import_records(
        records,
        source=format,
        dry_run=dry_run,
        url_map=read_url_map(url_map),
        on_progress=on_progress,
    )


def import_run_create(
    *,
    file,
    format: str,
    created_by: User | None,
    url_map=None,
    site_url: str = "",
    is_dry_run: bool = False,
) -> ImportRun:
    """Keep an uploaded export and queue its import for the task worker."""
    from .tasks import run_import

    run = ImportRun(
        file=file,
        format=format,
        url_map=url_map or "",
        site_url=site_url,
        is_dry_run=is_dry_run,
        created_by=created_by,
    )
    run.full_clean()
    run.save()
    transaction.on_commit(lambda: run_import.enqueue(run.pk), robust=True)
    return run


def import_run_execute(*, run: ImportRun) -> ImportRun:
    """Run an admin upload (the task calls this), saving progress and the report as it goes."""
    ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.RUNNING, progress=0)

    def progress(done: int) -> None:
        if done % 20 == 0:
            ImportRun.objects.filter(pk=run.pk).update(progress=done)

    try:
        report = comments_import(
            path=run.file.path,
            format=run.format,
            dry_run=run.is_dry_run,
            url_map=run.url_map.path if run.url_map else None,
            site_url=run.site_url,
            on_progress=progress,
        )
    except ImportFileError as exc:
        run.state, run.report = ImportRun.State.FAILED, {"lines": [f"Refused: {exc}"]}
    else:
        run.state = ImportRun.State.DONE
        run.progress = report.threads
        run.report = {**report.as_dict(), "lines": report.lines()}
    run.finished_at = timezone.now()
    # The upload holds other people's addresses: once imported it is not kept.
    for upload in (run.file, run.url_map):
        if upload:
            upload.delete(save=False)
    run.save(update_fields=["state", "progress", "report", "finished_at", "file", "url_map"])
    return run


# --- claiming -----------------------------------------------------------------------------


def claimable_identities(*, user: User):
    """Unclaimed imported identities under an address this reader has verified."""
    from allauth.account.models import EmailAddress

    emails = list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    if not emails:
        return ImportedIdentity.objects.none()
    any_address = Q()
    for email in emails:
        any_address |= Q(email__iexact=email)
    return ImportedIdentity.objects.filter(any_address, claimed_at__isnull=True).exclude(email="")


@transaction.atomic
def identity_claim(*, identity: ImportedIdentity, user: User) -> int:
    """Move an imported identity's comments to the reader who verified its address.

    The placeholder account is deleted; the identity (and so the address) now belongs to the
    reader: in their data export, and deleted with their account. Returns comments moved.
    """
    if not claimable_identities(user=user).filter(pk=identity.pk).exists():
        raise PermissionError("This address is not one you have verified.")
    placeholder = identity.user
    moved = Comment.objects.filter(author=placeholder).update(author=user)
    slugs = set(
        Article.objects.filter(comments__author=user).values_list("slug", flat=True).distinct()
    )
    ImportedIdentity.objects.filter(user=placeholder).update(user=user, claimed_at=timezone.now())
    if not placeholder.has_usable_password() and not placeholder.is_active:
        placeholder.delete()
    pagecache.invalidate(pagecache.SITE, *(pagecache.discussion(s) for s in slugs))
    return moved
