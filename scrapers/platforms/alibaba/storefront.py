"""Family 5: the older server-rendered storefronts, read from their supplier card, header and fact rows.

Pages: a Gold Supplier's minisite (``<sub>.en.alibaba.com``, mobile ``<sub>.m.en.alibaba.com``) home and
contacts pages, free-member stores (``fm.alibaba.com``), the old TrustPass pages (``trustpass_profile.html``,
``<sub>.trustpass.alibaba.com``) and the company-profile AJAX fragments (a card or a fact table without
``<html>``). Their markup changed every few years (2009 ids such as ``#gsSupplier``, 2014 cards, the 2018
``bc-shop-shopsign`` header), so the reader anchors on what each generation kept: label text (English and
Chinese), help and verification links (``gold_supplier.html``, ``tradeassurance``,
``certification_type=intl_onsite|intl_av|intl_assessment``), ``title``/``alt`` attributes and a handful of
semantic class names ("company-name", "location", "business-type"), never on positions or hashed classes.

Contact persons, phone numbers and e-mail addresses are not claims and are never read; registered capital
has no field. Free members have no badges: their stores show "Upgrade to Gold Supplier" offers instead, so
no badge is read there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from bs4 import NavigableString, Tag

from scrapers.claims import Provenance
from scrapers.normalize import clean_text, normalize_country, parse_int
from scrapers.platforms.alibaba._common import DocumentBuilder, LazySoup

HOME = "storefront_home"
CONTACTS = "storefront_contacts"
PAGE = "storefront_page"
FREE_MEMBER = "free_member"
TRUSTPASS = "trustpass_profile"
FRAGMENT = "company_profile_fragment"
PAGE_TYPES = (HOME, CONTACTS, PAGE, FREE_MEMBER, TRUSTPASS, FRAGMENT)

# --------------------------------------------------------------------------------------------------
# recognising the pages
# --------------------------------------------------------------------------------------------------

#: Markup only a storefront's own supplier header or card carries (for content detection of saved pages).
CONTENT_MARKERS = (
    r"href=[\"'](?![a-z]{2,8}:|//)[^\"'<>]{0,300}?(?:certification_type=intl_(?:onsite|av|assessment)"
    r"|trustpass_profile\.html)"
    r"|class=[\"'][^\"'<>]{0,200}?\b(?:bc-shop-shopsign|bc-esite-companyCard)\b"
    r"|id=[\"'](?:gsSupplier|avSupplier)[\"']"
    r"|<meta\b[^<>]{0,200}?property=[\"']og:url[\"'][^<>]{0,200}?content=[\"'](?:https?:)?//[^\"'/<>]{0,100}"
    r"\balibaba\.com[/\"']"
)


@lru_cache(maxsize=1)
def _lowered(html: str) -> str:
    """The page lower-cased once per page (the recognisers below ask several times)."""
    return html.lower()


class _Gated:
    """A case-insensitive regex searched only when one of its literals is on the page: an alternation without
    a common literal prefix scans a page slowly (several ms per 100 KB), ``in`` does not."""

    def __init__(self, pattern: re.Pattern[str], *literals: str) -> None:
        self.pattern = pattern
        self.literals = literals

    def search(self, html: str) -> re.Match[str] | None:
        lowered = _lowered(html)
        if not any(literal in lowered for literal in self.literals):
            return None
        return self.pattern.search(html)


# The supplier card or header, in any of its generations: used to tell a storefront page or fragment.
_CARD = _Gated(
    re.compile(
        CONTENT_MARKERS
        + r"|class=[\"'][^\"'<>]{0,200}?\b(?:cp-name|company-card|companyCard|company-name|companyName|gs-year"
        r"|company-title|join-year|business-type)\b"
        r"|id=[\"'](?:companyName|comanyLocation|companyLocation|businessType)[\"']"
        r"|//(?:www\.)?alibaba\.com/help/gold_supplier",
        re.I,
    ),
    *("certification_type=intl_", "trustpass_profile", "bc-shop-shopsign", "bc-esite-companycard", "gssupplier"),
    *("avsupplier", "og:url", "cp-name", "company-card", "companycard", "company-name", "companyname", "gs-year"),
    *("company-title", "join-year", "business-type", "comanylocation", "companylocation", "businesstype"),
    "alibaba.com/help/gold_supplier",
)
# A label row a fragment may consist of: "<th>Business Type:</th>", "<dt>经营模式</dt>".
_FACT_ROW = re.compile(
    r"class=[\"'][^\"'<>]{0,200}?\bcontent-table\b"
    r"|>\s{0,20}(?:Business\s+Type|Company\s+Name|Location|Main\s+Products|Year\s+Established|经营模式|公司名称|"
    r"所在地区?|主营产品)\s{0,5}[:：]?\s{0,20}<",
    re.I,
)
# Pages another family reads and names (current profile, product pages, module-data profiles).
_OTHER_FAMILY = _Gated(
    re.compile(
        r"window\.shopBizData\s*=|window\.detailData\s*=|\bmodule-name=[\"']icbu-pc-|\bdata-module-name=[\"']module_",
        re.I,
    ),
    "shopbizdata",
    "detaildata",
    "module-name=",
)
_LEGACY_PROFILE = _Gated(
    re.compile(r"class=[\"'][^\"'<>]{0,200}?\bcontent-table\b|id=[\"']bp-shopsign-data[\"']", re.I),
    "content-table",
    "bp-shopsign-data",
)
# Links to other suppliers' storefronts: a search result or directory page lists many, a storefront none.
_STOREFRONT_LINK = re.compile(
    r"href=[\"'](?:https?:)?//([a-z0-9-]{1,63})\.(?:m\.)?(?:en|trustpass|fm)\.alibaba\.com", re.I
)
MAX_LISTED_STOREFRONTS = 2
MAX_LINKS_SCANNED = 300
_DOCUMENT_TAG = re.compile(r"<(?:html|head|body)\b", re.I)
#: A served page opens ``<html>``/``<body>`` within its first bytes; a fragment has neither anywhere near.
FRAGMENT_SCAN_CHARS = 50_000
_PAGE_URL = re.compile(
    r"<link\b[^<>]{0,300}?rel=[\"']canonical[\"'][^<>]{0,300}?href=[\"']([^\"'<>]{1,500})"
    r"|<link\b[^<>]{0,300}?href=[\"']([^\"'<>]{1,500})[\"'][^<>]{0,300}?rel=[\"']canonical[\"']"
    r"|<meta\b[^<>]{0,300}?property=[\"']og:url[\"'][^<>]{0,300}?content=[\"']([^\"'<>]{1,500})",
    re.I,
)
HEAD_SCAN_CHARS = 300_000
_MINISITE_HOST = re.compile(r"[a-z0-9][a-z0-9-]{0,62}\.(?:m\.)?(?:en|trustpass)\.alibaba\.com")
_CONTACTS_PATH = re.compile(r"(?:^|/)contact(?:s|info|_info|-info|us|_us|-us)?(?:\.html?)?/?$", re.I)
_HOME_PATH = re.compile(r"/?(?:index\.html?|home\.html?|minisite/?)?", re.I)
_TITLE = re.compile(r"<(title)\b[^<>]{0,300}>([^<]{0,300})<", re.I)
# Titles of the TrustPass pages ("TrustPass Profile - X", "Onsite Check - X", "A&V Check - X") and of a free
# member's store ("X - Free Member - Alibaba.com").
_TRUSTPASS_TITLE = re.compile(
    r"trust\s?pass\s+profile|^\W{0,3}(?:A\s?&(?:amp;)?\s?V|On-?site)\s+Check\b|authentication\s+(?:&|and)\s+verif",
    re.I,
)
_FREE_MEMBER_TITLE = re.compile(r"\bfree\s+member\b", re.I)
_CONTACTS_TITLE = re.compile(r"\bcontact\s+(?:information|details|info|us|person)\b|联系方式|联系我们|联系信息", re.I)


def _host_and_path(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url or "")
        return (parts.hostname or "").lower(), parts.path or ""
    except ValueError:
        return "", ""


def _is_alibaba(host: str) -> bool:
    return host == "alibaba.com" or host.endswith(".alibaba.com")


def _declared_url(html: str) -> str | None:
    """The canonical link or og:url of a saved page: where it was served, when the file name does not say."""
    for match in _PAGE_URL.finditer(html[:HEAD_SCAN_CHARS]):
        url = next(group for group in match.groups() if group)
        if _is_alibaba(_host_and_path(url if "//" in url else "")[0]):
            return url
    return None


def lists_storefronts(html: str) -> bool:
    """The page links to several suppliers' storefronts (search results, directories): it is none of them."""
    hosts: set[str] = set()
    for index, match in enumerate(_STOREFRONT_LINK.finditer(html)):
        if index >= MAX_LINKS_SCANNED:
            break
        hosts.add(match.group(1).lower())
        if len(hosts) > MAX_LISTED_STOREFRONTS:
            return True
    return False


