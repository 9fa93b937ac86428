"""Findings per second: the verification rules over claims documents, pure CPU (no I/O, no registries).

    python bench/verify_bench.py [--seconds 3] [--json]

The documents are the demo marketplace's pages (every family, every certification situation) and, when
../shared/pages is present, the real captured Alibaba pages, each read once with read_page.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import date
from pathlib import Path

from monitor.demo.pages import render_supplier
from monitor.demo.scenario import Scenario
from monitor.verify import verify
from scrapers.claims import ClaimsDocument
from scrapers.extract import read_page

SHARED_PAGES = Path(__file__).resolve().parents[2] / "shared" / "pages"
TODAY = date(2026, 11, 26)


def claims_documents() -> list[ClaimsDocument]:
    base = "http://127.0.0.1:8765"
    scenario = Scenario()
    documents = []
    for supplier_id in scenario.supplier_ids:
        supplier = scenario.supplier(supplier_id)
        html = render_supplier(supplier, base)
        documents.append(read_page(html, base + supplier.path, platform=supplier.platform).claims)
    if SHARED_PAGES.is_dir():
        for path in sorted(SHARED_PAGES.glob("alibaba_*.html")):
            html = path.read_text(encoding="utf-8", errors="replace")
            documents.append(read_page(html, path.as_uri(), platform="alibaba").claims)
    return [d for d in documents if d.status.value == "ok"]


def measure(documents: list[ClaimsDocument], seconds: float) -> dict[str, float]:
    verify(documents[0], today=TODAY)  # import and compile the rules outside the clock
    runs = findings = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for document in documents:
            findings += len(verify(document, today=TODAY))
        runs += len(documents)
    elapsed = time.perf_counter() - started
    return {
        "documents": len(documents),
        "claims_documents_per_s": round(runs / elapsed, 1),
        "findings_per_s": round(findings / elapsed, 1),
        "ms_per_document": round(1000 * elapsed / runs, 3),
        "findings_per_document": round(findings / runs, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = {"machine": {"platform": platform.platform(), "python": platform.python_version()}}
    result |= measure(claims_documents(), args.seconds)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
