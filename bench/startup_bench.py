"""CLI start-up: wall ms from spawning `python -m monitor --config CFG check` to its first request, and what
`import monitor.cli` and the check up to that request spend their time on (`python -X importtime`).

Not a test: it measures and prints. Run from the project root:

    .venv/bin/python bench/startup_bench.py [--repeats 5]

The config watches one supplier on a loopback HTTP server (``[fetch] method = "http"``); that server also
answers robots.txt, which is the first request a check makes, so the figure covers interpreter start, imports,
config, opening the (already migrated) database and syncing the watch list. A warm-up run first creates the
database and compiles every module to bytecode in a private cache (``PYTHONPYCACHEPREFIX``), so the samples
show an installed command, as a deployment runs it, even where ``PYTHONDONTWRITEBYTECODE`` is set;
``no_bytecode_cache_ms`` is one run that compiles this project's modules from source, as such an environment
does on every start.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: Generous: a loaded 2-core machine can take seconds to start Python; a hung check is an error, not a sample.
RUN_TIMEOUT_S = 120.0
PAGE = (
    b"<!doctype html><html><head><title>Startup Bench Kettles Co., Ltd.</title>"
    b'<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Organization", '
    b'"legalName": "Startup Bench Kettles Co., Ltd.", "foundingDate": "2006"}</script></head>'
    b"<body><h1>Startup Bench Kettles Co., Ltd.</h1><p>Kettles since 2006.</p></body></html>"
)
IMPORTTIME_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


class FirstRequestServer(ThreadingHTTPServer):
    """Loopback site that records when its first request of a run arrives (robots.txt and the page both count)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.first = threading.Event()
        self.first_at = 0.0
        self.first_cpu_ms: float | None = None
        self.client_pid: int | None = None
        self._lock = threading.Lock()

    def reset(self, client_pid: int | None = None) -> None:
        with self._lock:
            self.first.clear()
            self.first_at = 0.0
            self.first_cpu_ms = None
            self.client_pid = client_pid

    def arrived(self) -> None:
        with self._lock:
            if not self.first.is_set():
                self.first_at = time.perf_counter()
                self.first_cpu_ms = process_cpu_ms(self.client_pid)
                self.first.set()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FirstRequestServer

    def do_GET(self) -> None:
        self.server.arrived()
        body, kind = (b"User-agent: *\nAllow: /\n", "text/plain") if self.path == "/robots.txt" else (PAGE, "text/html")
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the bench prints JSON."""


def process_cpu_ms(pid: int | None) -> float | None:
    """User + system CPU ms the process has used so far (Linux /proc; None elsewhere): unlike wall time, barely
    moved by other work on a busy machine."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


@contextmanager
def bench_site() -> Iterator[FirstRequestServer]:
    server = FirstRequestServer()
    thread = threading.Thread(target=server.serve_forever, name="startup-bench-site", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def write_config(directory: Path, base_url: str) -> Path:
    """One supplier on the loopback site, plain HTTP, no pacing: the first request is the first thing to wait for."""
    path = directory / "config.toml"
    path.write_text(
        f"""[database]
url = "sqlite:///{directory / "startup.db"}"

[fetch]
method = "http"
allow_private_addresses = true

[politeness]
min_delay_per_host = "0s"

[documents]
read = false

[[suppliers]]
id = "startup-bench"
name = "Startup Bench Kettles Co., Ltd."
url = "{base_url}/about.html"
""",
        encoding="utf-8",
    )
    return path


def child_env(pycache: Path | None) -> dict[str, str]:
    """The environment of a measured process: bytecode cached in ``pycache`` (None: as this environment says)."""
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def time_to_first_request(site: FirstRequestServer, config: Path, env: dict[str, str]) -> tuple[float, float | None]:
    """Wall ms from spawning the check to its first request at ``site``, and the CPU ms the check had used by
    then; the check must then finish with exit 0."""
    command = [sys.executable, "-m", "monitor", "--config", str(config), "check"]
    site.reset()
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    site.client_pid = proc.pid  # read only when the first request arrives, long after this
    try:
        _, stderr = proc.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"the check did not finish within {RUN_TIMEOUT_S} s") from None
    if proc.returncode != 0 or not site.first.is_set():
        raise RuntimeError(
            f"the check exited {proc.returncode} (first request seen: {site.first.is_set()}): "
            f"{stderr.decode(errors='replace')[-2000:]}"
        )
    return (site.first_at - started) * 1000, site.first_cpu_ms