def is_fragment(html: str) -> bool:
    """An AJAX snippet: no ``<html>``, ``<head>`` or ``<body>`` near the start."""
    return _DOCUMENT_TAG.search(html, 0, FRAGMENT_SCAN_CHARS) is None


def _type_by_url(host: str, path: str, html: str) -> str | None:
    if host == "fm.alibaba.com" or host.endswith(".fm.alibaba.com"):
        return FREE_MEMBER
    minisite = _MINISITE_HOST.fullmatch(host) is not None
    if host == "trustpass.alibaba.com" or (minisite and "trustpass_profile" in path.lower()):
        return TRUSTPASS
    if not minisite:
        return None
    if _CONTACTS_PATH.search(path):
        return CONTACTS
    if host.endswith(".trustpass.alibaba.com"):
        return TRUSTPASS
    if _HOME_PATH.fullmatch(path):
        return HOME
    if _OTHER_FAMILY.search(html) or _LEGACY_PROFILE.search(html):
        return None  # company_profile.html and friends: their own family names them
    return PAGE if _CARD.search(html) else None


def _type_by_content(path: str, html: str) -> str | None:
    """A saved page without an alibaba.com address: its file name, title and headings say what it is."""
    if _OTHER_FAMILY.search(html) or lists_storefronts(html):
        return None
    title = next((m.group(2) for m in _TITLE.finditer(html[:HEAD_SCAN_CHARS])), "")
    if "trustpass_profile" in path.lower() or _TRUSTPASS_TITLE.search(title):
        return TRUSTPASS
    if not _CARD.search(html):
        return None
    if _FREE_MEMBER_TITLE.search(title):
        return FREE_MEMBER
    if _CONTACTS_PATH.search(path) or _CONTACTS_TITLE.search(title):
        return CONTACTS
    return None if _LEGACY_PROFILE.search(html) else PAGE


