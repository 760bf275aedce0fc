"""Options shared by every command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from eligo.store import TrialStore, default_url


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        default=None,
        help="Database: a SQLite file path or URL, or postgresql://… "
        "[default: $ELIGO_DB, else eligo.db in your data folder]",
    )(func)


def open_store(db_url: str | None) -> TrialStore:
    return TrialStore(db_url or default_url())
