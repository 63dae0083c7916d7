"""A real SMTP server for tests (aiosmtpd on a free local port), and the task worker run to completion."""

import email
import re
import socket
from email import policy
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command


class Inbox:
    """What the server received, as parsed messages, in order."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address):
        return [message for message in self.messages if address in message.envelope_to]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Mail goes through Django's SMTP backend to a local server; the fixture is the server's inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    inbox.controller = controller
    yield inbox
    controller.stop()


def run_worker():
    """Run every job that is due, as `manage.py db_worker` does, then return.

    The worker closes the database connection between jobs as a request would; in a test that connection
    holds the test's transaction (on PostgreSQL closing it would lose the test's data), so it stays open.
    """
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def text_part(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message):
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message, name):
    """The path of the first site link in the message's text whose path starts /newsletters/<name>/."""
    found = re.search(rf"https://news\.example\.org(/newsletters/{name}/[^\s]+/)", text_part(message))
    assert found, f"no {name} link in:\n{text_part(message)}"
    return found.group(1)
