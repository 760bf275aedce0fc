"""The patient's conditions as sets, so that most condition leaves (those no recorded condition
bears on) are answered with a few set lookups instead of a walk over the record with the
vocabulary's is-a test (:meth:`eligo.engine.conditions.ConditionRules._nothing_near`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eligo.engine.base import engine_data


@dataclass(frozen=True, slots=True)
class ConditionIndex:
    """The patient's conditions as sets, made once per evaluator: ``below`` holds every concept
    a recorded condition is (by its concept or histology) or lies below; ``denied`` the
    concepts of documented absences; ``recorded`` the diagnoses a vaguer match could come from
    (broad categories left out, as in ``_less_specific``)."""

    below: frozenset[str]
    denied: frozenset[str]
    recorded: frozenset[str]

    @classmethod
    def of(cls, patient: Any, vocab: Any) -> ConditionIndex | None:
        if not hasattr(vocab, "ancestors"):
            return None
        broad = set(engine_data("relevance.json")["broad"])
        below: set[str] = set()
        denied: set[str] = set()
        recorded: set[str] = set()
        for condition in patient.conditions:
            histology = getattr(condition.histology, "concept_id", None)
            if condition.negated:
                if condition.concept_id:
                    denied.add(condition.concept_id)
                continue
            for concept_id in filter(None, (condition.concept_id, histology)):
                below.add(concept_id)
                below.update(vocab.ancestors(concept_id))
            named = condition.concept_id or histology
            if named and named not in broad:
                recorded.add(named)
        return cls(frozenset(below), frozenset(denied), frozenset(recorded))
