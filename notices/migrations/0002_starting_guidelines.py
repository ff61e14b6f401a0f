"""A first set of community guidelines, so comment boxes and statements have something to cite
from the start; editors rewrite them in the admin."""

from django.db import migrations

BODY = """These rules apply to every comment on this site. Moderators hold, hide or remove comments
that break them, and tell the author why. You can appeal any decision once.

1. **Be civil.** No personal attacks, insults or harassment of other readers, journalists or
   the people in the story.
2. **No hate.** Nothing that attacks people for their ethnicity, nationality, religion,
   gender, sexual orientation, disability or age.
3. **Nothing illegal.** No threats, incitement to violence, defamation, or other content
   that breaks the law. Anyone can report illegal content with the "Report illegal content"
   link under each comment.
4. **Respect privacy.** Do not post other people's personal data.
5. **No spam.** No advertising, repeated posts or links posted for their own sake.
6. **Stay on topic.** Comments should be about the story.
"""


def create(apps, schema_editor):
    from newsite.markdown import ARTICLE_TAGS, render_markdown

    Guidelines = apps.get_model("notices", "CommunityGuidelines")
    if not Guidelines.objects.exists():
        Guidelines.objects.create(
            pk=1,
            title="Community guidelines",
            body=BODY,
            body_html=render_markdown(BODY, tags=ARTICLE_TAGS),
        )


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_notices_statements_appeals")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
