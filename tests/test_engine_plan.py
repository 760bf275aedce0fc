"""The fast path (verdicts alone, for ranking) gives the verdicts of the full evaluation: the
thirty test patients against the seed trials, hand-written and parsed, and against demo trials
read and parsed from the project's own records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eligo.cli.match import trials_from_path
from eligo.engine import TrialSet
from eligo.engine.evaluate import Evaluator
from eligo.engine.plan import Verdicts
from eligo.engine.trial import judge_trial
from eligo.patients import read_note, read_patient
from test_match_seeds import (
    IADADEMSTAT,
    TARLATAMAB,
    iadademstat_criteria,
    tarlatamab_criteria,
)

AS_OF = dt.date(2026, 10, 1)
ROOT = Path(__file__).parent.parent
PATIENTS = sorted((ROOT / "tests" / "data" / "match" / "patients").glob("*.json"))
DEMO = sorted((ROOT / "src" / "eligo" / "demo" / "trials" / "sclc_nec").glob("*.xml"))[:25]


@pytest.fixture(scope="module")
def trial_set() -> TrialSet:
    pairs = [(TARLATAMAB, tarlatamab_criteria()), (IADADEMSTAT, iadademstat_criteria())]
    for seed in sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt")):
        pairs += trials_from_path(seed)
    for path in DEMO:
        pairs += trials_from_path(path)
    return TrialSet(pairs)


#: notes: a case summary that states consent (summed-up domains, commitments), and a patient's
#: own words (nothing summed up)
NOTES = {
    "case-summary": "A 64-year-old man with extensive-stage small cell lung cancer, liver "
    "metastases, progressed after 4 cycles of carboplatin and etoposide. ECOG 1. No brain "
    "metastases. Platelets 150 x10^9/L, creatinine 1.0 mg/dL. The patient will provide informed "
    "consent, and will comply with the trial protocol without any practical issues.",
    "own-words": "I am 59, I have small cell lung cancer and I had cisplatin and etoposide last "
    "year. I am willing to participate in a trial.",
}


def _patients():
    for path in PATIENTS[::3]:
        yield pytest.param(lambda path=path: read_patient(path).patient, id=path.stem)
    for name, note in NOTES.items():
        yield pytest.param(lambda note=note: read_note(note, as_of=AS_OF).patient, id=name)


@pytest.mark.parametrize("read", list(_patients()))
def test_fast_verdicts_equal_full_verdicts(trial_set, read):
    patient = read()
    evaluator = Evaluator(patient, AS_OF, vocab=trial_set.vocab)
    fast = Verdicts(evaluator, trial_set.leaves)
    for entry in trial_set.entries:
        verdict, judged, _ = fast.trial(entry.plan)
        full = judge_trial(evaluator, entry.trial, entry.criteria, 0.0)
        assert verdict == full.verdict, entry.trial.trial_id
        if verdict != "ineligible":
            assert [v for _, v in judged] == [c.verdict for c in full.criteria], (
                entry.trial.trial_id
            )


def test_identical_leaves_are_kept_once(trial_set):
    leaves = trial_set.leaves.nodes
    assert len(leaves) == len({leaf._key() for leaf in leaves})
    total = sum(
        1
        for entry in trial_set.entries
        for criterion in entry.criteria
        for item in criterion.walk()
        if item.expression is not None
        for leaf in item.expression.leaves()
        if leaf.kind not in ("unparsed", "cohort", "allowed")
    )
    assert len(leaves) < total
