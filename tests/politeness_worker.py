"""One worker process fetching pages of one host through its own Fetchers, for tests/test_politeness_store.py.

Several of these share one database: the per-host spacing they keep between them is the store's, as it would be
between the daemon and a ``check`` run, or workers on several machines. The worker builds everything first and
fetches one page of another host (so that the first measured fetch is not also the first of its HTTP client,
thread pool and database connection), prints ``ready``, waits for a line on stdin (so that all workers start
fetching together), fetches its pages one after another and prints ``done``.

Usage: python tests/politeness_worker.py DB_URL CONFIG_DIR BASE_URL WARM_UP_URL NAME PAGES MIN_DELAY
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from monitor.config import load_config
from monitor.fetchers import Fetchers
from storage import DatabasePoliteness, open_database


async def main(
    db_url: str, config_dir: Path, base_url: str, warm_up_url: str, name: str, pages: int, min_delay: str
) -> None:
    config = load_config(
        config_dir / f"{name}.toml",
        data={
            "database": {"url": db_url},
            "fetch": {"method": "http", "timeout": "20s", "allow_private_addresses": True},
            "politeness": {"min_delay_per_host": min_delay, "max_concurrency_per_host": 1, "obey_robots_txt": False},
            "suppliers": [{"id": "acme", "url": f"{base_url}/acme.html"}],
        },
    )
    db = open_database(db_url, migrate_schema=False)
    try:
        async with Fetchers(config, politeness=DatabasePoliteness(db)) as fetchers:
            fetcher = fetchers.get("http")
            await fetcher.fetch(warm_up_url)
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
            for i in range(pages):
                await fetcher.fetch(f"{base_url}/{name}/{i}.html")
        print("done", flush=True)
    finally:
        db.dispose()


if __name__ == "__main__":
    url, directory, base, warm_up, worker, count, delay = sys.argv[1:8]
    asyncio.run(main(url, Path(directory), base, warm_up, worker, int(count), delay))
