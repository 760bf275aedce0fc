"""Drive the eligo web app on loopback and report requests/s and latency.

    python bench/web.py src/eligo/demo/trials \
        --patient src/eligo/demo/patients/sclc-low-platelets.yaml

Ingests TRIALS into a temporary SQLite database, starts uvicorn on a free loopback port, then
requests the trial page and a match (POST /api/trials/{id}/match) one after another, each for
at most --count requests or --seconds, after a few warm-up requests. Prints requests/s, median
and p95 latency for each.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import yaml


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


def _drive(name: str, call: Any, count: int, seconds: float) -> dict[str, float]:
    for _ in range(3):  # warm-up: caches, parsed criteria
        call()
    latencies = []
    started = time.perf_counter()
    while len(latencies) < count and time.perf_counter() - started < seconds:
        t0 = time.perf_counter()
        response = call()
        latencies.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code}: {response.text[:200]}")
    elapsed = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    result = {
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
    }
    print(
        f"{name:<14} {result['requests']:>5} requests  {result['requests_per_s']:>7} req/s  "
        f"median {result['median_ms']:>7} ms  p95 {result['p95_ms']:>7} ms"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("trials", nargs="+", type=Path, help="trial records to ingest")
    parser.add_argument(
        "--patient", type=Path, required=True, help="eligo patient file (JSON/YAML) or FHIR bundle"
    )
    parser.add_argument("--trial", default="NCT07016230", help="the trial to request")
    parser.add_argument("--count", type=int, default=300, help="at most this many requests each")
    parser.add_argument("--seconds", type=float, default=20.0, help="at most this long each")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()

    from eligo.catalogue import ingest
    from eligo.store import TrialStore
    from eligo.web import WebSettings, create_app

    folder = Path(tempfile.mkdtemp(prefix="eligo-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    with TrialStore(url) as store:
        summary = ingest(args.trials, store)
    print(f"catalogue: {summary.records} records ({summary.failed} failed)")
    settings = WebSettings(
        warm_on_start=False, api_rate_per_minute=10**9, form_rate_per_minute=10**9
    )
    app = create_app(url, settings=settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    patient = _json_ready(yaml.safe_load(args.patient.read_text(encoding="utf-8")))
    base = f"http://127.0.0.1:{port}"
    figures = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        figures["trial_page"] = _drive(
            "trial page", lambda: client.get(f"/trials/{args.trial}"), args.count, args.seconds
        )
        figures["match"] = _drive(
            "match",
            lambda: client.post(f"/api/trials/{args.trial}/match", json=patient),
            args.count,
            args.seconds,
        )
        figures["search"] = _drive(
            "search",
            lambda: client.get("/api/trials", params={"q": "small cell"}),
            args.count,
            args.seconds,
        )
    server.should_exit = True
    thread.join(timeout=10)
    if args.json:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
