"""The whole ingest, as `eligo ingest` runs it: read, segment, store.

    python bench/ingest.py ARCHIVE_OR_FOLDER [--db URL]

Prints records/s, criteria/s, wall time and peak resident memory. Without --db the trials go to
a fresh SQLite file in a temporary folder. Run it twice on the same --db to time a re-ingest
(every record unchanged).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from eligo.catalogue import ingest
from eligo.store import TrialStore


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a file, folder or .tar.gz of trial records")
    parser.add_argument("--db", default=None, help="database URL [default: a temporary SQLite]")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = args.db or f"sqlite:///{Path(scratch) / 'bench.db'}"
        store = TrialStore(url)
        started = time.perf_counter()
        summary = ingest([args.path], store)
        elapsed = time.perf_counter() - started
        store.close()

    print(f"records      {summary.records} ({summary.as_dict()})")
    print(f"criteria     {summary.criteria}")
    print(f"wall time    {elapsed:.1f} s")
    print(f"records/s    {summary.records / elapsed:,.0f}")
    print(f"criteria/s   {summary.criteria / elapsed:,.0f}")
    print(f"peak RSS     {peak_rss_mb():.0f} MB")
    for error in summary.errors[:10]:
        print(f"  failed: {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
