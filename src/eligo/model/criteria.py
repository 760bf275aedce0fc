"""Segmented eligibility criteria: the ordered list a registry's free text is cut into.

Each criterion keeps its place in the source text (``span``) so a page can highlight it, and says
whether it came from the eligibility section or was derived from the description prose.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eligo.model.expression import Expression

CriterionKind = Literal["inclusion", "exclusion"]
CriterionSource = Literal["eligibility", "description"]


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # "inc-11", "inc-11.3", "exc-7.2"
    kind: CriterionKind
    text: str
    span: tuple[int, int] | None = None  # character offsets in the text it was cut from
    cohort: str | None = None  # Cohort.id when the criterion applies to one cohort only
    source: CriterionSource = "eligibility"
    section: str | None = None  # group heading above it ("PATIENT CHARACTERISTICS / Hepatic")
    children: list[Criterion] = Field(default_factory=list)
    expression: Expression | None = None  # what it means, once parsed (eligo.parse)

    def walk(self) -> list[Criterion]:
        """This criterion and all its sub-criteria, depth first."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found