def storefront_page_type(html: str, url: str) -> str | None:
    """The storefront page type of ``html`` served at ``url``, or ``None`` when it is no storefront page.

    Decided before the families run because a contacts page or a profile fragment also carries markup of the
    legacy profile (its header's shopSign script, a fact table), and the first type found names the page.
    """
    if not isinstance(html, str):
        return None
    if is_fragment(html):
        if _OTHER_FAMILY.search(html) or lists_storefronts(html):
            return None
        return FRAGMENT if _CARD.search(html) or _FACT_ROW.search(html) else None
    host, path = _host_and_path(url)
    if not _is_alibaba(host):
        declared = _declared_url(html)
        if declared:
            host, path = _host_and_path(declared)
    if _is_alibaba(host):
        return _type_by_url(host, path, html)
    return _type_by_content(path, html)


# --------------------------------------------------------------------------------------------------
# the visible, supplier-owned part of the page
# --------------------------------------------------------------------------------------------------

_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title", "textarea", "select", "option"})
_CHROME_TAGS = frozenset({"footer", "nav"})
# The marketplace's own header and footer (menus with "Trade Assurance" and "Gold Supplier" links for everyone).
_CHROME_CLASS = re.compile(
    r"^(?:sc-hd|sc-ft|ui-header|ui-footer|ali-header|ali-footer|alibaba-header|alibaba-footer|site-header|"
    r"site-footer|global-header|global-footer|header-global|footer-global)",
    re.I,
)
MAX_TEXT_CHARS = 2000
#: Elements and texts visited per page: a real storefront has a few thousand.
MAX_NODES = 300_000
MAX_TEXT_NODES = 300
#: Matching elements kept per kind of card element or badge markup.
MAX_CARD_NODES = 30


def _tokens(element: Tag) -> list[str]:
    classes = element.get("class") or []
    tokens = list(classes) if isinstance(classes, list) else str(classes).split()
    ident = element.get("id")
    if isinstance(ident, str) and ident:
        tokens.append(ident)
    return tokens


def _is_chrome(element: Tag, tokens: list[str]) -> bool:
    """The marketplace's own header or footer, or an element no visitor sees."""
    if element.name in _INVISIBLE or element.name in _CHROME_TAGS:
        return True
    return any(_CHROME_CLASS.match(token) for token in tokens)


@dataclass
class PageIndex:
    """The visible, supplier-owned elements and texts of a page, collected in ONE walk (a family reads many
    kinds of badge markup; a tree search per kind would cost a full pass over a large page each)."""

    #: Elements with a class or id, and their tokens.
    tokened: list[tuple[Tag, list[str]]] = field(default_factory=list)
    #: Elements with a ``title``, ``alt`` or ``href`` attribute.
    attributed: list[Tag] = field(default_factory=list)
    strings: list[NavigableString] = field(default_factory=list)

    @classmethod
    def of(cls, page: Any) -> PageIndex:
        index = cls()
        stack: list[Any] = list(reversed(getattr(page, "contents", [])))
        visited = 0
        while stack and visited < MAX_NODES:
            node = stack.pop()
            visited += 1
            if isinstance(node, Tag):
                tokens = _tokens(node)
                if _is_chrome(node, tokens):
                    continue  # the whole subtree: scripts, templates, the site header and footer
                if tokens:
                    index.tokened.append((node, tokens))
                if node.attrs and ("title" in node.attrs or "alt" in node.attrs or "href" in node.attrs):
                    index.attributed.append(node)
                stack.extend(reversed(node.contents))
            elif type(node) is NavigableString and node.strip():  # not comments, CDATA, doctype
                index.strings.append(node)
        return index

    def with_token(self, pattern: re.Pattern[str]) -> list[Tag]:
        """Elements with a class or id token matching ``pattern``, in page order."""
        found = [tag for tag, tokens in self.tokened if any(pattern.search(token) for token in tokens)]
        return found[:MAX_CARD_NODES]

    def holding(self, pattern: re.Pattern[str], max_chars: int | None = None) -> list[NavigableString]:
        """Texts matching ``pattern`` (at most ``max_chars`` long, for a badge's own short words)."""
        found = [
            text
            for text in self.strings
            if (max_chars is None or len(text) <= max_chars * 4) and pattern.search(text) is not None
        ]
        if max_chars is not None:
            found = [text for text in found if len(clean_text(text)) <= max_chars]
        return found

    def with_attribute(self, pattern: re.Pattern[str], *names: str) -> list[Tag]:
        return [tag for tag in self.attributed if any(pattern.search(str(tag.get(name) or "")) for name in names)]


def _strings(element: Tag, max_nodes: int = MAX_TEXT_NODES) -> Iterator[str]:
    """The visible strings below ``element`` in page order, visiting at most ``max_nodes`` nodes: a value or a
    badge's context is short, and a hostile page must not make every lookup walk a huge subtree."""
    stack: list[Any] = list(reversed(element.contents))
    visited = 0
    while stack and visited < max_nodes:
        node = stack.pop()
        visited += 1
        if isinstance(node, Tag):
            if node.name not in _INVISIBLE:
                stack.extend(reversed(node.contents))
        elif type(node) is NavigableString:
            yield str(node)


