from django.db import migrations


def create_settings_row(apps, schema_editor):
    # The one row exists from the start, so reading it never needs an INSERT on a page view.
    apps.get_model("comments", "ModerationSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("comments", "0002_comment_reply_to")]

    operations = [migrations.RunPython(create_settings_row, migrations.RunPython.noop)]
