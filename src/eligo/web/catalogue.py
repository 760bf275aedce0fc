"""What the web app keeps in memory over the store: the search index, trials' parsed criteria,
and the matcher's prepared trial set, each rebuilt only when the catalogue changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from eligo.engine import TrialSet
from eligo.finder.search import Finder
from eligo.model import Criterion, Trial
from eligo.store import TrialStore

_CACHED_TRIALS = 512


class Catalogue:
    def __init__(self, store: TrialStore, vocab: Any | None = None) -> None:
        if vocab is None:
            from eligo.vocab import vocabulary

            vocab = vocabulary()
        self.store = store
        self.vocab = vocab
        self.finder = Finder(store, vocab)
        self._criteria: OrderedDict[tuple[str, str], list[Criterion]] = OrderedDict()
        self._trial_set: tuple[int, TrialSet] | None = None
        self._lock = threading.Lock()

    def trial(self, trial_id: str) -> Trial | None:
        if not trial_id or len(trial_id) > 200:
            return None
        return self.store.get(trial_id)

    def criteria(self, trial: Trial) -> list[Criterion]:
        """The trial's criteria with their expressions (parsed once per eligibility text)."""
        key = (trial.trial_id, trial.eligibility_hash())
        with self._lock:
            if key in self._criteria:
                self._criteria.move_to_end(key)
                return self._criteria[key]
        parsed = _parsed(self.store.criteria(trial.trial_id) or [], trial)
        with self._lock:
            self._criteria[key] = parsed
            while len(self._criteria) > _CACHED_TRIALS:
                self._criteria.popitem(last=False)
        return parsed

    def trial_set(self) -> TrialSet:
        """Every trial prepared for matching; rebuilt when the number of trials changes."""
        count = self.store.count()
        current = self._trial_set
        if current is None or current[0] != count:
            items = [(t, self.criteria(t)) for t in self.store.iter_trials()]
            current = (count, TrialSet(items, vocab=self.vocab))
            self._trial_set = current
        return current[1]

    def warm(self) -> None:
        """Load what the first searches and matches need (run in the background at start)."""
        self.finder.index.trials()
        self.finder.gazetteer  # noqa: B018 (loads the gazetteer)


def _parsed(criteria: list[Criterion], trial: Trial) -> list[Criterion]:
    from eligo.parse import parse_criteria

    if not criteria:
        from eligo.criteria import analyse

        criteria = analyse(trial).criteria
    if all(c.expression is not None for c in criteria):
        return criteria
    return parse_criteria(criteria)
