"""The generic reader: supplier claims from any page, under every platform parser.

Marketplaces change their layouts and suppliers have their own websites; a monitor that reads only the
layouts it was built for goes blind the day a page changes. This reader knows no platform. It reads

- schema.org organizations and products in JSON-LD, microdata and RDFa, and OpenGraph (:mod:`.structured`,
  :mod:`.organization`);
- label/value pairs wherever the page lays them out (:mod:`.labels`);
- certification statements in every main-content text block, never in navigation, footers, menus or other
  suppliers' cards (:mod:`.page` prunes those);
- links to certificate PDFs and pictures (:mod:`.documents`).

:func:`read_generic` returns a claims document with every value's provenance; :func:`merge_under` lays it
under a platform parser's document, whose values win field by field. Alone, it is the ``website`` platform.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from scrapers.claims import ClaimsDocument, Source
from scrapers.generic.documents import read_documents
from scrapers.generic.labels import CERTIFICATION_FIELD, Pair, read_pairs
from scrapers.generic.organization import apply_entities
from scrapers.generic.page import parse_html, prune, text_view
from scrapers.generic.structured import read_entities
from scrapers.normalize import country_in_address, normalize_certification, normalize_country
from scrapers.platforms.base import PlatformParser
from scrapers.platforms.builder import ClaimsBuilder, guarded, make_certification, same_certificate
from scrapers.platforms.values import cert_names

__all__ = ["WebsiteParser", "merge_under", "read_generic"]

log = logging.getLogger(__name__)

WEBSITE = "website"
_KEY = re.compile(r"[\W_]+")
_ALPHA2 = re.compile(r"[A-Z]{2}")
#: A platform's page type for a page of several suppliers: the generic reader adds nothing to it.
LISTING = "listing"


def site_names_of(hosts: Iterable[str]) -> frozenset[str]:
    """The names a marketplace calls itself by ("alibaba.com" -> "alibabacom", "alibaba"), so its own
    Organization record is never taken for the supplier."""
    names: set[str] = set()
    for host in hosts:
        names.add(_KEY.sub("", host.casefold()))
        names.add(_KEY.sub("", host.split(".")[0].casefold()))
    return frozenset(n for n in names if n)


def _apply_pairs(builder: ClaimsBuilder, pairs: list[Pair]) -> None:
    for pair in pairs:
        if pair.field == CERTIFICATION_FIELD:
            for name in cert_names(pair.value):
                # A label above a paragraph may take a sentence for its value, and a certificate table's header
                # row ("Certification | Certificate No. | Certified By") reads like a pair: only names the
                # normaliser knows count then.
                if (pair.stacked or pair.cells) and normalize_certification(name)[0] is None:
                    continue
                cert = make_certification(name, source="label")
                listed = [existing for existing, _ in builder.certifications]
                if cert and not any(same_certificate(cert, existing, loose=True) for existing in listed):
                    builder.certification(cert, f"label:{pair.label}")
            continue
        if pair.field == "country":
            code = normalize_country(pair.value) or country_in_address(pair.value)
            if code and _ALPHA2.fullmatch(code):  # "Atlantis" is no country code
                builder.set("country", code, "label")
            continue
        builder.set(pair.field, pair.value, "label")
        if pair.field == "location" and not builder.supplier.get("country"):
            builder.set("country", country_in_address(pair.value), "label")


#: A field shown with this many different values belongs to several suppliers' cards (a search result page).
LISTING_DISTINCT_VALUES = 3
_LISTING_FIELDS = ("name", "business_type", "year_established", "employees", "main_products", "main_markets")


def lists_several_suppliers(pairs: list[Pair]) -> bool:
    """True for a page of several suppliers' cards: its facts and sentences belong to nobody in particular."""
    values: dict[str, set[str]] = {}
    for pair in pairs:
        if pair.field in _LISTING_FIELDS:
            values.setdefault(pair.field, set()).add(pair.value.casefold())
    return any(len(seen) >= LISTING_DISTINCT_VALUES for seen in values.values())