def _text(element: Any) -> str:
    """Visible text of an element, whitespace collapsed, mojibake cleaned; script contents never count."""
    if isinstance(element, NavigableString):
        return clean_text(str(element))
    if not isinstance(element, Tag):
        return ""
    return clean_text(" ".join(_strings(element)))[:MAX_TEXT_CHARS]


# --------------------------------------------------------------------------------------------------
# label/value rows
# --------------------------------------------------------------------------------------------------

# (label pattern, key). A key is a supplier field, or a step towards one (address -> location/country,
# verifier -> a badge's issuer). Matched against the whole label without its colon.
_LABELS: tuple[tuple[str, str], ...] = (
    (r"(?:company|supplier|seller)\s+name|name\s+of\s+(?:the\s+)?company|公司名称|企业名称|公司名|供应商名称", "name"),
    (r"business\s+type|company\s+type|type\s+of\s+business|经营模式|企业类型|公司类型|业务类型", "business_type"),
    (r"(?:company\s+)?location|所在地区?|所在城市|公司所在地", "location"),
    (r"operational\s+address|operation\s+address|(?:company|office|business)\s+address|经营地址|公司地址|办公地址",
     "operational_address"),
    (r"(?:street\s+)?address|地址|详细地址|联系地址", "address"),
    (r"registered\s+address|注册地址", "registered_address"),
    (r"country\s*/\s*(?:region|territory)|country|国家\s*/\s*地区|国家或地区|国家", "country"),
    (r"province\s*/\s*state|province|state|省份|省\s*/\s*州|省", "province"),
    (r"city|城市|所在市", "city"),
    (r"year\s+(?:established|founded)|(?:established|founded)(?:\s+in)?|year\s+of\s+establishment|"
     r"成立时间|成立年份|成立日期|注册年份", "year_established"),
    (r"(?:total\s+)?(?:number\s+of\s+|no\.?\s*of\s+)?employees|员工人数|员工总数", "employees"),
    (r"(?:total\s+)?annual\s+(?:sales\s+volume|sales|revenue|turnover)|年营业额|年销售额", "annual_revenue"),
    (r"main\s+products?|主营产品|主要产品|主营", "main_products"),
    (r"main\s+markets?|主要市场|主要销售市场", "main_markets"),
    (r"verified\s+by|verification\s+(?:agency|company|body|provider|service\s+provider)|authenticated\s+by|"
     r"assessed\s+by|audited\s+by|inspected\s+by|认证机构|验证机构|核实机构|评估机构", "verifier"),
)  # fmt: skip
_LABEL_PATTERNS = tuple((re.compile(pattern, re.I), key) for pattern, key in _LABELS)
_ANY_LABEL = "|".join(f"(?:{pattern})" for pattern, _ in _LABELS)
# A text node that starts with a label, followed by a colon or nothing (bounded: linear per node).
_LABEL_START = re.compile(rf"^[\s*]{{0,20}}(?:{_ANY_LABEL})\s{{0,10}}(?:[:：]|$)", re.I)
_INLINE = re.compile(r"^\s{0,20}([^:：]{1,40}?)\s{0,5}[:：]\s{0,20}(\S.{0,600})$", re.S)
_LABEL_TRIM = re.compile(r"^[\s*]+|[\s:：*]+$")
_VALUE_TRIM = re.compile(r"^[\s:：|\-]+|[\s|]+$")
MAX_LABEL_NODES = 200
MAX_VALUE_CHARS = 400
_NO_LABEL_HOLDERS = frozenset({"a", "button", "option", "select", "title", "h1", "h2", "h3"})
_BREAKS = frozenset({"br", "hr", "p", "div", "li", "tr", "table", "ul", "dl"})


def _key_of(label: str) -> str | None:
    label = _LABEL_TRIM.sub("", label)
    if not label or len(label) > 40:
        return None
    return next((key for pattern, key in _LABEL_PATTERNS if pattern.fullmatch(label)), None)


def _starts_with_label(node: Any) -> bool:
    return _LABEL_START.match(_text(node)[:60]) is not None and _key_of(_split(_text(node))[0]) is not None


def _split(text: str) -> tuple[str, str]:
    """(label, inline value) of "Label: value", or (text, "") for a bare label."""
    if _key_of(text):
        return text, ""
    match = _INLINE.match(text)
    if match and _key_of(match.group(1)):
        return match.group(1), match.group(2)
    return text, ""


def _following_text(start: Any) -> str:
    """Text after ``start`` among its siblings: a run of inline text up to a line break or the next label, or
    the first sibling element with text (the ``<td>`` after a ``<th>``, the ``<dd>`` after a ``<dt>``)."""
    pieces: list[str] = []
    for index, sibling in enumerate(start.next_siblings):
        if index > 12:
            break
        if isinstance(sibling, Tag):
            if sibling.name in _INVISIBLE:
                continue
            if sibling.name in _BREAKS and pieces:
                break
            if _starts_with_label(sibling):
                break
            text = _text(sibling)
            if not text:
                continue
            if not pieces and sibling.name not in ("span", "a", "b", "strong", "em", "font", "i", "u"):
                return text
            pieces.append(text)
        elif isinstance(sibling, NavigableString):
            text = clean_text(str(sibling))
            if text:
                pieces.append(text)
    return clean_text(" ".join(pieces))


