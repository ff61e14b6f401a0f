"""The admin upload runs the command's code in the task worker; progress and report show."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comments.models import Comment
from portability.models import ImportRun
from tests.factories import ArticleFactory

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def upload(client, name="disqus.xml", format="disqus", **extra):
    data = {
        "file": SimpleUploadedFile(name, (FIXTURES / name).read_bytes()),
        "format": format,
        "site_url": "",
        **extra,
    }
    return client.post(reverse("admin:portability_importrun_add"), data)


def test_upload_is_imported_by_the_worker(editor_client, run_tasks, mailoutbox):
    article = ArticleFactory(slug="harbour-strike", title="Harbour strike ends")
    response = upload(editor_client)
    run = ImportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert run.state == ImportRun.State.QUEUED
    assert not Comment.objects.exists()  # the request itself imports nothing
    page = editor_client.get(run.get_absolute_url()).content.decode()
    assert "Waiting for the task worker." in page

    run_tasks()
    run.refresh_from_db()
    assert run.state == ImportRun.State.DONE
    assert run.progress == 4
    assert run.report["comments_created"] == 7
    assert Comment.objects.filter(article=article).count() == 7
    page = editor_client.get(run.get_absolute_url()).content.decode()
    assert "Comments created: 7" in page
    assert "Unmatched thread 2002" in page
    assert mailoutbox == []


def test_wrong_file_is_refused_with_the_reason(editor_client, run_tasks):
    upload(editor_client, name="wxr.xml", format="disqus")
    run_tasks()
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.FAILED
    page = editor_client.get(run.get_absolute_url()).content.decode()
    assert "Refused: this is not a Disqus XML export file. It looks like a WordPress WXR." in page


def test_dry_run_upload_writes_nothing(editor_client, run_tasks):
    ArticleFactory(slug="harbour-strike", title="Harbour strike ends")
    upload(editor_client, is_dry_run="on")
    run_tasks()
    run = ImportRun.objects.get()
    assert run.report["comments_created"] == 7
    assert not Comment.objects.exists()


def test_export_download(editor_client):
    ArticleFactory(slug="quiet")
    listing = editor_client.get(reverse("admin:portability_importrun_changelist")).content.decode()
    url = reverse("admin:portability_importrun_export", args=["jsonl"])
    assert url in listing
    response = editor_client.get(url)
    assert response["Content-Disposition"].startswith('attachment; filename="comments-')
    body = b"".join(response.streaming_content).decode()
    assert body.startswith('{"format": "newsite-comments"')


def test_moderators_cannot_import_or_export(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("admin:portability_importrun_add")).status_code == 403
    export = reverse("admin:portability_importrun_export", args=["jsonl"])
    assert client.get(export).status_code == 403


def test_upload_is_deleted_once_imported(editor_client, run_tasks, settings):
    upload(editor_client)
    run = ImportRun.objects.get()
    stored = Path(run.file.path)
    assert stored.exists()
    run_tasks()
    run.refresh_from_db()
    assert not stored.exists()
    assert not run.file
