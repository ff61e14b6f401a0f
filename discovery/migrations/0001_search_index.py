"""The full-text index over articles: FTS5 on SQLite, a GIN expression index on PostgreSQL.

Each half does nothing on the other database. Neither adds a model: the index belongs to
articles_article's rows, read by discovery/search.py.
"""

from django.db import migrations

from discovery.search import FTS_TABLE, SQLITE_REBUILD, SQLITE_TRIGGERS

SQLITE_CREATE = f"""
    CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        title, summary, body,
        content='articles_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
"""

# The same expression as discovery.search.search_vector(), so the planner uses the index.
POSTGRES_CREATE = """
    CREATE INDEX IF NOT EXISTS discovery_article_search_idx ON articles_article USING GIN ((
        setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, COALESCE(body, '')), 'C')
    ))
"""


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
        for trigger in SQLITE_TRIGGERS.values():
            schema_editor.execute(trigger)
        schema_editor.execute(SQLITE_REBUILD)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS discovery_article_search_idx")


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
