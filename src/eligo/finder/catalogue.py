"""The catalogue in memory, for searching: each trial's filters and condition concepts.

Built from the store once, and again when the number of stored trials changes (ingest adds,
it never removes). The index holds a few strings per trial: ~1 kB each, 7 MB for 7,000 trials.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from eligo.finder.places import Gazetteer, Place
from eligo.model import Site, Trial
from eligo.store import TrialStore


@dataclass
class IndexedTrial:
    trial_id: str
    title: str
    status: str | None
    phases: tuple[str, ...]
    conditions: tuple[str, ...]
    minimum_age: float | None
    maximum_age: float | None
    sex: str
    last_updated: date | None
    condition_concepts: frozenset[str]  # named in the conditions list
    title_concepts: frozenset[str]  # named in the title or keywords only
    sites: tuple[Site, ...]
    _places: list[Place] | None = field(default=None, repr=False)

    def places(self, gazetteer: Gazetteer) -> list[Place]:
        if self._places is None:
            found = (gazetteer.site_place(site) for site in self.sites)
            self._places = [place for place in found if place is not None]
        return self._places


def index_trial(trial: Trial, vocab: Any) -> IndexedTrial:
    def concepts(texts: list[str]) -> frozenset[str]:
        return frozenset(m.concept_id for t in texts for m in vocab.find_conditions(t))

    in_conditions = concepts(trial.conditions)
    in_title = concepts([trial.brief_title, trial.official_title or "", *trial.keywords])
    return IndexedTrial(
        trial_id=trial.trial_id,
        title=trial.title,
        status=trial.status,
        phases=tuple(trial.phases),
        conditions=tuple(trial.conditions),
        minimum_age=trial.minimum_age,
        maximum_age=trial.maximum_age,
        sex=trial.sex,
        last_updated=trial.last_updated,
        condition_concepts=in_conditions,
        title_concepts=in_title - in_conditions,
        sites=tuple(trial.sites),
    )


class CatalogueIndex:
    """Every stored trial's :class:`IndexedTrial`, kept in step with the store."""

    def __init__(self, store: TrialStore, vocab: Any) -> None:
        self.store = store
        self.vocab = vocab
        self._trials: dict[str, IndexedTrial] = {}
        self._count = -1
        self._lock = threading.Lock()

    def trials(self) -> dict[str, IndexedTrial]:
        count = self.store.count()
        if count != self._count:
            with self._lock:
                if count != self._count:
                    trials = self.store.iter_trials()
                    built = {t.trial_id: index_trial(t, self.vocab) for t in trials}
                    self._trials, self._count = built, count
        return self._trials

    def refresh(self) -> None:
        """Rebuild at the next search (after trials were updated in place)."""
        self._count = -1
