"""Spark runs the same SQL (``pytest -m spark``; needs PySpark and a Java runtime): the verdicts
of a small synthetic cohort screened on Spark equal DuckDB's, patient by patient."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eligo.screen import open_patients
from eligo.screen.compile import compile_trial
from eligo.screen.synth import synthesise
from eligo.screen.synth_treatment import write_tables

pytestmark = pytest.mark.spark

SEED = Path(__file__).parent / "data" / "seeds" / "001_36ee6b61676e01d5.txt"
AS_OF = dt.date(2026, 10, 1)


def test_spark_gives_duckdbs_verdicts(tmp_path: Path) -> None:
    from eligo.criteria import analyse
    from eligo.ingest import read_trials
    from eligo.parse import parse_criteria
    from eligo.screen.synth import generate

    trial = next(iter(read_trials(SEED)))
    eligibility = analyse(trial)
    trial = trial.model_copy(update={"cohorts": eligibility.cohorts})
    criteria = parse_criteria(eligibility.criteria)
    duck = str(tmp_path / "cohort.duckdb")
    synthesise(120, seed=4, url=duck)
    spark_url = f"spark://local{tmp_path / 'tables'}"
    with open_patients(spark_url, create=True) as writer:
        writer.create_tables()
        write_tables(writer, generate(120, seed=4))
    compiled = compile_trial(trial, criteria)
    with open_patients(duck) as db:
        expected = db.fetch(compiled.sql("duckdb"), compiled.params(AS_OF, "duckdb"))
    with open_patients(spark_url) as spark:
        found = spark.fetch(compiled.sql("spark"), compiled.params(AS_OF, "spark"))
    assert found[0] == expected[0]
    assert found[1] == expected[1]
    assert len(found[1]) == 120