def importtime_rows(stderr: str) -> list[dict[str, Any]]:
    """The rows of ``-X importtime`` output: module, cumulative and self ms, depth in the import tree."""
    rows = []
    for line in stderr.splitlines():
        match = IMPORTTIME_LINE.match(line)
        if match:
            self_us, cumulative_us, indent, name = match.groups()
            rows.append({"module": name, "cumulative_ms": int(cumulative_us) / 1000, "self_ms": int(self_us) / 1000,
                         "depth": (len(indent) - 1) // 2})  # fmt: skip
    return rows


def biggest(
    rows: list[dict[str, Any]], top: int, leave_out: str = "", key: str = "cumulative_ms"
) -> list[dict[str, Any]]:
    """The ``top`` rows by ``key`` (``leave_out``: a module that holds all the others)."""
    ranked = sorted((r for r in rows if r["module"] != leave_out), key=lambda r: -r[key])[:top]
    return [{k: round(v, 1) if isinstance(v, float) else v for k, v in r.items()} for r in ranked]


def import_offenders(env: dict[str, str], top: int = 10) -> dict[str, Any]:
    """`python -X importtime -c "import monitor.cli"`: its total and the ``top`` biggest cumulative imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import monitor.cli"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=True,
    )  # fmt: skip
    rows = importtime_rows(done.stderr)
    total = next((r["cumulative_ms"] for r in rows if r["module"] == "monitor.cli"), None)
    return {
        "import_monitor_cli_ms": total,
        "top_cumulative": biggest(rows, top, leave_out="monitor.cli"),
        "heavy_modules_loaded": sorted(
            {r["module"].split(".")[0] for r in rows} & {"playwright", "alembic", "apprise", "procrastinate",
                                                          "onnxruntime", "rapidocr_onnxruntime", "pypdfium2",
                                                          "fastapi"}
        ),
    }  # fmt: skip


def check_import_offenders(
    site: FirstRequestServer, config: Path, env: dict[str, str], top: int = 12
) -> dict[str, Any]:
    """The check itself under ``-X importtime``, killed when its first request arrives: what it imports before
    that request (`import monitor.cli` is a small part of it). The tree is inflated by importtime itself."""
    site.reset()
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-X", "importtime", "-m", "monitor", "--config", str(config), "check"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
        arrived = site.first.wait(RUN_TIMEOUT_S)
        proc.kill()
        proc.wait()
        if not arrived:
            raise RuntimeError(f"the check made no request within {RUN_TIMEOUT_S} s")
        stderr.seek(0)
        rows = importtime_rows(stderr.read().decode(errors="replace"))
    return {
        "modules": len(rows),
        "imports_ms": round(sum(r["cumulative_ms"] for r in rows if r["depth"] == 0), 1),
        "top_cumulative": biggest(rows, top),
        "top_self": biggest(rows, top, key="self_ms"),
    }


def startup_ms(repeats: int = 5) -> dict[str, Any]:
    """Median and samples of the ms to the first request, plus `import monitor.cli`'s biggest imports."""
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as tmp, bench_site() as site:
        directory = Path(tmp)
        config = write_config(directory, site.base_url)
        cached = child_env(directory / "pycache")
        warmup, _ = time_to_first_request(site, config, cached)  # creates the database, fills the bytecode cache
        runs = [time_to_first_request(site, config, cached) for _ in range(repeats)]
        uncached, _ = time_to_first_request(site, config, child_env(None))
        imports = import_offenders(cached)
        check_imports = check_import_offenders(site, config, cached)
    samples = [round(wall, 1) for wall, _ in runs]
    cpu = [cpu for _, cpu in runs if cpu is not None]
    return {
        "median_ms": round(statistics.median(samples), 1),
        "samples_ms": samples,
        "cpu_ms_to_first_request": round(statistics.median(cpu), 1) if cpu else None,
        "cpu_samples_ms": cpu,
        "warmup_ms": round(warmup, 1),
        "no_bytecode_cache_ms": round(uncached, 1),
        "imports": imports,
        "check_imports_before_first_request": check_imports,
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),  # other work on the machine skews every figure
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="measured runs (after one warm-up)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    print(json.dumps(startup_ms(args.repeats), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
