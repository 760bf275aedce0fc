"""Checks on what browsers and API clients send: content types and field sizes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import HTTPException, Request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_TYPES = ("application/json", "application/fhir+json")


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def require_content_type(request: Request, accepted: Iterable[str]) -> str:
    """The request's media type if it is one of ``accepted``, else 415 naming what is accepted."""
    accepted = tuple(accepted)
    kind = media_type(request)
    if kind not in accepted:
        raise HTTPException(
            status_code=415,
            detail=f"Send this as {' or '.join(accepted)}, not {kind or 'an unnamed type'}.",
        )
    return kind


def bounded(request: Request, name: str, value: str | None, limit: int | None = None) -> str:
    """``value`` stripped, or 422 when it is longer than ``limit`` (default: the setting)."""
    limit = limit or request.app.state.settings.max_field_chars
    text = (value or "").strip()
    if len(text) > limit:
        raise HTTPException(
            status_code=422,
            detail=f"The field {name!r} is too long: at most {limit:,} characters.",
        )
    return text


def bounded_fields(request: Request, fields: Mapping[str, Any]) -> dict[str, str]:
    """Every string field of a submitted form, bounded; files and repeated fields excluded."""
    return {
        name: bounded(request, name, value)
        for name, value in fields.items()
        if isinstance(value, str)
    }
