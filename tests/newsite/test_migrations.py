"""Squashed migrations: a fresh database must end in the state of the chain they replace."""

import pytest
from django.db.migrations.loader import MigrationLoader

SQUASHES = {
    ("accounts", "0001_squashed_0003_display_name_validator"): "0003_display_name_validator",
    ("comments", "0001_squashed_0004_comment_author_idx"): "0004_comment_author_idx",
}


@pytest.mark.parametrize(("squash", "last_replaced"), SQUASHES.items(), ids=lambda v: str(v))
def test_a_squash_ends_in_the_state_of_the_migrations_it_replaces(squash, last_replaced):
    app_label = squash[0]
    chain = MigrationLoader(None, replace_migrations=False)
    fresh = MigrationLoader(None)  # no database: nothing applied, so the squash stands in
    assert squash in fresh.graph.nodes
    assert (app_label, last_replaced) not in fresh.graph.nodes

    before = chain.project_state((app_label, last_replaced))
    after = fresh.project_state(squash)
    models = sorted(key for key in before.models if key[0] == app_label)
    assert models == sorted(key for key in after.models if key[0] == app_label)
    for key in models:
        assert after.models[key] == before.models[key], key


@pytest.mark.parametrize("squash", SQUASHES, ids=str)
def test_a_squash_only_creates_models(squash):
    """Each AddField, AddIndex or AddConstraint after a CreateModel makes a fresh migrate re-render
    the models around it; folded into the CreateModel they cost nothing."""
    migration = MigrationLoader(None).disk_migrations[squash]
    assert {type(op).__name__ for op in migration.operations} == {"CreateModel"}
