"""Who can reach what: the Editors and Moderators roles, make_editor and sync_roles."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from newsroom.roles import EDITORS, MODERATORS, ROLES, sync_roles
from tests.admin.conftest import make_comment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OK, DENIED = 200, 403

# (url name, needs the article/comment/user id, editor, moderator)
MATRIX = [
    ("admin:index", None, OK, OK),
    ("admin:articles_article_changelist", None, OK, DENIED),
    ("admin:articles_article_add", None, OK, DENIED),
    ("admin:articles_article_change", "article", OK, DENIED),
    ("admin:articles_article_history", "article", OK, DENIED),
    ("admin:articles_article_delete", "article", OK, DENIED),
    ("admin:articles_article_import", None, OK, DENIED),
    ("admin:articles_article_recoverlist", None, OK, DENIED),
    ("articles:preview", "slug", OK, DENIED),
    ("admin:articles_tag_changelist", None, OK, DENIED),
    ("admin:articles_source_add", None, OK, DENIED),
    ("admin:comments_comment_changelist", None, OK, OK),
    ("admin:comments_comment_change", "comment", OK, OK),
    ("admin:comments_comment_delete", "comment", DENIED, DENIED),
    ("admin:comments_comment_add", None, DENIED, DENIED),
    ("admin:comments_moderationaction_changelist", None, OK, OK),
    ("admin:comments_watchedword_changelist", None, OK, DENIED),
    ("admin:comments_watchedword_add", None, OK, DENIED),
    ("admin:comments_trustchange_changelist", None, OK, OK),
    ("admin:comments_moderationsettings_change", "settings", OK, DENIED),
    ("admin:accounts_user_changelist", None, DENIED, DENIED),
    ("admin:accounts_user_change", "user", DENIED, DENIED),
    ("admin:auth_user_password_change", "user", DENIED, DENIED),
    ("admin:auth_group_changelist", None, DENIED, DENIED),
    ("admin:auth_group_add", None, DENIED, DENIED),
    ("admin:sites_site_changelist", None, DENIED, DENIED),
    ("admin:socialaccount_socialapp_changelist", None, DENIED, DENIED),
    ("admin:account_emailaddress_changelist", None, DENIED, DENIED),
]


@pytest.fixture
def targets(article):
    from comments.models import ModerationSettings

    reader = UserFactory()
    return {
        "article": article.pk,
        "slug": article.slug,
        "comment": make_comment(article, reader).pk,
        "user": reader.pk,
        "settings": ModerationSettings.load().pk,
    }


def _url(name: str, target: str | None, targets: dict) -> str:
    return reverse(name, args=[targets[target]] if target else [])


@pytest.mark.parametrize(("name", "target", "for_editor", "for_moderator"), MATRIX)
def test_role_reaches_only_its_screens(
    client, editor, moderator, superuser, targets, name, target, for_editor, for_moderator
):
    url = _url(name, target, targets)
    for user, expected in ((editor, for_editor), (moderator, for_moderator), (superuser, OK)):
        client.force_login(user)
        if name.endswith("_add") and name.startswith("admin:comments_comment"):
            expected = DENIED  # nobody writes comments in the admin, not even superusers
        if name == "admin:comments_comment_delete":
            expected = DENIED  # removal keeps the row and its history; nobody hard-deletes
        assert client.get(url).status_code == expected, (user.email, url)


def test_readers_are_sent_to_sign_in(client, targets):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_admin_index_lists_only_each_roles_models(client, editor, moderator):
    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Articles" in html
    assert "Watched words" in html
    assert ">Users<" not in html
    assert ">Groups<" not in html
    client.force_login(moderator)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Comments" in html
    assert ">Articles<" not in html
    assert "Watched words" not in html


def test_moderator_cannot_run_article_actions(moderator_client, article):
    response = moderator_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )
    assert response.status_code == DENIED
    article.refresh_from_db()
    assert article.status == article.Status.PUBLISHED


def test_moderator_can_run_comment_actions(moderator_client, moderator, article):
    comment = make_comment(article, UserFactory(), status="pending")
    moderator_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    comment.refresh_from_db()
    assert comment.status == "published"
    assert comment.moderation_actions.get().moderator == moderator


def test_editor_has_no_account_or_site_permissions(editor):
    forbidden = [
        p
        for p in editor.get_all_permissions()
        if not p.startswith(
            ("articles.", "comments.", "notices.", "webhooks.", "portability.", "federation.")
        )
    ]
    assert forbidden == []
    assert not editor.has_perm("accounts.change_user")
    assert not editor.has_perm("auth.change_group")


def test_roles_match_their_definition_after_migrate():
    for name, wanted in ROLES.items():
        group = Group.objects.get(name=name)
        have = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert have == set(wanted)


def test_sync_roles_is_idempotent_and_repairs_drift():
    editors = Group.objects.get(name=EDITORS)
    editors.permissions.add(Permission.objects.get(codename="change_user"))
    Group.objects.get(name=MODERATORS).delete()

    report = sync_roles()
    assert report.created == [MODERATORS]
    assert report.missing == []
    assert not editors.permissions.filter(codename="change_user").exists()
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    call_command("sync_roles", verbosity=0)
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after


def test_make_editor_creates_staff_account_once(capsys):
    call_command("make_editor", "New.Editor@example.com")
    out = capsys.readouterr().out
    user = User.objects.get(email__iexact="new.editor@example.com")
    assert user.is_staff
    assert not user.is_superuser
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [EDITORS]
    assert f"manage.py changepassword {user.username}" in out
    assert reverse("account_reset_password") in out

    call_command("make_editor", "new.editor@example.com")
    assert User.objects.filter(email__iexact="new.editor@example.com").count() == 1
    assert user.groups.count() == 1
    assert user.emailaddress_set.count() == 1


def test_make_editor_promotes_an_existing_reader_to_moderator(capsys):
    reader = UserFactory(email="reader@example.com")
    call_command("make_editor", "reader@example.com", "--moderator")
    reader.refresh_from_db()
    assert reader.is_staff
    assert list(reader.groups.values_list("name", flat=True)) == [MODERATORS]
    assert reader.has_usable_password()  # their own password is kept
    assert "changepassword" not in capsys.readouterr().out


def test_make_editor_dry_run_and_bad_address():
    from django.core.management.base import CommandError

    call_command("make_editor", "ghost@example.com", "--dry-run")
    assert not User.objects.filter(email="ghost@example.com").exists()
    with pytest.raises(CommandError):
        call_command("make_editor", "not-an-address")


def test_roles_come_back_after_every_migrate():
    """post_migrate (also sent after a test database flush) re-creates the roles."""
    from django.core.management.sql import emit_post_migrate_signal

    Group.objects.filter(name__in=ROLES).delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert set(Group.objects.filter(name__in=ROLES).values_list("name", flat=True)) == set(ROLES)


def test_sync_roles_reads_every_permission_in_one_query(django_assert_num_queries, monkeypatch):
    """It runs after every migrate: one query for the permissions, however many the roles name,
    then a get and a set per role (5 in all, where there were 40)."""
    with django_assert_num_queries(1 + 2 * len(ROLES)):
        sync_roles()

    wanted = set(ROLES[MODERATORS])
    monkeypatch.setitem(ROLES, MODERATORS, (*ROLES[MODERATORS], "comments.fly_comment"))
    with django_assert_num_queries(1 + 2 * len(ROLES)):
        report = sync_roles()
    assert report.missing == ["comments.fly_comment"]
    moderators = Group.objects.get(name=MODERATORS).permissions.all()
    assert {f"{p.content_type.app_label}.{p.codename}" for p in moderators} == wanted