def _value_for(holder: Tag, node: Any) -> str:
    """The value beside a bare label: after it within its element, after its element, or in the next cell."""
    value = _VALUE_TRIM.sub("", _following_text(node))
    element = holder
    for _ in range(3):
        if value:
            return value
        value = _VALUE_TRIM.sub("", _following_text(element))
        parent = element.parent
        if value or parent is None or parent.name in ("[document]", "body", "tr", "table", "dl", "ul"):
            break
        if clean_text(_text(parent)) != clean_text(_text(element)):
            break  # the parent holds more than the label: the value was not beside it
        element = parent
    return value


def read_pairs(index: PageIndex) -> list[tuple[str, str]]:
    """(key, value) of every visible label row the page shows, in page order."""
    pairs: list[tuple[str, str]] = []
    for node in index.holding(_LABEL_START)[:MAX_LABEL_NODES]:
        holder = node.parent
        if not isinstance(holder, Tag) or holder.name in _NO_LABEL_HOLDERS:
            continue
        label, value = _split(clean_text(str(node)))
        key = _key_of(label)
        if key is None:
            continue
        value = _VALUE_TRIM.sub("", value) or _value_for(holder, node)
        if value and len(value) <= MAX_VALUE_CHARS and _key_of(value) is None:
            pairs.append((key, value))
    return pairs


# --------------------------------------------------------------------------------------------------
# places
# --------------------------------------------------------------------------------------------------

# "[ Guangdong, China (Mainland) ]" (2009 cards): square brackets around the whole place only.
_BRACKETED = re.compile(r"^\[\s{0,5}(.{1,300}?)\s{0,5}\]$|^【\s{0,5}(.{1,300}?)\s{0,5}】$")
_COUNTRY_PREFIX = re.compile(r"^(?:P\.?\s?R\.?\s?|the\s+)", re.I)
_TRAILING_COUNTRY = re.compile(r"(China\s*\(Mainland\)|Mainland\s+China|P\.?\s?R\.?\s?China|China)\s*$", re.I)
_REGIONS = frozenset({"HK", "MO", "TW"})


def _alpha2(text: str) -> str | None:
    code = normalize_country(_COUNTRY_PREFIX.sub("", clean_text(text)))
    return code if code and len(code) == 2 and code.isalpha() and code.isupper() else None


def country_of(place: str) -> str | None:
    """ISO alpha-2 of the country a location or address ends with ("Zhejiang, China (Mainland)" -> CN,
    "Kowloon, Hong Kong, China" -> HK), or a Chinese address starts with ("中国浙江省..."); never guessed."""
    parts = [part.strip() for part in re.split(r"[,，]", place) if part.strip()]
    if not parts:
        return None
    last = _alpha2(parts[-1])
    if last is None:
        trailing = _TRAILING_COUNTRY.search(parts[-1])
        last = _alpha2(trailing.group(1)) if trailing else None
    before = _alpha2(parts[-2]) if len(parts) > 1 else None
    if last == "CN" and before in _REGIONS:
        return before
    if last is None and place.lstrip().startswith("中国"):
        return "CN"
    return last


def set_place(text: str, builder: DocumentBuilder, source: Provenance) -> None:
    """A location as shown, and the country it names; a bare country ("China (Mainland)") is the country only."""
    text = clean_text(text)
    bracketed = _BRACKETED.match(text)
    if bracketed:
        text = bracketed.group(1) or bracketed.group(2)
    if not text:
        return
    country = country_of(text)
    if country is None or "," in text or "，" in text or text.lstrip().startswith("中国"):
        builder.set("location", text, source)
    if country:
        builder.set("country", country, source)


def _composed_place(values: dict[str, str]) -> str | None:
    """ "City, Province, Country" from a contacts table's separate rows, when no address row is shown."""
    parts = [values[key] for key in ("city", "province", "country") if values.get(key)]
    return ", ".join(parts) if len(parts) >= 2 else None


def apply_pairs(pairs: list[tuple[str, str]], builder: DocumentBuilder) -> str | None:
    """Set the fields of the label rows; the location from the most specific row. Returns the verifier."""
    first: dict[str, str] = {}
    for key, value in pairs:
        first.setdefault(key, value)
    for key in ("name", "business_type", "year_established", "employees", "annual_revenue", "main_products"):
        if key in first:
            builder.set(key, first[key], "label")
    if "main_markets" in first:
        builder.set("main_markets", first["main_markets"], "label")
    if "country" in first:  # a Country/Region row says it outright; an address only implies it
        builder.set("country", _alpha2(first["country"]) or first["country"], "label")
    place = next(
        (first[k] for k in ("location", "operational_address", "address", "registered_address") if k in first),
        None,
    ) or _composed_place(first)
    if place:
        set_place(place, builder, "label")
    return first.get("verifier")


# --------------------------------------------------------------------------------------------------
# the supplier card (semantic classes kept across generations)
# --------------------------------------------------------------------------------------------------

_NAME_TOKEN = re.compile(
    r"^(?:cp-name|company-?name|comp-?name|com-?name|company-?title|supplier-?name|shop-?name|cname)$", re.I
)
_LOCATION_TOKEN = re.compile(r"^(?:location|company-?location|comany-?location|register-?country)$", re.I)
_BUSINESS_TOKEN = re.compile(r"^(?:business-?type|biz-?type|company-?type)$", re.I)
_PRODUCTS_TOKEN = re.compile(r"^(?:main-?products?|company-?products?)$", re.I)
MAX_NAME_CHARS = 200


def _card_value(element: Tag) -> str:
    """The element's text without a leading label ("Business Type: Manufacturer") or separators."""
    text = _text(element)
    value = _split(text)[1]
    if value:
        text = value
    elif _key_of(text):
        return ""
    return _VALUE_TRIM.sub("", text)


