"""The demo marketplace's suppliers: their model, the data files that hold them, and the scenario clock that
changes them from one check round to the next.

Everything here is synthetic: names, numbers, certificate numbers and texts were made up for the demo. The
suppliers cover the certification situations a buyer cares about (clean current ISO 9001:2015, expired,
unverified by the platform, vague "ISO certified" wording, ISO 9001:2008, CE/RoHS, BSCI, "FDA approved",
Chinese wording, a hostile display name) spread over the four Alibaba.com page families, plus one supplier
on each other platform the monitor reads (Made-in-China.com, Global Sources, IndiaMART, 1688) and one watched
on its own website, so the demo shows every platform watched the same way:

=======================  ======================================  ==============================================
family                   served at                               data carrier
=======================  ======================================  ==============================================
``shopbizdata``          ``/store/<id>/company_profile.html``    ``window.shopBizData`` + client-side render
``detaildata``           ``/product-detail/<id>.html``           ``window.detailData`` + rendered modules
``cpmodules``            ``/store/<id>/company_profile.html``    ``div[module-data]`` URL-encoded JSON
``legacy``               ``/store/<id>/company_profile.html``    server-rendered tables + ``bp-shopsign-data``
``mic_company``          ``/showroom/<id>/company-info.html``    Made-in-China.com: server-rendered label/value
                                                                 rows, ``sr-comInfo-sign`` badges (platform
                                                                 ``made_in_china``)
``gs_company``           ``/gs/<id>/company-profile.htm``        Global Sources: header badges, key-facts and
                                                                 certificate tables (``global_sources``)
``indiamart_company``    ``/im/<id>/aboutus.html``               IndiaMART: TrustSEAL, GSTIN, factsheet
                                                                 tables (``indiamart``)
``1688_shop``            ``/1688/<id>/page/creditdetail.htm``    1688 公司档案 as rendered: Chinese label
                                                                 cards, 资质证书 table (``1688``)
``own_website``          ``/sites/<id>/about-us.html``           a company site: JSON-LD Organization with
                                                                 hasCertification, facts table, prose, a
                                                                 certificate PDF (``website``)
=======================  ======================================  ==============================================

The last four families are HTML templates in ``monitor/demo/templates/`` (see ``monitor.demo.pages.templated``);
every marketplace page names its site the way the real one does (``og:site_name``), which is how the monitor
recognises the platform on the demo's loopback host when none is configured; the website matches no platform
and is read by the generic reader alone.

The suppliers themselves are data: ``monitor/demo/data/suppliers.toml`` (round 0, one table per supplier, each
with a comment on what is special about it) and ``monitor/demo/data/rounds.toml`` (what changes in each round).
Both are validated when first read, so a typo in them is an error that names the file and the entry.

Always-on special stores: ``ghost-trading`` (and any unknown id) -> 302 to ``/error.html``;
``vacant-store`` -> empty 200 page; ``blocked-demo`` -> captcha page.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import threading
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config

Family = Literal[
    "shopbizdata",
    "detaildata",
    "cpmodules",
    "legacy",
    "mic_company",
    "gs_company",
    "indiamart_company",
    "1688_shop",
    "own_website",
]
Availability = Literal["ok", "captcha", "missing_redirect", "missing_empty"]
CertKind = Literal["company", "product"]

ALIBABA_FAMILIES: tuple[Family, ...] = ("shopbizdata", "detaildata", "cpmodules", "legacy")
MADE_IN_CHINA_FAMILIES: tuple[Family, ...] = ("mic_company",)
#: Families rendered from the HTML templates in ``monitor/demo/templates/``, one supplier each.
TEMPLATE_FAMILIES: tuple[Family, ...] = ("gs_company", "indiamart_company", "1688_shop", "own_website")
#: Every page family the marketplace serves.
FAMILIES: tuple[Family, ...] = ALIBABA_FAMILIES + MADE_IN_CHINA_FAMILIES + TEMPLATE_FAMILIES
#: The monitor's parser (``platform`` in config.toml) for each family's pages.
FAMILY_PLATFORMS: dict[Family, str] = {
    **dict.fromkeys(ALIBABA_FAMILIES, "alibaba"),
    "mic_company": "made_in_china",
    "gs_company": "global_sources",
    "indiamart_company": "indiamart",
    "1688_shop": "1688",
    "own_website": "website",
}
#: Where each family's page is served (``{id}`` is the supplier id); see ``monitor.demo.marketplace``.
FAMILY_PATHS: dict[Family, str] = {
    "shopbizdata": "/store/{id}/company_profile.html",
    "detaildata": "/product-detail/{id}.html",
    "cpmodules": "/store/{id}/company_profile.html",
    "legacy": "/store/{id}/company_profile.html",
    "mic_company": "/showroom/{id}/company-info.html",
    "gs_company": "/gs/{id}/company-profile.htm",
    "indiamart_company": "/im/{id}/aboutus.html",
    "1688_shop": "/1688/{id}/page/creditdetail.htm",
    "own_website": "/sites/{id}/about-us.html",
}

#: Store ids with a fixed behaviour in every round (documentation for the monitor's block/missing tests).
SPECIAL_STORES: dict[str, Availability] = {
    "ghost-trading": "missing_redirect",
    "vacant-store": "missing_empty",
    "blocked-demo": "captcha",
}


#: The demo data's dataclasses refuse keys they do not have: a typo in a data file is an error, not a default.
_strict = with_config(ConfigDict(extra="forbid"))


@_strict
@dataclass
class Certificate:
    """One certificate as the supplier lists it; renderers map it onto each family's own field names."""

    key: str
    name: str
    kind: CertKind
    number: str | None = None
    issuer: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    scope: str = ""
    verified: bool = False
    assessment: bool = False
    category: str = "PRODUCT"
    photo: str = ""

    @property
    def validity_period(self) -> str:
        """Alibaba's "from ~ until" text; an open end is rendered as "from ~ " like the real pages."""
        if not self.valid_from and not self.valid_until:
            return ""
        return f"{self.valid_from or ''} ~ {self.valid_until or ''}"


