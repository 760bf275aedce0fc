"""What the matcher returns: a verdict per criterion and per trial, as pydantic models whose
``to_json()`` is the documented output shape (docs/matching.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eligo.engine.verdicts import CriterionVerdict, Evidence, NodeResult

TrialVerdict = Literal["eligible", "possibly_eligible", "ineligible"]


def counts_against(kind: str, verdict: str) -> bool:
    """An inclusion not met, or an exclusion met."""
    return verdict == ("not_met" if kind == "inclusion" else "met")


def settled(kind: str, verdict: str) -> bool:
    """Neither unknown nor against the patient: met inclusions, unmet exclusions, and what does
    not concern the patient or is the study team's to judge."""
    if verdict in ("team", "not_applicable"):
        return True
    return verdict == ("met" if kind == "inclusion" else "not_met")


class CriterionMatch(BaseModel):
    """One criterion judged for one patient. For an exclusion, ``met`` means excluded."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    id: str
    kind: Literal["inclusion", "exclusion"]
    text: str
    verdict: CriterionVerdict
    reason: str
    evidence: list[Evidence] = Field(default_factory=list)
    children: list[CriterionMatch] = Field(default_factory=list)
    cohort: str | None = None  # the cohort the criterion is written for, if one
    # The evaluation tree behind the verdict (not part of the JSON output).
    result: NodeResult | None = Field(default=None, exclude=True, repr=False)

    @property
    def counts_against(self) -> bool:
        return counts_against(self.kind, self.verdict)

    @property
    def settled(self) -> bool:
        return settled(self.kind, self.verdict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "verdict": self.verdict,
            "reason": self.reason,
            "evidence": [item.to_json() for item in self.evidence],
            "children": [child.to_json() for child in self.children],
        }

    def to_check_json(self) -> dict[str, Any]:
        """The shape ``eligo check`` prints: verdict, reason, evidence."""
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "evidence": [item.to_json() for item in self.evidence],
        }


class Missing(BaseModel):
    """A fact that would help settle a possible verdict, asked as a plain question."""

    model_config = ConfigDict(extra="forbid")

    criterion: str
    question: str

    def to_json(self) -> dict[str, str]:
        return {"criterion": self.criterion, "question": self.question}


class TrialMatch(BaseModel):
    """One trial judged for one patient."""

    model_config = ConfigDict(extra="forbid")

    trial_id: str
    title: str
    verdict: TrialVerdict
    score: float
    cohort: str | None = None
    criteria: list[CriterionMatch] = Field(default_factory=list)
    missing: list[Missing] = Field(default_factory=list)
    relevance: float = Field(default=0.0, exclude=True)

    @property
    def failing(self) -> list[CriterionMatch]:
        """The criteria that make the patient ineligible."""
        return [c for c in self.criteria if c.counts_against]

    @property
    def open(self) -> list[CriterionMatch]:
        """The criteria the record leaves undecided."""
        return [c for c in self.criteria if c.verdict == "unknown"]

    def to_json(self) -> dict[str, Any]:
        return {
            "trial_id": self.trial_id,
            "title": self.title,
            "verdict": self.verdict,
            "score": self.score,
            "cohort": self.cohort,
            "criteria": [c.to_json() for c in self.criteria],
            "missing": [m.to_json() for m in self.missing],
        }
