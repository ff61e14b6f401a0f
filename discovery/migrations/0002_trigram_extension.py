"""pg_trgm for typo-tolerant search (discovery.search.corrected_terms) on PostgreSQL only.

Not Django's TrigramExtension: its reverse queries pg_extension on any database, so SQLite
could not unapply. Unapplying keeps the extension (other schemas may use it).
"""

from django.db import migrations


def create_pg_trgm(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("discovery", "0001_search_index")]

    operations = [migrations.RunPython(create_pg_trgm, migrations.RunPython.noop, elidable=False)]