def read_generic(html: str, url: str, *, site_names: frozenset[str] = frozenset()) -> ClaimsDocument:
    """Everything the generic reader finds on the page, platform ``website``. Never raises on page content."""
    builder = ClaimsBuilder(url=url, platform=WEBSITE)
    markup = html if isinstance(html, str) else ""
    root = parse_html(markup)
    if root is None:
        return builder.build("unknown")
    guarded(url, lambda: apply_entities(builder, read_entities(markup, root, url), site_names))
    guarded(url, lambda: prune(root))
    view = text_view(root)
    pairs = read_pairs(view.lines)
    if lists_several_suppliers(pairs):
        return builder.build("unknown")  # a search result or directory: no one supplier's claims to read
    guarded(url, lambda: _apply_pairs(builder, pairs))
    for location, text in view.text_by_location().items():
        guarded(url, lambda text=text, location=location: builder.text(text, location))
    guarded(url, lambda: read_documents(root, url, builder))  # after the pairs: it names their certificates
    return builder.build("unknown")


def merge_under(platform: ClaimsDocument, generic: ClaimsDocument) -> ClaimsDocument:
    """``platform`` with the gaps filled from ``generic``: every supplier field the platform parser left empty,
    certifications, statements and documents it did not have. Source and page type stay the platform's.
    A page the platform parser knows to be a listing of several suppliers gets nothing from the generic reader."""
    if platform.source.page_type == LISTING:
        return platform
    supplier = platform.supplier.model_copy()
    provenance = dict(platform.provenance)
    for name in generic.supplier.filled_fields():
        if getattr(supplier, name) in (None, "", []):
            setattr(supplier, name, getattr(generic.supplier, name))
            provenance[f"supplier.{name}"] = generic.provenance.get(f"supplier.{name}", "label")
    certifications = list(platform.certifications)
    for cert in generic.certifications:
        if not any(same_certificate(cert, mine, loose=True) for mine in certifications):
            certifications.append(cert)
    known_statements = {s.text for s in platform.statements}
    statements = platform.statements + [
        s for s in generic.statements if s.text not in known_statements and not _shows_a_badge(s.text, platform)
    ]
    known_documents = {d.url for d in platform.documents}
    documents = platform.documents + [d for d in generic.documents if d.url not in known_documents]
    return platform.model_copy(
        update={
            "supplier": supplier,
            "provenance": provenance,
            "certifications": certifications,
            "statements": statements,
            "documents": documents,
        }
    )


#: A badge's caption is a few words ("Verified by SGS"); a sentence that merely names a badge is longer.
MAX_BADGE_CAPTION_WORDS = 6


def _shows_a_badge(text: str, platform: ClaimsDocument) -> bool:
    """The platform's own badge caption ("Verified Supplier - assessed by SGS"), which its parser read as a
    badge: the marketplace's check, not the supplier's statement."""
    if len(text.split()) > MAX_BADGE_CAPTION_WORDS:
        return False
    key = _KEY.sub("", text.casefold())
    for badge in platform.badges:
        for shown in (badge.name, badge.detail, badge.issuer):
            shown_key = _KEY.sub("", (shown or "").casefold())
            if shown_key and (shown_key in key or key in shown_key):
                return True
    return False


class WebsiteParser(PlatformParser):
    """A supplier's own website, or any page no platform parser knows: the generic reader alone."""

    name = WEBSITE

    def data_in_html(self, url: str) -> bool:
        # Company sites are mostly server-rendered; the browser remains the fallback when HTTP reads nothing.
        return True

    def parse(self, html: str, url: str) -> ClaimsDocument:
        try:
            return read_generic(html, url)
        except Exception:
            log.exception("generic reader failed on %s", url)
            return ClaimsDocument(source=Source(url=url, platform=WEBSITE, page_type="unknown"))
