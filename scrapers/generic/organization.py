"""From schema.org entities to supplier claims: the organization that sells or makes, never the marketplace.

A page can describe several organizations: the supplier (Organization / LocalBusiness / Corporation, a
Product's ``manufacturer`` or its offer's ``seller``) and the site it is on (a marketplace's own Organization
and WebSite records). The marketplace's own names are passed in and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from scrapers.claims import Provenance
from scrapers.generic.structured import Entity
from scrapers.normalize import clean_text, normalize_country, parse_date
from scrapers.platforms.builder import ClaimsBuilder, make_certification

__all__ = ["apply_entities"]

#: schema.org types of a company (and their common subtypes); anything ending in Business/Store counts too.
_ORGANIZATION_TYPES = frozenset(
    {"Organization", "Corporation", "LocalBusiness", "OnlineBusiness", "OnlineStore", "Store", "WholesaleStore",
     "ProfessionalService", "HomeAndConstructionBusiness", "AutomotiveBusiness", "NGO"}
)  # fmt: skip
_PRODUCT_TYPES = frozenset({"Product", "ProductModel", "IndividualProduct", "Offer"})
#: OpenGraph types that make og:site_name the company itself (a company's own site, a business listing).
_OG_COMPANY_TYPES = frozenset({"business.business", "company", "organization", "website.company"})
MAX_TEXT = 2000
_KEY = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    return _KEY.sub("", text.casefold())


def _text(value: Any, depth: int = 0) -> str | None:
    """A string from a JSON-LD/microdata value: plain, {"@value"}, {"name"}, or the first of a list."""
    if depth > 4 or value is None or isinstance(value, bool):
        return None
    if isinstance(value, list):
        for item in value[:20]:
            text = _text(item, depth + 1)
            if text:
                return text
        return None
    if isinstance(value, dict):
        return _text(value.get("@value", value.get("name")), depth + 1)
    if isinstance(value, int | float | str):
        return clean_text(value)[:MAX_TEXT] or None
    return None


def _things(value: Any) -> Iterator[dict[str, Any]]:
    """Nested objects (an address, a seller, a certification), one or a list."""
    for item in value[:50] if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            yield item


def _types(thing: dict[str, Any]) -> set[str]:
    raw = thing.get("@type") or thing.get("type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1] for v in values if v}


def _is_organization(types: Iterable[str]) -> bool:
    return any(t in _ORGANIZATION_TYPES or t.endswith(("Business", "Store")) for t in types)


def _is_site(name: str | None, site_names: frozenset[str]) -> bool:
    return bool(name) and _key(name or "") in site_names


def _employees(value: Any) -> str | None:
    """numberOfEmployees: a number, or a QuantitativeValue with value or minValue/maxValue."""
    for thing in _things(value):
        exact = _text(thing.get("value"))
        if exact:
            return exact
        low, high = _text(thing.get("minValue")), _text(thing.get("maxValue"))
        if low and high:
            return f"{low} - {high}"
        if low or high:
            return low or high
    return _text(value)


def _address(builder: ClaimsBuilder, value: Any, source: Provenance) -> None:
    for thing in _things(value):
        parts = [_text(thing.get(k)) for k in ("addressLocality", "addressRegion", "addressCountry")]
        shown = ", ".join(p for p in parts if p)
        if shown:
            builder.set("location", shown, source)
        country = _text(thing.get("addressCountry"))
        if country:
            builder.set("country", normalize_country(country), source)
        return
    text = _text(value)
    if text:
        builder.set("location", text, source)


def _certifications(builder: ClaimsBuilder, value: Any, source: Provenance, place: str) -> None:
    """schema.org ``hasCertification`` (Certification: name, certificationIdentification, issuedBy, validFrom,
    expires) and plain names."""
    items = value if isinstance(value, list) else [value]
    for item in items[:50]:
        if isinstance(item, dict):
            valid = next(_things(item.get("validityPeriod") or item.get("temporalCoverage")), {})
            cert = make_certification(
                _text(item.get("name")) or _text(item.get("certificationIdentification")),
                number=_text(item.get("certificationIdentification")),
                issuer=_text(item.get("issuedBy")),
                valid_from=parse_date(_text(item.get("validFrom")) or _text(valid.get("startDate"))),
                valid_until=parse_date(_text(item.get("expires")) or _text(valid.get("endDate"))),
                source=source,
            )
        else:
            cert = make_certification(_text(item), source=source)
        builder.certification(cert, place)


def _apply_organization(builder: ClaimsBuilder, org: dict[str, Any], source: Provenance) -> None:
    builder.set("name", _text(org.get("legalName")) or _text(org.get("name")), source)
    builder.set("year_established", _text(org.get("foundingDate")), source)
    builder.set("employees", _employees(org.get("numberOfEmployees")), source)
    _address(builder, org.get("address") or org.get("location"), source)
    if org.get("hasCertification") is not None:
        _certifications(builder, org.get("hasCertification"), source, f"{source}:organization")
    for key in ("description", "slogan", "award"):
        text = _text(org.get(key))
        if text:
            builder.text(text, "company_overview")


def _suppliers_of_product(product: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from _things(product.get("manufacturer"))
    for offer in _things(product.get("offers")):
        yield from _things(offer.get("seller") or offer.get("offeredBy"))
    yield from _things(product.get("seller"))


def apply_entities(builder: ClaimsBuilder, entities: list[Entity], site_names: frozenset[str]) -> None:
    """Supplier facts from the page's structured data; the marketplace's own organization is skipped."""
    for entity in entities:
        if entity.syntax == "opengraph":
            continue
        thing = {"@type": list(entity.types), **entity.properties}
        if _is_organization(entity.types) and not _is_site(_text(thing.get("name")), site_names):
            _apply_organization(builder, thing, entity.syntax)
        elif set(entity.types) & _PRODUCT_TYPES:
            for seller in _suppliers_of_product(thing):
                if not _is_site(_text(seller.get("name")), site_names):
                    _apply_organization(builder, seller, entity.syntax)
            if thing.get("hasCertification") is not None:
                _certifications(builder, thing["hasCertification"], entity.syntax, f"{entity.syntax}:product")
            description = _text(thing.get("description"))
            if description:
                builder.text(description, "product_description")
    for entity in entities:
        if entity.syntax == "opengraph":
            _apply_opengraph(builder, entity.properties, site_names)


def _apply_opengraph(builder: ClaimsBuilder, og: dict[str, Any], site_names: frozenset[str]) -> None:
    """og:site_name is the company only on a company's own page type; og:description is free text."""
    og_type = (_text(og.get("og:type")) or "").lower()
    site_name = _text(og.get("og:site_name"))
    if og_type in _OG_COMPANY_TYPES and site_name and not _is_site(site_name, site_names):
        builder.set("name", site_name, "opengraph")
    for key in ("business:contact_data:country_name", "og:country-name", "og:country_name"):
        country = _text(og.get(key))
        if country:
            builder.set("country", normalize_country(country), "opengraph")
            break
    description = _text(og.get("og:description"))
    if description:
        builder.text(description, "page_description")
