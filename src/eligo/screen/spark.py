"""Spark as a screening back end (the optional extra ``eligo[spark]``): the patient tables are
Parquet files in one folder (``DIR/person.parquet``, ``DIR/measurement.parquet`` …, a file or a
folder of parts each), read as views; the same compiled query runs as Spark SQL.

    spark://local/DIR             Spark on this machine (all its cores)
    spark://HOST:PORT/DIR         a cluster whose workers can read DIR

Writing (``load_patients``, ``eligo synth``) goes through an in-memory DuckDB that writes the
Parquet files when the connection closes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sqlglot import exp

from eligo.screen.connect import DuckDBPatients, PatientsDB, ScreenError, write_rows
from eligo.screen.tables import TABLES


def parse_spark_url(url: str) -> tuple[str, Path]:
    parsed = urlparse(url)
    if not parsed.path or parsed.path == "/":
        raise ScreenError(f"spark: no folder of tables in {url!r} (spark://local/DIR)")
    master = "local[*]" if parsed.netloc in ("local", "") else f"spark://{parsed.netloc}"
    return master, Path(parsed.path)


class SparkPatients(PatientsDB):
    dialect = "spark"

    def __init__(self, url: str, *, create: bool = False) -> None:
        self.url = url
        self.master, self.folder = parse_spark_url(url)
        self.writer: DuckDBPatients | None = None
        self._session: Any = None
        if create:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.writer = DuckDBPatients(":memory:", create=True)
        elif not self.folder.is_dir():
            raise ScreenError(f"spark: no such folder of tables {str(self.folder)!r}")

    # -- reading through Spark ---------------------------------------------------------------

    @property
    def session(self) -> Any:
        if self._session is None:
            try:
                from pyspark.sql import SparkSession
            except ImportError:
                raise ScreenError(
                    "spark: PySpark is not installed (pip install 'eligo[spark]')"
                ) from None
            try:
                self._session = (
                    SparkSession.builder.master(self.master)
                    .appName("eligo-screen")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.session.timeZone", "UTC")
                    # A screening query joins many small subqueries: Spark's default of 200
                    # shuffle partitions per join and a 1 GB driver make it crawl, then run out.
                    .config("spark.sql.shuffle.partitions", "8")
                    .config("spark.driver.memory", "4g")
                    .getOrCreate()
                )
                for table in TABLES:
                    found = [self.folder / f"{table}.parquet", self.folder / table]
                    path = next((p for p in found if p.exists()), None)
                    if path is None:
                        raise ScreenError(f"spark ({self.url}): table {table} does not exist")
                    self._session.read.parquet(str(path)).createOrReplaceTempView(table)
            except ScreenError:
                raise
            except Exception as error:  # noqa: BLE001 - Spark's errors come from the JVM
                raise self.fail(error, "starting Spark") from None
        return self._session

    def _sql(self, sql: str, params: dict[str, Any] | None) -> Any:
        if self.writer is not None:
            raise ScreenError("spark: a connection opened for writing cannot be queried")
        try:
            return self.session.sql(sql, args=params or None)
        except ScreenError:
            raise
        except Exception as error:  # noqa: BLE001
            raise self.fail(error, "the query") from None

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        self._sql(sql, params).collect()

    def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        frame = self._sql(sql, params)
        try:
            rows = [tuple(row) for row in frame.collect()]
        except Exception as error:  # noqa: BLE001
            raise self.fail(error, "the query") from None
        return list(frame.columns), rows

    def materialise(self, name: str, sql: str, params: dict[str, Any]) -> None:
        frame = self._sql(sql, params)
        frame.cache().createOrReplaceTempView(name)

    def drop(self, name: str) -> None:
        if self._session is not None:
            self._session.catalog.dropTempView(name)

    def export(self, name: str, path: Path, kind: str) -> None:
        columns, rows = self.fetch(f"SELECT * FROM {name}")
        write_rows(columns, rows, path, kind)

    # -- writing through DuckDB --------------------------------------------------------------

    def create_tables(self) -> None:
        assert self.writer is not None
        self.writer.create_tables()

    def write(self, table: str, rows: Any) -> None:
        assert self.writer is not None
        self.writer.write(table, rows)

    def write_columns(self, table: str, columns: dict[str, Any]) -> None:
        assert self.writer is not None
        self.writer.write_columns(table, columns)

    def close(self) -> None:
        if self.writer is not None:
            for table in TABLES:
                target = exp.Literal.string(str(self.folder / f"{table}.parquet")).sql("duckdb")
                self.writer.run(f"COPY {table} TO {target} (FORMAT parquet)")
            self.writer.close()
            self.writer = None
