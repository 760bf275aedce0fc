"""The rule of saving: what a batch of trials writes, given what the database holds already.

- a trial not stored yet is *added* as version 1;
- the same content (and the same criteria, or none given) is *unchanged*: nothing is written;
- a new eligibility (``Trial.eligibility_hash``) is a new version; the old ones are kept;
- any other change rewrites the current version in place; criteria as they were but made by a
  newer parser (``parser_version``) are such a change.

Every batch that writes something counts one more generation of the database (``store_state``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, Row, and_, bindparam, func, select

from eligo.store.records import PendingTrial
from eligo.store.schema import store_state, trial_versions, trials

SaveOutcome = Literal["added", "updated", "unchanged"]

Rows = list[dict[str, Any]]


@dataclass
class _Writes:
    new_trials: Rows = field(default_factory=list)
    changed_trials: Rows = field(default_factory=list)
    new_versions: Rows = field(default_factory=list)
    changed_versions: Rows = field(default_factory=list)

    def apply(self, connection: Connection) -> None:
        # One executemany per kind of write keeps a batch to a handful of round trips.
        if self.new_trials or self.changed_trials or self.new_versions or self.changed_versions:
            bump_generation(connection)
        if self.new_trials:
            connection.execute(trials.insert(), self.new_trials)
        if self.changed_trials:
            statement = trials.update().where(trials.c.trial_id == bindparam("key"))
            connection.execute(statement, self.changed_trials)
        if self.new_versions:
            connection.execute(trial_versions.insert(), self.new_versions)
        if self.changed_versions:
            criteria = bindparam("new_criteria", type_=trial_versions.c.criteria_json.type)
            statement = (
                trial_versions.update()
                .where(
                    trial_versions.c.trial_id == bindparam("key"),
                    trial_versions.c.number == bindparam("key_number"),
                )
                # No criteria given: keep the ones stored, which were cut from the same text.
                .values(criteria_json=func.coalesce(criteria, trial_versions.c.criteria_json))
            )
            connection.execute(statement, self.changed_versions)


def bump_generation(connection: Connection) -> None:
    """Count one more change of the trials, in the caller's transaction."""
    connection.execute(store_state.update().values(generation=store_state.c.generation + 1))


def _newer(parser_version: int | None, stored: int | None) -> bool:
    return parser_version is not None and (stored is None or parser_version > stored)


def _stored_states(connection: Connection, trial_ids: list[str]) -> dict[str, Any]:
    current = and_(
        trial_versions.c.trial_id == trials.c.trial_id,
        trial_versions.c.number == trials.c.current_version,
    )
    rows = connection.execute(
        select(
            trials.c.trial_id,
            trials.c.current_version,
            trials.c.content_hash,
            trials.c.eligibility_hash,
            trial_versions.c.criteria_json,
            trial_versions.c.parser_version,
        )
        .join(trial_versions, current)
        .where(trials.c.trial_id.in_(trial_ids))
    )
    return {row.trial_id: row for row in rows}


def _plan(
    pending: PendingTrial, state: Row[Any] | None, now: datetime, writes: _Writes
) -> SaveOutcome:
    key = pending.trial_id
    hashes = {"content_hash": pending.content_hash, "eligibility_hash": pending.eligibility_hash}
    trial_row = {**pending.listing, **hashes}
    version = {
        **hashes,
        "trial_id": key,
        "saved_at": now,
        "trial_json": pending.trial_json,
        "criteria_json": pending.criteria_json,
        "parser_version": pending.parser_version,
    }
    if state is None:
        writes.new_trials.append({**trial_row, "trial_id": key, "current_version": 1})
        writes.new_versions.append({**version, "number": 1})
        return "added"
    if state.eligibility_hash != pending.eligibility_hash:
        number = state.current_version + 1
        writes.changed_trials.append({**trial_row, "key": key, "current_version": number})
        writes.new_versions.append({**version, "number": number})
        return "updated"
    same_criteria = pending.criteria_json is None or (
        pending.criteria_json == state.criteria_json
        and not _newer(pending.parser_version, state.parser_version)
    )
    if state.content_hash == pending.content_hash and same_criteria:
        return "unchanged"
    number = state.current_version
    writes.changed_trials.append({**trial_row, "key": key, "current_version": number})
    writes.changed_versions.append(
        {
            "key": key,
            "key_number": number,
            "saved_at": now,
            "content_hash": pending.content_hash,
            "trial_json": pending.trial_json,
            "new_criteria": pending.criteria_json,
            # criteria kept (none given): so is the version of the parser that made them
            "parser_version": state.parser_version
            if pending.criteria_json is None
            else pending.parser_version,
        }
    )
    return "updated"


def write_batch(connection: Connection, batch: list[PendingTrial]) -> list[SaveOutcome]:
    """Save ``batch`` (no trial twice) in the caller's transaction; one outcome per trial."""
    stored = _stored_states(connection, [pending.trial_id for pending in batch])
    now = datetime.now(UTC)
    writes = _Writes()
    outcomes = [_plan(pending, stored.get(pending.trial_id), now, writes) for pending in batch]
    writes.apply(connection)
    return outcomes
