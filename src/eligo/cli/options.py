"""Options shared by every command."""

from __future__ import annotations

import datetime as dt
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


class AsOfDate(click.ParamType):
    """A YYYY-MM-DD day eligo can judge on (windows reach back decades from it)."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from eligo.engine.windows import check_as_of

        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)
        try:
            return check_as_of(day)
        except ValueError as error:
            self.fail(str(error), param, ctx)
