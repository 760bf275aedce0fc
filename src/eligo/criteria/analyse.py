"""A trial's eligibility, as ingest stores it: criteria, cohorts, and what could not be done."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eligo.criteria.cohorts import find_cohorts, tag_cohorts
from eligo.criteria.description import criteria_from_description
from eligo.criteria.populations import section_cohorts
from eligo.criteria.segment import segment
from eligo.model import Cohort, Criterion, Trial

CriteriaField = Literal["eligibility_text", "detailed_description", "brief_summary"]


class Eligibility(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criteria: list[Criterion] = Field(default_factory=list)
    cohorts: list[Cohort] = Field(default_factory=list)
    criteria_field: CriteriaField | None = None  # the Trial field the criteria's spans index into
    warnings: list[str] = Field(default_factory=list)


def analyse(trial: Trial) -> Eligibility:
    """The trial's criteria (segmented, or derived from its description when it has no eligibility
    text) and cohorts (from summary, description and eligibility text, else from headings that
    name populations above groups of criteria), criteria tagged."""
    result = Eligibility()
    if trial.eligibility_text and trial.eligibility_text.strip():
        result.criteria = segment(trial.eligibility_text)
        result.criteria_field = "eligibility_text"
        if not result.criteria:
            result.warnings.append("the eligibility text states no criteria")
    else:
        for field in ("detailed_description", "brief_summary"):
            derived = criteria_from_description(getattr(trial, field) or "")
            if derived:
                result.criteria, result.criteria_field = derived, field
                label = field.replace("_", " ")
                result.warnings.append(
                    f"no eligibility section: {len(derived)} criteria derived from the {label}"
                )
                break
        else:
            result.warnings.append("no eligibility section and no criteria in the description")
    texts = (trial.brief_summary, trial.detailed_description, trial.eligibility_text)
    result.cohorts = find_cohorts("\n\n".join(text for text in texts if text))
    source = getattr(trial, result.criteria_field) if result.criteria_field else ""
    tag_cohorts(result.criteria, result.cohorts, source or "")
    if not result.cohorts:
        # groups of criteria under headings naming populations ("for acromegaly", "for GHD")
        result.cohorts = section_cohorts(result.criteria)
    return result
