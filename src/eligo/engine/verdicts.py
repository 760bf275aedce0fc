"""Verdicts, Kleene logic over them, and the result tree the evaluator returns.

A node of a criterion expression evaluates to one of:

- ``met``: the fact holds for this patient (for an exclusion, the patient is excluded);
- ``not_met``: it does not hold;
- ``unknown``: the record does not say;
- ``team``: only the study team can judge it (a ``team`` leaf).

``all``/``any``/``not`` follow Kleene's strong three-valued logic, as SQL's NULL does; a ``team``
child counts as unknown for its parent's computation and keeps its own label. Criteria add
``not_applicable`` (a criterion that does not concern this patient) on top.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

Verdict = Literal["met", "not_met", "unknown", "team"]
CriterionVerdict = Literal["met", "not_met", "unknown", "team", "not_applicable"]

MET: Verdict = "met"
NOT_MET: Verdict = "not_met"
UNKNOWN: Verdict = "unknown"
TEAM: Verdict = "team"
NOT_APPLICABLE: CriterionVerdict = "not_applicable"

#: the logic node kinds; every other node is a leaf of the logic
LOGIC = ("all", "any", "not")


def kleene_all(verdicts: Iterable[str]) -> Verdict:
    """Every one holds: one ``not_met`` decides; else any unknown (or team) leaves it open."""
    result: Verdict = MET
    for verdict in verdicts:
        if verdict == NOT_MET:
            return NOT_MET
        if verdict != MET:
            result = UNKNOWN
    return result


def kleene_any(verdicts: Iterable[str]) -> Verdict:
    """One holds: one ``met`` decides; else any unknown (or team) leaves it open."""
    result: Verdict = NOT_MET
    for verdict in verdicts:
        if verdict == MET:
            return MET
        if verdict != NOT_MET:
            result = UNKNOWN
    return result


def kleene_not(verdict: str) -> Verdict:
    if verdict == MET:
        return NOT_MET
    if verdict == NOT_MET:
        return MET
    return UNKNOWN


class Evidence(BaseModel):
    """One patient fact a verdict used: what the record says, when, and where it says it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fact: str  # "observation", "condition", "medication", "therapy_line", "demographics", ...
    text: str  # "platelets 85 ×10⁹/L"
    date: dt.date | None = None
    source: str | None = None  # "Observation/abc", "labs[2]", "note chars 10-32"

    def to_json(self) -> dict[str, str | None]:
        return {
            "fact": self.fact,
            "text": self.text,
            "date": self.date.isoformat() if self.date else None,
            "source": self.source,
        }


@dataclass(slots=True)
class NodeResult:
    """The evaluation of one expression node: verdict, a plain reason, the facts it used, and
    the results of its child nodes (parallel to the expression)."""

    kind: str
    verdict: Verdict
    reason: str
    evidence: list[Evidence] = field(default_factory=list)
    children: list[NodeResult] = field(default_factory=list)
    # What would settle an unknown leaf: a key into the question templates (engine/questions).
    ask: tuple[str, ...] | None = None
    # Whether this leaf says who the criterion concerns (sex, cohort, childbearing potential):
    # a criterion decided by such leaves alone, in the patient's favour, does not concern them.
    gate: bool = False
    # Unknown only because a record that sums the domain up does not mention it: presumed
    # absent where that clears the patient (docs/matching.md, "Absent or unknown").
    presumed: bool = False

    def walk(self) -> Iterator[NodeResult]:
        yield self
        for child in self.children:
            yield from child.walk()

    def leaves(self) -> Iterator[NodeResult]:
        """The facts and judgements under the logic: nodes other than all/any/not (a
        measurement of several analytes keeps its parts below it)."""
        if self.kind not in LOGIC:
            yield self
            return
        for child in self.children:
            yield from child.leaves()

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "verdict": self.verdict,
            "reason": self.reason,
            "evidence": [item.to_json() for item in self.evidence],
            "children": [child.to_json() for child in self.children],
        }


def recombine(result: NodeResult, force: Callable[[NodeResult], str | None]) -> str:
    """The verdict of ``result`` recomputed with some leaves forced to another verdict:
    ``force(leaf)`` returns the verdict to use, or None to keep the leaf's own. What would the
    criterion be if the study team said yes? ``force=lambda r: "met" if r.kind == "team" else
    None``. As in evaluation, an ``allowed`` child with siblings does not count."""
    if result.kind not in LOGIC:
        forced = force(result)
        return result.verdict if forced is None else forced
    if result.kind == "not":
        return kleene_not(recombine(result.children[0], force))
    counted = [c for c in result.children if c.kind != "allowed"] or result.children
    verdicts = [recombine(child, force) for child in counted]
    return kleene_all(verdicts) if result.kind == "all" else kleene_any(verdicts)
