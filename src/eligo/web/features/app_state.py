"""What the feature routers keep on ``app.state``, set once by :func:`install`.

``app.state.mail_settings``  :class:`~eligo.web.features.mail.MailSettings` or None (no SMTP:
                             nothing is sent); from ``ELIGO_SMTP_*`` unless set before.
``app.state.public_url``     the address mailed links start with (``ELIGO_PUBLIC_URL``); None
                             means the address the request came to.
"""

from __future__ import annotations

import os

from fastapi import FastAPI, Request
from sqlalchemy import Engine

from eligo.web.features.mail import MailSettings


def install(app: FastAPI) -> None:
    if not hasattr(app.state, "mail_settings"):
        app.state.mail_settings = MailSettings.from_environ()
    if not hasattr(app.state, "public_url"):
        app.state.public_url = os.environ.get("ELIGO_PUBLIC_URL") or None


def engine(request: Request) -> Engine:
    found: Engine = request.app.state.store.engine
    return found


def mail_settings(request: Request) -> MailSettings | None:
    return getattr(request.app.state, "mail_settings", None)


def public_url(request: Request) -> str:
    """Where mailed links point: the configured public address, else this request's origin."""
    configured = getattr(request.app.state, "public_url", None)
    return (configured or str(request.base_url)).rstrip("/")
