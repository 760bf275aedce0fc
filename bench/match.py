"""Time matching one patient against every stored trial, criteria already parsed and stored.

    eligo ingest ../shared/data/ctgov/all_records_xml.tar.gz --db /tmp/trials.db
    python bench/match.py --db /tmp/trials.db \\
        --patient src/eligo/demo/patients/sclc-relapsed-fit.yaml --as-of 2025-11-01

Each phase runs in a process of its own, so that its peak resident memory is its own:

1. **cold**: no compiled set on disk. Every current trial is read in bulk from ``--db``
   (``TrialStore.iter_with_criteria``; criteria an older parser made are parsed again and
   written back), compiled (``TrialSet.streamed``: condition concepts, verdict plans, BM25
   index) and written to a fresh cache folder (``eligo.engine.stored``);
2. **warm**: the compiled set read back from that folder, as every later ``eligo match`` does;
3. **cli**: ``eligo match --patient ... --top N`` with that folder, the whole command timed
   from outside (process start, imports, patient, trials, match, output), ``--cli-runs`` times.

In the first two, ``match(patient, trials, top=N)`` then runs ``--repeat`` times after one
warm-up (the warm-up fetches the trials shown); the median and worst time of a match are given
in wall and CPU time (the machine may be shared), and the peak resident memory of the phase.
The targets (a match under 200 ms, under 1 GB) are checked on the warm phase. The loaded set
is kept out of the garbage collector's scans (``gc.freeze``), as ``eligo match`` does.
``--profile N`` prints the N most expensive functions of one match (cProfile);
``--phase cold|warm`` runs one phase in this process (``--cache DIR`` names the folder).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import peak_rss_mb

TARGET_MS, TARGET_MB = 200, 1024


def run_phase(args: argparse.Namespace) -> None:
    """One phase (cold or warm) in this process: load, then match ``--repeat`` times."""
    started = time.perf_counter()
    from eligo.engine import match
    from eligo.engine.stored import stored_trial_set
    from eligo.patients import read_patient
    from eligo.store import TrialStore

    imported = time.perf_counter() - started
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with TrialStore(args.db) as store:
        trials = stored_trial_set(store, cache=args.cache, min_cached=1, timings=timings,
                                  freeze=True)  # as eligo match does
        loaded = time.perf_counter() - started
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in timings.items() if k != "cached")
        origin = "from the cache" if timings.get("cached") else "compiled"
        print(f"{args.phase}: {len(trials)} trials {origin} in {loaded:.2f} s ({steps}); "
              f"imports {imported:.2f} s; peak {peak_rss_mb():.0f} MB")
        if args.phase == "warm" and not timings.get("cached"):
            print("  (warm expected the compiled set on disk: did the store change?)")
        as_of = dt.date.fromisoformat(args.as_of)
        read = read_patient(args.patient, as_of=as_of)
        note = args.patient.read_text() if args.patient.suffix == ".txt" else None
        started = time.perf_counter()
        match(read.patient, trials, as_of=as_of, top=args.top, note=note)
        first = time.perf_counter() - started
        times, cpu = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            results = match(read.patient, trials, as_of=as_of, top=args.top, note=note)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        if args.profile:
            print(profile(lambda: match(read.patient, trials, as_of=as_of, top=args.top,
                                        note=note), args.profile))
    median, median_cpu = statistics.median(times) * 1000, statistics.median(cpu) * 1000
    peak = peak_rss_mb()
    print(f"  match: median {median:.0f} ms (CPU {median_cpu:.0f} ms), worst "
          f"{max(times) * 1000:.0f} ms (CPU {max(cpu) * 1000:.0f} ms) over {args.repeat} runs, "
          f"first {first * 1000:.0f} ms (fetches the trials shown); top {args.top}"
          "; best: "
          + ", ".join(f"{r.trial_id} {r.verdict} {r.score:.3f}" for r in results[:3]))
    print(f"  peak resident memory: {peak:.0f} MB")
    if args.phase == "warm":
        within = median_cpu < TARGET_MS and peak < TARGET_MB
        print(f"  targets (match < {TARGET_MS} ms CPU, < {TARGET_MB} MB): "
              f"{'met' if within else 'NOT met'}")


def profile(call, rows: int) -> str:  # noqa: ANN001
    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(rows)
    return out.getvalue()


def time_cli(args: argparse.Namespace, cache: Path) -> None:
    """``eligo match`` as a user runs it, with the compiled set on disk."""
    command = [str(Path(sys.executable).with_name("eligo")), "match", "--patient",
               str(args.patient), "--as-of", args.as_of, "--db", args.db]
    if args.top is not None:
        command += ["--top", str(args.top)]
    walls, cpu, compiled = [], [], 0
    for _ in range(args.cli_runs):
        started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              env={**os.environ, "ELIGO_CACHE": str(cache)})
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode != 0:
            print(f"cli: failed ({done.returncode}): {done.stderr.strip()[-500:]}")
            return
        if "Compiling" in done.stderr:  # the store or eligo's code changed since the warm phase
            compiled += 1
    print(f"cli: eligo match --top {args.top}: median {statistics.median(walls):.2f} s wall "
          f"(CPU {statistics.median(cpu):.2f} s), best {min(walls):.2f} s wall over "
          f"{args.cli_runs} runs (process start included)"
          + (f"; {compiled} of them compiled again (store or code changed)" if compiled else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database URL or SQLite path")
    parser.add_argument("--patient", type=Path, required=True,
                        help="patient file (FHIR bundle, eligo patient file, .txt note)")
    parser.add_argument("--as-of", default="2026-10-01")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--top", default="10",
                        help="results worked out in full: a number (default 10, as a search "
                             "page) or 'all'")
    parser.add_argument("--cli-runs", type=int, default=3)
    parser.add_argument("--profile", type=int, metavar="N", help="print N rows of a profile")
    parser.add_argument("--phase", choices=["cold", "warm"], help="run one phase, here")
    parser.add_argument("--cache", type=Path, help="with --phase: the cache folder")
    args = parser.parse_args()
    args.top = None if args.top == "all" else int(args.top)
    if args.phase:
        if args.cache is None:
            parser.error("--phase needs --cache DIR")
        run_phase(args)
        return
    with tempfile.TemporaryDirectory(prefix="eligo-bench-cache-") as folder:
        passed = list(sys.argv[1:])
        for phase in ("cold", "warm"):
            subprocess.run([sys.executable, __file__, *passed, "--phase", phase,
                            "--cache", folder], check=True)
        if args.cli_runs:
            time_cli(args, Path(folder))


if __name__ == "__main__":
    main()
