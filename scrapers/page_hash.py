"""A served page's fingerprint: when it equals the last ok check's, the page reads as it did then.

Most checks find a page exactly as it was, so reading it again (parsing, the generic reader, classifying) is
wasted work; urlwatch-style monitors compare a hash of the body instead. The hash here is of what decides the
reading, and only that:

- the served HTML, with the per-request noise of markup removed: CSRF tokens, CSP nonces, cache-busting query
  numbers in attribute URLs, HTML comments. Only markup no reader takes claims from is removed, so a hash that
  stays the same means claims that stay the same; noise left in only costs a full read;
- the URL, the final URL after redirects and the HTTP status (the classification reads them);
- the platform asked for and how the page was fetched;
- the reader itself: a digest of the ``scrapers`` package's sources, so a new parser never reuses what an old
  one read.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent

_NOISE = (
    # <!-- generated 2026-12-03 10:00:01, cache node 7 --> (no reader takes claims from comments)
    re.compile(r"<!--.*?-->", re.S),
    # nonce="…" on <script>/<style> (Content-Security-Policy: new each response)
    re.compile(r"""\snonce\s*=\s*(?:"[^"]*"|'[^']*')""", re.I),
    # <input type="hidden" name="_csrf" value="…">, <meta name="csrf-token" content="…">
    re.compile(
        r"""(<(?:input|meta)\b[^>]*?\b(?:name|id)\s*=\s*["']?[\w.-]*(?:csrf|xsrf|authenticity_token|"""
        r"""requestverificationtoken)[\w.-]*["']?[^>]*?\b(?:value|content)\s*=\s*)(?:"[^"]*"|'[^']*')""",
        re.I,
    ),
    # src="/app.js?t=1733220000123", href="…&_=1733220000": cache busters in attribute URLs
    re.compile(r"""([?&](?:_|t|ts|timestamp|v|ver|version|cb|rnd)=)\d{6,}(?=["'&#\s>])""", re.I),
)


def strip_noise(html: str) -> str:
    """The HTML with per-request noise emptied (kept in place, so the rest of the page is compared as it is)."""
    text = _NOISE[0].sub("", html)
    text = _NOISE[1].sub("", text)
    text = _NOISE[2].sub(r'\1""', text)
    return _NOISE[3].sub(r"\g<1>0", text)


@cache
def reader_digest() -> str:
    """A digest of the reading code and its data: any change to a parser makes every page read afresh."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in {".py", ".json", ".csv", ".txt"}):
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def served_page_hash(
    html: str,
    *,
    url: str,
    final_url: str | None,
    http_status: int | None,
    platform: str,
    method: str,
) -> str:
    """The hex SHA-256 that stays the same exactly when reading the page again would give the same result."""
    digest = hashlib.sha256()
    for part in (reader_digest(), url, final_url or url, str(http_status), platform, method):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    digest.update(strip_noise(html).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
