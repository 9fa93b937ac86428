"""``python -m monitor.demo.certificates demo|test|bench|mismatch [--out DIR]``: render a set of certificates.

``demo`` rewrites the demo marketplace's certificate files in ``monitor/demo/files/`` (or ``--out``); the
others render a case set with its ``truth.json`` into ``--out``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitor.demo.certificates.cases import bench_cases, mismatch_pairs, test_cases
from monitor.demo.certificates.demo import DEMO_FILES, write_demo_files
from monitor.demo.certificates.render import render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.demo.certificates", description=__doc__.split("\n")[0])
    parser.add_argument("set", choices=("demo", "test", "bench", "mismatch"))
    parser.add_argument("--out", type=Path, help="output directory (required except for demo)")
    parser.add_argument("--n", type=int, default=60, help="bench: number of documents")
    parser.add_argument("--seed", type=int, default=2026, help="bench: seed")
    args = parser.parse_args(argv)
    if args.set == "demo":
        for demo, path in zip(DEMO_FILES, write_demo_files(args.out), strict=True):
            print(f"{path}  {path.stat().st_size // 1024} KB  {demo.case.noise_profile}: {demo.purpose}")
        return 0
    if args.out is None:
        parser.error("--out is required")
    if args.set == "test":
        cases = test_cases()
    elif args.set == "bench":
        cases = bench_cases(args.n, args.seed)
    else:
        cases = [pair.case for pair in mismatch_pairs()]
    result = render(cases, args.out)
    print(f"{len(result.paths)} files and {result.truth} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
