"""Reading every current trial with its criteria at once, and bringing stale parses up to date.

Rows are read by trial id a batch at a time (each batch its own short query, so that criteria
parsed again can be written back between batches, on SQLite as on PostgreSQL). A batch is
decoded with the garbage collector paused: the objects read are many and all kept, and the
collections their allocation would set off cost more than the reading itself.

With a :class:`CriteriaRefresher` (the caller's parser), criteria that need parsing are handed
to it and written back with its version, so the next load finds them current:

- criteria made by an older parser than the refresher's (``parser_version`` below its version;
  0 for those stored before versions were recorded);
- criteria not made by the parser (``parser_version`` empty) that carry no expression at all,
  and trials stored without criteria. Criteria with expressions but no version were written
  some other way (by hand, in tests): they are used as stored.

A database that refuses the write (read-only) still gets the fresh criteria in memory.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError
from sqlalchemy import Engine, and_, bindparam, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from eligo.errors import StorageError
from eligo.model import Criterion, Trial
from eligo.store.criteria_json import read_criteria
from eligo.store.records import CRITERIA
from eligo.store.schema import store_state, trial_versions, trials
from eligo.store.versioning import bump_generation

log = logging.getLogger(__name__)

Pair = tuple[Trial, list[Criterion]]
T = TypeVar("T")


class CriteriaRefresher(Protocol):
    """Parses a trial's criteria again: ``version`` is the parser's, and a call gets the trial
    with its stored criteria (without expressions; None when none are stored) and gives them
    back parsed, or None when it cannot: the stored ones are then used as they are."""

    version: int

    def __call__(
        self, trial: Trial, criteria: list[Criterion] | None
    ) -> list[Criterion] | None: ...


@dataclass(frozen=True)
class StoreState:
    """Which database, and how many saves have changed its trials: a copy made from the trials
    is current while both stay the same."""

    store_id: str
    generation: int


@contextmanager
def paused_gc() -> Iterator[None]:
    """The garbage collector off for a burst of long-lived objects (nothing here is cyclic
    garbage), back on as it was afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def readable(where: str, trial_id: str, number: int, decode: Callable[[str], T], text: str) -> T:
    """``decode(text)``, or a StorageError saying which stored version cannot be read."""
    try:
        return decode(text)
    except ValidationError as error:
        raise StorageError(
            f"{where}: {trial_id} version {number} is stored in a form this version of "
            f"eligo cannot read ({error.error_count()} problems, first: "
            f"{error.errors()[0]['msg']}); ingest the trial again"
        ) from error


def _without_expressions(text: str) -> list[Criterion]:
    return read_criteria(text, expressions=False)


def read_state(engine: Engine) -> StoreState:
    with engine.connect() as connection:
        row = connection.execute(
            select(store_state.c.store_id, store_state.c.generation).where(store_state.c.id == 1)
        ).first()
    if row is None:
        raise LookupError("the store_state row is missing")
    return StoreState(store_id=row.store_id, generation=int(row.generation))


def _current() -> Any:
    return (
        select(
            trials.c.trial_id,
            trials.c.current_version,
            trial_versions.c.trial_json,
            trial_versions.c.criteria_json,
            trial_versions.c.parser_version,
        )
        .join(
            trial_versions,
            and_(
                trial_versions.c.trial_id == trials.c.trial_id,
                trial_versions.c.number == trials.c.current_version,
            ),
        )
        .order_by(trials.c.trial_id)
    )


def stale_condition(parser_version: int) -> Any:
    """Rows the refresher of ``parser_version`` parses again. Criteria without a version count
    when they have no expression (eligo's JSON writes ``"expression":{`` for one that has)."""
    version = trial_versions.c.parser_version
    criteria = trial_versions.c.criteria_json
    return or_(
        version < parser_version,
        and_(version.is_(None), or_(criteria.is_(None), ~criteria.contains('"expression":{'))),
    )


def count_stale(engine: Engine, parser_version: int) -> int:
    statement = (
        select(func.count())
        .select_from(trials)
        .join(
            trial_versions,
            and_(
                trial_versions.c.trial_id == trials.c.trial_id,
                trial_versions.c.number == trials.c.current_version,
            ),
        )
        .where(stale_condition(parser_version))
    )
    with engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


