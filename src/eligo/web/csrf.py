"""CSRF protection: a signed double-submit token.

Each browser gets a random id in the ``eligo_csrf`` cookie (set by :class:`CsrfCookie`). The token
a page embeds is an HMAC of that id under the app's secret key. A form carries it in the
``csrf_token`` field, a fetch in the ``X-CSRF-Token`` header; :func:`check_csrf` recomputes it from
the cookie. Another site can neither read the token nor forge one without the key, and a cookie
planted from a sibling domain does not help it either, since the token is tied to the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "eligo_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
_ID_LENGTH = 32


def _sign(secret: str, browser_id: str) -> str:
    return hmac.new(secret.encode(), browser_id.encode(), hashlib.sha256).hexdigest()


def _browser_id(scope: Scope) -> str | None:
    value = scope.get("state", {}).get("csrf_id")
    return value if isinstance(value, str) else None


def csrf_token(request: Request) -> str:
    """The token to embed in this request's page (a hidden field or a meta tag)."""
    browser_id = _browser_id(request.scope)
    if browser_id is None:  # the middleware is not installed: fail loudly, not open
        raise RuntimeError("CsrfCookie middleware missing")
    return _sign(request.app.state.settings.secret_key, browser_id)


def token_is_valid(request: Request, token: str | None) -> bool:
    cookie = request.cookies.get(COOKIE)
    if not token or not cookie or len(cookie) > 2 * _ID_LENGTH:
        return False
    expected = _sign(request.app.state.settings.secret_key, cookie)
    return hmac.compare_digest(expected, token)


async def check_csrf(request: Request) -> None:
    """FastAPI dependency for every state-changing browser route (POST forms and fetches).

    Reads the header first, then the form field; refuses with 403 and a message saying what to do.
    """
    token = request.headers.get(HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(FIELD)
        token = value if isinstance(value, str) else None
    if not token_is_valid(request, token):
        raise HTTPException(
            status_code=403,
            detail="The form's security token is missing or out of date. "
            "Reload the page and send it again.",
        )


class CsrfCookie:
    """ASGI middleware: gives each browser a random id cookie, the base of its CSRF token."""

    def __init__(self, app: ASGIApp, *, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = _cookie(scope)
        fresh = current is None
        state: dict[str, Any] = scope.setdefault("state", {})
        state["csrf_id"] = secrets.token_hex(_ID_LENGTH // 2) if fresh else current

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", self._cookie_header(state["csrf_id"]).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie_header(self, value: str) -> str:
        parts = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)


def _cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            key, _, item = part.strip().partition("=")
            if key == COOKIE and item and len(item) <= 2 * _ID_LENGTH and item.isalnum():
                return item
    return None
