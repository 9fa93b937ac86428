"""The demo marketplace's certificate files: which supplier shows which document, and what it prints.

The files and what they print are declared in ``demo_files.toml`` (data, not code). Regenerate them with
``python -m monitor.demo.certificates demo`` (or ``scripts/make-demo-certificates``): the files in
``monitor/demo/files/<supplier>/`` are rendered from the templates here, so they are reproducible.
Every one carries a small "synthetic demo document" line; the names, numbers and dates match the demo
scenario's listings (``monitor/demo/data/suppliers.toml``) except where a document is meant to contradict them.
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.demo.certificates.case import CertificateCase
from monitor.demo.certificates.render import render

__all__ = ["DEMO_FILES", "DEMO_FILES_DIR", "DEMO_FILES_TOML", "DemoFile", "load_demo_files", "write_demo_files"]

DEMO_FILES_DIR = Path(__file__).resolve().parents[1] / "files"
#: What each demo file shows, as data (supplier, file, certificate, the case's printed fields, its purpose).
DEMO_FILES_TOML = Path(__file__).with_name("demo_files.toml")
_MARK = {"demo_mark": "Synthetic demo document - not a real certificate"}
#: What every demo case has unless ``demo_files.toml`` says otherwise.
_CASE_DEFAULTS: dict[str, Any] = {"label_variant": 0, "jpeg_quality": 72}


@dataclass(frozen=True)
class DemoFile:
    """One demo document: the supplier (its directory), the file name, and what the document says."""

    supplier: str
    name: str  # file name without its suffix, as served: [A-Za-z0-9_-]+
    fmt: str  # "jpeg", "png" or "pdf"
    #: The scenario certificate (``Certificate.key``) whose document this is.
    certificate: str
    case: CertificateCase
    #: What the demo should show with it.
    purpose: str

    @property
    def file_name(self) -> str:
        return self.name + {"jpeg": ".jpg", "png": ".png", "pdf": ".pdf"}[self.fmt]

    @property
    def path(self) -> Path:
        return DEMO_FILES_DIR / self.supplier / self.file_name


def _demo_file(entry: dict[str, Any]) -> DemoFile:
    fields = {**_CASE_DEFAULTS, **entry["case"]}
    fields["extra"] = {**_MARK, **fields.get("extra", {})}
    for name in ("accreditation", "noise"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return DemoFile(
        entry["supplier"],
        entry["name"],
        entry["format"],
        entry["certificate"],
        CertificateCase(**fields),
        entry["purpose"],
    )


def load_demo_files(path: Path = DEMO_FILES_TOML) -> tuple[DemoFile, ...]:
    """The demo documents as ``demo_files.toml`` declares them."""
    with path.open("rb") as handle:
        return tuple(_demo_file(entry) for entry in tomllib.load(handle)["file"])


DEMO_FILES: tuple[DemoFile, ...] = load_demo_files()


def write_demo_files(root: Path | None = None) -> list[Path]:
    """Render every demo document into ``root/<supplier>/<name>.<ext>`` (default ``monitor/demo/files``)."""
    root = root or DEMO_FILES_DIR
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        result = render([d.case.replace(formats=(d.fmt,)) for d in DEMO_FILES], tmp)
        for demo in DEMO_FILES:
            target = root / demo.supplier / demo.file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(result.path(demo.case.id, demo.fmt), target)
            written.append(target)
    return written