def read_card(index: PageIndex, builder: DocumentBuilder) -> None:
    """Name, location and business type from the supplier card's and header's own elements."""
    for element in index.with_token(_NAME_TOKEN):
        name = _card_value(element)
        if 2 <= len(name) <= MAX_NAME_CHARS:
            builder.set("name", name)
            break
    for element in index.with_token(_LOCATION_TOKEN):
        place = _card_value(element)
        if place and len(place) <= MAX_VALUE_CHARS:
            set_place(place, builder, "structured")
            break
    for element in index.with_token(_BUSINESS_TOKEN):
        business = _card_value(element)
        if business and len(business) <= MAX_VALUE_CHARS:
            builder.set("business_type", business)
            break
    for element in index.with_token(_PRODUCTS_TOKEN):
        products = _card_value(element)
        if products and len(products) <= MAX_VALUE_CHARS:
            builder.set("main_products", products)
            break


# --------------------------------------------------------------------------------------------------
# badges
# --------------------------------------------------------------------------------------------------

SHORT_TEXT_CHARS = 60
#: A badge's caption ("This supplier was assessed by SGS on 2018-03-02.") is a sentence, not a paragraph.
CAPTION_CHARS = 160
MAX_BADGE_NODES = 40
# "6 YRS", "8 yrs", "11 years", "[1st Year]", "3rd year", "5年"
_YEARS = re.compile(
    r"(?<!\d)(\d{1,2})\s{0,3}(?:st|nd|rd|th)?\s{0,3}(?:yrs?|years?)(?![A-Za-z])|(?<!\d)(\d{1,2})\s?年", re.I
)
_GOLD_TOKEN = re.compile(
    r"gs-year|join-year|gold-?supplier|goldsupplier|^gs$|ico-gs|icon-gs|gs-icon|gold-?member", re.I
)
_GOLD_TEXT = re.compile(r"^\s{0,5}Gold\s{1,3}(?:Plus\s{1,3})?Supplier\b|金牌供应商|金品诚企", re.I)
_GOLD_ATTR = re.compile(r"\bGold\s(?:Plus\s)?Supplier\b", re.I)
_TA_TOKEN = re.compile(r"^(?:ta-(?:value|title|ammount|amount|icon|logo|info)|trade-?assurance|tradeassurance)$", re.I)
_TA_TEXT = re.compile(r"^\s{0,5}(?:Trade\s{1,3}Assurance|信用保障(?:服务)?)\s{0,5}$", re.I)
_TA_LIMIT = re.compile(
    r"(?:Trade\s+Assurance\s+Limit|Assurance\s+Limit|保障额度)[^$\d]{0,40}?((?:US\s?\$|USD|\$)\s?[\d,.]+\s?[KkMm]?)"
)
_ONSITE_TOKEN = re.compile(r"^(?:onsite|on-site|icon-onsite|ico-onsite|onsite-check|onsite-icon)$", re.I)
_ONSITE_TEXT = re.compile(r"^\s{0,5}(?:On-?site\s{1,3}Check(?:ed)?|实地认证|实地验厂|实地验证)\s{0,5}$", re.I)
_AV_TOKEN = re.compile(r"^(?:avSupplier|av-check|avcheck|icon-av|ico-av)$", re.I)
_AV_TEXT = re.compile(
    r"^\s{0,5}(?:A\s?&\s?V\s{1,3}Check(?:ed)?|Authentication\s{1,3}(?:&|and)\s{1,3}Verification(?:\s{1,3}\(A&V\))?|"
    r"认证与核实|A&V认证)\s{0,5}$",
    re.I,
)
_ASSESSED_TEXT = re.compile(
    r"^\s{0,5}(?:Assessed\s{1,3}Supplier|Verified\s{1,3}Supplier|已评估供应商|评估供应商|认证供应商|验证供应商)\s{0,5}$",
    re.I,
)
_ASSESSED_NAME = re.compile(r"assessed|评估", re.I)
_CERTIFICATION_TYPE = re.compile(r"certification_type=(intl_onsite|intl_av|intl_assessment)\b")
_VERIFICATION_PAGE = re.compile(r"certification_type=|trustpass_profile", re.I)
# "assessed by SGS", "Verified by TÜV Rheinland", "conducted by Dun & Bradstreet", "由SGS评估"
# Capitalised words on one line: "SGS", "TÜV Rheinland", "Dun & Bradstreet", "Bureau Veritas".
_ORG = (
    r"[A-Z\u00c0-\u00de][\w&.'’\-\u00c0-\u024f]{0,30}"
    r"(?:[ \t]{1,3}(?:&[ \t]{1,3})?[A-Z\u00c0-\u00de][\w&.'’\-\u00c0-\u024f]{0,30}){0,5}"
)
_ISSUER_PHRASE = re.compile(
    r"\b(?:assessed|audited|verified|inspected|authenticated|conducted|performed|checked)\s{1,3}by\s{0,3}[:：]?\s{0,3}"
    r"(?:the\s{1,3})?(?:(?:third|3rd)[- ]party\s{1,3}(?:verification\s{1,3})?(?:agency|company|service\s{1,3}provider)"
    r"\s{0,3}[,:：]?\s{0,3})?(?P<issuer>" + _ORG + r")"
    r"|由\s{0,3}(?P<issuer_zh>[A-Za-z\u00c0-\u024f][\w&.\- \u00c0-\u024f]{0,40}?)\s{0,3}(?:评估|认证|验证|审核|核实)"
)
_ISSUER_STOP = re.compile(
    r"\s+(?:On|In|At|For|And|Since|From|The|To|With|During|Inc\.?)$|^(?:Alibaba|The|A|An|Third|Our|Its)\b.*$"
)
_SENTENCE_END = re.compile(r"(?<=[a-z])\.\s")
_ASSESSED_PHRASE = re.compile(r"assessed\s{1,3}by|由\s{0,3}\S{1,40}\s{0,3}评估", re.I)
CONTEXT_MIN_CHARS = 80


