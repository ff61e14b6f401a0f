from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article
from tests.factories import ArticleFactory, SourceFactory, TagFactory


def every_row() -> dict[str, list[tuple]]:
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from introspection
            rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_keeps_every_row(tmp_path):
    ArticleFactory.create_batch(3, tags=[TagFactory(name="Asia")], sources=[SourceFactory()])
    before = every_row()
    backup = tmp_path / "site.backup"
    call_command("backup", "--output", str(backup), stdout=StringIO())
    assert backup.stat().st_size > 0

    Article.objects.all().delete()
    assert every_row() != before

    call_command("restore", str(backup), "--yes", stdout=StringIO())
    connection.close()
    after = every_row()
    assert after == before
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore", str(tmp_path / "nope"), "--yes")
