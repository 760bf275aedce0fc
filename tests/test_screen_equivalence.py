"""The SQL a trial compiles to gives the Python evaluator's verdicts, patient by patient and
criterion by criterion, on DuckDB, SQLite and PostgreSQL (hypothesis draws the patients and the
criteria; ``screen_strategies`` says from what)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from eligo.engine import match_trial
from eligo.model import Cohort, Criterion, Trial
from eligo.model.expression import Cohort as CohortNode
from eligo.model.expression import render
from eligo.screen import PatientsDB, open_patients
from eligo.screen.compile import compile_trial
from eligo.screen.load import write_patients
from eligo.screen.tables import TABLES
from eligo.vocab import vocabulary
from screen_strategies import AS_OF, expressions, patients

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    # a query takes a second to plan: shrinking would take minutes; the failure is printed whole
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def make_trial(with_cohorts: bool) -> Trial:
    data = {
        "trial_id": "NCT-TEST",
        "brief_title": "test",
        "source": {"format": "csv"},
        "minimum_age": 18.0,
    }
    trial = Trial.model_validate(data)
    if with_cohorts:
        cohorts = [
            Cohort(
                id="cohort-1",
                label="Cohort 1",
                description="small cell lung cancer",
                conditions=["small cell lung cancer"],
            ),
            Cohort(
                id="cohort-2",
                label="Cohort 2",
                description="neuroendocrine carcinoma",
                conditions=["neuroendocrine carcinoma"],
            ),
        ]
        trial = trial.model_copy(update={"cohorts": cohorts})
    return trial


@pytest.fixture(params=["duckdb", "sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PatientsDB]:
    if request.param == "duckdb":
        url = str(tmp_path / "patients.duckdb")
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'patients.sqlite'}"
    else:
        url = str(request.getfixturevalue("postgres_url"))
    with open_patients(url, create=True) as opened:
        opened.create_tables()
        yield opened


def refill(db: PatientsDB, people: list) -> None:
    for table in TABLES:
        db.run(f"DELETE FROM {table}")
    write_patients(db, people, vocabulary())


def check(db: PatientsDB, people: list, trial: Trial, criteria: list[Criterion]) -> None:
    refill(db, people)
    compiled = compile_trial(trial, criteria)
    assert compiled.gaps == [], compiled.gaps
    names, rows = db.fetch(compiled.sql(db.dialect), compiled.params(AS_OF, db.dialect))
    assert len(rows) == len(people)
    written = {c.id: c.expression for c in criteria}
    for patient, row in zip(people, rows, strict=True):
        found = dict(zip(names, row, strict=True))
        expected = match_trial(patient, trial, criteria, as_of=AS_OF)
        for criterion in expected.criteria:
            assert found[criterion.id] == criterion.verdict, (
                f"{db.dialect}: {criterion.id} for {patient.model_dump_json(exclude_defaults=True)}"
                f"\n{render(written[criterion.id]) if written.get(criterion.id) else ''}"
                f"\nevaluator: {criterion.verdict} ({criterion.reason}); SQL: {found[criterion.id]}"
            )
        assert found["verdict"] == expected.verdict
        assert found["cohort"] == expected.cohort


@SETTINGS
@given(
    people=st.lists(patients(), min_size=1, max_size=6),
    inclusion=expressions,
    exclusion=expressions,
)
def test_sql_gives_the_evaluators_verdicts(
    db: PatientsDB, people: list, inclusion: object, exclusion: object
) -> None:
    criteria = [
        Criterion(id="inc-1", kind="inclusion", text="drawn", expression=inclusion),
        Criterion(id="exc-1", kind="exclusion", text="drawn", expression=exclusion),
    ]
    check(db, people, make_trial(False), criteria)


@SETTINGS
@given(people=st.lists(patients(), min_size=1, max_size=6), inclusion=expressions)
def test_cohorts_pick_the_same_best_fit(db: PatientsDB, people: list, inclusion: object) -> None:
    cohort_two = Criterion(
        id="inc-2", kind="inclusion", text="cohort 2 only", cohort="cohort-2", expression=inclusion
    )
    gated = Criterion(
        id="inc-3", kind="inclusion", text="gated", expression=_any_not_cohort(inclusion)
    )
    criteria = [
        Criterion(id="inc-1", kind="inclusion", text="drawn", expression=inclusion),
        cohort_two,
        gated,
    ]
    check(db, people, make_trial(True), criteria)


def _any_not_cohort(node: object) -> object:
    from eligo.model.expression import Any, Not

    return Any(Not(CohortNode(name="2")), node.copy())  # type: ignore[attr-defined]
