"""The matcher's public functions.

    from eligo.engine import match, match_trial, check, TrialSet

    results = match(patient, [(trial, criteria), ...], as_of=date(2026, 10, 1), top=10)
    one = match_trial(patient, trial, criteria, as_of=date(2026, 10, 1))
    verdict = check(patient, "Platelets ≥ 100 × 10^9/L", "inclusion", as_of=date(2026, 10, 1))

For many patients against the same trials, build a :class:`TrialSet` once (it holds the
trials' parsed criteria, their condition concepts and the BM25 index) and pass it to
:func:`match` each time. For every trial of a store, :func:`eligo.engine.stored.stored_trial_set`
gives one compiled once and kept on disk until the store changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from eligo.engine.criteria import judge
from eligo.engine.evaluate import Evaluator
from eligo.engine.plan import Verdicts
from eligo.engine.relevance import concept_match, patient_concepts, relevance, trial_concepts
from eligo.engine.results import CriterionMatch, TrialMatch
from eligo.engine.trial import RANK, judge_trial, score_of
from eligo.engine.trial_set import TrialEntry, TrialSet, vocabulary_of
from eligo.model import Criterion, Trial
from eligo.model.criteria import CriterionKind
from eligo.model.patient import Patient

__all__ = ["TrialEntry", "TrialSet", "check", "match", "match_trial"]


def _vocabulary(vocab: Any | None) -> Any:
    return vocabulary_of(vocab)


def match_trial(
    patient: Patient,
    trial: Trial,
    criteria: list[Criterion],
    *,
    as_of: dt.date | None = None,
    vocab: Any | None = None,
) -> TrialMatch:
    """One trial for one patient; relevance is the concept match alone (no text index)."""
    vocab = _vocabulary(vocab)
    evaluator = Evaluator(patient, as_of or dt.date.today(), vocab=vocab)
    score = concept_match(patient_concepts(patient, vocab), trial_concepts(trial, vocab), vocab)
    return judge_trial(evaluator, trial, criteria, relevance(score, None))


def match(
    patient: Patient,
    trials: TrialSet | Iterable[tuple[Trial, list[Criterion]]],
    *,
    as_of: dt.date | None = None,
    top: int | None = None,
    note: str | None = None,
    vocab: Any | None = None,
) -> list[TrialMatch]:
    """Every trial for one patient, best first (by score, then verdict, then trial id).

    Every trial's verdict and score are computed (verdicts alone, :mod:`eligo.engine.plan`);
    the criteria, reasons and questions are then worked out for the trials returned: the best
    ``top``, or all. ``note`` is free text about the patient (a clinical note) that the text
    match uses besides the diagnoses.
    """
    trial_set = trials if isinstance(trials, TrialSet) else TrialSet(trials, vocab=vocab)
    evaluator = Evaluator(patient, as_of or dt.date.today(), vocab=trial_set.vocab)
    relevances = trial_set.relevances(patient, note)
    verdicts = Verdicts(evaluator, trial_set.leaves)
    ranked = []
    for i, entry in enumerate(trial_set.entries):
        verdict, judged, _ = verdicts.trial(entry.plan)
        score = score_of(verdict, judged, relevances[i])
        ranked.append((-score, RANK[verdict], entry.trial_id, i))
    ranked.sort()
    chosen = [i for *_, i in (ranked if top is None else ranked[:top])]
    results = [
        judge_trial(evaluator, trial, criteria, relevances[i])
        for i, (trial, criteria) in zip(chosen, trial_set.pairs(chosen), strict=True)
    ]
    results.sort(key=lambda m: (-m.score, RANK[m.verdict], m.trial_id))
    return results


def check(
    patient: Patient,
    criterion_text: str,
    kind: str,
    *,
    as_of: dt.date | None = None,
    vocab: Any | None = None,
    unmentioned: str = "unknown",
) -> CriterionMatch:
    """One criterion, as written, for one patient: parsed by ``eligo.parse``, then judged.

    ``unmentioned="absent_in_exclusions"`` reads a record as criterion annotators read a note:
    what it does not mention, in a domain it does not document in full, is absent for an
    exclusion (not excluded) and still unknown for an inclusion. The default is eligo's rule:
    unknown either way (docs/matching.md)."""
    from eligo.parse import parse_criterion

    if kind not in ("inclusion", "exclusion"):
        raise ValueError(f"kind must be inclusion or exclusion, not {kind!r}")
    expression = parse_criterion(criterion_text, kind)
    criterion = Criterion(
        id="criterion", kind=cast(CriterionKind, kind), text=criterion_text, expression=expression
    )
    evaluator = Evaluator(
        patient, as_of or dt.date.today(), vocab=_vocabulary(vocab), unmentioned=unmentioned
    )
    return judge(criterion, evaluator, None)
