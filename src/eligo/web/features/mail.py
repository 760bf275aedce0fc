"""Sending mail through the one SMTP server the operator configured, and nowhere else.

Settings come from the environment (or the app's settings)::

    ELIGO_SMTP_HOST       the server; unset means eligo sends no mail at all
    ELIGO_SMTP_PORT       default 587 with STARTTLS, 465 with SSL, else 25
    ELIGO_SMTP_USER       login, if the server wants one
    ELIGO_SMTP_PASSWORD
    ELIGO_SMTP_STARTTLS   1/true/yes to upgrade the connection with STARTTLS
    ELIGO_SMTP_SSL        1/true/yes for a TLS connection from the start (port 465)
    ELIGO_SMTP_FROM       the sender address, needed when a host is set
    ELIGO_SMTP_TIMEOUT    seconds, default 20

Messages are built with :mod:`email`'s SMTP policy, which encodes non-ASCII headers (RFC 2047)
and refuses a header value with CR or LF in it, so a name cannot smuggle in a ``Bcc:``.
Nothing here logs an address or a message body.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from eligo.errors import EligoError

log = logging.getLogger(__name__)

_TRUE = {"1", "true", "yes", "on"}


class MailError(EligoError):
    """The configured SMTP server could not be reached or refused the message."""


class MailSettingsError(EligoError, ValueError):
    """The SMTP settings are incomplete or unreadable; the message names the variable."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    from_address: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False
    timeout: float = 20.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> MailSettings | None:
        """Settings from ``ELIGO_SMTP_*`` variables; None when no host is configured."""
        env = os.environ if environ is None else environ
        host = env.get("ELIGO_SMTP_HOST", "").strip()
        if not host:
            return None
        sender = env.get("ELIGO_SMTP_FROM", "").strip()
        if not sender:
            raise MailSettingsError("ELIGO_SMTP_HOST is set but ELIGO_SMTP_FROM is not")
        starttls = env.get("ELIGO_SMTP_STARTTLS", "").strip().lower() in _TRUE
        use_ssl = env.get("ELIGO_SMTP_SSL", "").strip().lower() in _TRUE
        default_port = 465 if use_ssl else 587 if starttls else 25
        return cls(
            host=host,
            from_address=sender,
            port=int(_number(env, "ELIGO_SMTP_PORT", default_port)),
            user=env.get("ELIGO_SMTP_USER") or None,
            password=env.get("ELIGO_SMTP_PASSWORD") or None,
            starttls=starttls,
            ssl=use_ssl,
            timeout=_number(env, "ELIGO_SMTP_TIMEOUT", 20.0),
        )


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise MailSettingsError(f"{name}={raw!r} is not a number") from None


def address(email: str, name: str | None = None) -> Address:
    """An address header value; raises ValueError on CR/LF or a malformed address."""
    if any(ch in (name or "") + email for ch in "\r\n"):
        raise ValueError("a name or address may not contain line breaks")
    local, _, domain = email.rpartition("@")
    if not local or not domain:
        raise ValueError("not an email address")
    return Address(display_name=name or "", username=local, domain=domain)


def compose(
    *,
    sender: str,
    to: list[Address],
    subject: str,
    text: str,
    html: str | None = None,
    reply_to: Address | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A message ready for :func:`send`; header values with CR/LF raise ValueError."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    if reply_to is not None:
        message["Reply-To"] = reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send(settings: MailSettings, message: EmailMessage) -> None:
    """Hand ``message`` to the configured server; :class:`MailError` when that fails."""
    context = ssl.create_default_context()
    try:
        if settings.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.starttls:
                client.starttls(context=context)
            if settings.user:
                client.login(settings.user, settings.password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # The server's reply may quote an address; name only the server and the error's kind.
        log.warning("mail to the SMTP server %s failed: %s", settings.host, type(error).__name__)
        raise MailError(f"the mail server {settings.host} did not take the message") from error
    log.info("mail handed to %s (%d recipients)", settings.host, _recipient_count(message))


def _recipient_count(message: EmailMessage) -> int:
    return sum(len(message.get_all(name, [])) for name in ("To", "Cc", "Bcc"))
