"""Kill distributed workers at random points of their checks, many times, and check nothing was lost or doubled.

    SUPPLIER_MONITOR_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test \\
        .venv/bin/python bench/distributed_faults.py [--trials 20] [--seed N] [--json]

One scheduler and three worker processes (``supplier-monitor scheduler`` / ``worker``) check four demo-marketplace
suppliers every second over plain HTTP, in a fresh schema of that PostgreSQL database (dropped afterwards).
Each trial holds the next request of a random supplier and SIGKILLs the worker that sent it, mid-fetch or 0-300 ms
after releasing it (reading, storing, committing, finishing the job), then starts a replacement; halfway the
marketplace changes round so that alerts are raised while workers die. Afterwards: every killed check was done
again by another worker, nothing is half-written, no snapshot or alert is duplicated, no two checks of one
supplier overlapped. tests/test_distributed.py runs the same with 6 kills; this is the long run (exit 1 on any
problem, with the seed to replay it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from distributed_cluster import pg_schema, run_faults  # noqa: E402

PG_URL_ENV = "SUPPLIER_MONITOR_TEST_DATABASE_URL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=20, help="workers killed (default 20)")
    parser.add_argument("--seed", type=int, default=None, help="replay a run's random choices")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds any one wait may take")
    parser.add_argument("--json", action="store_true", help="print JSON instead of lines")
    args = parser.parse_args(argv)
    base_url = os.environ.get(PG_URL_ENV)
    if not base_url:
        print(f"set ${PG_URL_ENV} to a PostgreSQL database (e.g. postgresql+psycopg://postgres@127.0.0.1/test)")
        return 2
    seed = args.seed if args.seed is not None else time.time_ns() % 1_000_000
    with tempfile.TemporaryDirectory(prefix="distributed-faults-") as work, pg_schema(base_url) as db_url:
        run = run_faults(Path(work), db_url, trials=args.trials, seed=seed, deadline=args.deadline)
    result = {**run.summary(), "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}"}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            if key != "problems":
                print(f"{key}: {value}")
        for problem in run.problems:
            print(f"PROBLEM: {problem}")
        verdict = f"{len(run.problems)} problem(s); replay: --seed {seed}" if run.problems else "all invariants held"
        print(verdict)
    return 1 if run.problems else 0


if __name__ == "__main__":
    sys.exit(main())