@_strict
@dataclass
class ProductInfo:
    """The product shown on a product-detail page (family ``detaildata`` only)."""

    product_id: int
    subject: str
    moq: int
    unit: str
    price_low: float
    price_high: float
    properties: list[tuple[str, str]] = field(default_factory=list)
    description: str = ""


@_strict
@dataclass
class ShowroomInfo:
    """What a Made-in-China.com showroom shows besides the shared facts: the site's own member and audit
    badges, and rows the monitor does not read (there so the page looks like the site's, not like a fixture)."""

    member: str = "Gold Member"
    member_since: int | None = None
    audited_supplier: bool = False
    audited_by: str | None = None
    secured_trading: bool = False
    #: The site shows the full date ("2009-05-18"); empty shows ``Supplier.established_year``.
    established_date: str = ""
    registered_capital: str = ""
    plant_area: str = ""


@_strict
@dataclass
class PageExtras:
    """What a Global Sources, IndiaMART, 1688 or own-website page shows that the shared fields do not hold.

    The Alibaba families keep their badges in booleans (``gold_supplier``, ``onsite_check``); these sites each
    have their own badge names, so they are listed as shown. The platform's verification badge itself stays in
    ``Supplier.verified`` / ``onsite_check`` so that a round can take it away the same way for every family.
    """

    #: The platform's badges besides its verification, as the header shows them ("Verified Exporter", 实力商家).
    badges: list[str] = field(default_factory=list)
    #: Further label/value rows, worded as the page words them (the monitor may or may not read them).
    rows: list[tuple[str, str]] = field(default_factory=list)
    #: The short address line a header shows ("Coimbatore, Tamil Nadu", "China (Mainland)").
    region: str = ""
    #: IndiaMART: the GSTIN (an invented, well-formed one); it identifies a business, it certifies nothing.
    gstin: str = ""
    #: A supplier's own site: the brand the site calls itself by ("Kettlecraft").
    brand: str = ""


