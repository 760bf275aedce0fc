"""The synthetic population's treatments (lines of therapy, supportive drugs, radiotherapy),
and the column store both halves of :mod:`eligo.screen.synth` fill and write in bulk."""

from __future__ import annotations

from typing import Any

import numpy as np

from eligo.screen.rows import joined
from eligo.screen.tables import KEYS, TABLES

#: table → column → the arrays added so far
Tables = dict[str, dict[str, Any]]

_BLANK = {"DOUBLE": np.nan, "DATE": np.datetime64("NaT")}


def add_rows(tables: Tables, table: str, columns: dict[str, Any], count: int | None = None) -> None:
    """Add rows to ``table``: given columns (arrays or constants), the others NULL."""
    if count is None:
        count = len(columns["person_id"])
    if count == 0:
        return
    store = tables.setdefault(table, {name: [] for name in TABLES[table]})
    for name, kind in TABLES[table].items():
        value = columns.get(name)
        if isinstance(value, np.ndarray):
            store[name].append(value)
        elif value is None and kind in _BLANK:
            store[name].append(np.full(count, _BLANK[kind]))
        else:
            store[name].append(np.full(count, value, dtype=object))


def concat(tables: Tables) -> Tables:
    """One array per column, and the row ids of every fact table numbered in order."""
    done: Tables = {}
    for table, columns in tables.items():
        merged = {
            name: np.concatenate(parts) if parts else np.array([])
            for name, parts in columns.items()
        }
        key = KEYS[table]
        if table not in ("person", "therapy_line"):
            merged[key] = np.arange(1, len(merged["person_id"]) + 1, dtype=np.int64)
        done[table] = merged
    return done


def treatments(
    tables: Tables,
    rng: np.random.Generator,
    data: dict[str, Any],
    ids: np.ndarray,
    dx: np.ndarray,
    onset: np.ndarray,
    sites: dict,
    day0: np.datetime64,
) -> None:
    from eligo.vocab import vocabulary

    vocab = vocabulary()
    n = len(ids)
    groups = np.array([k["lines"] for k in data["diagnoses"]], dtype=object)[dx]
    lines = rng.choice(len(data["lines"]), size=n, p=data["lines"])
    for group, regimens in data["regimens"].items():
        for k, regimen in enumerate(regimens):
            offset = 20 + k * data["line_days"] + rng.integers(0, 30, n)
            start = onset + offset.astype("timedelta64[D]")
            end = start + np.timedelta64(84, "D")
            given = (groups == group) & (lines > k) & (start <= day0 - np.timedelta64(7, "D"))
            ongoing = end > day0
            for drug in regimen:
                if drug not in vocab.drugs:
                    raise ValueError(f"synth.json: unknown drug {drug!r}")
                _drug_rows(
                    tables, ids[given], drug, start[given], end[given], ongoing[given], "anticancer"
                )
                add_rows(
                    tables,
                    "therapy_line",
                    {
                        "person_id": ids[given],
                        "line_number": np.full(int(given.sum()), k + 1),
                        "line_start_date": start[given],
                        "line_end_date": np.where(ongoing[given], np.datetime64("NaT"), end[given]),
                        "drug_key": drug,
                    },
                )
    for drug, share in data["supportive"].items():
        who = rng.random(n) < share
        start = day0 - rng.integers(0, 90, int(who.sum())).astype("timedelta64[D]")
        _drug_rows(
            tables, ids[who], drug, start, start, np.ones(int(who.sum()), dtype=bool), "supportive"
        )
    _radiotherapy(tables, rng, data, ids, dx, sites, day0)


def _drug_rows(
    tables: Tables,
    ids: np.ndarray,
    drug: str,
    start: np.ndarray,
    end: np.ndarray,
    ongoing: np.ndarray,
    role: str,
) -> None:
    add_rows(
        tables,
        "drug_exposure",
        {
            "person_id": ids,
            "drug_concept_id": 0,
            "drug_source_value": drug,
            "drug_exposure_start_date": start,
            "drug_exposure_end_date": np.where(ongoing, np.datetime64("NaT"), end),
            "drug_text": drug,
            "drug_key": drug,
            "role": role,
            "status": np.where(ongoing, "active", "completed").astype(object),
            "negated": False,
        },
    )


def _radiotherapy(
    tables: Tables,
    rng: np.random.Generator,
    data: dict[str, Any],
    ids: np.ndarray,
    dx: np.ndarray,
    sites: dict,
    day0: np.datetime64,
) -> None:
    n = len(ids)
    brain = sites.get("brain", np.zeros(n, dtype=bool)) & (
        rng.random(n) < data["brain_radiotherapy"]
    )
    whole = rng.random(n) < 0.5
    limited = np.array([k["stage"] == "limited" for k in data["diagnoses"]])[dx]
    for who, text, site in (
        (brain & whole, "whole brain radiotherapy", "brain"),
        (brain & ~whole, "stereotactic radiosurgery", "brain"),
        (limited, "thoracic radiotherapy", "thorax"),
    ):
        count = int(who.sum())
        day = day0 - rng.integers(5, 400, count).astype("timedelta64[D]")
        add_rows(
            tables,
            "procedure_occurrence",
            {
                "person_id": ids[who],
                "procedure_concept_id": 0,
                "procedure_source_value": "radiotherapy",
                "procedure_date": day,
                "procedure_text": text,
                "site": site,
                "negated": False,
                "text_site_words": joined((text, site)),
                "all_words": joined((text, site, None)),
            },
            count,
        )


def write_tables(db: Any, tables: Tables, batch: int = 200_000) -> None:
    """Bulk-write generated tables: DuckDB scans the arrays; other back ends take rows."""
    for table, columns in tables.items():
        names = list(TABLES[table])
        if hasattr(db, "write_columns"):
            db.write_columns(table, {name: _scannable(columns[name]) for name in names})
            continue
        total = len(columns["person_id"])
        for first in range(0, total, batch):
            part = [_python(columns[name][first : first + batch]) for name in names]
            db.write(table, list(zip(*part, strict=True)))


def _scannable(values: np.ndarray) -> np.ndarray:
    # DuckDB reads numpy dates at microsecond resolution only
    return values.astype("datetime64[us]") if values.dtype.kind == "M" else values


def _python(values: np.ndarray) -> list[Any]:
    """Array values as Python values, NaN and NaT as None."""
    if values.dtype.kind == "M":
        return list(values.astype("datetime64[D]").astype(object))
    if values.dtype.kind == "f":
        return [None if v != v else float(v) for v in values.tolist()]
    if values.dtype.kind in "iub":
        return values.tolist()
    return [v.item() if isinstance(v, np.generic) else v for v in values.tolist()]
