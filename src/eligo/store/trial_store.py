"""TrialStore: trials and their versions in SQLite or PostgreSQL, with full-text search."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, Row, and_, func, select
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from eligo.errors import RecordError, StorageError
from eligo.model import PHASE_LABELS, STATUS_LABELS, Criterion, Trial
from eligo.store.bulk import (
    BulkReader,
    CriteriaRefresher,
    Pair,
    StoreState,
    count_stale,
    read_state,
    readable,
)
from eligo.store.engine import open_engine, safe_url
from eligo.store.query_text import parse_query
from eligo.store.records import CRITERIA, PendingTrial
from eligo.store.schema import trial_versions, trials
from eligo.store.search import filter_clauses, search_statement
from eligo.store.versioning import SaveOutcome, write_batch

OnSaved = Callable[[Trial, SaveOutcome], None]


class VersionInfo(BaseModel):
    number: int
    saved_at: datetime
    eligibility_hash: str
    content_hash: str
    current: bool


class TrialSummary(BaseModel):
    trial_id: str
    title: str
    status: str | None
    phases: list[str]
    conditions: list[str]
    score: float | None = None  # higher is a better match; None when nothing was searched for

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status or "", self.status or "Unknown status")

    @property
    def phase_label(self) -> str:
        return "/".join(PHASE_LABELS.get(p, p) for p in self.phases) or "Not stated"


@dataclass
class SaveReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[RecordError] = field(default_factory=list)

    def count(self, outcome: SaveOutcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _utc(moment: datetime) -> datetime:
    # SQLite hands back the naive UTC time eligo wrote.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class TrialStore:
    """Trials in a database at ``url`` (see :func:`eligo.store.database_url`).

    Opening migrates the schema to the newest revision. Saving is idempotent; a trial whose
    eligibility changes gets a new version and its old versions are kept.
    """

    def __init__(self, url: str) -> None:
        self.url = safe_url(url)
        self._engine: Engine = open_engine(url)
        self.dialect = self._engine.dialect.name

    def close(self) -> None:
        self._engine.dispose()

    @property
    def engine(self) -> Engine:
        """The open engine, for other tables kept in the same database (the web features')."""
        return self._engine

    def __enter__(self) -> TrialStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------

    def save(
        self,
        trial: Trial,
        criteria: list[Criterion] | None = None,
        *,
        parser_version: int | None = None,
    ) -> SaveOutcome:
        """Store ``trial``; ``criteria`` None keeps the criteria stored for this eligibility.

        ``parser_version`` is the version of the parser that made the criteria's expressions
        (``eligo.parse.PARSER_VERSION``; None when unknown or not parsed): criteria made by a
        newer parser than the stored ones are saved even when they are the same."""
        outcome = self._write_alone(PendingTrial.of(trial, criteria, parser_version))
        if isinstance(outcome, RecordError):
            raise outcome
        return outcome

    def save_many(
        self,
        items: Iterable[Trial | tuple[Trial, list[Criterion] | None]],
        *,
        batch_size: int = 500,
        on_saved: OnSaved | None = None,
        parser_version: int | None = None,
    ) -> SaveReport:
        """Store many trials, ``batch_size`` to a transaction; a bad record fails alone.
        ``parser_version`` as for :meth:`save`, for all of them."""
        report = SaveReport()
        batch: list[PendingTrial] = []
        in_batch: set[str] = set()
        for item in items:
            trial, criteria = item if isinstance(item, tuple) else (item, None)
            try:
                pending = PendingTrial.of(trial, criteria, parser_version)
            except RecordError as error:
                report.failed.append(error)
                continue
            # A trial twice in one batch would be compared with what was there before the batch.
            if len(batch) >= batch_size or pending.trial_id in in_batch:
                self._flush(batch, report, on_saved)
                batch, in_batch = [], set()
            batch.append(pending)
            in_batch.add(pending.trial_id)
        self._flush(batch, report, on_saved)
        return report

    def _flush(
        self, batch: list[PendingTrial], report: SaveReport, on_saved: OnSaved | None
    ) -> None:
        if not batch:
            return
        try:
            with self._engine.begin() as connection:
                outcomes: list[SaveOutcome | RecordError] = list(write_batch(connection, batch))
        except (IntegrityError, DataError):
            # Some record the database refuses: find it by saving them one at a time.
            outcomes = [self._write_alone(pending) for pending in batch]
        except SQLAlchemyError as error:
            raise StorageError(f"{self.url}: cannot save trials: {error}") from error
        for pending, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, RecordError):
                report.failed.append(outcome)
                continue
            report.count(outcome)
            if on_saved:
                on_saved(pending.trial, outcome)

    def _write_alone(self, pending: PendingTrial) -> SaveOutcome | RecordError:
        try:
            with self._engine.begin() as connection:
                return write_batch(connection, [pending])[0]
        except (IntegrityError, DataError) as error:
            return RecordError(
                f"the database refuses this trial: {error.orig}",
                source=pending.trial.source.path,
                record_id=pending.trial_id,
            )
        except SQLAlchemyError as error:
            raise StorageError(f"{self.url}: cannot save {pending.trial_id}: {error}") from error

    # -- reading -------------------------------------------------------------------------

    def _version_row(self, trial_id: str, version: int | None) -> Row[Any] | None:
        number = trials.c.current_version if version is None else version
        statement = (
            select(
                trial_versions.c.number, trial_versions.c.trial_json, trial_versions.c.criteria_json
            )
            .join(trials, trials.c.trial_id == trial_versions.c.trial_id)
            .where(trial_versions.c.trial_id == trial_id, trial_versions.c.number == number)
        )
        return self._one(statement)

    def _one(self, statement: Any) -> Any:
        try:
            with self._engine.connect() as connection:
                return connection.execute(statement).first()
        except SQLAlchemyError as error:
            raise StorageError(f"{self.url}: cannot read trials: {error}") from error

    def _all(self, statement: Any) -> list[Any]:
        try:
            with self._engine.connect() as connection:
                return list(connection.execute(statement))
        except SQLAlchemyError as error:
            raise StorageError(f"{self.url}: cannot read trials: {error}") from error

    def _trial(self, trial_id: str, number: int, trial_json: str) -> Trial:
        return readable(self.url, trial_id, number, Trial.model_validate_json, trial_json)

    def get(self, trial_id: str, version: int | None = None) -> Trial | None:
        """The trial as of ``version`` (by default the current one); None if not stored."""
        row = self._version_row(trial_id, version)
        return None if row is None else self._trial(trial_id, row.number, row.trial_json)

    def criteria(self, trial_id: str, version: int | None = None) -> list[Criterion] | None:
        """The criteria stored with a version of the trial; None if there are none."""
        row = self._version_row(trial_id, version)
        if row is None or row.criteria_json is None:
            return None
        return CRITERIA.validate_json(row.criteria_json)

    def versions(self, trial_id: str) -> list[VersionInfo]:
        """Every version of the trial, oldest first."""
        rows = self._all(
            select(trial_versions, trials.c.current_version)
            .join(trials, trials.c.trial_id == trial_versions.c.trial_id)
            .where(trial_versions.c.trial_id == trial_id)
            .order_by(trial_versions.c.number)
        )
        return [
            VersionInfo(
                number=row.number,
                saved_at=_utc(row.saved_at),
                eligibility_hash=row.eligibility_hash,
                content_hash=row.content_hash,
                current=row.number == row.current_version,
            )
            for row in rows
        ]

    def ids(self) -> list[str]:
        return [row.trial_id for row in self._all(select(trials.c.trial_id).order_by("trial_id"))]

    def count(self) -> int:
        row = self._one(select(func.count()).select_from(trials))
        return int(row[0])

    def iter_trials(self, batch_size: int = 500) -> Iterator[Trial]:
        """The current version of every trial, by trial id, read ``batch_size`` at a time."""
        statement = (
            select(trials.c.trial_id, trials.c.current_version, trial_versions.c.trial_json)
            .join(
                trial_versions,
                and_(
                    trial_versions.c.trial_id == trials.c.trial_id,
                    trial_versions.c.number == trials.c.current_version,
                ),
            )
            .order_by(trials.c.trial_id)
        )
        try:
            with self._engine.connect() as connection:
                rows = connection.execution_options(yield_per=batch_size).execute(statement)
                for row in rows:
                    yield self._trial(row.trial_id, row.current_version, row.trial_json)
        except SQLAlchemyError as error:
            raise StorageError(f"{self.url}: cannot read trials: {error}") from error

    # -- everything at once ---------------------------------------------------------------

    def state(self) -> StoreState:
        """The database's name and generation (one more with every save that changes trials):
        what a copy made from the trials checks to know it is current."""
        try:
            return read_state(self._engine)
        except (SQLAlchemyError, LookupError) as error:
            raise StorageError(f"{self.url}: cannot read the store's state: {error}") from error

    def iter_with_criteria(
        self, *, refresh: CriteriaRefresher | None = None, batch_size: int = 500
    ) -> Iterator[Pair]:
        """(trial, criteria) for the current version of every trial, by trial id: the bulk
        read, several times faster than :meth:`get` and :meth:`criteria` trial by trial.

        With ``refresh``, criteria parsed by an older parser than ``refresh.version`` (or by an
        unknown one, or stored unparsed, or not stored) are parsed again by it and written back.
        A trial without criteria comes with an empty list."""
        reader = BulkReader(self._engine, self.url, refresh)
        try:
            yield from reader.all(batch_size)
        except SQLAlchemyError as error:
            raise StorageError(f"{self.url}: cannot read trials: {error}") from error

    def with_criteria(
        self, trial_ids: Iterable[str], *, refresh: CriteriaRefresher | None = None
    ) -> dict[str, Pair]:
        """(trial, criteria) of the current version of each trial named, as
        :meth:`iter_with_criteria` reads them; trials not stored are left out."""
        reader = BulkReader(self._engine, self.url, refresh)
        try:
            return reader.some(list(trial_ids))
        except SQLAlchemyError as error:
            raise StorageError(f"{self.url}: cannot read trials: {error}") from error

    def stale_count(self, parser_version: int) -> int:
        """How many trials' current criteria were not made by ``parser_version`` or a newer
        parser (those :meth:`iter_with_criteria` would parse again)."""
        try:
            return count_stale(self._engine, parser_version)
        except SQLAlchemyError as error:
            raise StorageError(f"{self.url}: cannot read trials: {error}") from error

    def search(
        self,
        query: str | None = None,
        *,
        status: str | None = None,
        phase: str | None = None,
        condition: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[TrialSummary]:
        """Trials matching ``query`` (web-search syntax: words, "phrases", OR, -word), best first.

        Without words to look for, the filtered trials come most recently updated first.
        ``status`` and ``phase`` take API v2 values or what people write ("recruiting",
        "phase 2"); ``condition`` matches part of a condition's name, in any case.
        """
        statement = search_statement(
            self.dialect,
            parse_query(query),
            filter_clauses(status, phase, condition),
            max(limit, 0),
            max(offset, 0),
        )
        return [
            TrialSummary(
                trial_id=row.trial_id,
                title=row.title,
                status=row.status,
                phases=row.phases.split(),
                conditions=row.conditions.split("\n") if row.conditions else [],
                score=None if row.score is None else float(row.score),
            )
            for row in self._all(statement)
        ]
