"""Where the database lives: ``$ELIGO_DB``, a URL, a bare file path, or the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

ENV_VAR = "ELIGO_DB"


def database_url(text: str) -> str:
    """A SQLAlchemy URL for what a user typed: a URL, or a file path meaning a SQLite file.

    ``postgresql://`` and ``postgres://`` URLs are given the psycopg 3 driver.
    """
    text = text.strip()
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    scheme, rest = text.split("://", 1)
    if scheme in {"postgresql", "postgres"}:
        return f"postgresql+psycopg://{rest}"
    return text


def default_url() -> str:
    """``$ELIGO_DB`` if set, else ``eligo.db`` in the user's data folder (created if missing)."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return database_url(configured)
    folder = Path(user_data_dir("eligo", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return database_url(str(folder / "eligo.db"))
