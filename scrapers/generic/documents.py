"""Links to certificate documents: PDFs and images whose link text, alt/title or file name names a certificate.

Recorded on the claims document (``documents[]``) for the certificate reader; nothing is fetched here. A
picture inside a link to a larger picture or a PDF is one document: the link's target, the larger one.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from scrapers.claims import DocumentKind
from scrapers.generic.page import strip_marks
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


_FILE_LIKE = re.compile(r"\.(?:pdf|jpe?g|png|gif|webp|bmp|tiff?)(?:[?#]|$)", re.I)


def _names_certificate(words: str, link: str) -> bool:
    return bool(_CERTIFICATE_WORDS.search(words) or _CERTIFICATE_WORDS.search(_file_words(link)))


def _enclosing_link(image: etree._Element) -> etree._Element | None:
    """The ``<a>`` a picture sits in (through inline wrappers), whose target may be the large version."""
    link = image.getparent()
    while link is not None and link.tag != "a":
        link = link.getparent() if link.tag in ("span", "div", "picture", "figure") else None
    return link


def _from_link(element: etree._Element, base_url: str) -> tuple[str, str] | None:
    href = element.get("href") or ""
    if not _FILE_LIKE.search(href[:2000]):
        return None  # cheap: most links are pages, not files
    words = strip_marks(" ".join(filter(None, ("".join(element.itertext())[:300], element.get("title")))))
    url = _absolute(base_url, href)
    return (url, words) if url and _names_certificate(clean_text(words), href) else None


def _from_picture(element: etree._Element, base_url: str) -> tuple[str, str] | None:
    src = element.get("data-src") or element.get("data-original") or element.get("src") or ""
    words = " ".join(filter(None, (element.get("alt"), element.get("title"))))
    if not _names_certificate(clean_text(words), src):
        return None
    link = _enclosing_link(element)
    target = _absolute(base_url, link.get("href")) if link is not None else None
    url = target if target and _kind(target) else _absolute(base_url, src)
    return (url, words) if url else None


def read_documents(root: etree._Element, base_url: str, builder: ClaimsBuilder) -> None:
    """Every certificate PDF or picture the (pruned) page links or shows."""
    for count, element in enumerate(root.iter("a", "img")):
        if count >= MAX_LINKS_SCANNED:
            return
        found = _from_link(element, base_url) if element.tag == "a" else _from_picture(element, base_url)
        if found is None:
            continue
        url, words = found
        kind = _kind(url) or ("image" if element.tag == "img" else None)
        if kind is None:
            continue
        label = clean_text(words) or clean_text(_file_words(url))
        builder.document(url, kind, certification=_certification_for(label, builder), label=label, source="label")
