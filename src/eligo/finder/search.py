"""Trial search for people: conditions with their synonyms, filters, and distance to a site.

A condition in the query ("small cell", "NEC", "oat cell carcinoma") is read with the
vocabulary into concepts; a trial matches when its conditions name that concept or a narrower
one (SCLC is a small-cell carcinoma). Trials are ranked by where the match is (the conditions
list first, then the title), so "small cell" does not bring non-small-cell trials first: those
name NSCLC, which is no kind of small-cell carcinoma. Words the vocabulary does not know go to
the store's full-text search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from eligo.finder.catalogue import CatalogueIndex, IndexedTrial
from eligo.finder.places import Gazetteer, Place, distance_km, gazetteer
from eligo.model import PHASE_LABELS, STATUS_LABELS
from eligo.store import TrialStore, phase_values, status_value

MAX_QUERY_CHARS = 500
_TEXT_HITS = 5000  # full-text candidates considered
_BROAD = 25  # a concept with more narrower concepts than this is too broad to rank by

# How a trial met the query, best first.
IN_CONDITIONS, IN_TITLE, BROADER, IN_TEXT = 4, 3, 2, 1


@dataclass(frozen=True)
class TrialQuery:
    text: str = ""
    status: str | None = None  # "recruiting", "completed"… (store.status_value)
    phase: str | None = None  # "2", "phase 1/2"… (store.phase_values)
    age: float | None = None  # the person's age in years
    sex: Literal["female", "male"] | None = None
    near: str | None = None  # a city or a US ZIP code
    within_km: float | None = None
    limit: int = 20
    offset: int = 0


@dataclass
class Found:
    trial_id: str
    title: str
    status: str | None
    phases: tuple[str, ...]
    conditions: tuple[str, ...]
    strength: int  # IN_CONDITIONS … IN_TEXT; 0 when nothing was searched for
    matched: list[str] = field(default_factory=list)  # labels of the concepts it matched
    distance_km: float | None = None
    nearest: Place | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status or "", self.status or "Unknown status")

    @property
    def phase_label(self) -> str:
        return "/".join(PHASE_LABELS.get(p, p) for p in self.phases) or "Not stated"

    def to_json(self) -> dict[str, Any]:
        return {
            "trial_id": self.trial_id,
            "title": self.title,
            "status": self.status,
            "phases": list(self.phases),
            "conditions": list(self.conditions),
            "matched_conditions": self.matched,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "nearest_site": None if self.nearest is None else self.nearest.label,
        }


@dataclass
class SearchResult:
    query: TrialQuery
    found: list[Found]
    total: int
    concepts: list[str] = field(default_factory=list)  # labels of the conditions understood
    place: Place | None = None
    notes: list[str] = field(default_factory=list)  # what could not be used, in plain words


class Finder:
    """Searches a store's trials; keeps an in-memory index of their concepts and filters."""

    def __init__(self, store: TrialStore, vocab: Any | None = None) -> None:
        if vocab is None:
            from eligo.vocab import vocabulary

            vocab = vocabulary()
        self.store = store
        self.vocab = vocab
        self.index = CatalogueIndex(store, vocab)

    @property
    def gazetteer(self) -> Gazetteer:
        return gazetteer()

    def search(self, query: TrialQuery) -> SearchResult:
        notes: list[str] = []
        trials = self.index.trials()
        status = status_value(query.status) if query.status else None
        phases = set(phase_values(query.phase)) if query.phase else set()
        candidates = [t for t in trials.values() if _passes(t, query, status, phases)]
        text = " ".join(query.text.split())[:MAX_QUERY_CHARS]
        mentions = self.vocab.find_conditions(text)
        wanted = {m.concept_id for m in mentions}
        rest = _without(text, mentions)
        scored: list[tuple[IndexedTrial, int, list[str]]]
        if not text:
            scored = [(t, 0, []) for t in candidates]
        else:
            text_rank = self._text_rank(rest if wanted else text) if (rest or not wanted) else {}
            scored = []
            for trial in candidates:
                strength, matched = self._concept_strength(trial, wanted)
                if rest and trial.trial_id not in text_rank:
                    continue  # every word the vocabulary did not take must be in the text
                if not wanted and trial.trial_id in text_rank:
                    strength = IN_TEXT
                if strength:
                    scored.append((trial, strength, matched))
            if wanted and not rest:
                scored.extend(self._text_only(candidates, scored, wanted))
            order = text_rank
        place = self._place(query, notes)
        found = [self._found(t, s, m, place) for t, s, m in scored]
        if place is not None and query.within_km is not None:
            found = [
                f for f in found if f.distance_km is not None and f.distance_km <= query.within_km
            ]
        rank = order if text else {}
        found.sort(key=lambda f: _sort_key(f, rank, trials))
        labels = [
            self.vocab.conditions[c].label for c in dict.fromkeys(m.concept_id for m in mentions)
        ]
        page = found[max(query.offset, 0) : max(query.offset, 0) + max(query.limit, 0)]
        return SearchResult(query, page, len(found), labels, place, notes)

    # -- pieces -------------------------------------------------------------------------------

    def _concept_strength(self, trial: IndexedTrial, wanted: set[str]) -> tuple[int, list[str]]:
        if not wanted:
            return 0, []
        best, matched = 0, []
        for concept in wanted:
            narrower = self.vocab.descendants(concept) | {concept}
            for pool, strength in (
                (trial.condition_concepts, IN_CONDITIONS),
                (trial.title_concepts, IN_TITLE),
            ):
                hits = pool & narrower
                if hits:
                    best = max(best, strength)
                    matched.extend(self.vocab.conditions[h].label for h in sorted(hits))
            broader = {
                a for a in self.vocab.ancestors(concept) if len(self.vocab.descendants(a)) <= _BROAD
            }
            if trial.condition_concepts & broader:
                best = max(best, BROADER)
        return best, list(dict.fromkeys(matched))

    def _text_rank(self, text: str) -> dict[str, int]:
        hits = self.store.search(text, limit=_TEXT_HITS)
        return {hit.trial_id: i for i, hit in enumerate(hits)}

    def _text_only(
        self, candidates: list[IndexedTrial], scored: list[Any], wanted: set[str]
    ) -> list[tuple[IndexedTrial, int, list[str]]]:
        """Trials whose text names a synonym but whose conditions name no disease eligo knows:
        shown after the concept matches. Trials that name another disease are left out, so the
        words "small cell" inside "non-small cell" bring no NSCLC trial."""
        synonyms = []
        for concept in wanted:
            synonyms.extend(self.vocab.conditions[concept].synonyms[:12])
            synonyms.append(self.vocab.conditions[concept].label)
        phrases = " OR ".join(f'"{s}"' for s in dict.fromkeys(synonyms) if '"' not in s)
        rank = self._text_rank(phrases)
        taken = {t.trial_id for t, _, _ in scored}
        return [
            (t, IN_TEXT, [])
            for t in candidates
            if t.trial_id in rank and t.trial_id not in taken and not self._names_a_disease(t)
        ]

    def _names_a_disease(self, trial: IndexedTrial) -> bool:
        return any(
            self.vocab.conditions[c].category == "neoplasm" for c in trial.condition_concepts
        )

    def _place(self, query: TrialQuery, notes: list[str]) -> Place | None:
        if not query.near or not query.near.strip():
            return None
        place = self.gazetteer.locate(query.near)
        if place is None:
            notes.append(
                f"eligo does not know the place {query.near.strip()[:80]!r}: write a city "
                '("Lyon", "Springfield, IL") or a US ZIP code. Distances are not shown.'
            )
        return place

    def _found(
        self, trial: IndexedTrial, strength: int, matched: list[str], place: Place | None
    ) -> Found:
        found = Found(
            trial.trial_id,
            trial.title,
            trial.status,
            trial.phases,
            trial.conditions,
            strength,
            matched,
        )
        if place is not None:
            nearest = min(
                ((distance_km(place, p), p) for p in trial.places(self.gazetteer)),
                default=None,
                key=lambda pair: pair[0],
            )
            if nearest is not None:
                found.distance_km, found.nearest = nearest
        return found

    def sites_by_distance(self, trial_id: str, place: Place) -> list[tuple[float, Place]]:
        """The trial's located sites, nearest first."""
        trial = self.index.trials().get(trial_id)
        if trial is None:
            return []
        return sorted(
            ((distance_km(place, p), p) for p in trial.places(self.gazetteer)), key=lambda x: x[0]
        )


