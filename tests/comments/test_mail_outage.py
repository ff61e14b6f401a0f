"""A mail server that hangs or is down costs a reader posting a comment nothing, and loses no
mail: the request only queues tasks, the worker connects, retries, and sends each message once.
"""

import contextlib
import datetime as dt
import socket

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from benchmarks.harness import free_port
from comments import services
from comments.models import Comment
from newsite.tasks import retry_delay
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 0.5
    return settings


@contextlib.contextmanager
def blackhole():
    """A mail server that accepts connections and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        server.setblocking(False)
        yield server


def connections_made(server: socket.socket) -> int:
    """How many connections the kernel completed for this socket, taken off its backlog."""
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


class Sink:
    """aiosmtpd handler keeping what it is sent."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def post_comment(client, article, body: str):
    url = reverse("comments:create", kwargs={"article_id": article.pk})
    return client.post(url, {"body": body, "client_token": ""})


@pytest.fixture
def followed(rules, article, reader, other_reader):
    """Two followers of the article besides the poster (the reader)."""
    third = UserFactory(display_name="Third")
    for user in (other_reader, third):
        services.thread_follow(article=article, user=user)
    return [other_reader, third]


def test_a_post_makes_no_smtp_connection_while_the_server_hangs(
    client, smtp, article, reader, followed, run_tasks
):
    with blackhole() as server:
        smtp.EMAIL_PORT = server.getsockname()[1]
        client.force_login(reader)
        response = post_comment(client, article, "Posted while the mail server hangs")
        assert response.status_code == 302
        assert Comment.objects.filter(body="Posted while the mail server hangs").exists()
        assert connections_made(server) == 0  # the request did not even try

        run_tasks()  # the worker does: one connection per follower, each timing out
        assert connections_made(server) == len(followed)
    failed = DBTaskResult.objects.failed()  # no greeting within EMAIL_TIMEOUT
    assert {r.exception_class_path for r in failed} == {"smtplib.SMTPServerDisconnected"}
    assert all("timed out" in r.traceback for r in failed)
    retries = DBTaskResult.objects.filter(status="READY")
    assert sorted(r.args_kwargs["kwargs"]["to"][0] for r in retries) == sorted(
        u.email for u in followed
    )


def test_mail_goes_out_once_the_server_is_back(client, smtp, article, reader, followed, run_tasks):
    smtp.EMAIL_PORT = free_port()  # nothing listens there yet: connection refused
    client.force_login(reader)
    assert post_comment(client, article, "Posted while the mail server is down").status_code == 302
    run_tasks()
    assert {r.exception_class_path for r in DBTaskResult.objects.failed()} == {
        "builtins.ConnectionRefusedError"
    }

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp.EMAIL_PORT)
    controller.start()
    try:
        assert run_tasks() == 0  # the retries are not due yet
        assert sink.messages == []
        assert run_tasks(later=retry_delay(1)) == len(followed)
        assert run_tasks(later=dt.timedelta(days=1)) == 0  # nothing left to send
    finally:
        controller.stop()
    assert sorted(m.rcpt_tos[0] for m in sink.messages) == sorted(u.email for u in followed)
    assert all(b"Posted while the mail server is down" in m.content for m in sink.messages)
