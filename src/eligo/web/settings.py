"""The web app's settings, in one place: each has a name, a default, a help text and an
environment variable (``ELIGO_`` + the name in capitals)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from typing import Any


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class WebSettings:
    db_url: str | None = _setting(
        None, "Database URL or SQLite path; None means $ELIGO_DB, else the user's data folder."
    )
    secret_key: str = field(
        default_factory=lambda: secrets.token_urlsafe(32),
        metadata={
            "help": "Key that signs CSRF tokens. Set it when several processes serve the app; "
            "the default is new at each start."
        },
    )
    site_name: str = _setting("eligo", "Name shown in page titles and the header.")
    max_body_bytes: int = _setting(
        2_000_000, "Largest request body accepted (bytes); larger ones get 413."
    )
    max_field_chars: int = _setting(
        10_000, "Longest single form field accepted (characters); longer ones get 422."
    )
    form_rate_per_minute: int = _setting(
        30, "Form submissions allowed per client address and form per minute (429 beyond)."
    )
    api_rate_per_minute: int = _setting(
        240, "API calls (search, match) allowed per client address per minute (429 beyond)."
    )
    secure_cookies: bool = _setting(
        False, "Mark cookies Secure (set it when the app is served over HTTPS)."
    )
    page_size: int = _setting(20, "Search results per page.")
    warm_on_start: bool = _setting(
        True, "Load the search index and gazetteer in the background when the app starts."
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> WebSettings:
        """Settings from ``ELIGO_<NAME>`` environment variables, then ``overrides``."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = environ.get(f"ELIGO_{item.name.upper()}")
            if raw is None or raw == "":
                continue
            values[item.name] = _convert(raw, item.type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, help) for each setting, for documentation."""
        rows = []
        for item in fields(cls):
            default = "random at start" if item.name == "secret_key" else repr(item.default)
            rows.append((f"ELIGO_{item.name.upper()}", default, item.metadata["help"]))
        return rows


def _convert(raw: str, type_name: Any) -> Any:
    kind = str(type_name)
    if kind.startswith("int"):
        return int(raw)
    if kind.startswith("bool"):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw
