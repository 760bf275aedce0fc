"""Trials prepared once for matching many patients, held whole or compiled alone.

A :class:`TrialSet` holds, for each trial, what ranking needs (its condition concepts and its
criteria compiled into a verdict plan, :mod:`eligo.engine.plan`), the leaves those plans share,
and the BM25 index of the trials' text. It is made two ways:

- ``TrialSet(pairs)`` keeps every trial and its criteria in memory (a few trials, the web app);
- ``TrialSet.streamed(pairs, fetch)`` compiles the trials as they come and keeps none of them:
  the trial and criteria of the few trials a match explains are fetched again (``fetch``, e.g.
  from the store) when asked for. Its compiled part (:class:`CompiledTrials`) is small, and
  :mod:`eligo.engine.stored` keeps it on disk between runs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from eligo.engine.plan import LeafTable, PlannedTrial
from eligo.engine.relevance import (
    TextIndex,
    TrialConcepts,
    availability,
    concept_match,
    patient_concepts,
    patient_words,
    relevance,
    trial_concepts,
    trial_text,
)
from eligo.model import Criterion, Trial
from eligo.model.expression import Expression
from eligo.model.patient import Patient

Pair = tuple[Trial, list[Criterion]]
#: trial ids → their (trial, criteria); ids it cannot find are left out
Fetch = Callable[[list[str]], dict[str, Pair]]

_RECENT = 256  # fetched trials kept for a set that holds none


def vocabulary_of(vocab: Any | None) -> Any:
    if vocab is not None:
        return vocab
    from eligo.vocab import vocabulary

    return vocabulary()


class _Fetched:
    """The trials of a set that holds none: fetched when asked for, the recent ones kept."""

    def __init__(self, fetch: Fetch) -> None:
        self.fetch = fetch
        self.recent: OrderedDict[str, Pair] = OrderedDict()

    def get(self, trial_ids: list[str]) -> dict[str, Pair]:
        wanted = [i for i in trial_ids if i not in self.recent]
        if wanted:
            found = self.fetch(wanted)
            missing = [i for i in wanted if i not in found]
            if missing:
                raise LookupError(f"trials no longer where they were read from: {missing[:5]}")
            self.recent.update(found)
        out = {}
        for trial_id in trial_ids:
            self.recent.move_to_end(trial_id)
            out[trial_id] = self.recent[trial_id]
        while len(self.recent) > max(_RECENT, len(trial_ids)):
            self.recent.popitem(last=False)
        return out


class TrialEntry:
    """One trial of a set: its id, condition concepts and verdict plan, and the trial with its
    criteria (held, or fetched when asked for)."""

    __slots__ = ("trial_id", "concepts", "plan", "status", "_pair", "_fetched")

    def __init__(
        self,
        trial_id: str,
        concepts: TrialConcepts,
        plan: PlannedTrial,
        pair: Pair | None = None,
        fetched: _Fetched | None = None,
        status: str | None = None,
    ) -> None:
        self.trial_id = trial_id
        self.concepts = concepts
        self.plan = plan
        self.status = status  # the registry's overall status, for availability
        self._pair = pair
        self._fetched = fetched

    @property
    def pair(self) -> Pair:
        if self._pair is not None:
            return self._pair
        assert self._fetched is not None
        return self._fetched.get([self.trial_id])[self.trial_id]

    @property
    def trial(self) -> Trial:
        return self.pair[0]

    @property
    def criteria(self) -> list[Criterion]:
        return self.pair[1]


@dataclass
class CompiledTrials:
    """What a :class:`TrialSet` needs to rank, without the trials: a few MB to keep on disk."""

    trial_ids: list[str]
    concepts: list[TrialConcepts]
    plans: list[PlannedTrial]
    leaves: list[Expression]  # detached from the criteria they came from
    gating: list[bool]
    index: TextIndex | None
    statuses: list[str | None] = field(default_factory=list)


class TrialSet:
    """Trials with their parsed criteria, prepared once for matching many patients.

    ``prefer_open``: a trial not taking patients counts somewhat less relevant, by its registry
    status (``relevance.availability``): a person looks for trials to join. Set it to False to
    rank by eligibility and relevance alone (a benchmark of old trials does)."""

    prefer_open = True

    def __init__(self, items: Iterable[Pair], *, vocab: Any | None = None) -> None:
        self.vocab = vocabulary_of(vocab)
        self.leaves = LeafTable()
        self._fetched: _Fetched | None = None
        self._index: TextIndex | None = None
        self.entries = [self._entry(trial, list(criteria), True) for trial, criteria in items]

    def _entry(self, trial: Trial, criteria: list[Criterion], hold: bool) -> TrialEntry:
        concepts = TrialConcepts.of(trial_concepts(trial, self.vocab), self.vocab)
        plan = PlannedTrial.of(trial, criteria, self.leaves, self.vocab)
        pair = (trial, criteria) if hold else None
        return TrialEntry(trial.trial_id, concepts, plan, pair, self._fetched, trial.status)

    @classmethod
    def streamed(cls, items: Iterable[Pair], fetch: Fetch, *, vocab: Any | None = None) -> TrialSet:
        """Compile ``items`` as they come, keeping none of them; ``fetch`` gives the trials
        a match explains."""
        self = cls.__new__(cls)
        self.vocab = vocabulary_of(vocab)
        self.leaves = LeafTable()
        self._fetched = _Fetched(fetch)
        shared: dict[TrialConcepts, TrialConcepts] = {}  # many trials are about the same
        texts, self.entries = [], []
        for trial, criteria in items:
            entry = self._entry(trial, criteria, False)
            entry.concepts = shared.setdefault(entry.concepts, entry.concepts)
            self.entries.append(entry)
            texts.append(trial_text(trial))
        # The criteria are gone: their leaves must not keep them alive, nor be looked up by
        # the identity of nodes that no longer exist.
        self.leaves.nodes = [node.copy() for node in self.leaves.nodes]
        self.leaves.of_node = {}
        self._index = TextIndex(texts) if len(texts) > 1 else None  # one trial: no text match
        return self

    @classmethod
    def from_compiled(
        cls, compiled: CompiledTrials, fetch: Fetch, *, vocab: Any | None = None
    ) -> TrialSet:
        self = cls.__new__(cls)
        self.vocab = vocabulary_of(vocab)
        self.leaves = LeafTable()
        self.leaves.nodes, self.leaves.gating = compiled.leaves, compiled.gating
        self._fetched = _Fetched(fetch)
        self._index = compiled.index
        statuses = compiled.statuses or [None] * len(compiled.trial_ids)
        self.entries = [
            TrialEntry(trial_id, concepts, plan, None, self._fetched, status)
            for trial_id, concepts, plan, status in zip(
                compiled.trial_ids, compiled.concepts, compiled.plans, statuses, strict=True
            )
        ]
        return self

    def compiled(self) -> CompiledTrials:
        """The part of the set that ranks, for keeping (a set made by :meth:`streamed`)."""
        if self._fetched is None:
            raise ValueError("a set holding its trials is not kept on disk; use streamed()")
        return CompiledTrials(
            trial_ids=[e.trial_id for e in self.entries],
            concepts=[e.concepts for e in self.entries],
            plans=[e.plan for e in self.entries],
            leaves=self.leaves.nodes,
            gating=self.leaves.gating,
            index=self._index,
            statuses=[e.status for e in self.entries],
        )

    def __len__(self) -> int:
        return len(self.entries)

    def pairs(self, indices: Sequence[int]) -> list[Pair]:
        """The trials and criteria of the entries at ``indices`` (fetched together if need be)."""
        entries = [self.entries[i] for i in indices]
        if self._fetched is None:
            return [e.pair for e in entries]
        found = self._fetched.get([e.trial_id for e in entries])
        return [found[e.trial_id] for e in entries]

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
            * (availability(entry.status) if self.prefer_open else 1.0)
            for i, entry in enumerate(self.entries)
        ]
