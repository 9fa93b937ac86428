"""Benchmark of the certificate reader on generated certificates: field accuracy (clean vs noisy) and OCR cost.

Not a test: it measures and prints. Run from the project root:

    .venv/bin/python bench/documents_bench.py [--n 60] [--seed 2026] [--engine rapidocr|tesseract|both] [--json]

The documents are ``monitor.demo.certificates.bench_cases(n, seed)``, rendered once by Chromium into
``bench/.cache/certificates-<seed>-<n>/`` (never committed; ``--regenerate`` renders again) in a child process,
so the Chromium never counts in this process's memory figures. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from monitor.demo.certificates import CertificateCase, bench_cases, load_truth, render  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
ENGINES = ("rapidocr", "tesseract")
KEY_FIELDS = ("holder", "number", "valid_until")
INFO_FIELDS = ("holder_zh", "standard", "edition", "issuer", "first_issued", "issued", "accreditation", "address")


# --- documents ------------------------------------------------------------------------------------------------


def _generate(n: int, seed: int, directory: str) -> None:
    render(bench_cases(n, seed), directory)


def documents(n: int, seed: int, regenerate: bool) -> tuple[Path, list[tuple[CertificateCase, Path]], float | None]:
    """The rendered set (from the cache when its truth matches), each case with its file; render seconds."""
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / ".gitignore").write_text("# generated documents: never committed\n*\n")
    directory = CACHE / f"certificates-{seed}-{n}"
    wanted = bench_cases(n, seed)
    render_s = None
    cached = None
    if (directory / "truth.json").exists() and not regenerate:
        cached = load_truth(directory)
        if [c for c, _ in cached] != wanted or not all(p.exists() for _, files in cached for p in files.values()):
            cached = None
    if cached is None:
        started = time.perf_counter()
        process = multiprocessing.get_context("spawn").Process(target=_generate, args=(n, seed, str(directory)))
        process.start()
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"rendering the certificates failed (exit code {process.exitcode})")
        render_s = round(time.perf_counter() - started, 1)
        cached = load_truth(directory)
    return directory, [(case, next(iter(files.values()))) for case, files in cached], render_s


# --- scoring --------------------------------------------------------------------------------------------------


def norm_name(text: str | None) -> str:
    """Case-, width- and punctuation-insensitive: "Co.,Ltd." == "CO LTD"."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def norm_number(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _overlaps(read: str | None, *truths: str | None) -> bool:
    """Informative text fields (issuer, address): right when the normalised reading and a truth contain one
    another ("Bureau Veritas" for "Bureau Veritas Certification"; a one-line address for a two-line one)."""
    got = norm_name(read)
    if len(got) < 3:
        return False
    return any(t and (got in norm_name(t) or norm_name(t) in got) for t in truths)


def _value(field: Any) -> Any:
    return None if field is None else field.value


def score(case: CertificateCase, reading: Any) -> dict[str, bool | None]:
    """Per field: True (right), False (wrong or missing), None (nothing printed to read)."""
    names = [_value(reading.holder), *(v.value for v in reading.holder_other_names)]
    read_names = {norm_name(n) for n in names if n}
    marks = " ".join(v.value for v in reading.accreditation).casefold()
    return {
        "holder": norm_name(case.holder) in read_names,
        "holder_zh": (norm_name(case.holder_zh) in read_names) if case.holder_zh else None,
        "number": norm_number(_value(reading.number)) == norm_number(case.number),
        "valid_until": (_value(reading.valid_until) == case.valid_until) if case.valid_until else None,
        "standard": norm_name(_value(reading.standard)) == norm_name(case.standard),
        "edition": (norm_name(_value(reading.edition)) == norm_name(case.edition)) if case.edition else None,
        "issuer": _overlaps(_value(reading.issuer), case.issuer, case.issuer_zh),
        "first_issued": (_value(reading.first_issued) == case.first_issued) if case.first_issued else None,
        "issued": (_value(reading.issued) == case.issued) if case.issued else None,
        "accreditation": (
            all(m.split()[0].casefold() in marks for m in case.accreditation) if case.accreditation else None
        ),
        "address": _overlaps(_value(reading.address), case.address, case.address_zh),
    }