def _issuer_in(text: str) -> str | None:
    """The company named in "assessed/verified/conducted by X" (not Alibaba.com's own staff)."""
    for match in _ISSUER_PHRASE.finditer(text[:MAX_TEXT_CHARS]):
        issuer = clean_text(match.group("issuer") or match.group("issuer_zh"))
        issuer = _SENTENCE_END.split(issuer, maxsplit=1)[0]
        for _ in range(3):
            issuer = _ISSUER_STOP.sub("", issuer).strip(" .,;")
        if 2 <= len(issuer) <= 60:
            return issuer
    return None


def _lines(element: Tag) -> str:
    """The element's visible strings one per line, so that a company name never runs into the next element's
    text ("verified by SGS" + "Jiangsu, China" is not "SGS Jiangsu")."""
    lines = (clean_text(text) for text in _strings(element))
    return "\n".join(line for line in lines if line)[:MAX_TEXT_CHARS]


def _context(element: Tag) -> str:
    """The lines of the smallest ancestor block that says more than the badge's own words."""
    own = len(_text(element))
    node: Any = element
    for _ in range(4):
        parent = node.parent
        if parent is None or parent.name in ("[document]", "body", "html"):
            break
        node = parent
        if len(_text(node)) >= own + CONTEXT_MIN_CHARS:
            break
    return _lines(node)


def _indicators(
    index: PageIndex,
    token: re.Pattern[str] | None = None,
    text: re.Pattern[str] | None = None,
    attribute: re.Pattern[str] | None = None,
    href: re.Pattern[str] | None = None,
    menu_links: bool = True,
    text_chars: int = SHORT_TEXT_CHARS,
) -> list[Tag]:
    """Visible elements that show a badge: by class/id, by their own short text, by title/alt, by link.
    ``menu_links=False`` skips the words of links to the verification pages (a TrustPass page's menu)."""
    found: list[Tag] = []
    if token is not None:
        found += index.with_token(token)
    if text is not None:
        found += [s.parent for s in index.holding(text, text_chars) if isinstance(s.parent, Tag)]
    if attribute is not None:
        found += index.with_attribute(attribute, "title", "alt")
    if href is not None:
        found += [tag for tag in index.with_attribute(href, "href") if tag.name == "a"]
    found = found[: MAX_BADGE_NODES * 4]
    if not menu_links:
        found = [e for e in found if e.find_parent("a", href=_VERIFICATION_PAGE) is None and not _links_check(e)]
    return found


def _links_check(element: Tag) -> bool:
    return element.name == "a" and _VERIFICATION_PAGE.search(str(element.get("href") or "")) is not None


#: Badge elements looked at closely (their years, their context) per kind of badge.
MAX_CANDIDATES = 10
VALUE_SEARCH_NODES = 40


def _value_child(element: Tag) -> Tag | None:
    """The ``.value`` element of a 2018 badge (``<span class="join-year"><span class="value">6</span>``), among
    the first few nodes below it."""
    stack: list[Any] = list(reversed(element.contents))
    visited = 0
    while stack and visited < VALUE_SEARCH_NODES:
        node = stack.pop()
        visited += 1
        if isinstance(node, Tag):
            if "value" in _tokens(node):
                return node
            stack.extend(reversed(node.contents))
    return None


def _years_near(elements: list[Tag]) -> int | None:
    """Membership years shown in or beside the badge ("6 YRS", "Gold Supplier [1st Year]", "8 yrs")."""
    for element in elements[:MAX_CANDIDATES]:
        value = _value_child(element)
        for candidate in (value, element, element.parent):
            if candidate is None or not isinstance(candidate, Tag):
                continue
            text = _text(candidate)[:300]
            match = _YEARS.search(text)
            if match:
                return int(match.group(1) or match.group(2))
            if candidate is value:
                number = parse_int(text)
                if number is not None:
                    return number
    return None


def _read_gold(index: PageIndex, builder: DocumentBuilder) -> None:
    """Gold (Plus) Supplier and its years: the years icon, the help link it points to, its words or tooltip."""
    elements = _indicators(
        index,
        token=_GOLD_TOKEN,
        text=_GOLD_TEXT,
        attribute=_GOLD_ATTR,
        href=re.compile(r"/help/gold_?supplier|gold_supplier\.html", re.I),
    )
    if not elements:
        return
    years = _years_near(elements)
    plus = any(re.search(r"gold\s+plus", _text(e) + " " + str(e.get("title") or ""), re.I) for e in elements)
    builder.badge("Gold Plus Supplier" if plus else "Gold Supplier", None, f"{years} years" if years else None)
    if years:
        builder.set("years_on_platform", years)


