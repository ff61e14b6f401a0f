"""Banned words become watched words that block, as they did; earlier automatic holds are
marked automated (statements of reasons read that flag)."""

from django.db import migrations


def forwards(apps, schema_editor):
    BannedWord = apps.get_model("comments", "BannedWord")
    WatchedWord = apps.get_model("comments", "WatchedWord")
    ModerationAction = apps.get_model("comments", "ModerationAction")
    WatchedWord.objects.bulk_create(
        [
            WatchedWord(pattern=banned.word, is_regex=False, action="block", created_at=banned.created_at)
            for banned in BannedWord.objects.all()
        ],
        ignore_conflicts=True,
    )
    ModerationAction.objects.filter(action="auto_held").update(is_automated=True)


def backwards(apps, schema_editor):
    BannedWord = apps.get_model("comments", "BannedWord")
    WatchedWord = apps.get_model("comments", "WatchedWord")
    BannedWord.objects.bulk_create(
        [
            BannedWord(word=watched.pattern, created_at=watched.created_at)
            for watched in WatchedWord.objects.filter(is_regex=False, action="block")
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0002_watched_words_scorers_trust"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="BannedWord"),
    ]
