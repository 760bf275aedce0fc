"""Criteria with their expressions, from records on disk or from the database, and coverage
counted over a whole corpus (in several processes when asked).

A path is read with :func:`eligo.ingest.read_trials`, segmented with
:func:`eligo.criteria.analyse` and parsed with :func:`eligo.parse.parse_criteria`, without
storing anything. From the database, the stored criteria are used, and those stored without an
expression are parsed on the way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from eligo.coverage.stats import Coverage
from eligo.criteria import analyse
from eligo.errors import RecordError
from eligo.ingest import count_hint, read_trials
from eligo.model import Criterion, Trial
from eligo.store import TrialStore

_SQLITE_MAGIC = b"SQLite format 3\x00"


def is_parsed(criteria: list[Criterion]) -> bool:
    """Every criterion and sub-criterion has an expression."""
    return all(c.expression is not None for top in criteria for c in top.walk())


def parse_missing(criteria: list[Criterion], *, again: bool = False) -> list[Criterion]:
    """The criteria with expressions: top-level criteria (with their sub-criteria) that lack one
    anywhere are parsed; all of them when ``again``."""
    from eligo.parse import parse_criteria  # the parser loads vocabularies: only when needed

    return [
        top if not again and is_parsed([top]) else parse_criteria([top])[0] for top in criteria
    ]


@dataclass
class ParsedTrial:
    trial: Trial
    criteria: list[Criterion] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parsed_trials(path: str | Path) -> Iterator[ParsedTrial | RecordError]:
    """Each record under ``path`` with its criteria parsed, or the error that stopped it."""
    for item in read_trials(path):
        if isinstance(item, RecordError):
            yield item
            continue
        eligibility = analyse(item)
        trial = item
        if eligibility.cohorts and not item.cohorts:
            trial = item.model_copy(update={"cohorts": eligibility.cohorts})
        yield ParsedTrial(trial, parse_missing(eligibility.criteria), eligibility.warnings)


def stored_trial(store: TrialStore, trial_id: str) -> ParsedTrial | None:
    """A trial from the database with its criteria, parsing those stored without expressions."""
    trial = store.get(trial_id)
    if trial is None:
        return None
    criteria = store.criteria(trial_id)
    if criteria is None:  # stored without segmentation: do it now
        criteria = analyse(trial).criteria
    return ParsedTrial(trial, parse_missing(criteria))


# -- a whole corpus ----------------------------------------------------------------------


def is_database(target: str) -> bool:
    """A database URL, or a SQLite file (recognised by its header), rather than records."""
    if "://" in target:
        return True
    path = Path(target)
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC


def database_url(target: str) -> str:
    return target if "://" in target else f"sqlite:///{Path(target).resolve()}"


@dataclass(frozen=True)
class _Job:
    """One trial's criteria to count; those without expressions (all when ``again``) are
    parsed first."""

    label: str
    criteria: list[Criterion]
    again: bool = False


def _count(job: _Job) -> Coverage:
    coverage = Coverage()
    try:
        criteria = parse_missing(job.criteria, again=job.again)
    except Exception as error:  # noqa: BLE001 - one trial the parser fails on must not stop a corpus
        coverage.add_failure(f"{job.label}: the parser failed: {type(error).__name__}: {error}")
        return coverage
    coverage.add_trial(criteria)
    return coverage


def _path_jobs(path: str | Path, failures: list[str]) -> Iterator[_Job]:
    try:
        records = read_trials(path)
    except RecordError as error:
        failures.append(str(error))
        return
    for item in records:
        if isinstance(item, RecordError):
            failures.append(str(item))
            continue
        yield _Job(item.trial_id, analyse(item).criteria)


def _store_jobs(store: TrialStore, reparse: bool) -> Iterator[_Job]:
    for trial in store.iter_trials():
        criteria = store.criteria(trial.trial_id)
        if criteria is None:  # stored without segmentation: do it now
            criteria = analyse(trial).criteria
        yield _Job(trial.trial_id, criteria, again=reparse)


def corpus_size(target: str) -> int | None:
    """How many trials ``target`` holds, when that is cheap to know (for a progress bar)."""
    if is_database(target):
        with TrialStore(database_url(target)) as store:
            return store.count()
    return count_hint(target)


def measure(
    target: str,
    *,
    jobs: int = 1,
    reparse: bool = False,
    on_trial: Callable[[], None] | None = None,
) -> Coverage:
    """Coverage over ``target``: a file, folder or archive of records, a SQLite file or a
    database URL. ``jobs`` processes parse in parallel (0: one per core). From a database,
    stored expressions are used unless ``reparse``."""
    failures: list[str] = []
    if is_database(target):
        with TrialStore(database_url(target)) as store:
            coverage = _run(_store_jobs(store, reparse), jobs, on_trial)
    else:
        coverage = _run(_path_jobs(target, failures), jobs, on_trial)
    for message in failures:
        coverage.add_failure(message)
    return coverage


def _run(work: Iterable[_Job], jobs: int, on_trial: Callable[[], None] | None) -> Coverage:
    total = Coverage()

    def add(part: Coverage) -> None:
        total.merge(part)
        if on_trial is not None:
            on_trial()

    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    if workers == 1:
        for job in work:
            add(_count(job))
        return total
    _warm_up()  # forked workers then share the loaded vocabularies
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with context.Pool(workers) as pool:
        # Jobs are read here, in this thread: a database connection must not change threads.
        for batch in _batches(work, _BATCH):
            for part in pool.imap(_count, batch, chunksize=4):
                add(part)
    return total


_BATCH = 64


def _batches(work: Iterable[_Job], size: int) -> Iterator[list[_Job]]:
    batch: list[_Job] = []
    for job in work:
        batch.append(job)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _warm_up() -> None:
    from eligo.parse import parse_criterion

    parse_criterion("Age at least 18 years; platelets >= 100 x 10^9/L; no brain metastases")
