"""Population screening benchmark: synthetic cohorts of growing size, one trial, DuckDB (and
PostgreSQL when a server URL is given).

    python bench/screen.py --trial tests/data/seeds/001_36ee6b61676e01d5.txt \\
        --sizes 10000 100000 1000000 --workdir /tmp/eligo-bench \\
        [--postgres postgresql://user@host/db --postgres-max 100000]

For each size: the time to write the cohort, the time of the whole screen (compile, query,
funnel) and its peak resident memory, each screen in a fresh process; and the Python
evaluator's time on a sample of patients, scaled to the cohort, as a ratio to the SQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

AS_OF = dt.date(2026, 10, 1)


def load_trial(path: str) -> tuple:
    from eligo.criteria import analyse
    from eligo.ingest import read_trials
    from eligo.parse import parse_criteria

    trial = next(iter(read_trials(Path(path))))
    eligibility = analyse(trial)
    trial = trial.model_copy(update={"cohorts": trial.cohorts or eligibility.cohorts})
    return trial, parse_criteria(eligibility.criteria)


def worker(trial_path: str, url: str) -> None:
    """One screen, in this process; prints seconds and peak memory as JSON."""
    from eligo.screen.screener import screen

    trial, criteria = load_trial(trial_path)
    started = time.perf_counter()
    result = screen(trial, criteria, url, as_of=AS_OF)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "peak_mb": round(peak_mb),
                "verdicts": result.verdicts,
                "patients": result.patients,
            }
        )
    )


def measure(trial_path: str, url: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "worker", trial_path, url],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def evaluator_seconds_per_patient(trial_path: str, url: str, sample: int) -> float:
    from eligo.engine import match_trial
    from eligo.screen import read_patients

    trial, criteria = load_trial(trial_path)
    patients = list(read_patients(url, limit=sample))
    started = time.perf_counter()
    for patient in patients:
        match_trial(patient, trial, criteria, as_of=AS_OF)
    return (time.perf_counter() - started) / len(patients)


def _load() -> str:
    """The machine's load: others may share its cores while a figure is taken."""
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trial", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/eligo-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose database may be written")
    parser.add_argument("--postgres-max", type=int, default=100_000)
    args = parser.parse_args()
    from eligo.screen.synth import synthesise

    args.workdir.mkdir(parents=True, exist_ok=True)
    per_patient = None
    for size in args.sizes:
        path = args.workdir / f"cohort-{size}-{args.seed}.duckdb"
        started = time.perf_counter()
        if not path.exists():
            synthesise(size, args.seed, str(path))
        written = time.perf_counter() - started
        if per_patient is None:
            per_patient = evaluator_seconds_per_patient(args.trial, str(path), args.sample)
        found = measure(args.trial, str(path))
        python = per_patient * size
        print(
            f"duckdb {size:>9,}: write {written:6.1f} s  screen {found['seconds']:6.2f} s  "
            f"peak {found['peak_mb']:6,} MB  python (scaled) {python:8.0f} s  "
            f"ratio {python / found['seconds']:6.0f}x  {found['verdicts']}  {_load()}",
            flush=True,
        )
        if args.postgres and size <= args.postgres_max:
            _postgres(args, size, python)


def _postgres(args: argparse.Namespace, size: int, python: float) -> None:
    import psycopg

    from eligo.screen.synth import synthesise

    with psycopg.connect(args.postgres, autocommit=True) as con:
        for table in (
            "person",
            "condition_occurrence",
            "measurement",
            "drug_exposure",
            "therapy_line",
            "procedure_occurrence",
            "observation",
        ):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    started = time.perf_counter()
    synthesise(size, args.seed, args.postgres)
    with psycopg.connect(args.postgres, autocommit=True) as con:
        con.execute("ANALYZE")
    written = time.perf_counter() - started
    found = measure(args.trial, args.postgres)
    print(
        f"postgres {size:>7,}: write {written:6.1f} s  screen {found['seconds']:6.2f} s  "
        f"peak {found['peak_mb']:6,} MB (client)  ratio {python / found['seconds']:6.0f}x  "
        f"{_load()}",
        flush=True,
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2], sys.argv[3])
    else:
        main()
