"""Certificates rendered with a real Chromium: PNG and JPEG screenshots at 150 dpi, the browser's own PDF
(text layer), and "scanned" PDFs (a noisy picture in a PDF, no text), with ``truth.json`` beside them.

One browser and one page serve every case, so a set of sixty documents renders in well under a minute."""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from monitor.demo.certificates.case import FORMATS, CertificateCase
from monitor.demo.certificates.html import PAGE_SIZE, page_size, render_html
from monitor.demo.certificates.noise import apply_noise, cjk_font_path, encode_jpeg, rng_for, unreadable_image

__all__ = ["CHROMIUM_ARGS", "RenderResult", "load_truth", "render"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: 150 dpi on an A4 page laid out at 96 CSS px per inch: 794 CSS px -> 1240 device px.
SCALE = 1240 / PAGE_SIZE[0]
TRUTH_FILE = "truth.json"


@dataclass
class RenderResult:
    """What ``render`` wrote: every file per case id and format, and the truth file."""

    dir: Path
    cases: list[CertificateCase]
    files: dict[str, dict[str, Path]] = field(default_factory=dict)
    truth: Path | None = None

    @property
    def paths(self) -> list[Path]:
        return [p for by_fmt in self.files.values() for p in by_fmt.values()]

    def path(self, case: CertificateCase | str, fmt: str | None = None) -> Path:
        """The file of ``case`` in ``fmt`` (its first format when None)."""
        by_fmt = self.files[case if isinstance(case, str) else case.id]
        return by_fmt[fmt] if fmt else next(iter(by_fmt.values()))


def _executable() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else None


def _jpeg_quality(case: CertificateCase) -> int:
    """The same quality the ``jpeg`` noise step would pick (so a JPEG file is compressed once, not twice)."""
    if "jpeg" in case.noise:
        return int(rng_for(case.seed, case.id, "jpeg").integers(30, 61))
    return case.jpeg_quality or 88


def _pdf_of_image(img: Image.Image, dpi: float) -> bytes:
    """A picture wrapped in a one-page PDF without any text layer, as a scanner's PDF export."""
    buffer = io.BytesIO()
    img.convert("RGB").save(buffer, "PDF", resolution=dpi, quality=80)
    return buffer.getvalue()


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}")


def _stable_pdf(data: bytes) -> bytes:
    """The browser's PDF with its creation/modification time fixed (same length, so the xref stays right):
    the same case renders to the same bytes on every run."""
    return _PDF_DATE.sub(lambda m: b"/" + m.group(1) + b" (D:20240101000000", data)


def _picture(case: CertificateCase, screenshot: Image.Image | None, *, skip_jpeg: bool) -> Image.Image:
    """The case's picture after its noise (or its unreadable replacement)."""
    if case.unreadable:
        w, h = page_size(case)
        size = (round(w * SCALE), round(h * SCALE))
        picture = unreadable_image(case.unreadable, screenshot, size, case.seed, case.id)
        return apply_noise(picture, [s for s in case.noise if s in ("lowres", "rotate")], case.seed, case.id)
    assert screenshot is not None
    steps = [s for s in case.noise if not (skip_jpeg and s == "jpeg")]
    return apply_noise(screenshot, steps, case.seed, case.id)


def _write_case(page: Any, case: CertificateCase, formats: Sequence[str], out_dir: Path) -> dict[str, Path]:
    w, h = page_size(case)
    needs_page = case.unreadable in (None, "heavy_blur")
    screenshot: Image.Image | None = None
    pdf_bytes: bytes | None = None
    if needs_page:
        page.set_viewport_size({"width": w, "height": h})
        page.set_content(render_html(case), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        if any(f != "pdf" for f in formats) or case.unreadable:
            png = page.screenshot(type="png", clip={"x": 0, "y": 0, "width": w, "height": h})
            screenshot = Image.open(io.BytesIO(png)).convert("RGB")
        if "pdf" in formats and not case.unreadable:
            pdf = page.pdf(width=f"{w}px", height=f"{h}px", print_background=True, page_ranges="1")
            pdf_bytes = _stable_pdf(pdf)
    written: dict[str, Path] = {}
    for fmt in formats:
        target = out_dir / case.file_name(fmt)
        if fmt == "pdf" and pdf_bytes is not None:
            data = pdf_bytes
        elif fmt == "jpeg":
            data = encode_jpeg(_picture(case, screenshot, skip_jpeg=True), _jpeg_quality(case))
        else:
            img = _picture(case, screenshot, skip_jpeg=False)
            if fmt == "png":
                buffer = io.BytesIO()
                img.save(buffer, "PNG")
                data = buffer.getvalue()
            else:  # "scan.pdf", or "pdf" of an unreadable case: a picture, no text
                dpi = 150 * img.width / (w * SCALE)
                data = _pdf_of_image(img, round(dpi, 2))
        target.write_bytes(data)
        written[fmt] = target
    return written


def _render_sync(cases: list[CertificateCase], out_dir: Path, formats: Sequence[str] | None) -> RenderResult:
    from playwright.sync_api import sync_playwright

    result = RenderResult(dir=out_dir, cases=cases)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_executable(), headless=True, args=list(CHROMIUM_ARGS))
        try:
            context = browser.new_context(device_scale_factor=SCALE, viewport={"width": 794, "height": 1123})
            page = context.new_page()
            page.emulate_media(media="screen")
            for case in cases:
                result.files[case.id] = _write_case(page, case, formats or case.formats, out_dir)
        finally:
            browser.close()
    return result


def render(
    cases: Iterable[CertificateCase], out_dir: Path | str, *, formats: Sequence[str] | None = None
) -> RenderResult:
    """Render ``cases`` into ``out_dir`` (each in its own ``formats``, or in ``formats`` when given) and write
    ``truth.json``: every case's printed fields, noise and file names. Safe to call from a running event loop
    (Playwright's sync API is then driven from a worker thread)."""
    cases = list(cases)
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError("case ids must be unique")
    if formats is not None and any(f not in FORMATS for f in formats):
        raise ValueError(f"formats must be among {FORMATS}")
    if any(c.info.bilingual or c.noise for c in cases) and cjk_font_path() is None:
        raise RuntimeError("no Chinese font for the certificates: install Debian's fonts-wqy-microhei")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        result = _render_sync(cases, out, formats)
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            result = pool.submit(_render_sync, cases, out, formats).result()
    truth = {
        "generator": "monitor.demo.certificates",
        "cases": [
            {**case.to_json(), "files": {fmt: p.name for fmt, p in result.files[case.id].items()}} for case in cases
        ],
    }
    result.truth = out / TRUTH_FILE
    result.truth.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def load_truth(directory: Path | str) -> list[tuple[CertificateCase, dict[str, Path]]]:
    """The cases of a rendered directory and their files, read back from ``truth.json``."""
    directory = Path(directory)
    data = json.loads((directory / TRUTH_FILE).read_text(encoding="utf-8"))
    return [
        (CertificateCase.from_json(item), {fmt: directory / name for fmt, name in item["files"].items()})
        for item in data["cases"]
    ]
