"""The seller's facts in the JavaScript objects 1688 pages assign in inline scripts: ``window.__INIT_DATA``
(the current offer page's bootstrap: ``data`` keyed by component id, ``globalData``), ``__GLOBAL_DATA``,
``iDetailData``/``iDetailConfig`` (older offer pages) and ``context``.

Their layout changes with each release, so the reader does not follow fixed paths: it walks each object
(bounded) and reads known key spellings, but only inside the *seller's* part of it: a dict that carries
a company name, or one reached through a seller/company/shop key or component. Other sellers' cards
(recommendations, "similar offers"), the buyer's own account and the offer's logistics (whose
"location" is where the goods ship from, not the company) are never read as the seller's.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from scrapers.normalize import parse_date, parse_validity_period
from scrapers.platforms.builder import ClaimsBuilder, make_certification
from scrapers.platforms.china_1688._badges import add_trustpass, badge_name, tp_years
from scrapers.platforms.china_1688._dom import absolute_url
from scrapers.platforms.china_1688._labels import label_field
from scrapers.platforms.scripts import extract_js_object
from scrapers.platforms.values import MAX_LIST_ITEMS, as_bool, as_text, text_list

__all__ = ["OBJECT_NAMES", "JsonReading", "read_objects"]

log = logging.getLogger(__name__)

#: The script objects read, in this order ("__GLOBAL_DADA" is how live pages spell it, next to the other).
OBJECT_NAMES = (
    "__INIT_DATA",
    "__INIT_DATA__",
    "__GLOBAL_DATA",
    "__GLOBAL_DADA",
    "iDetailConfig",
    "iDetailData",
    "context",
)
MAX_JSON_NODES = 100_000
MAX_NAME_CHARS = 200
MAX_CERTIFICATES = 200

#: key (lower-cased) -> supplier field, read only inside the seller's part of an object.
_FIELD_KEYS: dict[str, str] = {
    **dict.fromkeys(("companyname", "company_name", "corpname", "enterprisename", "companyfullname"), "name"),
    **dict.fromkeys(("businessmodel", "bizmodel", "businessmode", "bizmode", "jingyingmoshi"), "business_type"),
    **dict.fromkeys(
        (
            "companyyearstarted",
            "foundtime",
            "found_time",
            "founddate",
            "foundyear",
            "establishedyear",
            "establishyear",
            "establishtime",
            "establishdate",
            "establisheddate",
        ),
        "year_established",
    ),
    **dict.fromkeys(
        ("workernum", "worker_num", "employeenum", "employeesnum", "employeecount", "employeescount", "staffnum"),
        "employees",
    ),
    **dict.fromkeys(
        ("annualrevenue", "annualturnover", "annualsales", "yearturnover", "annualtradeamount", "yeartradeamount"),
        "annual_revenue",
    ),
    **dict.fromkeys(("entaddress", "companyaddress", "address", "companylocation"), "location"),
    **dict.fromkeys(("mainproducts", "mainproduct", "maincate", "mainbusiness"), "main_products"),
    **dict.fromkeys(("mainmarkets", "mainmarket", "salesarea", "mainsalesarea"), "main_markets"),
    **dict.fromkeys(("country", "countrycode"), "country"),
}
_TP_YEAR_KEYS = frozenset({"tpyear", "tpyears", "tp_year", "trustpassyear", "tpserviceyear", "trust_service_year"})
#: Flags whose true value is the badge ("isSuperFactory": true).
_FLAG_KEYS: dict[str, str] = {
    **dict.fromkeys(("issuperfactory", "superfactory"), "超级工厂"),
    **dict.fromkeys(("isshili", "isshilishangjia", "ispowermerchant", "powermerchant", "shili"), "实力商家"),
    **dict.fromkeys(("issourcefactory", "sourcefactory"), "源头工厂"),
    **dict.fromkeys(("isdeepinspection", "deepinspection", "hasfactoryinspection", "isfactoryinspected"), "深度验厂"),
    **dict.fromkeys(("istp", "istrustpass", "trustpass"), "诚信通"),
}
_INSPECTOR_KEYS = frozenset(
    {"authprovidername", "authorg", "authorganization", "inspectionorg", "inspectionorganization", "verifyorg"}
)
_INTRO_KEYS = frozenset(
    {"summary", "companyintro", "companyintroduction", "introduction", "companydesc", "companyprofile", "intro"}
)
_ADDRESS_PARTS = ("province", "provincename", "city", "cityname", "capitalname", "district", "districtname")

_SELLER = re.compile(
    r"seller|company|shop|supplier|member|winport|corp|factory|enterprise|tempmodel|businessinfo|store|credit",
    re.I,
)
#: Subtrees that are never the seller's: other sellers, the visitor, page-building metadata.
_FOREIGN = re.compile(
    r"recommend|similar|guess|buyer|visitor|related|combi|rank|hot-?sale|same-?(?:offer|shop)|"
    r"other-?(?:offer|shop|supplier)|login|userinfo|currentuser|logistic|freight|delivery",
    re.I,
)
_COMPONENT_KEYS = ("componentType", "moduleName", "fullName", "name")
_BUSINESS_MODEL = re.compile(r"生产|生產|厂家|廠家|经销|經銷|批发|批發|招商|代理|商业服务|商業服務|加工|贸易|貿易")

# certificate records
_CERT_LIST_KEY = re.compile(r"cert|qualif|zizhi", re.I)
_CERT_NAME_KEYS = ("certificatename", "certname", "certificationname", "qualificationname")
_NAME_KEYS = (*_CERT_NAME_KEYS, "name", "title")
_NUMBER_KEYS = ("certificateno", "certno", "certnum", "certificatenumber", "certnumber", "certificatecode", "certcode")
_ISSUER_KEYS = (
    "issueorg",
    "issuingorg",
    "issuingauthority",
    "certorg",
    "certificateorg",
    "certificationbody",
    "certificateissuedby",
    "issuedby",
    "issuer",
    "orgname",
    "organization",
)
_FROM_KEYS = ("validfrom", "startdate", "issuedate", "effectivedate", "begindate", "gmtstart", "validstartdate")
_UNTIL_KEYS = ("validto", "validuntil", "enddate", "expiredate", "expirydate", "gmtend", "validenddate", "expiretime")
_PERIOD_KEYS = ("validperiod", "validityperiod", "certvalidperiod", "certificatevalidityperiod", "validdate")
_SCOPE_KEYS = ("scope", "certscope", "certificatescope", "businessscope")
_IMAGE_KEYS = (
    "certificateurl",
    "certificatephotos",
    "imageurl",
    "imgurl",
    "picurl",
    "image",
    "images",
    "imagelist",
    "img",
    "picture",
    "photo",
    "fileurl",
    "url",
)
_PDF = re.compile(r"\.pdf(?:$|[?#])", re.I)


class JsonReading:
    """What the objects said beyond the builder's fields: the inspection body, kept for the badges."""

    def __init__(self) -> None:
        self.inspector: str | None = None
        self.objects = 0


