"""Opening a database: the engine, SQLite's settings, and the schema brought up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from eligo.errors import StorageError
from eligo.store import migrate
from eligo.store.urls import database_url

BACK_ENDS = ("sqlite", "postgresql")


def safe_url(url: str) -> str:
    """The URL with any password hidden, fit for messages."""
    try:
        return make_url(database_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


def _sqlite_settings(engine: Engine, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
        # schema changes are transactional too.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            # Readers (the web app) are not blocked by a writer (an ingest) and vice versa.
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def _create(url: URL) -> Engine:
    if url.get_backend_name() not in BACK_ENDS:
        raise StorageError(
            f"{url.render_as_string(hide_password=True)}: eligo keeps trials in SQLite or "
            "PostgreSQL; give a file path, sqlite:///PATH or postgresql://USER@HOST/DATABASE"
        )
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    in_memory = url.database in (None, "", ":memory:")
    if in_memory:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url, connect_args={"timeout": 30})
    _sqlite_settings(engine, in_memory)
    return engine


def _check_sqlite_search(engine: Engine) -> None:
    with engine.connect() as connection:
        has_fts5 = connection.execute(text("SELECT sqlite_compileoption_used('ENABLE_FTS5')"))
        if not has_fts5.scalar():
            raise StorageError(
                "this Python's SQLite was built without FTS5, which eligo's search needs"
            )


def open_engine(url: str) -> Engine:
    """An engine on the database at ``url`` with its schema migrated to the newest revision."""
    where = safe_url(url)
    try:
        engine = _create(make_url(database_url(url)))
    except (ArgumentError, NoSuchModuleError, ImportError) as error:
        raise StorageError(f"{where}: not a database URL eligo can use ({error})") from error
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        folder = Path(database).parent
        if not folder.is_dir():
            raise StorageError(f"{where}: cannot open the database: no folder {folder}")
    try:
        if engine.dialect.name == "sqlite":
            _check_sqlite_search(engine)
        migrate.upgrade(engine, where=where)
    except SQLAlchemyError as error:
        engine.dispose()
        reason = getattr(error, "orig", None) or error
        raise StorageError(f"{where}: cannot open the database: {reason}") from error
    except StorageError:
        engine.dispose()
        raise
    return engine
