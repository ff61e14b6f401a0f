"""The new public pages are valid HTML5 for the Nu HTML Checker (as tests/quality does for the
rest of the site): the notice form, blank and refused, its receipt, a statement of reasons
with and without its appeal form, the guidelines, and the profile listing statements."""

import json
import shutil
import subprocess

import pytest
from django.test import Client

from comments.services import comment_set_status
from notices.models import Notice, StatementOfReasons
from tests.quality.test_html_validity import CONTROL_PAGE, VNU

pytestmark = pytest.mark.django_db


def test_notice_pages_validate_with_the_nu_checker(tmp_path, comment, author, moderator):
    if not VNU.exists() or shutil.which("java") is None:
        pytest.fail("needs Java and node_modules/vnu-jar: run `make install-test`")
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(author)
    pages = {
        "form": anonymous.get(f"/notices/new/?comment={comment.pk}"),
        "refused": anonymous.post(
            "/notices/new/", {"explanation": "<b>kept</b>", "sender_email": "nope"}
        ),
        "guidelines": anonymous.get("/notices/guidelines/"),
    }
    anonymous.post(
        "/notices/new/",
        {
            "location_url": f"https://example.com/comments/{comment.pk}/",
            "ground": "hate",
            "explanation": "Hate speech.",
            "sender_name": "Sam",
            "sender_email": "sam@example.com",
            "is_good_faith": "on",
            "comment": comment.pk,
        },
    )
    pages["receipt"] = anonymous.get(Notice.objects.get().get_absolute_url())
    comment_set_status(comment=comment, status="hidden", moderator=moderator, note="Rude.")
    statement = StatementOfReasons.objects.get()
    pages["statement"] = signed_in.get(statement.get_absolute_url())
    pages["appeal-refused"] = signed_in.post(f"{statement.get_absolute_url()}appeal/", {})
    signed_in.post(f"{statement.get_absolute_url()}appeal/", {"reason": "It was a joke."})
    pages["statement-appealed"] = signed_in.get(statement.get_absolute_url())
    pages["profile"] = signed_in.get("/accounts/profile/")

    files = {}
    for name, response in pages.items():
        assert response.status_code in {200, 400}, name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files[str(path)] = name
    control = tmp_path / "control.html"
    control.write_text(CONTROL_PAGE)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--errors-only", *files, str(control)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr)["messages"]
    assert any(m.get("url", "").endswith("/control.html") for m in messages), "checked nothing"
    problems = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}:"
        f"{m.get('lastLine')}: {m['message']}"
        for m in messages
        if not m.get("url", "").endswith("/control.html")
    ]
    assert problems == []
