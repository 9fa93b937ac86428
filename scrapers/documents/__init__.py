"""Reading certificate documents (PDFs and pictures): what kind of file, its text, and the fields on it.

Knows nothing of the database or of fetching: bytes in, a ``DocumentReading`` out.

- ``read_document(data, media_type=None, engine=None)``: PDF text layer first (pypdf, first 5 pages), pages
  without one rendered (pypdfium2, ~200 dpi) and OCR'd; pictures (Pillow) OCR'd. Raises ``DocumentError`` for a
  file that is no readable PDF or picture (corrupt, truncated, encrypted with a password, a decompression bomb).
- ``render_thumbnail(data, media_type, max_px=480)``: a PNG of the picture or the PDF's first page.
- ``default_engine()``: RapidOCR (PP-OCRv4 models shipped in its wheel; Chinese + English), one per process;
  ``TesseractOcr`` is there for comparison.
- ``extract_fields(lines)`` / ``fields_from_text(text)``: the fields alone, from text.

CPU-heavy: call it from a worker thread; several threads may call it at once.
"""

from scrapers.documents.errors import DocumentError
from scrapers.documents.fields import Fields, Line, extract_fields, fields_from_text
from scrapers.documents.images import render_thumbnail
from scrapers.documents.ocr import OcrEngine, OcrError, OcrLine, RapidOcr, TesseractOcr
from scrapers.documents.read import default_engine, read_document

__all__ = [
    "DocumentError",
    "Fields",
    "Line",
    "OcrEngine",
    "OcrError",
    "OcrLine",
    "RapidOcr",
    "TesseractOcr",
    "default_engine",
    "extract_fields",
    "fields_from_text",
    "read_document",
    "render_thumbnail",
]
