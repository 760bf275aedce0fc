"""Where a population lives: a DuckDB file (the default), SQLite, PostgreSQL, or Parquet files
read by Spark; one small class per back end with the same four verbs (run a statement, fetch
rows, write rows in bulk, close).

    PATH | duckdb:///PATH          a DuckDB file
    sqlite:///PATH                 a SQLite file
    postgresql://USER@HOST/DB      PostgreSQL (psycopg 3)
    spark://local/DIR              Spark on this machine, tables as Parquet files under DIR
    spark://HOST:PORT/DIR          a Spark cluster (the same files, reachable from its workers)

Every failure of a back end (a bad URL, a missing table, a dropped connection) becomes a
:class:`ScreenError` that says which back end and what went wrong.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlglot import exp

from eligo.errors import EligoError
from eligo.screen.tables import TABLES, create_statements, index_statements


class ScreenError(EligoError):
    """A population that cannot be read or written, or a query a back end refused."""


class PatientsDB:
    """A connection to patient tables; subclasses implement one back end."""

    dialect = ""
    url = ""

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        raise NotImplementedError

    def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        raise NotImplementedError

    def write(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> PatientsDB:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def materialise(self, name: str, sql: str, params: dict[str, Any]) -> None:
        """Run ``sql`` into a temporary table ``name``."""
        self.drop(name)
        self.run(f"CREATE TEMP TABLE {name} AS {sql}", params)

    def drop(self, name: str) -> None:
        # when the connection is gone, so is its temporary table
        with contextlib.suppress(ScreenError):
            self.run(f"DROP TABLE IF EXISTS {name}")

    def export(self, name: str, path: Path, kind: str) -> None:
        """Write a table to a CSV or Parquet file."""
        columns, rows = self.fetch(f"SELECT * FROM {name}")
        write_rows(columns, rows, path, kind)

    def create_tables(self) -> None:
        for statement in create_statements(self.dialect) + index_statements(self.dialect):
            self.run(statement)

    def fail(self, error: BaseException, doing: str) -> ScreenError:
        text = " ".join(str(error).split())
        return ScreenError(f"{self.dialect} ({self.url}): {doing} failed: {text}")


class DuckDBPatients(PatientsDB):
    dialect = "duckdb"

    def __init__(self, path: str, *, create: bool = False) -> None:
        import duckdb

        self.url = path
        if not create and path != ":memory:" and not Path(path).is_file():
            raise ScreenError(f"duckdb: no such database file {path!r}")
        try:
            self.con = duckdb.connect(path)
        except duckdb.Error as error:
            raise self.fail(error, "opening the database") from None

    #: optimizer passes whose time grows faster than a query's expressions: on a screening
    #: query (hundreds of leaf columns) they cost seconds of planning and save no run time
    #: (measured on NCT07016230, 10,000 to 1,000,000 patients; docs/screening.md)
    SLOW_PASSES = "projection_placement,projection_pullup"

    def materialise(self, name: str, sql: str, params: dict[str, Any]) -> None:
        self.run(f"SET disabled_optimizers = '{self.SLOW_PASSES}'")
        try:
            super().materialise(name, sql, params)
        finally:
            self.run("RESET disabled_optimizers")

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        self.fetch(sql, params)

    def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        import duckdb

        try:
            cursor = self.con.execute(sql, params or {})
            rows = cursor.fetchall()
        except duckdb.Error as error:
            raise self.fail(error, "the query") from None
        columns = [d[0] for d in cursor.description or []]
        return columns, rows

    def write(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        import numpy as np

        if not rows:
            return
        names = list(TABLES[table])
        columns = {name: np.empty(len(rows), dtype=object) for name in names}
        for i, name in enumerate(names):
            columns[name][:] = [row[i] for row in rows]
        self.write_columns(table, columns)

    def write_columns(self, table: str, columns: dict[str, Any]) -> None:
        """Bulk insert from numpy arrays, one per column (DuckDB scans them in place)."""
        import duckdb

        names = ", ".join(TABLES[table])
        eligo_rows = columns  # noqa: F841 - DuckDB scans the local dict of arrays by its name
        try:
            self.con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM eligo_rows")
        except duckdb.Error as error:
            raise self.fail(error, f"writing {table}") from None
        for name, kind in TABLES[table].items():
            if kind == "DOUBLE":  # numpy has no NULL: NaN stands for it until here
                self.con.execute(f"UPDATE {table} SET {name} = NULL WHERE isnan({name})")

    def export(self, name: str, path: Path, kind: str) -> None:
        import duckdb

        options = "FORMAT parquet" if kind == "parquet" else "FORMAT csv, HEADER true"
        target = exp.Literal.string(str(path)).sql("duckdb")
        try:
            self.con.execute(f"COPY {name} TO {target} ({options})")
        except duckdb.Error as error:
            raise self.fail(error, f"writing {path}") from None

    def close(self) -> None:
        self.con.close()


def write_rows(columns: list[str], rows: list[tuple[Any, ...]], path: Path, kind: str) -> None:
    """Rows to a CSV file, or (through an in-memory DuckDB) to a Parquet file."""
    if kind == "csv":
        import csv

        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(rows)
        return
    import duckdb
    import numpy as np

    arrays = {}
    for i, name in enumerate(columns):
        arrays[name] = np.empty(len(rows), dtype=object)
        arrays[name][:] = [row[i] for row in rows]
    con = duckdb.connect()
    try:
        eligo_rows = arrays  # noqa: F841 - scanned by name
        target = exp.Literal.string(str(path)).sql("duckdb")
        con.execute(f"COPY (SELECT * FROM eligo_rows) TO {target} (FORMAT parquet)")
    finally:
        con.close()


class SQLitePatients(PatientsDB):
    dialect = "sqlite"

    def __init__(self, path: str, *, create: bool = False) -> None:
        import sqlite3

        self.url = f"sqlite:///{path}"
        if not create and not Path(path).is_file():
            raise ScreenError(f"sqlite: no such database file {path!r}")
        try:
            self.con = sqlite3.connect(path)
        except sqlite3.Error as error:
            raise self.fail(error, "opening the database") from None

    @staticmethod
    def _params(params: dict[str, Any] | None) -> dict[str, Any]:
        return {k: _sqlite_value(v) for k, v in (params or {}).items()}

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        self.fetch(sql, params)
        self.con.commit()

    def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        import sqlite3

        try:
            cursor = self.con.execute(sql, self._params(params))
            rows = cursor.fetchall()
        except sqlite3.Error as error:
            raise self.fail(error, "the query") from None
        return [d[0] for d in cursor.description or []], rows

    def write(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        import sqlite3

        marks = ", ".join("?" for _ in TABLES[table])
        try:
            self.con.executemany(
                f"INSERT INTO {table} VALUES ({marks})",
                [tuple(_sqlite_value(v) for v in row) for row in rows],
            )
            self.con.commit()
        except sqlite3.Error as error:
            raise self.fail(error, f"writing {table}") from None

    def close(self) -> None:
        self.con.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class PostgresPatients(PatientsDB):
    dialect = "postgres"

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = _hide_password(url)
        try:
            self.con = psycopg.connect(url, autocommit=True)
        except psycopg.Error as error:
            raise self.fail(error, "connecting") from None

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        import psycopg

        try:
            self.con.execute(sql, params or None)
        except psycopg.Error as error:
            raise self.fail(error, "the query") from None

    def materialise(self, name: str, sql: str, params: dict[str, Any]) -> None:
        import psycopg

        self.drop(name)
        # A screening query has tens of thousands of expressions: compiling them to machine
        # code (PostgreSQL's JIT) takes far longer than running them (NCT07016230 on 10,000
        # patients: 105 s with it, 33 s without; docs/screening.md).
        self.run("SET jit = off")
        # A utility statement takes no server-side parameters: psycopg binds them itself.
        try:
            with psycopg.ClientCursor(self.con) as cursor:
                cursor.execute(f"CREATE TEMP TABLE {name} AS {sql}", params)
        except psycopg.Error as error:
            raise self.fail(error, "the query") from None
        finally:
            with contextlib.suppress(ScreenError):
                self.run("RESET jit")

    def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        import psycopg

        try:
            cursor = self.con.execute(sql, params or None)
            rows = cursor.fetchall()
        except psycopg.Error as error:
            raise self.fail(error, "the query") from None
        return [d.name for d in cursor.description or []], rows

    def write(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        import psycopg

        names = ", ".join(TABLES[table])
        try:
            with (
                self.con.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as error:
            raise self.fail(error, f"writing {table}") from None

    def close(self) -> None:
        self.con.close()


def _hide_password(url: str) -> str:
    from sqlalchemy import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only used to name the database in messages
        return "postgresql://…"


def open_patients(url: str, *, create: bool = False) -> PatientsDB:
    """The patient tables at ``url`` (see the module doc); ``create`` makes a new database
    file where one is missing (DuckDB, SQLite)."""
    if not url:
        raise ScreenError("no patients URL given")
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        return PostgresPatients(url.replace("postgresql+psycopg://", "postgresql://", 1))
    if url.startswith("sqlite:///"):
        return SQLitePatients(url[len("sqlite:///") :], create=create)
    if url.startswith("spark://"):
        from eligo.screen.spark import SparkPatients

        return SparkPatients(url, create=create)
    if url.startswith("duckdb:///"):
        url = url[len("duckdb:///") :]
    elif "://" in url:
        raise ScreenError(
            f"unknown kind of patients URL {url!r} (a DuckDB file path, sqlite:///PATH, "
            "postgresql://…, spark://local/DIR)"
        )
    return DuckDBPatients(url, create=create)
