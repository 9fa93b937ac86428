"""Bytes of a page -> text, the same way for fetched pages and saved files.

Old Alibaba storefronts, 1688 and many suppliers' own sites are GBK/GB18030; saved copies are often re-saved
by tools that converted the bytes but kept the old ``<meta charset>``, or the other way round. A wrong guess
garbles every Chinese label and company name, and a strict decoder would crash on one stray byte. So:

1. a byte-order mark decides;
2. otherwise the declared charset (HTTP header, else ``<meta>``) decides, with two corrections: GBK/GB2312
   labels are read as GB18030 (the superset browsers use), and bytes that are valid UTF-8 with non-ASCII
   text are UTF-8 whatever the label says (a re-saved page; legacy CJK text is practically never valid
   UTF-8, and a declared UTF-8 page whose bytes are GBK is recognised in step 3);
3. undeclared (or declared UTF-8 but not valid UTF-8): UTF-8, unless the invalid sequences are so many that
   the bytes are a legacy CJK page, which then decodes strictly as GB18030 (a few stray bytes are damage: an
   undeclared GBK text of a word or two stays ambiguous and is read as UTF-8 with replacements);
4. whatever remains decodes as UTF-8 with replacement characters: never an exception.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["codec_for", "declared_charset", "decode_html"]

#: ``<meta charset="gbk">`` or ``<meta http-equiv="Content-Type" content="text/html; charset=gbk">``; bounded
#: so that a hostile unclosed ``<meta`` cannot make the scan quadratic.
_META_CHARSET = re.compile(rb"<meta\b[^<>]{0,500}?charset\s{0,5}=\s{0,5}[\"']?\s{0,5}([A-Za-z0-9_.:-]{1,40})", re.I)
#: Browsers look for the meta charset in the first 1024 bytes; saved pages often push it further down.
META_SCAN_BYTES = 8192
_GB_LABELS = frozenset({"gb2312", "gbk", "x-gbk", "gb-2312", "cp936", "csgb2312", "chinese", "iso-ir-58", "gb18030"})
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
#: Undeclared bytes with invalid UTF-8 sequences: at most one per this many non-ASCII bytes is a damaged UTF-8
#: page (a stray Latin-1 byte, a cut multi-byte character); more is another encoding.
DAMAGED_UTF8_RATIO = 20
#: Fewer invalid sequences than this are damage whatever the ratio: a GBK page has a Chinese word or more.
MIN_LEGACY_SEQUENCES = 4
_REPLACEMENT = "\ufffd"
#: As browsers read them: Latin-1 and ASCII labels mean windows-1252.
_WHATWG_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252", "latin-1": "cp1252"}
#: A ``<meta>`` cannot declare these (the bytes that carry the tag would not be readable): browsers use UTF-8.
_NOT_FROM_META = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
_ENCODED_REPLACEMENT = _REPLACEMENT.encode("utf-8")


def declared_charset(head: bytes) -> str | None:
    """The charset a page declares in a meta tag near its start, as a browser would use it without a header."""
    match = _META_CHARSET.search(head[:META_SCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def codec_for(label: str | None) -> str | None:
    """The Python codec for a charset label, ``None`` when unknown. GBK/GB2312 labels map to GB18030: Python's
    gb2312 codec fails on GBK-only characters that every real "gb2312" page contains."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower().replace("_", "-")
    if label in _GB_LABELS:
        return "gb18030"
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):  # "base64", "rot13": codecs, not charsets
        return None
    return _WHATWG_ALIASES.get(info.name, info.name)


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(body: bytes) -> bool:
    """Few invalid UTF-8 sequences: a UTF-8 page with some damage, not GBK. A handful of stray bytes in a
    mostly-ASCII page is damage too (GB18030 would turn "Café" around them into Chinese)."""
    invalid = body.decode("utf-8", errors="replace").count(_REPLACEMENT) - body.count(_ENCODED_REPLACEMENT)
    if invalid < MIN_LEGACY_SEQUENCES:
        return True
    non_ascii = sum(1 for byte in body if byte >= 0x80)
    return invalid * DAMAGED_UTF8_RATIO <= non_ascii


def decode_html(body: bytes | bytearray | memoryview, declared: str | None = None) -> str:
    """The page's text; ``declared`` is the HTTP header's charset, if any. Never raises."""
    body = bytes(body)
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    codec = codec_for(declared)
    if codec is None:
        codec = codec_for(declared_charset(body))
        codec = "utf-8" if codec in _NOT_FROM_META else codec
    if codec is not None and codec != "utf-8":
        as_utf8 = _strict(body, "utf-8") if codec not in _NOT_FROM_META and not body.isascii() else None
        if as_utf8 is not None:
            return as_utf8
        try:
            return body.decode(codec, errors="replace")
        except LookupError:
            pass
    text = _strict(body, "utf-8")
    if text is not None:
        return text
    if not _mostly_utf8(body):
        text = _strict(body, "gb18030")
        if text is not None:
            return text
    return body.decode("utf-8", errors="replace")
