"""``read_document``: bytes of a certificate (PDF or picture) in, a ``DocumentReading`` out.

CPU-heavy (OCR takes a second or two per page): callers run it in a worker thread. Safe to call from several
threads at once: the OCR model is loaded once per process and its inference is serialised by a lock.
"""

from __future__ import annotations

import hashlib
import threading

from PIL import Image

from scrapers.claims import MAX_READING_TEXT, DocumentReading
from scrapers.documents.errors import DocumentError
from scrapers.documents.fields import Line, extract_fields
from scrapers.documents.images import open_image, prepare_for_ocr
from scrapers.documents.ocr import OcrEngine, RapidOcr, merge_rows
from scrapers.documents.pdf import pdf_pages, pypdf_version
from scrapers.documents.sniff import DOCUMENT_MEDIA_TYPES, sniff

__all__ = ["default_engine", "read_document"]

_default: OcrEngine | None = None
_default_lock = threading.Lock()


def default_engine() -> OcrEngine:
    """The process's OCR engine: RapidOCR (PP-OCRv4, Chinese + English), created once."""
    global _default
    with _default_lock:
        if _default is None:
            _default = RapidOcr()
        return _default


def _ocr_lines(image: Image.Image, engine: OcrEngine) -> list[Line]:
    rows = merge_rows(engine.read(prepare_for_ocr(image)))
    return [Line(row.text, row.confidence) for row in rows]


def _text_confidence(lines: list[Line]) -> float:
    weight = sum(len(line.text) for line in lines)
    if not weight:
        return 0.0
    return round(sum(line.confidence * len(line.text) for line in lines) / weight, 4)


def read_document(data: bytes, *, media_type: str | None = None, engine: OcrEngine | None = None) -> DocumentReading:
    """Read a certificate document: PDF text layer (OCR for pages without one) or OCR of a picture.

    ``media_type`` is the server's claim and only a hint: the bytes decide (``sniff``). Raises ``DocumentError``
    for anything that is not a readable PDF or picture.
    """
    if not data:
        raise DocumentError("empty file")
    sniffed = sniff(data)
    if sniffed is None or sniffed not in DOCUMENT_MEDIA_TYPES:
        claimed = f" (served as {media_type})" if media_type else ""
        raise DocumentError(f"not a PDF or picture{claimed}: the file starts with {data[:12]!r}")
    digest = hashlib.sha256(data).hexdigest()
    lines: list[Line] = []
    engines: list[str] = []
    pages = 1
    used_ocr = False
    if sniffed == "application/pdf":
        pdf, _total = pdf_pages(data)
        pages = len(pdf)
        for page in pdf:
            if page.text is not None:
                lines.extend(Line(text, 1.0) for text in page.text.splitlines() if text.strip())
                name = page.engine or f"pypdf {pypdf_version()}"
            else:
                ocr = engine or default_engine()
                lines.extend(_ocr_lines(page.image, ocr))
                name = ocr.name
                used_ocr = True
            if name not in engines:
                engines.append(name)
    else:
        ocr = engine or default_engine()
        lines = _ocr_lines(open_image(data), ocr)
        engines.append(ocr.name)
        used_ocr = True
    text = "\n".join(line.text for line in lines)
    method = "none" if not text.strip() else "ocr" if used_ocr else "text_layer"
    return DocumentReading(
        **dict(extract_fields(lines)),
        sha256=digest,
        media_type=sniffed,
        method=method,
        engine=", ".join(engines) or None,
        pages=pages,
        text_confidence=_text_confidence(lines) if text.strip() else 0.0,
        text=text[:MAX_READING_TEXT],
    )
