"""Writing patients of eligo's model into the screening tables, and reading them back.

from eligo.screen import load_patients, read_patients
load_patients(patients, "cohort.duckdb")            # creates the tables
for patient in read_patients("cohort.duckdb", limit=100): ...
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlglot import exp

from eligo.errors import RecordError
from eligo.model.patient import Patient
from eligo.screen.connect import PatientsDB, ScreenError, open_patients
from eligo.screen.from_rows import patient_from_rows
from eligo.screen.rows import RowWriter
from eligo.screen.tables import KEYS, TABLES

_BATCH = 5_000


def load_patients(
    patients: Iterable[Patient], url: str, *, vocab: Any | None = None, create: bool = True
) -> int:
    """Write ``patients`` into the tables at ``url`` (created first when ``create``); returns
    how many were written. Person ids follow the order of ``patients``, from 1."""
    if vocab is None:
        from eligo.vocab import vocabulary

        vocab = vocabulary()
    with open_patients(url, create=create) as db:
        if create:
            db.create_tables()
        return write_patients(db, patients, vocab)


def write_patients(db: PatientsDB, patients: Iterable[Patient], vocab: Any) -> int:
    writer = RowWriter(vocab)
    count = 0
    for patient in patients:
        writer.add(patient)
        count += 1
        if count % _BATCH == 0:
            _flush(db, writer)
    _flush(db, writer)
    return count


def _flush(db: PatientsDB, writer: RowWriter) -> None:
    for table, rows in writer.rows.items():
        db.write(table, rows)
        rows.clear()


def read_patient_files(paths: Iterable[Path]) -> Iterator[Patient]:
    """Patients from FHIR bundles and eligo patient files (folders are read file by file).
    A record that cannot be read raises :class:`~eligo.errors.RecordError` naming it."""
    from eligo.patients import read_patient

    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix.lower() not in (".json", ".yaml", ".yml"):
                continue
            read = read_patient(file)
            patient = read.patient
            if patient.id is None:
                patient = patient.model_copy(update={"id": file.stem})
            yield patient


def read_patients(
    url: str, *, limit: int | None = None, person_ids: Iterable[int] | None = None
) -> Iterator[Patient]:
    """The patients stored at ``url`` (all, the first ``limit``, or those ``person_ids``), in
    person id order, as the Python evaluator reads them."""
    with open_patients(url) as db:
        wanted = _person_ids(db, limit, person_ids)
        if not wanted:
            return
        facts = {table: _grouped(db, table, wanted) for table in TABLES if table != "person"}
        people = _grouped(db, "person", wanted)
    for pid in wanted:
        person = people.get(pid)
        if person is None:
            raise RecordError("no such person", source=url, field=f"person_id {pid}")
        own = {table: rows.get(pid, []) for table, rows in facts.items()}
        yield patient_from_rows(person[0], own)


def _person_ids(db: PatientsDB, limit: int | None, person_ids: Iterable[int] | None) -> list[int]:
    if person_ids is not None:
        return sorted(int(p) for p in person_ids)
    ids = [row[0] for row in db.fetch("SELECT person_id FROM person ORDER BY person_id")[1]]
    return ids if limit is None else ids[:limit]


def _grouped(db: PatientsDB, table: str, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    columns = ", ".join(TABLES[table])
    low, high = (exp.Placeholder(this=name).sql(db.dialect) for name in ("low", "high"))
    sql = (
        f"SELECT {columns} FROM {table} WHERE person_id BETWEEN {low} AND {high} "
        f"ORDER BY person_id, {KEYS[table]}"
    )
    names, rows = db.fetch(sql, {"low": min(ids), "high": max(ids)})
    wanted = set(ids)
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        record = dict(zip(names, row, strict=True))
        if record["person_id"] in wanted:
            found.setdefault(record["person_id"], []).append(record)
    return found


__all__ = ["ScreenError", "load_patients", "read_patient_files", "read_patients"]