@_strict
@dataclass
class Supplier:
    """Family-independent supplier state; a round's changes are applied to a deep copy of it."""

    id: str
    name: str
    family: Family
    business_type: str
    country: str
    location: str
    established_year: int
    employees: str
    employee_count: int
    join_years: int
    main_products: list[str]
    description: str
    main_markets: list[tuple[str, str]]
    annual_revenue: str
    certificates: list[Certificate]
    gold_supplier: bool = True
    onsite_check: bool = False
    assessed_by: str | None = None
    verified: bool = False
    trade_assurance: str | None = None
    response_time: str = "≤4h"
    on_time_delivery: str = "96.0%"
    rating: float = 4.7
    review_count: int = 20
    company_id: int = 0
    product: ProductInfo | None = None
    showroom: ShowroomInfo | None = None
    extras: PageExtras | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def company_certificates(self) -> list[Certificate]:
        return [c for c in self.certificates if c.kind == "company"]

    @property
    def product_certificates(self) -> list[Certificate]:
        return [c for c in self.certificates if c.kind == "product"]

    @property
    def platform(self) -> str:
        """The monitor's parser name for this supplier's pages."""
        return FAMILY_PLATFORMS[self.family]

    @property
    def path(self) -> str:
        """The URL path the monitor watches for this supplier."""
        return FAMILY_PATHS[self.family].format(id=self.id)

    @property
    def subdomain(self) -> str:
        """A clearly synthetic stand-in for the real ``<sub>.en.alibaba.com`` store host."""
        return f"{self.id}.en.demo-marketplace.localhost"


#: The demo's data files: the suppliers as round 0 shows them, and what changes in later rounds.
DATA_DIR = Path(__file__).parent / "data"
SUPPLIERS_FILE = DATA_DIR / "suppliers.toml"
ROUNDS_FILE = DATA_DIR / "rounds.toml"


class DemoDataError(ValueError):
    """A demo data file that cannot be used; the message names the file and the entry."""


@_strict
@dataclass(frozen=True)
class RoundChange:
    """One scripted change: applies from ``round`` on (or only in that round when ``only_in_round``).

    Data, not code (``rounds.toml``): the fields say what to change, ``apply`` carries it out."""

    round: int
    supplier_id: str
    description: str
    availability: Availability | None = None
    only_in_round: bool = False
    set_fields: dict[str, Any] = field(default_factory=dict)
    certificate: str | None = None
    certificate_fields: dict[str, Any] = field(default_factory=dict)
    drop_certificates: list[str] = field(default_factory=list)
    append_description: str = ""

    def active(self, current_round: int) -> bool:
        return current_round == self.round if self.only_in_round else current_round >= self.round

    @property
    def edits(self) -> bool:
        """Whether it changes the supplier's page (rather than only how the store answers)."""
        return bool(self.set_fields or self.certificate or self.drop_certificates or self.append_description)

    def apply(self, s: Supplier) -> None:
        for name, value in self.set_fields.items():
            setattr(s, name, value)
        for cert in s.certificates:
            if cert.key == self.certificate:
                for name, value in self.certificate_fields.items():
                    setattr(cert, name, value)
        if self.drop_certificates:
            s.certificates = [c for c in s.certificates if c.key not in self.drop_certificates]
        if self.append_description:
            s.description = f"{s.description}\n\n{self.append_description}"


def _read_toml(path: Path, key: str) -> list[dict[str, Any]]:
    entries = _read_document(path).get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise DemoDataError(f"{path}: expected [[{key}]] tables")
    return entries