class BulkReader:
    """Decodes rows of current versions into (trial, criteria), refreshing stale parses."""

    def __init__(self, engine: Engine, where: str, refresh: CriteriaRefresher | None) -> None:
        self.engine = engine
        self.where = where
        self.refresh = refresh

    def all(self, batch_size: int) -> Iterator[Pair]:
        last: str | None = None
        while True:
            statement = _current().limit(batch_size)
            if last is not None:
                statement = statement.where(trials.c.trial_id > last)
            rows = self._rows(statement)
            if not rows:
                return
            last = rows[-1].trial_id
            yield from self.decode(rows)
            if len(rows) < batch_size:
                return

    def some(self, trial_ids: Sequence[str], batch_size: int = 500) -> dict[str, Pair]:
        found: dict[str, Pair] = {}
        unique = list(dict.fromkeys(trial_ids))
        for start in range(0, len(unique), batch_size):
            chosen = unique[start : start + batch_size]
            rows = self._rows(_current().where(trials.c.trial_id.in_(chosen)))
            found.update(
                (trial.trial_id, (trial, criteria)) for trial, criteria in self.decode(rows)
            )
        return found

    def _rows(self, statement: Any) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(statement))

    def decode(self, rows: list[Any]) -> list[Pair]:
        pairs: list[Pair] = []
        stale: list[tuple[int, Any]] = []
        with paused_gc():
            for row in rows:
                trial = self._read(row, Trial.model_validate_json, row.trial_json)
                criteria: list[Criterion] = []
                if self._older(row):
                    stale.append((len(pairs), row))
                elif row.criteria_json is not None:
                    criteria = self._read(row, read_criteria, row.criteria_json)
                if self._unparsed(row, criteria):
                    stale.append((len(pairs), row))
                pairs.append((trial, criteria))
        # parsing makes garbage, cyclic too (nodes know their parents): the collector stays on
        fresh = []
        for i, row in stale:
            parsed = self._parse_again(pairs[i][0], row)
            if parsed is None:  # kept as stored, and stale still
                pairs[i] = (pairs[i][0], self._stored(row))
            else:
                fresh.append((row, parsed))
                pairs[i] = (pairs[i][0], parsed)
        if fresh:
            self._write_back(fresh)
        return pairs

    def _older(self, row: Any) -> bool:
        version = row.parser_version
        return self.refresh is not None and version is not None and version < self.refresh.version

    def _unparsed(self, row: Any, criteria: list[Criterion]) -> bool:
        if self.refresh is None or row.parser_version is not None:
            return False
        return not any(c.expression is not None for top in criteria for c in top.walk())

    def _stored(self, row: Any) -> list[Criterion]:
        if row.criteria_json is None:
            return []
        return self._read(row, read_criteria, row.criteria_json)

    def _read(self, row: Any, decode: Callable[[str], T], text: str) -> T:
        return readable(self.where, row.trial_id, row.current_version, decode, text)

    def _parse_again(self, trial: Trial, row: Any) -> list[Criterion] | None:
        assert self.refresh is not None
        stored = None
        if row.criteria_json is not None:
            stored = self._read(row, _without_expressions, row.criteria_json)
        return self.refresh(trial, stored)

    def _write_back(self, stale: list[tuple[Any, list[Criterion]]]) -> None:
        assert self.refresh is not None
        version = self.refresh.version
        params = [
            {
                "key": row.trial_id,
                "key_number": row.current_version,
                "new_criteria": CRITERIA.dump_json(criteria).decode(),
                "new_version": version,
            }
            for row, criteria in stale
        ]
        statement = (
            trial_versions.update()
            .where(
                trial_versions.c.trial_id == bindparam("key"),
                trial_versions.c.number == bindparam("key_number"),
                # another process may have stored a newer parse meanwhile
                stale_condition(version),
            )
            .values(
                criteria_json=bindparam("new_criteria"),
                parser_version=bindparam("new_version"),
            )
        )
        try:
            with self.engine.begin() as connection:
                connection.execute(statement, params)
                bump_generation(connection)
        except SQLAlchemyError as error:
            log.warning(
                "%s: criteria parsed again could not be stored (%s); they are used as parsed",
                self.where,
                getattr(error, "orig", None) or error,
            )