def _read_trade_assurance(index: PageIndex, builder: DocumentBuilder) -> None:
    """Trade Assurance and its limit where shown; the site's own Trade Assurance menus were left out already."""
    elements = _indicators(
        index,
        token=_TA_TOKEN,
        text=_TA_TEXT,
        attribute=re.compile(r"\bTrade\s+Assurance\b", re.I),
        href=re.compile(r"tradeassurance\.alibaba\.com|/trade_?assurance", re.I),
    )
    if not elements:
        return
    limit = None
    for element in index.with_token(re.compile(r"^ta-value$", re.I)):
        limit = _text(element) or None
        break
    if limit is None:
        for element in elements:
            match = _TA_LIMIT.search(_context(element))
            if match:
                limit = match.group(1)
                break
    builder.badge("Trade Assurance", None, f"limit {limit}" if limit else None)


def _link_kinds(index: PageIndex) -> set[str]:
    """The verification pages the header links to (``certification_type=intl_onsite`` ...), outside chrome."""
    kinds: set[str] = set()
    for link in index.with_attribute(_CERTIFICATION_TYPE, "href"):
        match = _CERTIFICATION_TYPE.search(str(link.get("href") or ""))
        if match and link.name == "a":
            kinds.add(match.group(1))
    return kinds


def _read_verifications(index: PageIndex, builder: DocumentBuilder, verifier: str | None, kind: str | None) -> None:
    """Onsite Check, A&V Check (issuer: the verification agency) and Assessed/Verified Supplier (issuer: the
    assessor), from links, icons, short labels and "assessed by X" wording."""
    # The TrustPass page of one check links to the other checks' pages in its menu: there, links and their
    # words are no evidence, only the page's own headings and text are.
    trustpass_page = kind == TRUSTPASS
    links = set() if trustpass_page else _link_kinds(index)
    menu = not trustpass_page
    onsite = _indicators(index, token=_ONSITE_TOKEN, text=_ONSITE_TEXT, menu_links=menu)
    if onsite or "intl_onsite" in links:
        builder.badge("Onsite Check")
    av = _indicators(index, token=_AV_TOKEN, text=_AV_TEXT, menu_links=menu)
    if av or "intl_av" in links:
        issuer = next((i for i in (_issuer_in(_context(e)) for e in av[:MAX_CANDIDATES]) if i), None) or verifier
        builder.badge("A&V Check", issuer, f"verified by {issuer}" if issuer else None)
        verifier = None  # a verification agency row on an A&V page names the A&V agency
    # "assessed by SGS" alone is no badge: a supplier's own sentence says it too. The platform's badge (its
    # words or its link) makes one, and a caption near it or elsewhere on the page names the assessor.
    assessed = _indicators(index, text=_ASSESSED_TEXT, menu_links=menu)
    if not (assessed or "intl_assessment" in links):
        return
    captions = _indicators(index, text=_ASSESSED_PHRASE, menu_links=menu, text_chars=CAPTION_CHARS)
    contexts = [_context(element) for element in assessed[:MAX_CANDIDATES]]
    contexts += [_lines(element) for element in captions[:MAX_CANDIDATES]]
    issuer = next((i for i in (_issuer_in(context) for context in contexts) if i), None) or verifier
    name = "Assessed Supplier" if any(_ASSESSED_NAME.search(_text(e)) for e in assessed) else "Verified Supplier"
    builder.badge(name, issuer, f"assessed by {issuer}" if issuer else None)


_TRUSTPASS_TEXT = re.compile(
    r"^\s{0,5}TrustPass\s{0,3}(?:Member|Supplier)?\s{0,3}[\[(]?\s{0,3}\d{1,2}\s{0,3}(?:st|nd|rd|th)?\s{0,3}"
    r"(?:yrs?|years?)\s{0,3}[\])]?\s{0,5}$|^\s{0,5}TrustPass\s{1,3}(?:Member|Supplier)\s{0,5}$",
    re.I,
)


def _read_trustpass_membership(index: PageIndex, builder: DocumentBuilder) -> None:
    """The TrustPass membership (the pre-2010 paid membership) where the page shows it with its years."""
    elements = _indicators(index, text=_TRUSTPASS_TEXT)
    if elements:
        years = _years_near(elements)
        builder.badge("TrustPass", None, f"{years} years" if years else None)


def read_badges(index: PageIndex, builder: DocumentBuilder, verifier: str | None, kind: str | None) -> None:
    """Every badge the supplier's card and header show; ``verifier`` is a "Verified by" row's company."""
    _read_gold(index, builder)
    _read_trade_assurance(index, builder)
    _read_verifications(index, builder, verifier, kind)
    _read_trustpass_membership(index, builder)


# --------------------------------------------------------------------------------------------------
# the family
# --------------------------------------------------------------------------------------------------


def parse_storefront(kind: str | None, builder: DocumentBuilder, soup: LazySoup) -> bool:
    """Read a storefront page's card, header badges and label rows; True when the page is of this family.

    ``kind`` is :func:`storefront_page_type` of the page (computed once by the parser, which names the page
    with it before the other families run). This reader runs after them, so their values (the shopSign JSON,
    the legacy fact table) come first and it fills what they left empty.
    """
    if kind is None:
        return False
    builder.found(kind)
    index = PageIndex.of(soup.get())
    read_card(index, builder)
    verifier = apply_pairs(read_pairs(index), builder)
    if kind != FREE_MEMBER:
        read_badges(index, builder, verifier, kind)
    return True
