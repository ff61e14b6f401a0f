from django.db import migrations


class Migration(migrations.Migration):
    """Once created the moderation settings row; post_migrate (comments/apps.py) now does.

    Kept, empty, so databases that applied it keep a consistent history.
    """

    dependencies = [("comments", "0002_comment_reply_to")]

    operations = []
