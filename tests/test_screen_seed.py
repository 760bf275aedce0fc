"""Seed 001 (NCT07016230) screened against a synthetic cohort: every criterion's counts, and
the trial verdicts, equal those of the Python evaluator run patient by patient on the same
cohort (read back from the tables)."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from eligo.criteria import analyse
from eligo.engine import match_trial
from eligo.ingest import read_trials
from eligo.model import Criterion, Trial
from eligo.parse import parse_criteria
from eligo.screen import read_patients
from eligo.screen.screener import screen
from eligo.screen.synth import synthesise

SEED = Path(__file__).parent / "data" / "seeds" / "001_36ee6b61676e01d5.txt"
AS_OF = dt.date(2026, 10, 1)


@pytest.fixture(scope="module")
def seed_trial() -> tuple[Trial, list[Criterion]]:
    trial = next(t for t in read_trials(SEED) if isinstance(t, Trial))
    eligibility = analyse(trial)
    trial = trial.model_copy(update={"cohorts": trial.cohorts or eligibility.cohorts})
    return trial, parse_criteria(eligibility.criteria)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("cohort") / "synthetic.duckdb")
    synthesise(240, seed=11, url=url)
    return url


def test_counts_equal_the_evaluators(seed_trial: tuple, cohort: str) -> None:
    trial, criteria = seed_trial
    screening = screen(trial, criteria, cohort, as_of=AS_OF)
    assert screening.gaps == []
    assert screening.patients == 240
    expected: dict[str, Counter] = {}
    verdicts: Counter = Counter()
    for patient in read_patients(cohort):
        found = match_trial(patient, trial, criteria, as_of=AS_OF)
        verdicts[found.verdict] += 1
        for criterion in found.criteria:
            expected.setdefault(criterion.id, Counter())[criterion.verdict] += 1
    assert screening.verdicts == {v: verdicts[v] for v in screening.verdicts}
    for step in screening.funnel:
        counted = {
            k: getattr(step, k)
            for k in ("met", "not_met", "unknown", "team", "not_applicable")
            if getattr(step, k)
        }
        assert counted == dict(expected.get(step.criterion, {})), step.criterion
    # the funnel only ever narrows, and what it excludes adds up
    remaining = [step.remaining for step in screening.funnel]
    assert remaining == sorted(remaining, reverse=True)
    assert remaining[-1] == screening.verdicts["eligible"] + screening.verdicts["possibly_eligible"]


def test_the_funnel_follows_the_log(seed_trial: tuple, cohort: str, tmp_path: Path) -> None:
    trial, criteria = seed_trial
    log = tmp_path / "log.csv"
    screening = screen(trial, criteria, cohort, as_of=AS_OF, out=log)
    with log.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    left = rows
    for step in screening.funnel:
        bad = "not_met" if step.kind == "inclusion" else "met"
        assert step.excluded == sum(row[step.criterion] == bad for row in rows), step.criterion
        left = [row for row in left if row[step.criterion] != bad]
        assert step.remaining == len(left), step.criterion
    assert any(step.excluded for step in screening.funnel)


def test_the_synthetic_cohort_is_reproducible(tmp_path: Path) -> None:
    first, second, other = (str(tmp_path / f"{name}.duckdb") for name in ("a", "b", "c"))
    synthesise(50, seed=5, url=first)
    synthesise(50, seed=5, url=second)
    synthesise(50, seed=6, url=other)
    same = [p.model_dump() for p in read_patients(first)]
    assert same == [p.model_dump() for p in read_patients(second)]
    assert same != [p.model_dump() for p in read_patients(other)]
    diagnoses = Counter(p.conditions[0].concept_id for p in read_patients(first))
    assert diagnoses["extensive_stage_sclc"] + diagnoses["limited_stage_sclc"] > 5
