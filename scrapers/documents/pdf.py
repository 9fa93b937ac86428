"""PDF certificates: the text layer first (pypdf), a rendered page for OCR where a page has none (pypdfium2).

Bounded work: the first ``MAX_PAGES`` pages only, pages rendered at ~200 dpi with a cap on pixels.
"""

from __future__ import annotations

import importlib.metadata
import io
import logging
import re
from dataclasses import dataclass

from PIL import Image

from scrapers.documents.errors import DocumentError

__all__ = ["MAX_PAGES", "PdfPage", "pdf_pages", "pypdf_version", "render_first_page"]

#: A certificate is one or two pages; an annex may follow. Later pages are not read.
MAX_PAGES = 5
RENDER_DPI = 200
#: At most this many pixels for one rendered page (A4 at 200 dpi is ~3.9 MP; a poster-size page is scaled down).
MAX_RENDER_PIXELS = 12_000_000
#: A page whose text layer has fewer letters or digits than this is treated as a scan.
MIN_TEXT_CHARS = 20

_WORD_CHARS = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


@dataclass
class PdfPage:
    """One page: its text layer when usable, else its rendered picture for OCR."""

    number: int
    text: str | None
    image: Image.Image | None = None
    #: What read the text layer ("pypdf 7.1.1", "pypdfium2 5.15.2").
    engine: str | None = None


def pypdf_version() -> str:
    try:
        return importlib.metadata.version("pypdf")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _open(data: bytes):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    # pypdf logs every oddity of a broken file as a warning; a corrupt certificate is reported once, by us.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError:
                return None  # AES without the cryptography package: pdfium opens it (see pdf_pages)
            except Exception as error:  # unsupported cipher, broken encryption dictionary
                raise DocumentError(f"encrypted PDF that cannot be opened: {error}") from error
            if not opened:
                raise DocumentError("encrypted PDF: it needs a password to be read")
        _ = len(reader.pages)
    except DocumentError:
        raise
    except DependencyError:
        return None  # AES without the cryptography package: pdfium opens it (see pdf_pages)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as error:
        raise DocumentError(f"corrupt PDF: {error}") from error
    except RecursionError as error:
        raise DocumentError("corrupt PDF: its structure nests without end") from error
    return reader


def _usable(text: str) -> bool:
    return len(_WORD_CHARS.findall(text)) >= MIN_TEXT_CHARS


def _render(data: bytes, index: int, *, dpi: float = RENDER_DPI, max_px: int | None = None) -> Image.Image:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as error:
        raise DocumentError(f"corrupt PDF: {error}") from error
    try:
        page = document[index]
        width, height = page.get_size()  # points (1/72 inch)
        scale = dpi / 72
        if max_px is not None:
            scale = min(scale, max_px / max(width, height, 1))
        if width * height * scale * scale > MAX_RENDER_PIXELS:
            scale = (MAX_RENDER_PIXELS / max(width * height, 1)) ** 0.5
        bitmap = page.render(scale=scale)
        image = bitmap.to_pil().convert("RGB")
        page.close()
        return image
    except pdfium.PdfiumError as error:
        raise DocumentError(f"PDF page {index + 1} cannot be rendered: {error}") from error
    finally:
        document.close()


def pdf_pages(data: bytes) -> tuple[list[PdfPage], int]:
    """The first pages (text layer or rendered picture) and the document's page count.

    Raises ``DocumentError`` for a corrupt PDF or one that needs a password.
    """
    reader = _open(data)
    if reader is None:
        return _pdfium_pages(data)
    total = len(reader.pages)
    if total == 0:
        raise DocumentError("PDF without pages")
    pages: list[PdfPage] = []
    for index in range(min(total, MAX_PAGES)):
        try:
            text = reader.pages[index].extract_text() or ""
        except Exception:
            text = ""
        if _usable(text):
            pages.append(PdfPage(index + 1, text, engine=f"pypdf {pypdf_version()}"))
        else:
            pages.append(PdfPage(index + 1, None, _render(data, index)))
    return pages, total


def _pdfium_pages(data: bytes) -> tuple[list[PdfPage], int]:
    """pdfium's text layer, for PDFs that pypdf cannot decrypt here (AES with an empty user password)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as error:
        raise DocumentError(f"encrypted PDF: it needs a password to be read ({error})") from error
    try:
        total = len(document)
        pages: list[PdfPage] = []
        for index in range(min(total, MAX_PAGES)):
            page = document[index]
            text = page.get_textpage().get_text_range() or ""
            page.close()
            if _usable(text):
                text = text.replace("\r\n", "\n").replace("\r", "\n")
                pages.append(PdfPage(index + 1, text, engine=f"pypdfium2 {importlib.metadata.version('pypdfium2')}"))
            else:
                pages.append(PdfPage(index + 1, None, _render(data, index)))
    finally:
        document.close()
    if total == 0:
        raise DocumentError("PDF without pages")
    return pages, total


def render_first_page(data: bytes, max_px: int) -> Image.Image:
    """The first page, rendered so that its long side is about ``max_px`` (for thumbnails)."""
    if _open(data) is None:
        _pdfium_pages(data)  # raises DocumentError when a password is needed
    return _render(data, 0, dpi=RENDER_DPI, max_px=max_px)
