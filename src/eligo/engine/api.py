"""The matcher's public functions.

    from eligo.engine import match, match_trial, check, TrialSet

    results = match(patient, [(trial, criteria), ...], as_of=date(2026, 10, 1), top=10)
    one = match_trial(patient, trial, criteria, as_of=date(2026, 10, 1))
    verdict = check(patient, "Platelets ≥ 100 × 10^9/L", "inclusion", as_of=date(2026, 10, 1))

For many patients against the same trials, build a :class:`TrialSet` once (it holds the
trials' parsed criteria, their condition concepts and the BM25 index) and pass it to
:func:`match` each time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from eligo.engine.criteria import judge
from eligo.engine.evaluate import Evaluator
from eligo.engine.plan import LeafTable, PlannedTrial, Verdicts
from eligo.engine.relevance import (
    TextIndex,
    TrialConcepts,
    concept_match,
    patient_concepts,
    patient_words,
    relevance,
    trial_concepts,
    trial_text,
)
from eligo.engine.results import CriterionMatch, TrialMatch
from eligo.engine.trial import RANK, judge_trial, score_of
from eligo.model import Criterion, Trial
from eligo.model.patient import Patient


def _vocabulary(vocab: Any | None) -> Any:
    if vocab is not None:
        return vocab
    from eligo.vocab import vocabulary

    return vocabulary()


@dataclass
class TrialEntry:
    trial: Trial
    criteria: list[Criterion]
    concepts: TrialConcepts
    plan: PlannedTrial


class TrialSet:
    """Trials with their parsed criteria, prepared once for matching many patients."""

    def __init__(
        self, items: Iterable[tuple[Trial, list[Criterion]]], *, vocab: Any | None = None
    ) -> None:
        self.vocab = _vocabulary(vocab)
        self.leaves = LeafTable()
        self.entries = [
            TrialEntry(
                trial,
                list(criteria),
                TrialConcepts.of(trial_concepts(trial, self.vocab), self.vocab),
                PlannedTrial.of(trial, list(criteria), self.leaves, self.vocab),
            )
            for trial, criteria in items
        ]
        self._index: TextIndex | None = None

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def index(self) -> TextIndex:
        if self._index is None:
            self._index = TextIndex([trial_text(e.trial) for e in self.entries])
        return self._index

    def relevances(self, patient: Patient, note: str | None = None) -> list[float]:
        mine = patient_concepts(patient, self.vocab)
        words = patient_words(patient, self.vocab, note)
        text: np.ndarray | None = self.index.scores(words) if len(self.entries) > 1 else None
        return [
            relevance(
                concept_match(mine, entry.concepts, self.vocab),
                None if text is None else float(text[i]),
            )
            for i, entry in enumerate(self.entries)
        ]


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
        ranked.append((-score, RANK[verdict], entry.trial.trial_id, i))
    ranked.sort()
    chosen = ranked if top is None else ranked[:top]
    results = [
        judge_trial(
            evaluator, trial_set.entries[i].trial, trial_set.entries[i].criteria, relevances[i]
        )
        for *_, i in chosen
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
    criterion = Criterion(id="criterion", kind=kind, text=criterion_text, expression=expression)
    evaluator = Evaluator(
        patient, as_of or dt.date.today(), vocab=_vocabulary(vocab), unmentioned=unmentioned
    )
    return judge(criterion, evaluator, None)