def _rate(values: list[bool | None]) -> dict[str, Any]:
    counted = [v for v in values if v is not None]
    right = sum(1 for v in counted if v)
    return {"right": right, "of": len(counted), "pct": round(100 * right / len(counted), 1) if counted else None}


def _ms(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "n": len(values),
        "mean": round(statistics.fmean(values), 1),
        "median": round(statistics.median(values), 1),
        "p90": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 1),
        "max": round(ordered[-1], 1),
    }


# --- memory ---------------------------------------------------------------------------------------------------


class PeakRss:
    """Peak RSS of this process plus its children (Tesseract runs as one per page), sampled every 50 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = psutil.Process()
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


# --- run ------------------------------------------------------------------------------------------------------


def make_engine(name: str) -> Any:
    from scrapers.documents import RapidOcr, TesseractOcr

    return RapidOcr() if name == "rapidocr" else TesseractOcr()


def run(n: int, seed: int, engine_name: str, regenerate: bool) -> dict[str, Any]:
    from PIL import Image

    from scrapers.documents import DocumentError, read_document

    directory, docs, render_s = documents(n, seed, regenerate)
    engine = make_engine(engine_name)
    rss_before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    engine.read(Image.new("RGB", (200, 60), "white"))  # loads the model: counted apart from the documents
    load_ms = round((time.perf_counter() - started) * 1000, 1)
    rows: list[dict[str, Any]] = []
    with PeakRss() as peak:
        for case, path in docs:
            data = path.read_bytes()
            t0 = time.perf_counter()
            try:
                reading = read_document(data, engine=engine)
                error = None
            except DocumentError as exc:
                reading, error = None, str(exc)
            elapsed = (time.perf_counter() - t0) * 1000
            row: dict[str, Any] = {
                "id": case.id,
                "file": path.name,
                "group": "unreadable" if case.expected_unreadable else ("noisy" if case.noisy else "clean"),
                "noise": case.noise_profile,
                "template": case.template,
                "ms": round(elapsed, 1),
                "error": error,
            }
            if reading is not None:
                row.update(method=reading.method, pages=reading.pages, readable=reading.readable)
                if not case.expected_unreadable:
                    row["fields"] = score(case, reading)
                    row["read"] = {
                        "holder": _value(reading.holder),
                        "number": _value(reading.number),
                        "valid_until": str(_value(reading.valid_until)) if reading.valid_until else None,
                    }
                    row["truth"] = {"holder": case.holder, "number": case.number, "valid_until": str(case.valid_until)}
            rows.append(row)
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    return summarise(
        rows, engine, engine_name, load_ms, peak.peak, rss_before, self_usage, directory, render_s, n, seed
    )


def summarise(
    rows: list[dict[str, Any]],
    engine: Any,
    engine_name: str,
    load_ms: float,
    peak_tree: int,
    rss_before: int,
    usage: Any,
    directory: Path,
    render_s: float | None,
    n: int,
    seed: int,
) -> dict[str, Any]:
    accuracy: dict[str, Any] = {}
    for group in ("clean", "noisy", "all"):
        members = [r for r in rows if "fields" in r and (group == "all" or r["group"] == group)]
        fields = {f: _rate([r["fields"][f] for r in members]) for f in (*KEY_FIELDS, *INFO_FIELDS)}
        all_three = _rate([all(r["fields"][f] for f in KEY_FIELDS if r["fields"][f] is not None) for r in members])
        accuracy[group] = {"documents": len(members), "fields": fields, "holder_number_expiry_all_right": all_three}
    unreadable = [r for r in rows if r["group"] == "unreadable"]
    readable_docs = [r for r in rows if r["group"] != "unreadable"]
    cost = {
        "image_ms": _ms([r["ms"] for r in rows if not r["file"].endswith(".pdf") and r.get("method")]),
        "pdf_text_layer_ms_per_page": _ms(
            [r["ms"] / r["pages"] for r in rows if r["file"].endswith(".pdf") and r.get("method") == "text_layer"]
        ),
        "pdf_ocr_ms_per_page": _ms(
            [r["ms"] / r["pages"] for r in rows if r["file"].endswith(".pdf") and r.get("method") == "ocr"]
        ),
        "model_load_ms": load_ms,
        "peak_rss_mb": round(peak_tree / 2**20, 1),
        "rss_before_model_mb": round(rss_before / 2**20, 1),
        "python_max_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }
    misses = [
        {"id": r["id"], "noise": r["noise"], "wrong": [f for f in KEY_FIELDS if r["fields"][f] is False], **r["read"]}
        for r in readable_docs
        if "fields" in r and any(r["fields"][f] is False for f in KEY_FIELDS)
    ]
    return {
        "engine": getattr(engine, "name", engine_name),
        "documents": len(rows),
        "seed": seed,
        "n": n,
        "cache_dir": str(directory.relative_to(ROOT) if directory.is_relative_to(ROOT) else directory),
        "render_s": render_s,
        "accuracy": accuracy,
        "unreadable": {
            "documents": len(unreadable),
            "reported_unreadable": sum(1 for r in unreadable if r.get("error") or not r.get("readable")),
        },
        "readable_reported_unreadable": sum(1 for r in readable_docs if r.get("error") or not r.get("readable")),
        "errors": [{"id": r["id"], "error": r["error"]} for r in rows if r.get("error")],
        "cost": cost,
        "misses": misses,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        },
        "rows": rows,
    }


# --- output ---------------------------------------------------------------------------------------------------


def _pct(rate: dict[str, Any]) -> str:
    return "-" if rate["pct"] is None else f"{rate['pct']:5.1f}% ({rate['right']}/{rate['of']})"


def print_table(result: dict[str, Any]) -> None:
    acc = result["accuracy"]
    print(
        f"engine: {result['engine']}; {result['documents']} documents (seed {result['seed']}) in {result['cache_dir']}"
    )
    print(f"{'field':<16}{'clean':<22}{'noisy':<22}all")
    for f in (*KEY_FIELDS, "(all three)", *INFO_FIELDS):
        if f == "(all three)":
            cells = [acc[g]["holder_number_expiry_all_right"] for g in ("clean", "noisy", "all")]
        else:
            cells = [acc[g]["fields"][f] for g in ("clean", "noisy", "all")]
        print(f"{f:<16}{_pct(cells[0]):<22}{_pct(cells[1]):<22}{_pct(cells[2])}")
    u = result["unreadable"]
    print(
        f"unreadable documents reported unreadable: {u['reported_unreadable']}/{u['documents']}; "
        f"readable documents reported unreadable: {result['readable_reported_unreadable']}"
    )
    c = result["cost"]
    for key in ("image_ms", "pdf_text_layer_ms_per_page", "pdf_ocr_ms_per_page"):
        s = c[key]
        figures = f"mean {s['mean']}, median {s['median']}, p90 {s['p90']}, max {s['max']}" if s["n"] else "-"
        print(f"{key:<28} n={s['n']:<3} {figures}")
    print(
        f"model load {c['model_load_ms']} ms; peak RSS (process + children) {c['peak_rss_mb']} MB, "
        f"before the model {c['rss_before_model_mb']} MB; ru_maxrss {c['python_max_rss_mb']} MB"
    )
    if result["misses"]:
        print("misses (holder / number / expiry as read):")
        for m in result["misses"]:
            print(
                f"  {m['id']:<34} {m['noise']:<22} {','.join(m['wrong']):<24} "
                f"{m['holder']!r} {m['number']!r} {m['valid_until']}"
            )
    if result["errors"]:
        print(f"errors: {result['errors']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=60, help="number of generated documents (default 60)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the document set (default 2026)")
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default="rapidocr", help="OCR engine")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--rows", action="store_true", help="keep every document's row in the JSON")
    parser.add_argument("--regenerate", action="store_true", help="render the documents again")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    if args.engine == "both":  # each engine in its own process, so each peak RSS is its own
        documents(args.n, args.seed, args.regenerate)
        results = []
        for name in ENGINES:
            cmd = [sys.executable, __file__, "--n", str(args.n), "--seed", str(args.seed), "--engine", name, "--json"]
            out = subprocess.run(cmd + (["--rows"] if args.rows else []), check=True, capture_output=True, text=True)
            results.append(json.loads(out.stdout))
        if args.json:
            print(json.dumps({r["engine"]: r for r in results}, indent=2, ensure_ascii=False))
        else:
            for result in results:
                print_table(result)
                print()
        return 0
    result = run(args.n, args.seed, args.engine, args.regenerate)
    if not args.rows:
        result.pop("rows")
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
