"""Time matching one patient against every stored trial, criteria already parsed and stored.

    eligo ingest ../shared/data/ctgov/all_records_xml.tar.gz --db /tmp/trials.db
    python bench/match.py --db /tmp/trials.db --patient tests/data/match/patients/p01.json \\
        --save-parsed                      # first run: parse what is stored unparsed, store it
    python bench/match.py --db /tmp/trials.db --patient ... --repeat 20   # then: load and match

Steps, each timed apart (a server does the first two once, at start-up):

1. **load**: every trial and its stored criteria from ``--db`` (``TrialStore``);
2. **parse**: criteria stored without expressions are parsed in memory (``eligo.parse``), as
   ``eligo match`` does; ``--save-parsed`` writes them back so that later runs skip this step;
   then the trials are prepared once as a ``TrialSet`` (condition concepts, verdict plans, the
   BM25 index);
3. **match**: ``match(patient, trials, as_of=..., top=...)`` run ``--repeat`` times after one
   warm-up; the report gives the median and the worst time per match.

Peak resident memory is reported after loading and after matching (the process's high-water
mark, so it includes the parsing step when that ran in the same process), and CPU time beside
wall time (the machine may be shared). ``--freeze`` calls ``gc.freeze()`` after loading, as a
long-running server would: without it a full garbage collection over the loaded trials now
and then adds seconds to one match. ``--profile N`` prints the N most expensive functions of
one match (cProfile).

``--build RECORDS`` reads, cuts, parses and stores trials in one go instead of
``eligo ingest`` (``--limit N`` stops after N trials).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

from common import peak_rss_mb

from eligo.engine import TrialSet, match
from eligo.errors import RecordError
from eligo.model import Criterion, Trial
from eligo.patients import read_patient
from eligo.store import TrialStore


def build(records: Path, url: str, limit: int | None) -> None:
    from eligo.criteria import analyse
    from eligo.ingest import read_trials
    from eligo.parse import parse_criteria

    started, count = time.perf_counter(), 0
    with TrialStore(url) as store:
        for item in read_trials(records):
            if isinstance(item, RecordError):
                print(f"skipped: {item}", file=sys.stderr)
                continue
            eligibility = analyse(item)
            trial = item.model_copy(update={"cohorts": eligibility.cohorts})
            store.save(trial, parse_criteria(eligibility.criteria))
            count += 1
            if count % 250 == 0:
                print(f"  {count} trials stored ({time.perf_counter() - started:.0f} s)",
                      file=sys.stderr)
            if limit is not None and count >= limit:
                break
    print(f"built: {count} trials in {time.perf_counter() - started:.0f} s")


def load(url: str) -> list[tuple[Trial, list[Criterion]]]:
    with TrialStore(url) as store:
        return [(trial, store.criteria(trial.trial_id) or []) for trial in store.iter_trials()]


def is_parsed(criteria: list[Criterion]) -> bool:
    """Parsed when some criterion (or sub-criterion) carries an expression; a trial without
    criteria has nothing to parse."""
    return not criteria or any(c.expression is not None for top in criteria for c in top.walk())


def parse_unparsed(pairs: list[tuple[Trial, list[Criterion]]]) -> tuple[list, int]:
    """The pairs with every unparsed trial's criteria parsed; and how many were parsed."""
    from eligo.parse import parse_criteria

    out, parsed, started = [], 0, time.perf_counter()
    for trial, criteria in pairs:
        if not is_parsed(criteria):
            criteria = parse_criteria(criteria)
            parsed += 1
            if parsed % 500 == 0:
                print(f"  parsed {parsed} trials ({time.perf_counter() - started:.0f} s)",
                      file=sys.stderr)
        out.append((trial, criteria))
    return out, parsed


def save_parsed(url: str, pairs: list[tuple[Trial, list[Criterion]]]) -> None:
    with TrialStore(url) as store:
        report = store.save_many(pairs)
    failed = len(report.failed)
    print(f"stored the parsed criteria{f' ({failed} failed)' if failed else ''}")


def profile(patient, trials: TrialSet, as_of: dt.date, top: int | None,  # noqa: ANN001
            note: str | None, rows: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    match(patient, trials, as_of=as_of, top=top, note=note)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(rows)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database URL or SQLite path")
    parser.add_argument("--patient", type=Path, help="patient file (FHIR bundle, file, note)")
    parser.add_argument("--build", type=Path, metavar="RECORDS", help="store these trials first")
    parser.add_argument("--limit", type=int, help="with --build: at most N trials")
    parser.add_argument("--save-parsed", action="store_true",
                        help="store the criteria parsed in this run, for the next runs")
    parser.add_argument("--as-of", default="2026-10-01")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--top", default="10",
                        help="results worked out in full: a number (default 10, as a search "
                             "page) or 'all'")
    parser.add_argument("--profile", type=int, metavar="N", help="print N rows of a profile")
    parser.add_argument("--freeze", action="store_true",
                        help="gc.freeze() after loading, as a long-running server would")
    args = parser.parse_args()
    if args.build:
        build(args.build, args.db, args.limit)
    if args.patient is None:
        return
    as_of = dt.date.fromisoformat(args.as_of)
    args.top = None if args.top == "all" else int(args.top)

    started = time.perf_counter()
    pairs = load(args.db)
    loaded = time.perf_counter() - started
    criteria = sum(len(list(c.walk())) for _, cs in pairs for c in cs)
    print(f"load: {len(pairs)} trials, {criteria} criteria and sub-criteria in {loaded:.1f} s "
          f"(peak {peak_rss_mb():.0f} MB)")
    started = time.perf_counter()
    pairs, parsed = parse_unparsed(pairs)
    print(f"parse: {parsed} trials stored unparsed, parsed in {time.perf_counter() - started:.1f} s"
          f" (peak {peak_rss_mb():.0f} MB)")
    if args.save_parsed and parsed:
        save_parsed(args.db, pairs)
    started = time.perf_counter()
    trials = TrialSet(pairs)
    trials.index  # noqa: B018 - the BM25 index is part of preparing
    del pairs
    print(f"prepare: TrialSet in {time.perf_counter() - started:.1f} s "
          f"(peak {peak_rss_mb():.0f} MB)")

    if args.freeze:
        gc.collect()
        gc.freeze()  # what a server does after loading: the loaded trials leave the GC's scans
    read = read_patient(args.patient, as_of=as_of)
    note = args.patient.read_text() if args.patient.suffix == ".txt" else None
    match(read.patient, trials, as_of=as_of, top=args.top, note=note)  # warm-up
    times, cpu = [], []
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        results = match(read.patient, trials, as_of=as_of, top=args.top, note=note)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    print(f"match: median {statistics.median(times) * 1000:.0f} ms (CPU "
          f"{statistics.median(cpu) * 1000:.0f} ms), worst {max(times) * 1000:.0f} ms (CPU "
          f"{max(cpu) * 1000:.0f} ms) over {args.repeat} runs of {len(trials)} trials "
          f"(top {args.top}{', GC frozen' if args.freeze else ''}); best: "
          + ", ".join(f"{r.trial_id} {r.verdict} {r.score:.3f}" for r in results[:3]))
    print(f"peak resident memory: {peak_rss_mb():.0f} MB")
    if args.profile:
        print(profile(read.patient, trials, as_of, args.top, note, args.profile))


if __name__ == "__main__":
    main()
