"""Local certificate registry benchmark: import 100,000 certificates, then time lookups.

    .venv/bin/python bench/registry_bench.py [--rows 100000] [--lookups 5000] [--database-url URL]

A measurement, not a test. Writes a CSV of synthetic certificates (holder names in varied legal-form
spellings), imports it with monitor.registries.import_csv into a fresh SQLite database in a temp dir (or the
given URL), then runs LocalRegistry.lookup by number and by holder + standard and prints JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.registries import LocalRegistry, import_csv
from scrapers.claims import Certification
from storage import open_database

FORMS = ("Co., Ltd.", "Co.,Ltd", "Company Limited", "Ltd", "Inc.", "LLC", "GmbH")
STANDARDS = ("ISO 9001", "ISO 14001", "ISO 45001", "IATF 16949")


def write_csv(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(
            ["number", "holder", "standard", "edition", "certification body", "status", "valid_from", "valid_until"]
        )
        for i in range(rows):
            year = rng.randint(2019, 2025)
            out.writerow(
                [
                    f"Q{i % 97:02d}-{i:07d}/{year}",
                    f"Supplier {i} Manufacturing {FORMS[i % len(FORMS)]}",
                    STANDARDS[i % len(STANDARDS)],
                    "2015",
                    f"CB {i % 40}",
                    "active" if i % 9 else "withdrawn",
                    f"{year}-03-01",
                    f"{year + 3}-02-28",
                ]
            )


@contextmanager
def scratch_url(database_url: str | None, tmp: str) -> Iterator[str]:
    """A throwaway database: SQLite in `tmp`, or a fresh PostgreSQL schema dropped afterwards."""
    if not database_url:
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    schema = f"registry_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def bench(rows: int, lookups: int, database_url: str | None, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, scratch_url(database_url, tmp) as url:
        csv_path = Path(tmp) / "registry.csv"
        write_csv(csv_path, rows, seed)
        db = open_database(url)
        try:
            started = time.perf_counter()
            result = import_csv(db, csv_path)
            import_s = time.perf_counter() - started
            assert result.imported == rows and not result.errors, result.errors[:3]

            rng = random.Random(seed + 1)
            picks = [rng.randrange(rows) for _ in range(lookups)]
            registry = LocalRegistry(db)
            year_of: dict[int, str] = {}
            with csv_path.open(encoding="utf-8") as f:
                for n, row in enumerate(csv.reader(f)):
                    if n:
                        year_of[n - 1] = row[0].rsplit("/", 1)[1]

            started = time.perf_counter()
            for i in picks:  # the page writes the number differently: lower case, spaces instead of dashes
                claim = Certification(name="ISO", number=f"q{i % 97:02d} {i:07d} {year_of[i]}")
                assert registry.lookup(claim, None).record is not None
            number_s = time.perf_counter() - started

            started = time.perf_counter()
            for i in picks:  # another legal-form spelling than the registry's
                name = f"SUPPLIER {i} MANUFACTURING {FORMS[(i + 1) % len(FORMS)].upper()}"
                claim = Certification(name=STANDARDS[i % len(STANDARDS)] + ":2015")
                assert registry.lookup(claim, name).record is not None
            holder_s = time.perf_counter() - started

            started = time.perf_counter()
            misses = 0
            for i in picks:
                misses += (
                    registry.lookup(Certification(name="ISO 9001", number=f"NONE-{i}"), f"Nobody {i}").record is None
                )
            miss_s = time.perf_counter() - started
        finally:
            db.dispose()
    return {
        "backend": (database_url or "sqlite").split(":", 1)[0],
        "rows": rows,
        "import_s": round(import_s, 2),
        "import_rows_per_s": round(rows / import_s),
        "lookups": lookups,
        "by_number_per_s": round(lookups / number_s),
        "by_holder_per_s": round(lookups / holder_s),
        "miss_per_s": round(lookups / miss_s),
        "misses": misses,
        "machine": {"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=5_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL: runs in a temporary schema (dropped)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(bench(args.rows, args.lookups, args.database_url, args.seed), indent=2))


if __name__ == "__main__":
    main()
