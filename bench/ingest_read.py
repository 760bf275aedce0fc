"""Reading speed of eligo's trial readers alone (no storage, no segmentation).

    python bench/ingest_read.py ARCHIVE_OR_FOLDER [--format F] [--errors N]

Prints trials and errors read, records per second, wall time, and peak resident memory; then the
reasons of the errors, grouped, with up to N examples each.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from eligo.errors import RecordError
from eligo.ingest import FORMATS, read_trials


def _peak_rss_mb() -> float:
    # ru_maxrss is in kibibytes on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a file, folder, .tar.gz or .zip of trial records")
    parser.add_argument("--format", choices=FORMATS, default=None, help="force one format")
    parser.add_argument("--errors", type=int, default=3, help="examples shown per error reason")
    args = parser.parse_args()

    start_rss = _peak_rss_mb()
    started = time.perf_counter()
    trials = 0
    formats: Counter[str] = Counter()
    reasons: defaultdict[str, list[RecordError]] = defaultdict(list)
    for item in read_trials(args.path, args.format):
        if isinstance(item, RecordError):
            reasons[f"{item.message.split(':')[0]} [field: {item.field}]"].append(item)
        else:
            trials += 1
            formats[item.source.format] += 1
    elapsed = time.perf_counter() - started
    errors = sum(len(found) for found in reasons.values())

    total = trials + errors
    print(f"read {total} records from {args.path}: {trials} trials, {errors} errors")
    print(f"formats: {dict(formats)}")
    print(f"time {elapsed:.1f} s, {total / elapsed if elapsed else 0:.0f} records/s")
    print(f"peak RSS {_peak_rss_mb():.0f} MB (at start {start_rss:.0f} MB)")
    for reason, found in sorted(reasons.items(), key=lambda pair: -len(pair[1])):
        print(f"  {len(found)} x {reason}")
        for error in found[: args.errors]:
            print(f"      {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
