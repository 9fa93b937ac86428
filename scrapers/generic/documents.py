"""Links to certificate documents: PDFs and images whose link text, alt/title or file name names a certificate.

Recorded on the claims document (``documents[]``) for the certificate reader; nothing is fetched here. A
picture inside a link to a larger picture or a PDF is one document: the link's target, the larger one.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from scrapers.claims import DocumentKind
from scrapers.normalize import clean_text, normalize_certification
from scrapers.platforms.builder import ClaimsBuilder

__all__ = ["read_documents"]

MAX_LINKS_SCANNED = 5_000
_PDF = re.compile(r"\.pdf$", re.I)
_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp|tiff?)$", re.I)
#: Words that make a link or picture a certificate (not a product photo, not a test report's cover page).
_CERTIFICATE_WORDS = re.compile(
    r"certificat|certification|(?<![a-z])cert(?![a-z])|证书|认证|資質|资质|营业执照|business\s*licen[cs]e|"
    r"(?<![A-Za-z])(?:ISO|IATF|OHSAS|BSCI|SMETA|FSC|GOTS|HACCP|BRC|FSSC)[\s_-]?\d{0,5}(?![A-Za-z])|"
    r"(?<![A-Za-z])(?:CE|RoHS|FDA|UL|ETL|CB|GS|LFGB|REACH|FCC|UKCA|SGS)(?![A-Za-z])",
)
_WORDS_IN_NAME = re.compile(r"[_\-.+]+")
#: The separators :func:`scrapers.generic.page.text_view` wrote into the tree's text.
_MARKS = re.compile("[\ue000-\ue003]\\d?")


def _kind(url: str) -> DocumentKind | None:
    path = urlsplit(url).path
    if _PDF.search(path):
        return "pdf"
    if _IMAGE.search(path):
        return "image"
    return None


def _file_words(url: str) -> str:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return _WORDS_IN_NAME.sub(" ", name)


def _absolute(base_url: str, link: str | None) -> str | None:
    if not link or link.strip().lower().startswith(("data:", "javascript:", "mailto:", "tel:", "#")):
        return None
    try:
        url = urljoin(base_url, link.strip())
    except ValueError:
        return None
    return url if url.lower().startswith(("http://", "https://")) else None


def _certification_for(label: str, builder: ClaimsBuilder) -> str | None:
    """The listed certification the label names (same standard), when there is one."""
    standard, _, _ = normalize_certification(label)
    if not standard:
        return None
    for cert, _place in builder.certifications:
        if cert.standard == standard:
            return cert.name
    return None


def read_documents(root: etree._Element, base_url: str, builder: ClaimsBuilder) -> None:
    """Every certificate PDF or picture the (pruned) page links or shows."""
    for count, element in enumerate(root.iter("a", "img")):
        if count >= MAX_LINKS_SCANNED:
            return
        if element.tag == "a":
            url = _absolute(base_url, element.get("href"))
            words = " ".join(filter(None, ("".join(element.itertext())[:300], element.get("title"))))
        else:
            link = element.getparent()
            while link is not None and link.tag != "a":
                link = link.getparent() if link.tag in ("span", "div", "picture", "figure") else None
            target = _absolute(base_url, link.get("href")) if link is not None else None
            src = element.get("data-src") or element.get("data-original") or element.get("src")
            url = target if target and _kind(target) else _absolute(base_url, src)
            words = " ".join(filter(None, (element.get("alt"), element.get("title"))))
        if not url:
            continue
        kind = _kind(url)
        if kind is None and element.tag == "img":
            kind = "image"
        if kind is None:
            continue
        label = clean_text(_MARKS.sub(" ", words)) or clean_text(_file_words(url))
        if not (_CERTIFICATE_WORDS.search(clean_text(words)) or _CERTIFICATE_WORDS.search(_file_words(url))):
            continue
        builder.document(url, kind, certification=_certification_for(label, builder), label=label, source="label")
