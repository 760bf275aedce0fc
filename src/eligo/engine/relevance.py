"""How close a trial is to what the patient has: diagnoses against the trial's conditions
through the vocabulary's hierarchy, and BM25 over the trial's text (``bm25s``).

Concept match, for each pair of a patient diagnosis and a trial condition: 1.0 when the
patient's diagnosis is the trial's condition, and when it lies below it (SCLC for a "lung cancer"
trial) as much as the trial's condition keeps of the diagnosis's specificity (``specificity``: a
"cancer" trial keeps little of SCLC, a "lung cancer" trial most of it);
0.7 when the trial's condition lies below the patient's (an "extensive-stage SCLC" trial for a
patient recorded with SCLC); 0.4 when both lie below a common concept that is not too broad
(two neuroendocrine carcinomas). Cancers weigh 1.0, other diagnoses 0.35; the best pair wins.

Text match: BM25 of the patient's words (diagnoses, and the note when the patient came from
one) over each trial's titles, conditions, keywords and summary, divided by the best score
among the trials matched together, so it lies in [0, 1]. Relevance mixes the two (0.6 concept,
0.4 text); without a text index it is the concept match alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import bm25s
import numpy as np

from eligo.engine.base import engine_data
from eligo.model import Trial
from eligo.model.patient import Patient


def trial_text(trial: Trial) -> str:
    parts = [
        trial.brief_title,
        trial.official_title or "",
        " ".join(trial.conditions),
        " ".join(trial.conditions),
        " ".join(trial.keywords),
        trial.brief_summary or "",
    ]
    return "\n".join(parts)


def trial_concepts(trial: Trial, vocab: Any) -> frozenset[str]:
    """The condition concepts a trial is about: named in its conditions, keywords, title."""
    text = "\n".join([*trial.conditions, *trial.keywords, trial.brief_title])
    return frozenset(m.concept_id for m in vocab.find_conditions(text))


def patient_concepts(patient: Patient, vocab: Any) -> dict[str, float]:
    """The patient's diagnoses with their weight (cancers count most)."""
    weights = engine_data("relevance.json")["patient_weight"]
    found: dict[str, float] = {}
    for condition in patient.conditions:
        if condition.negated:
            continue
        ids = [condition.concept_id, getattr(condition.histology, "concept_id", None)]
        for concept_id in filter(None, ids):
            concept = vocab.conditions.get(concept_id)
            category = getattr(concept, "category", None)
            weight = weights["neoplasm"] if category == "neoplasm" else weights["other"]
            found[concept_id] = max(found.get(concept_id, 0.0), weight)
    return found


def patient_words(patient: Patient, vocab: Any, note: str | None = None) -> str:
    """The words BM25 looks for: the patient's diagnoses (labels and as written), and a note."""
    words = []
    for condition in patient.conditions:
        if condition.negated:
            continue
        if condition.concept_id and condition.concept_id in vocab.conditions:
            words.append(vocab.conditions[condition.concept_id].label)
        if condition.text:
            words.append(condition.text)
        if condition.histology is not None and condition.histology.text:
            words.append(condition.histology.text)
    if note:
        words.append(note)
    return "\n".join(words)


@dataclass(frozen=True, slots=True)
class TrialConcepts:
    """A trial's condition concepts and everything above them, prepared once."""

    concepts: frozenset[str]
    closure: frozenset[str]  # the concepts and all their ancestors

    @classmethod
    def of(cls, concepts: frozenset[str], vocab: Any) -> TrialConcepts:
        closure = set(concepts)
        for concept in concepts:
            closure |= vocab.ancestors(concept)
        return cls(concepts, frozenset(closure))


def concept_match(
    patient: dict[str, float], trial: TrialConcepts | frozenset[str], vocab: Any
) -> float:
    """The best pair of a patient diagnosis and a trial condition (see the module doc)."""
    if not isinstance(trial, TrialConcepts):
        trial = TrialConcepts.of(trial, vocab)
    if not patient or not trial.concepts:
        return 0.0
    data = engine_data("relevance.json")
    pair, broad = data["pair"], frozenset(data["broad"])
    best = 0.0
    for mine, weight in patient.items():
        above_mine = vocab.ancestors(mine)
        if mine in trial.concepts or not above_mine.isdisjoint(trial.concepts):
            # the patient's diagnosis is the trial's, or below it: as much as the trial's
            # condition keeps of the diagnosis's specificity ("cancer" keeps little of SCLC)
            kept = max(
                specificity(vocab, theirs, mine)
                for theirs in trial.concepts
                if theirs == mine or theirs in above_mine
            )
            score = pair["same_or_below"] * kept
        elif mine in trial.closure:
            score = pair["above"]  # a trial condition lies below the patient's diagnosis
        elif not (above_mine - broad).isdisjoint(trial.closure):
            score = pair["related"]  # a common concept above both
        else:
            continue
        best = max(best, score * weight)
    return best


@lru_cache(maxsize=65536)
def specificity(vocab: Any, theirs: str, mine: str) -> float:
    """How much of the patient's diagnosis ``mine`` a trial condition ``theirs`` at or above it
    keeps: the ratio of their information content (log of the number of condition concepts
    over those at or below the concept), scaled from ``breadth_floor`` (the broadest) to 1."""
    if theirs == mine:
        return 1.0
    floor = float(engine_data("relevance.json")["breadth_floor"])
    mine_content = _content(vocab, mine)
    if mine_content <= 0:
        return 1.0
    ratio = min(1.0, max(0.0, _content(vocab, theirs) / mine_content))
    return floor + (1 - floor) * ratio


@lru_cache(maxsize=16384)
def _content(vocab: Any, concept: str) -> float:
    total = len(vocab.conditions)
    below = sum(1 for d in vocab.descendants(concept) if d in vocab.conditions)
    return math.log(total / (1 + below)) if total else 0.0


def availability(status: str | None) -> float:
    """How much a trial counts for a person looking for one to join, by its registry status:
    1 for recruiting and not yet recruiting, less for the rest (``relevance.json``)."""
    table = engine_data("relevance.json")["availability"]
    return float(table.get(status or "", table["other"]))


class TextIndex:
    """BM25 over a list of trials, built once and queried per patient."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = len(texts)
        self._retriever = bm25s.BM25()
        tokens = bm25s.tokenize(list(texts), stopwords="en", show_progress=False)
        self._vocab = tokens.vocab
        self._retriever.index(tokens, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """A score in [0, 1] per trial, in index order (the best trial scores 1)."""
        if not query.strip() or self.size == 0:
            return np.zeros(self.size)
        words = bm25s.tokenize([query], stopwords="en", show_progress=False, return_ids=False)[0]
        known = [w for w in dict.fromkeys(words) if w in self._vocab]
        if not known:
            return np.zeros(self.size)
        raw = np.asarray(self._retriever.get_scores(known), dtype=float)
        top = float(raw.max()) if raw.size else 0.0
        return raw / top if top > 0 else raw


def relevance(concepts: float, text: float | None) -> float:
    """The mix of concept and text match (concept match alone without a text index)."""
    if text is None:
        return concepts
    mix = engine_data("relevance.json")["mix"]
    return mix["concepts"] * concepts + mix["text"] * text
