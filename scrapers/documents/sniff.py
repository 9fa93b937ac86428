"""What a fetched file really is, by its first bytes: servers label certificates wrongly, and captcha pages
come back as ``image/png`` links."""

from __future__ import annotations

__all__ = ["DOCUMENT_MEDIA_TYPES", "kind_of", "sniff"]

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
)

#: The media types the certificate reader reads.
DOCUMENT_MEDIA_TYPES: frozenset[str] = frozenset({media for _, media in _MAGIC} | {"image/webp"})

#: A PDF may start after a little junk (a BOM, whitespace); the PDF specification's readers look in the first KB.
_PDF_WINDOW = 1024


def sniff(data: bytes) -> str | None:
    """The media type of ``data`` judged by its content alone, or None when it is no PDF or picture."""
    head = data[:16]
    if head[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if b"%PDF-" in data[:_PDF_WINDOW]:
        return "application/pdf"
    return None


def kind_of(media_type: str) -> str:
    """``pdf`` or ``image``: the claims document's kinds of certificate document."""
    return "pdf" if media_type == "application/pdf" else "image"
