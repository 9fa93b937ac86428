"""schema.org Organization / LocalBusiness / Corporation / Product in JSON-LD, microdata and RDFa, and
OpenGraph, read with extruct.

extruct (and rdflib behind its RDFa reader) is imported on the first page that carries such markup, and each
syntax runs only when the raw HTML shows its marker, so pages without structured data pay nothing. One
broken JSON-LD script costs that script, not the others.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from scrapers.claims import Provenance

__all__ = ["Entity", "read_entities"]

log = logging.getLogger(__name__)

#: Patterns without which a syntax cannot be on the page. Each starts with a literal, which the regex engine
#: scans for quickly (lower-casing a 300 KB page first would cost more than the scans); pages write these
#: attribute names and values in lower case. RDFa's are attributes, not JavaScript's "typeof x".
_JSONLD_MARKERS = (re.compile(r"ld\+json"),)
_MICRODATA_MARKERS = (re.compile(r"itemscope"),)
_RDFA_MARKERS = (re.compile(r"typeof\s*="), re.compile(r"vocab\s*="))  # an alternation would scan slowly
#: OpenGraph says who the company is only on a company's own page type (og:type business.business, company).
_OG_COMPANY = r"[\"']?(?:business|company|organization|website\.company)"
_OPENGRAPH_MARKERS = (
    re.compile(r"og:type[\"']?\s{1,20}content=" + _OG_COMPANY),
    re.compile(r"content=" + _OG_COMPANY + r"[^<>]{0,40}og:type"),
)
#: JSON-LD and microdata nest; a hostile page could nest without end.
MAX_DEPTH = 8
MAX_ENTITIES = 200
#: RDFa goes through rdflib, slow on big pages: only pages below this size are read for it.
MAX_RDFA_HTML_CHARS = 600_000


@dataclass
class Entity:
    """One schema.org thing (or the page's OpenGraph record): its types and properties, and the syntax."""

    types: tuple[str, ...]
    properties: dict[str, Any]
    syntax: Provenance
    children: list[Entity] = field(default_factory=list)


def _short_type(value: Any) -> str:
    text = str(value)
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(":", 1)[-1]


def _short_key(key: str) -> str:
    return key if key.startswith("@") else _short_type(key)


def _types_of(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(_short_type(v) for v in value[:10] if v)
    return (_short_type(value),) if value else ()


def _from_jsonld(node: Any, syntax: Provenance, depth: int = 0) -> Iterator[Entity]:
    """Entities of a JSON-LD value: top-level things, @graph members and list members."""
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node[:MAX_ENTITIES]:
            yield from _from_jsonld(item, syntax, depth + 1)
        return
    if not isinstance(node, dict):
        return
    if "@graph" in node:
        yield from _from_jsonld(node["@graph"], syntax, depth + 1)
    types = _types_of(node.get("@type") or node.get("type"))
    if types:
        properties = {_short_type(k): v for k, v in node.items() if not str(k).startswith("@")}
        yield Entity(types, properties, syntax)


def _from_microdata(item: Any, syntax: Provenance, depth: int = 0) -> Entity | None:
    """extruct's microdata/RDFa-uniform items ({"type": ..., "properties": {...}}) as entities."""
    if depth > MAX_DEPTH or not isinstance(item, dict):
        return None
    properties = item.get("properties") if isinstance(item.get("properties"), dict) else {}
    converted: dict[str, Any] = {}
    for key, value in properties.items():
        converted[_short_type(key)] = _convert_microdata_value(value, syntax, depth)
    return Entity(_types_of(item.get("type")), converted, syntax)


def _convert_microdata_value(value: Any, syntax: Provenance, depth: int) -> Any:
    if isinstance(value, list):
        return [_convert_microdata_value(v, syntax, depth + 1) for v in value[:MAX_ENTITIES]]
    if isinstance(value, dict) and "properties" in value:
        entity = _from_microdata(value, syntax, depth + 1)
        if entity is None:
            return None
        return {"@type": list(entity.types), **entity.properties}
    return value


def _jsonld(markup: str, root: etree._Element, base_url: str | None) -> Iterator[Entity]:
    from extruct.jsonld import JsonLdExtractor

    extractor = JsonLdExtractor()
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        wrapper = etree.Element("div")
        etree.SubElement(wrapper, "script", type="application/ld+json").text = script.text or ""
        try:
            items = extractor.extract_items(wrapper, base_url=base_url)
        except Exception as exc:  # one broken script (comments, trailing commas, truncation) costs itself
            log.debug("JSON-LD script not read: %s", exc)
            continue
        yield from _from_jsonld(items, "jsonld")


#: extruct's microdata reader slows down much faster than the page grows when items nest (minutes for 250
#: nested items): pages beyond these bounds are not read for microdata.
MAX_MICRODATA_ITEMS = 400
MAX_MICRODATA_DEPTH = 8
_ITEMS = etree.XPath("//*[@itemscope]")


def _nested_too_deep(root: etree._Element) -> bool:
    """Whether an item sits inside more than MAX_MICRODATA_DEPTH others (items are few: counted first)."""
    for item in _ITEMS(root):
        outer = sum(1 for ancestor in item.iterancestors() if ancestor.get("itemscope") is not None)
        if outer > MAX_MICRODATA_DEPTH:
            return True
    return False


def _microdata(markup: str, root: etree._Element, base_url: str | None) -> Iterator[Entity]:
    from extruct.w3cmicrodata import MicrodataExtractor

    if markup.count("itemscope") > MAX_MICRODATA_ITEMS or _nested_too_deep(root):
        log.debug(
            "microdata not read: more than %s items or nested deeper than %s", MAX_MICRODATA_ITEMS, MAX_MICRODATA_DEPTH
        )
        return

    for item in MicrodataExtractor().extract_items(root, base_url):
        entity = _from_microdata(item, "microdata")
        if entity is not None:
            yield entity


def _rdfa(markup: str, root: etree._Element, base_url: str | None) -> Iterator[Entity]:
    from extruct.rdfa import RDFaExtractor

    # pyRdfa walks an XML DOM of its own, built from the markup; its output is flat JSON-LD whose nested
    # things (an address) are separate nodes referenced by "@id".
    nodes = RDFaExtractor().extract(markup, base_url=base_url, expanded=False)
    yield from _from_jsonld(_resolve_references(nodes), "rdfa")


def _resolve_references(nodes: Any) -> Any:
    """Replace {"@id": ...} references by the node they name (one level: enough for an address)."""
    if not isinstance(nodes, list):
        return nodes
    nodes = [{_short_key(k): v for k, v in node.items()} if isinstance(node, dict) else node for node in nodes]
    by_id = {node["@id"]: node for node in nodes if isinstance(node, dict) and "@id" in node}

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [resolve(item) for item in value]
        if isinstance(value, dict) and set(value) == {"@id"} and value["@id"] in by_id:
            return by_id[value["@id"]]
        return value

    return [{k: resolve(v) for k, v in node.items()} if isinstance(node, dict) else node for node in nodes]


def _opengraph(markup: str, root: etree._Element, base_url: str | None) -> Iterator[Entity]:
    from extruct.opengraph import OpenGraphExtractor

    properties: dict[str, Any] = {}
    for item in OpenGraphExtractor().extract_items(root):
        for key, value in item.get("properties", []):
            properties.setdefault(str(key), value)
    if properties:
        yield Entity(("OpenGraph",), properties, "opengraph")


_SYNTAXES = (
    (_JSONLD_MARKERS, _jsonld, None),
    (_MICRODATA_MARKERS, _microdata, None),
    (_RDFA_MARKERS, _rdfa, MAX_RDFA_HTML_CHARS),
    (_OPENGRAPH_MARKERS, _opengraph, None),
)


def read_entities(markup: str, root: etree._Element, base_url: str | None) -> list[Entity]:
    """Every schema.org entity and the OpenGraph record of the page, each syntax guarded on its own."""
    entities: list[Entity] = []
    for markers, reader, max_chars in _SYNTAXES:
        if max_chars is not None and len(markup) > max_chars:
            continue
        if not any(marker.search(markup) for marker in markers):
            continue
        try:
            for entity in reader(markup, root, base_url):
                entities.append(entity)
                if len(entities) >= MAX_ENTITIES:
                    return entities
        except Exception as exc:  # extruct and rdflib raise many kinds of errors on broken markup
            log.debug("%s not read: %s", reader.__name__.strip("_"), exc)
    return entities
