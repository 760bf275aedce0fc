"""The trial catalogue: records in, trials with their segmented criteria stored.

This is the one place that joins the ingest adapters, criteria segmentation and storage, so the
command line and the web app stay thin shells over it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from eligo.criteria import analyse
from eligo.errors import RecordError
from eligo.ingest import read_trials
from eligo.model import Criterion, Trial
from eligo.parse import PARSER_VERSION, parse_criteria
from eligo.store import TrialStore

#: Told of each record and its outcome ("added", "updated", "unchanged", or None for a failure).
OnRecord = Callable[[Trial | RecordError, str | None], None]


@dataclass
class IngestSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    criteria: int = 0
    errors: list[RecordError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    @property
    def records(self) -> int:
        return self.added + self.updated + self.unchanged + self.failed

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
        }


def prepare(trial: Trial) -> tuple[Trial, list[Criterion]]:
    """Segment a trial's eligibility, parse each criterion into its expression, and attach the
    cohorts found in the text: stored this way, matching never parses again."""
    eligibility = analyse(trial)
    if eligibility.cohorts and not trial.cohorts:
        trial = trial.model_copy(update={"cohorts": eligibility.cohorts})
    return trial, parse_criteria(eligibility.criteria)


def ingest(
    paths: Iterable[str | Path],
    store: TrialStore,
    *,
    format: str | None = None,
    on_record: OnRecord | None = None,
) -> IngestSummary:
    """Read every record under ``paths`` into ``store``; a bad record is counted, never fatal."""
    summary = IngestSummary()

    def prepared() -> Iterator[tuple[Trial, list[Criterion]]]:
        for path in paths:
            for item in _records(path, format):
                if isinstance(item, RecordError):
                    summary.errors.append(item)
                    if on_record is not None:
                        on_record(item, None)
                    continue
                trial, criteria = prepare(item)
                summary.criteria += sum(len(c.walk()) for c in criteria)
                yield trial, criteria

    def saved(trial: Trial, outcome: str) -> None:
        if on_record is not None:
            on_record(trial, outcome)

    # the parser's version with the criteria: those an older parser made count as changed
    report = store.save_many(prepared(), on_saved=saved, parser_version=PARSER_VERSION)
    summary.added, summary.updated = report.added, report.updated
    summary.unchanged = report.unchanged
    for error in report.failed:
        summary.errors.append(error)
        if on_record is not None:
            on_record(error, None)
    return summary


def _records(path: str | Path, format: str | None) -> Iterator[Trial | RecordError]:
    try:
        yield from read_trials(path, format=format)
    except RecordError as error:  # the path itself cannot be read: report it, go on with the rest
        yield error