def _lower_items(node: dict[str, Any]) -> dict[str, Any]:
    return {key.lower(): value for key, value in list(node.items())[:MAX_LIST_ITEMS] if isinstance(key, str)}


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        text = as_text(record.get(key))
        if text:
            return text
    return None


def _component_names(node: dict[str, Any]) -> str:
    """A component's or module's type ("@ali/tdmod-od-pc-cht-bottom-recommends"); a plain "name" is data."""
    names = [node.get(key) for key in _COMPONENT_KEYS[:-1]]
    plain = node.get("name")
    if isinstance(plain, str) and plain.startswith("@"):
        names.append(plain)
    return " ".join(name for name in names if isinstance(name, str))[:500]


def _is_foreign(key: str, node: dict[str, Any]) -> bool:
    return bool(_FOREIGN.search(key) or _FOREIGN.search(_component_names(node)))


def _is_seller(key: str, node: dict[str, Any], lowered: dict[str, Any]) -> bool:
    if _SELLER.search(key) or _SELLER.search(_component_names(node)):
        return True
    return any(key in lowered for key in ("companyname", "company_name", "corpname"))


def _year(value: Any) -> Any:
    """A founding year from "2012", "2012-06-18" or an epoch in milliseconds (the builder bounds it)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 10_000:
        found = parse_date(value)
        return found.year if found else None
    return value


def _location(value: Any) -> str | None:
    """An address string, or "浙江 金华" from ``{"province": ..., "city": ...}``."""
    if isinstance(value, dict):
        lowered = _lower_items(value)
        parts: list[str] = []
        for key in _ADDRESS_PARTS:
            text = as_text(lowered.get(key))
            if text and text not in parts:
                parts.append(text)
        return " ".join(parts) or None
    return as_text(value)


def _read_seller(node: dict[str, Any], lowered: dict[str, Any], builder: ClaimsBuilder, reading: JsonReading) -> None:
    for key, value in lowered.items():
        field_name = _FIELD_KEYS.get(key)
        if field_name == "name":
            text = as_text(value)
            if text and len(text) <= MAX_NAME_CHARS:
                builder.set("name", text)
        elif field_name == "business_type":
            text = as_text(value)
            if text and _BUSINESS_MODEL.search(text):  # "businessType": "slsj" elsewhere is an order code
                builder.set("business_type", text)
        elif field_name == "year_established":
            builder.set("year_established", _year(value))
        elif field_name == "location":
            builder.set("location", _location(value))
        elif field_name in ("main_products", "main_markets"):
            builder.set(field_name, value if isinstance(value, list) else as_text(value))
        elif field_name:
            builder.set(field_name, value)
        elif key in _TP_YEAR_KEYS:
            years = value if isinstance(value, int) and not isinstance(value, bool) else tp_years(f"诚信通{value}年")
            if isinstance(years, int) and years > 0:
                add_trustpass(builder, years, "structured")
        elif key in _FLAG_KEYS and as_bool(value) is True:
            builder.badge(_FLAG_KEYS[key], None, None, "structured")
        elif key in _INSPECTOR_KEYS and reading.inspector is None:
            reading.inspector = as_text(value)
        elif key in _INTRO_KEYS:
            builder.text(value, "company_overview")
        elif key == "addr" and isinstance(value, dict):
            builder.set("location", _location(value.get("entAddress")) or _location(value))
        elif isinstance(value, str) and len(value) <= 40:
            _badge_string(value, builder)


def _badge_string(value: str, builder: ClaimsBuilder) -> None:
    """A tag of the seller ("实力商家", "诚信通8年") in its tag lists."""
    years = tp_years(value)
    if years is not None:
        add_trustpass(builder, years, "structured")
        return
    name = badge_name(value)
    if name:
        builder.badge(name, None, None, "structured")


def _dates(record: dict[str, Any]) -> tuple[date | None, date | None]:
    for key in _PERIOD_KEYS:
        if record.get(key) not in (None, "", False):
            start, end = parse_validity_period(record.get(key))
            if start or end:
                return start, end
    start = next((found for found in (parse_date(record.get(key)) for key in _FROM_KEYS) if found), None)
    end = next((found for found in (parse_date(record.get(key)) for key in _UNTIL_KEYS) if found), None)
    return start, end


def _image_urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    urls: list[str] = []
    if isinstance(value, list):
        for item in value[:10]:
            if isinstance(item, str):
                urls.append(item)
            elif isinstance(item, dict):
                lowered = _lower_items(item)
                url = next(
                    (lowered[k] for k in ("url", "imageurl", "imgurl", "src") if isinstance(lowered.get(k), str)), None
                )
                if url:
                    urls.append(url)
    return urls


def _is_certificate(key: str, lowered: dict[str, Any]) -> bool:
    if any(name in lowered for name in _CERT_NAME_KEYS):
        return True
    has_name = "name" in lowered or "title" in lowered
    return has_name and _CERT_LIST_KEY.search(key) is not None and "value" not in lowered


def _read_certificate(lowered: dict[str, Any], builder: ClaimsBuilder, base_url: str) -> None:
    name = _first(lowered, _NAME_KEYS)
    start, end = _dates(lowered)
    cert = make_certification(
        name,
        number=_first(lowered, _NUMBER_KEYS),
        issuer=_first(lowered, _ISSUER_KEYS),
        scope=_first(lowered, _SCOPE_KEYS),
        valid_from=start,
        valid_until=end,
        verified=as_bool(lowered.get("verified")) if "verified" in lowered else None,
        source="structured",
    )
    if cert is None:
        return
    builder.certification(cert, "json")
    for key in _IMAGE_KEYS:
        for raw in _image_urls(lowered.get(key)):
            url = absolute_url(raw, base_url)
            kind = "pdf" if url and _PDF.search(url) else "image"
            builder.document(url, kind, certification=cert.name, label=cert.name)


def _read_attribute(lowered: dict[str, Any], builder: ClaimsBuilder) -> None:
    """An offer attribute ``{"name": "认证", "value": "CE"}``: the seller's certification claim for the
    product. Other attributes (产地 is where the product is made) describe the product, not the seller."""
    field_name = label_field(as_text(lowered.get("name")) or "")
    if field_name != "certification":
        return
    for name in text_list(lowered.get("value")):
        if not re.fullmatch(r"无|無|暂无|否|其他|其它", name):
            builder.certification(make_certification(name, kind_hint="product", source="structured"), "json_attribute")


def _walk(value: Any, root_key: str, builder: ClaimsBuilder, reading: JsonReading, base_url: str) -> None:
    """Depth-first in document order, at most MAX_JSON_NODES nodes; lists take their key to their items."""
    stack: list[tuple[Any, str, bool]] = [(value, root_key, False)]
    visited = certificates = 0
    while stack and visited < MAX_JSON_NODES:
        node, key, seller = stack.pop()
        visited += 1
        if isinstance(node, list):
            stack.extend(
                (item, key, seller) for item in reversed(node[:MAX_LIST_ITEMS]) if isinstance(item, dict | list)
            )
            continue
        if not isinstance(node, dict) or _is_foreign(key, node):
            continue
        lowered = _lower_items(node)
        seller = seller or _is_seller(key, node, lowered)
        if _is_certificate(key, lowered) and certificates < MAX_CERTIFICATES:
            certificates += 1
            _read_certificate(lowered, builder, base_url)
        elif "name" in lowered and "value" in lowered:
            _read_attribute(lowered, builder)
        elif seller:
            _read_seller(node, lowered, builder, reading)
        children = [(child, str(child_key)) for child_key, child in list(node.items())[:MAX_LIST_ITEMS]]
        stack.extend(
            (child, child_key, seller) for child, child_key in reversed(children) if isinstance(child, dict | list)
        )


def read_objects(html: str, builder: ClaimsBuilder, base_url: str) -> JsonReading:
    """Read every known script object of the page; a broken one costs only itself."""
    reading = JsonReading()
    for name in OBJECT_NAMES:
        if name not in html:
            continue
        try:
            found = extract_js_object(html, name, lambda value: isinstance(value, dict) and bool(value))
            if isinstance(found, dict):
                reading.objects += 1
                _walk(found, name, builder, reading, base_url)
        except Exception:
            log.exception("1688 script object %s could not be read on %s", name, base_url)
    return reading