def _read_document(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DemoDataError(f"{path}: {exc}") from exc


def load_as_of(path: Path = ROUNDS_FILE) -> date:
    """The day the demo's story is set on (``as_of`` in rounds.toml): its certificates are dated for that day."""
    value = _read_document(path).get("as_of")
    if type(value) is not date:  # a TOML datetime is a date subclass: a day is asked for
        raise DemoDataError(f"{path}: as_of: expected a TOML date (as_of = 2026-12-01), got {value!r}")
    return value


#: rounds.toml's keys that are not RoundChange's field names (``set`` and ``with`` read well there, not in Python).
_CHANGE_KEYS = {"supplier": "supplier_id", "set": "set_fields", "with": "certificate_fields"}


def _validation_error(
    path: Path, what: str, exc: ValidationError, renamed: dict[str, str] | None = None
) -> DemoDataError:
    """One line naming the file, the entry and each bad key (as the file spells it)."""
    back = {v: k for k, v in (renamed or {}).items()}
    problems = "; ".join(
        f"{'.'.join(str(back.get(str(part), part)) for part in e['loc']) or '(entry)'}: {e['msg']}"
        for e in exc.errors()
    )
    return DemoDataError(f"{path}: {what}: {problems}")


def load_suppliers(path: Path = SUPPLIERS_FILE) -> list[Supplier]:
    """The suppliers as round 0 shows them, validated (each table must fit ``Supplier``; ids are unique)."""
    adapter = TypeAdapter(Supplier)
    suppliers: list[Supplier] = []
    for n, entry in enumerate(_read_toml(path, "supplier"), start=1):
        try:
            suppliers.append(adapter.validate_python(entry))
        except ValidationError as exc:
            raise _validation_error(path, f"supplier {entry.get('id', f'#{n}')!r}", exc) from None
    seen: set[str] = set()
    for s in suppliers:
        if s.id in seen:
            raise DemoDataError(f"{path}: supplier {s.id!r} is listed twice")
        seen.add(s.id)
    return suppliers


def load_changes(suppliers: list[Supplier], path: Path = ROUNDS_FILE) -> tuple[RoundChange, ...]:
    """The scripted changes, each checked against the supplier it changes (so a typo fails here, not mid-demo)."""
    adapter, supplier_adapter = TypeAdapter(RoundChange), TypeAdapter(Supplier)
    by_id = {s.id: s for s in suppliers}
    changes: list[RoundChange] = []
    for n, entry in enumerate(_read_toml(path, "change"), start=1):
        what = f"change #{n} ({entry.get('supplier', '?')}, round {entry.get('round', '?')})"
        try:
            change = adapter.validate_python({_CHANGE_KEYS.get(k, k): v for k, v in entry.items()})
        except ValidationError as exc:
            raise _validation_error(path, what, exc, _CHANGE_KEYS) from None
        target = by_id.get(change.supplier_id)
        problem = _change_problem(change, target)
        if problem is not None or target is None:
            raise DemoDataError(f"{path}: {what}: {problem}")
        edited = copy.deepcopy(target)
        change.apply(edited)
        try:  # a value of the wrong type shows up on the edited supplier
            supplier_adapter.validate_python(dataclasses.asdict(edited))
        except ValidationError as exc:
            raise _validation_error(path, what, exc) from None
        changes.append(change)
    return tuple(changes)


def _change_problem(change: RoundChange, target: Supplier | None) -> str | None:
    """Why ``change`` cannot be applied to ``target``, or None when it can."""
    if target is None:
        return f"no supplier {change.supplier_id!r} in the suppliers' file"
    if change.round < 0:
        return "round must be 0 or more"
    if not change.edits and change.availability is None:
        return "changes nothing (give set, certificate, drop_certificates, append_description or availability)"
    if bool(change.certificate) != bool(change.certificate_fields):
        return "`certificate` and `with` go together"
    keys = {c.key for c in target.certificates}
    for key in [*([change.certificate] if change.certificate else []), *change.drop_certificates]:
        if key not in keys:
            return f"{change.supplier_id!r} lists no certificate {key!r}"
    for key, names, cls in (("set", change.set_fields, Supplier), ("with", change.certificate_fields, Certificate)):
        if unknown := sorted(set(names) - {f.name for f in dataclasses.fields(cls)}):
            return f"{key}: no field {', '.join(unknown)} in {cls.__name__}"
    return None


@functools.cache
def _demo_data() -> tuple[tuple[Supplier, ...], tuple[RoundChange, ...]]:
    """Read once per process: the marketplace copies a supplier before it applies a round's changes."""
    suppliers = load_suppliers()
    return tuple(suppliers), load_changes(suppliers)


def base_suppliers() -> list[Supplier]:
    """The round-0 state of every supplier (fresh objects on each call so callers may mutate them)."""
    return copy.deepcopy(list(_demo_data()[0]))


def scripted_changes() -> tuple[RoundChange, ...]:
    """The changes of ``rounds.toml``, in file order."""
    return _demo_data()[1]


def last_scripted_round() -> int:
    """The last round that changes anything; later rounds keep its state."""
    return max((c.round for c in scripted_changes()), default=0)


@functools.cache
def demo_as_of() -> date:
    """The day every demo check is judged as of (config ``[verify] as_of``).

    The demo's certificates and their documents carry fixed dates, so judged on the real day the demo would
    drift as the calendar moves: a current certificate would start to expire, and the story with it."""
    return load_as_of()


def demo_verify_settings() -> dict[str, str]:
    """The ``[verify]`` section of any config that watches the demo marketplace."""
    return {"as_of": demo_as_of().isoformat()}


class Scenario:
    """The scenario clock plus the suppliers; thread-safe because the server reads it from many threads."""

    def __init__(self, round: int = 0, changes: tuple[RoundChange, ...] | None = None) -> None:
        self._lock = threading.Lock()
        self._round = 0
        self._base = {s.id: s for s in base_suppliers()}
        self.changes = scripted_changes() if changes is None else changes
        self.round = round

    @property
    def round(self) -> int:
        with self._lock:
            return self._round

    @round.setter
    def round(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"round must be an int >= 0, got {value!r}")
        with self._lock:
            self._round = value

    def set_round(self, n: int) -> None:
        self.round = n

    @property
    def supplier_ids(self) -> list[str]:
        return list(self._base)

    def has_supplier(self, supplier_id: str) -> bool:
        return supplier_id in self._base

    def supplier(self, supplier_id: str, round: int | None = None) -> Supplier:
        """The supplier as its pages show it in ``round`` (default: the current round)."""
        r = self.round if round is None else round
        state = copy.deepcopy(self._base[supplier_id])
        for change in self.changes:
            if change.supplier_id == supplier_id and change.edits and change.active(r):
                change.apply(state)
        return state

    def availability(self, supplier_id: str, round: int | None = None) -> Availability:
        """How the store answers in ``round``: its page, the captcha, or one of the missing variants."""
        if supplier_id in SPECIAL_STORES:
            return SPECIAL_STORES[supplier_id]
        if supplier_id not in self._base:
            return "missing_redirect"
        r = self.round if round is None else round
        result: Availability = "ok"
        for change in self.changes:
            if change.supplier_id == supplier_id and change.availability is not None and change.active(r):
                result = change.availability
        return result

    def changes_in(self, round: int) -> list[RoundChange]:
        return [c for c in self.changes if c.round == round]

    def listing(self, base_url: str) -> dict[str, object]:
        """The JSON served at ``GET /__scenario``."""
        base = base_url.rstrip("/")
        return {
            "round": self.round,
            "suppliers": [
                {"id": s.id, "name": s.name, "url": base + s.path, "family": s.family, "platform": s.platform}
                for s in self._base.values()
            ],
        }


def demo_suppliers(base_url: str) -> list[dict[str, object]]:
    """The watch list for the monitor's demo command: one entry per synthetic supplier."""
    base = base_url.rstrip("/")
    return [
        {
            "id": s.id,
            "name": s.name,
            "url": base + s.path,
            "platform": s.platform,
            "tags": ["demo", f"family:{s.family}", *s.tags],
        }
        for s in base_suppliers()
    ]
