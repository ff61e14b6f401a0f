from django.db import migrations


class Migration(migrations.Migration):
    """Once created the roles; post_migrate (newsroom/apps.py) now does, after every migrate.

    Kept, empty, so databases that applied it keep a consistent history. A data migration
    here rendered every model's historical state, a tenth of a second of each cold start.
    """

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("articles", "0001_initial"),
    ]

    operations = []