def _passes(trial: IndexedTrial, query: TrialQuery, status: str | None, phases: set[str]) -> bool:
    """Whether the trial passes the filters (``status`` and ``phases`` already read)."""
    if status and trial.status != status:
        return False
    if phases and not phases <= set(trial.phases):
        return False
    if query.age is not None:
        if trial.minimum_age is not None and query.age < trial.minimum_age:
            return False
        if trial.maximum_age is not None and query.age > trial.maximum_age:
            return False
    return not (query.sex and trial.sex not in ("all", query.sex))


def _without(text: str, mentions: list[Any]) -> str:
    kept, last = [], 0
    for mention in sorted(mentions, key=lambda m: m.start):
        kept.append(text[last : mention.start])
        last = mention.end
    kept.append(text[last:])
    words = " ".join("".join(kept).replace(",", " ").split())
    return words if any(ch.isalnum() for ch in words) else ""


def _sort_key(
    found: Found, rank: dict[str, int], trials: dict[str, IndexedTrial]
) -> tuple[Any, ...]:
    distance = found.distance_km if found.distance_km is not None else math.inf
    recruiting = 0 if found.status in ("RECRUITING", "NOT_YET_RECRUITING") else 1
    updated = trials[found.trial_id].last_updated
    return (
        -found.strength,
        recruiting,
        round(distance, -1) if distance != math.inf else distance,
        rank.get(found.trial_id, len(rank)),
        -(updated.toordinal() if updated else 0),
        found.trial_id,
    )
