"""A real SMTP server on loopback (aiosmtpd) for the feature tests, and the mail module's checks.

Other test modules import :class:`SmtpCatcher`, :func:`start_catcher`, :func:`smtp_settings`,
and the fixtures ``smtp`` and ``db_url`` (with ``migrated_db``) from here.
"""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from eligo.web.features import mail


class SmtpCatcher:
    """Keeps every message the server receives, with its envelope."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.original_content, policy=default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages

    def clear(self) -> None:
        self.messages.clear()
        self.envelopes.clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_catcher() -> tuple[SmtpCatcher, Controller]:
    catcher = SmtpCatcher()
    controller = Controller(catcher, hostname="127.0.0.1", port=free_port())
    controller.start()
    return catcher, controller


def smtp_settings(controller: Controller) -> mail.MailSettings:
    return mail.MailSettings(
        host="127.0.0.1",
        port=controller.port,
        from_address="trials@eligo.test",
        timeout=5.0,
    )


@pytest.fixture()
def smtp() -> Iterator[tuple[SmtpCatcher, mail.MailSettings]]:
    catcher, controller = start_catcher()
    try:
        yield catcher, smtp_settings(controller)
    finally:
        controller.stop()


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


# -- the mail module ----------------------------------------------------------------------


def test_settings_from_environment() -> None:
    assert mail.MailSettings.from_environ({}) is None
    found = mail.MailSettings.from_environ(
        {
            "ELIGO_SMTP_HOST": "mail.example.org",
            "ELIGO_SMTP_FROM": "trials@example.org",
            "ELIGO_SMTP_STARTTLS": "yes",
            "ELIGO_SMTP_USER": "u",
            "ELIGO_SMTP_PASSWORD": "p",
        }
    )
    assert found is not None
    assert (found.port, found.starttls, found.user, found.password) == (587, True, "u", "p")
    with pytest.raises(mail.MailSettingsError, match="ELIGO_SMTP_FROM"):
        mail.MailSettings.from_environ({"ELIGO_SMTP_HOST": "mail.example.org"})
    with pytest.raises(mail.MailSettingsError, match="ELIGO_SMTP_PORT"):
        mail.MailSettings.from_environ(
            {"ELIGO_SMTP_HOST": "h", "ELIGO_SMTP_FROM": "a@b.c", "ELIGO_SMTP_PORT": "x"}
        )


def test_non_ascii_headers_arrive_encoded_and_decode_back(smtp) -> None:
    catcher, settings = smtp
    message = mail.compose(
        sender=settings.from_address,
        to=[mail.address("zoe@example.org", "Zoë Ünal-Łukasz")],
        subject="Essai NCT07016230 : demande de Zoë",
        text="Bonjour, ça va ?",
    )
    raw = message.as_bytes()
    assert b"Zo\xc3\xab" not in raw.split(b"\r\n\r\n")[0]  # headers are RFC 2047, not raw UTF-8
    mail.send(settings, message)
    (got,) = catcher.wait_for(1)
    assert got["Subject"] == "Essai NCT07016230 : demande de Zoë"
    assert got["To"].addresses[0].display_name == "Zoë Ünal-Łukasz"
    assert "ça va" in body(got)
    assert catcher.envelopes[0] == ("trials@eligo.test", ["zoe@example.org"])


def test_line_breaks_in_header_values_are_refused() -> None:
    with pytest.raises(ValueError):
        mail.address("a@example.org", "Ann\r\nBcc: victim@example.org")
    with pytest.raises(ValueError):
        mail.compose(
            sender="trials@eligo.test",
            to=[mail.address("a@example.org")],
            subject="hello\nBcc: victim@example.org",
            text="x",
        )


def test_an_unreachable_server_is_a_mail_error() -> None:
    settings = mail.MailSettings(
        host="127.0.0.1", port=free_port(), from_address="t@eligo.test", timeout=2
    )
    message = mail.compose(
        sender="t@eligo.test", to=[mail.address("a@example.org")], subject="s", text="t"
    )
    with pytest.raises(mail.MailError, match="did not take the message"):
        mail.send(settings, message)


# -- a migrated database, made once per session and copied for each test -------------------


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from eligo.store import TrialStore

    path = tmp_path_factory.mktemp("template") / "eligo.db"
    TrialStore(f"sqlite:///{path}").close()
    return path


@pytest.fixture()
def db_url(migrated_db: Path, tmp_path: Path) -> str:
    """A fresh database at the newest schema revision, without running the migrations again."""
    target = tmp_path / "eligo.db"
    shutil.copyfile(migrated_db, target)
    return f"sqlite:///{target}"
