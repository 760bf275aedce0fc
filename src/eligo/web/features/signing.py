"""Signed links: a small payload, what it is for, and until when, under an HMAC-SHA256.

``token = base64url(json) "." base64url(mac)``; the MAC covers the purpose too, so a
confirmation link cannot be replayed as an unsubscribe link or the other way round.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from eligo.errors import EligoError


class TokenError(EligoError, ValueError):
    """A link that was altered, is for something else, or has expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, purpose: str, body: str) -> bytes:
    return hmac.new(secret, f"{purpose}\n{body}".encode(), hashlib.sha256).digest()


def sign(secret: bytes, purpose: str, payload: dict[str, Any], max_age: float | None = None) -> str:
    """A token for ``payload`` that :func:`verify` accepts for ``purpose`` (until ``max_age`` s)."""
    content: dict[str, Any] = {"p": payload}
    if max_age is not None:
        content["exp"] = int(time.time() + max_age)
    body = _b64(json.dumps(content, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_b64(_mac(secret, purpose, body))}"


def verify(secret: bytes, purpose: str, token: str, now: float | None = None) -> dict[str, Any]:
    """The payload of a token made by :func:`sign` for ``purpose``; TokenError otherwise."""
    body, dot, mac = token.partition(".")
    if not dot or len(token) > 4096:
        raise TokenError("this link is incomplete")
    try:
        given = _unb64(mac)
        content = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError):
        raise TokenError("this link is damaged") from None
    if not hmac.compare_digest(given, _mac(secret, purpose, body)):
        raise TokenError("this link is not valid")
    expiry = content.get("exp")
    if expiry is not None and (time.time() if now is None else now) > expiry:
        raise TokenError("this link has expired")
    payload: dict[str, Any] = content["p"]
    return payload
