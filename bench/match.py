"""Time matching one patient against every stored trial, criteria already parsed and stored.

    python bench/match.py --db trials.db --build ../shared/data/ctgov/all_records_xml.tar.gz
    python bench/match.py --db trials.db --patient tests/data/match/patients/p01-fit-sclc.json

``--build RECORDS`` first reads the records (a file, folder or archive), cuts and parses their
criteria, and stores trials and parsed criteria in ``--db`` (slow: the parser runs once per
criterion; ``--limit N`` stops after N trials). Then the trials are loaded once into a
``TrialSet`` (timed apart: a server does it at start-up), and ``match`` is run ``--repeat`` times
for the patient: the report gives the median and worst time per match (wall clock, and CPU
time, which other work on the machine does not inflate) and the peak resident memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import time
from pathlib import Path

from eligo.engine import TrialSet, match
from eligo.errors import RecordError
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


def load(url: str) -> TrialSet:
    with TrialStore(url) as store:
        pairs = [(trial, store.criteria(trial.trial_id) or []) for trial in store.iter_trials()]
    trials = TrialSet(pairs)
    trials.index  # noqa: B018 - the BM25 index is part of loading
    return trials


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database URL or SQLite path")
    parser.add_argument("--patient", type=Path, help="patient file (FHIR bundle, file, note)")
    parser.add_argument("--build", type=Path, metavar="RECORDS", help="store these trials first")
    parser.add_argument("--limit", type=int, help="with --build: at most N trials")
    parser.add_argument("--as-of", default="2026-10-01")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--top", type=int, default=None)
    args = parser.parse_args()
    if args.build:
        build(args.build, args.db, args.limit)
    if args.patient is None:
        return
    as_of = dt.date.fromisoformat(args.as_of)
    started = time.perf_counter()
    trials = load(args.db)
    loaded = time.perf_counter() - started
    criteria = sum(len(e.criteria) for e in trials.entries)
    print(f"loaded {len(trials)} trials, {criteria} criteria, in {loaded:.1f} s "
          f"(peak {peak_rss_mb():.0f} MB)")
    read = read_patient(args.patient, as_of=as_of)
    note = args.patient.read_text() if args.patient.suffix == ".txt" else None
    match(read.patient, trials, as_of=as_of, top=args.top, note=note)  # warm-up
    times, cpu = [], []
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        results = match(read.patient, trials, as_of=as_of, top=args.top, note=note)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    verdicts = {v: sum(r.verdict == v for r in results)
                for v in ("eligible", "possibly_eligible", "ineligible")}
    print(f"match: median {statistics.median(times) * 1000:.0f} ms wall "
          f"({statistics.median(cpu) * 1000:.0f} ms CPU), worst {max(times) * 1000:.0f} ms "
          f"over {args.repeat} runs; {len(results)} results {verdicts}")
    print(f"peak resident memory: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
