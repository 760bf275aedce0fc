"""A trial as rows: the listing and search columns, and the JSON a version keeps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from eligo.errors import RecordError
from eligo.model import Criterion, Trial

MAX_TRIAL_ID_LENGTH = 64

CRITERIA = TypeAdapter(list[Criterion])


def _clean(text: str | None) -> str:
    # PostgreSQL text cannot hold NUL; and line breaks inside a value would split the
    # one-per-line columns.
    return " ".join((text or "").replace("\x00", " ").split())


def _joined(parts: list[str | None], separator: str = " ") -> str:
    return separator.join(cleaned for part in parts if (cleaned := _clean(part)))


def listing_columns(trial: Trial) -> dict[str, Any]:
    """The ``trials`` columns a listing shows and the search index reads."""
    interventions: list[str | None] = []
    for intervention in trial.interventions:
        interventions.extend([intervention.name, *intervention.other_names])
    return {
        "title": _clean(trial.brief_title),
        "status": trial.status,
        "phases": _joined(list(trial.phases)),
        "conditions": _joined(list(trial.conditions), "\n"),
        "study_type": trial.study_type,
        "minimum_age": trial.minimum_age,
        "maximum_age": trial.maximum_age,
        "sex": trial.sex,
        "last_updated": trial.last_updated,
        "official_title": _joined([trial.official_title, trial.acronym]),
        "identifiers": _joined([trial.trial_id, *trial.secondary_ids]),
        "interventions": _joined(interventions),
        "keywords": _joined(list(trial.keywords)),
        "summary": _clean(trial.brief_summary),
    }


@dataclass(frozen=True)
class PendingTrial:
    """A trial on its way into the store, with everything computed that the writing needs."""

    trial: Trial
    listing: dict[str, Any]
    content_hash: str
    eligibility_hash: str
    trial_json: str
    criteria_json: str | None  # None: keep the criteria already stored
    parser_version: int | None  # eligo.parse.PARSER_VERSION that made the criteria's expressions

    @property
    def trial_id(self) -> str:
        return self.trial.trial_id

    @classmethod
    def of(
        cls, trial: Trial, criteria: list[Criterion] | None, parser_version: int | None = None
    ) -> PendingTrial:
        if not trial.trial_id.strip() or len(trial.trial_id) > MAX_TRIAL_ID_LENGTH:
            raise RecordError(
                f"a trial id must have 1 to {MAX_TRIAL_ID_LENGTH} characters",
                source=trial.source.path,
                record_id=trial.trial_id[:MAX_TRIAL_ID_LENGTH] or "(empty)",
                field="trial_id",
            )
        return cls(
            trial=trial,
            listing=listing_columns(trial),
            content_hash=trial.content_hash(),
            eligibility_hash=trial.eligibility_hash(),
            trial_json=trial.model_dump_json(),
            criteria_json=None if criteria is None else CRITERIA.dump_json(criteria).decode(),
            parser_version=None if criteria is None else parser_version,
        )
