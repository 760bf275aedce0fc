"""Bring a database's schema up to the newest revision, with Alembic driven from code."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from eligo.errors import StorageError

SCRIPT_LOCATION = "eligo.store:migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", *, where: str) -> None:
    """Migrate the database at ``engine`` to ``revision``; ``where`` names it in errors."""
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    if current is not None and current not in {s.revision for s in script.walk_revisions()}:
        raise StorageError(
            f"{where}: the database has schema revision {current}, which this version of eligo "
            "does not know; it was written by a newer eligo — upgrade eligo to open it"
        )
    target = script.get_current_head() if revision == "head" else revision
    if current == target:
        return
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except (SQLAlchemyError, CommandError) as error:
        # Another process may have migrated the same database a moment ago.
        if current_revision(engine) == target:
            return
        raise StorageError(
            f"{where}: cannot bring the database schema up to date: {error}"
        ) from error
