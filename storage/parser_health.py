"""Parser health: which claim fields each page family normally yields, and whether recent checks still do.

A marketplace that changes a page layout rarely makes the page unparseable: more often the parser keeps
reading the name and loses the employees or the certificate list, and every supplier of that page family
looks as if it quietly dropped a claim. Comparing each family's recent checks with what its pages showed
before tells a parser that lost a field apart from one supplier that removed a claim.

Definitions (all per page = supplier + URL, and per family = ``source.platform`` + ``source.page_type`` of
the claims document):

- recent: the page's latest snapshot, when its latest ok check (the snapshot's ``last_seen_at``) falls
  within ``HealthPolicy.window`` before now. A page without an ok check in the window is left out.
- baseline: up to ``HealthPolicy.baseline_snapshots`` snapshots of the same page and family before the
  recent one, i.e. the claims the page showed before its claims last changed; a page whose claims never
  changed is its own baseline. Snapshots and not checks, because a new snapshot is only stored when the
  claims change: a drop stays visible until the parser is fixed instead of being averaged away by the
  next few identical checks.
- a page normally fills a field when at least half of its baseline snapshots filled it; a family normally
  yields a field when at least ``normal_fill`` of its pages normally fill it.
- filled: a supplier field that is not null, "" or []; ``badges``, ``certifications``, ``statements``
  non-empty.
- dropped: a field the family normally yields, lost (normally filled, not filled at the recent check) by
  at least ``min_pages`` pages, and not filled by at least ``drop_share`` of the family's recent pages
  (default: all of them). One supplier removing a claim is never a drop.

Cost: one query over snapshots last seen within ``lookback`` (snapshots are written only when claims
change, so far fewer than checks), returning at most ``baseline_snapshots + 1`` claims documents per page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Snapshot, Supplier, utcnow

#: The claim lists whose emptiness is a lost field (a supplier field list comes from the claims model).
CLAIM_LISTS: tuple[str, ...] = ("badges", "certifications", "statements")
#: A supplier model field that describes the other fields (where each was read), not a claim itself.
NOT_A_CLAIM = "provenance"
#: Values that mean "the page did not say" (docs/claims-schema.md: null or [] where the page does not say).
_EMPTY: tuple[Any, ...] = (None, "", [], {})
#: Float tolerance for "at least this share" comparisons (4/5 >= 0.8 must hold).
_EPSILON = 1e-9


@dataclass(frozen=True)
class HealthPolicy:
    """The window and thresholds of parser health; the defaults are what status, dashboard and alerts use."""

    #: A page counts when its latest ok check is at most this old.
    window: timedelta = timedelta(days=7)
    #: Snapshots last seen before this are never read (bounds the query).
    lookback: timedelta = timedelta(days=90)
    #: Earlier snapshots per page that make its baseline.
    baseline_snapshots: int = 3
    #: A family normally yields a field filled by at least this share of its pages' baselines.
    normal_fill: float = 0.8
    #: Share of the family's recent pages that must no longer fill a field for it to count as dropped.
    drop_share: float = 1.0
    #: Pages that must have lost the field: one page losing it is that supplier's business.
    min_pages: int = 2

    def __post_init__(self) -> None:
        if self.baseline_snapshots < 1 or self.min_pages < 1:
            raise ValueError("baseline_snapshots and min_pages must be at least 1")
        if not (0 < self.normal_fill <= 1 and 0 < self.drop_share <= 1):
            raise ValueError("normal_fill and drop_share are shares in (0, 1]")
        if self.window <= timedelta(0) or self.lookback < self.window:
            raise ValueError("window must be positive and lookback at least as long as the window")


DEFAULT_POLICY = HealthPolicy()
#: One page losing a field is the supplier's business, the family needs at least this many.
MIN_PAGES_FOR_DROP = DEFAULT_POLICY.min_pages


@dataclass(frozen=True)
class PageRef:
    """One watched page."""

    supplier_id: str
    url: str


@dataclass(frozen=True)
class FieldFill:
    """One claim field of one family: how many pages filled it before, how many at their recent check."""

    field: str
    #: Share of the family's pages that normally fill it (their baseline).
    baseline: float
    #: Share of the family's pages whose recent check filled it.
    recent: float
    #: The family normally yields it (baseline >= normal_fill).
    normal: bool
    #: Pages that normally fill it and whose recent check did not.
    lost: tuple[PageRef, ...] = ()
    #: Normally yielded, lost by at least min_pages pages and no longer filled by drop_share of the pages.
    dropped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "baseline": round(self.baseline, 4),
            "recent": round(self.recent, 4),
            "normal": self.normal,
            "lost_pages": len(self.lost),
            "dropped": self.dropped,
        }


@dataclass(frozen=True)
class FamilyHealth:
    """One page family: its pages with a recent ok check, per-field fill, and the fields it dropped."""

    platform: str
    page_type: str
    #: Pages of the family with an ok check within the window.
    pages: int
    fields: tuple[FieldFill, ...]

    @property
    def dropped(self) -> tuple[str, ...]:
        """Fields the family normally yields and its recent checks no longer fill (see the module docstring)."""
        return tuple(f.field for f in self.fields if f.dropped)

    @property
    def fill(self) -> float | None:
        """Recent fill of the fields the family normally yields, one figure for a table (None: none yet)."""
        normal = [f.recent for f in self.fields if f.normal]
        return sum(normal) / len(normal) if normal else None

    @property
    def lost_suppliers(self) -> tuple[str, ...]:
        """Suppliers with a page that lost one of the dropped fields (whom a layout alert is about)."""
        return tuple(sorted({p.supplier_id for f in self.fields if f.dropped for p in f.lost}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "page_type": self.page_type,
            "pages": self.pages,
            "fill": None if self.fill is None else round(self.fill, 4),
            "dropped": list(self.dropped),
            "fields": [f.to_dict() for f in self.fields],
        }


@cache
def claim_fields(supplier_model: type[BaseModel] | None = None) -> tuple[str, ...]:
    """Every field of the claims model's supplier (new ones appear by themselves) except ``provenance``,
    then the claim lists. ``supplier_model`` defaults to scrapers.claims.Supplier.

    Imported here rather than at module level so that ``import storage`` stays as light as before.
    """
    if supplier_model is None:
        from scrapers.claims import Supplier as supplier_model
    return (*(name for name in supplier_model.model_fields if name != NOT_A_CLAIM), *CLAIM_LISTS)


def filled_fields(claims: Mapping[str, Any]) -> frozenset[str]:
    """The claim fields a claims document (JSON dict) holds a value for."""
    supplier = claims.get("supplier")
    supplier = supplier if isinstance(supplier, Mapping) else {}
    filled = {name for name in claim_fields() if name not in CLAIM_LISTS and supplier.get(name) not in _EMPTY}
    filled.update(name for name in CLAIM_LISTS if claims.get(name) not in _EMPTY)
    return frozenset(filled)


def family_of(claims: Mapping[str, Any]) -> tuple[str, str]:
    """(platform, page_type) from the document's source; "unknown" where missing."""
    source = claims.get("source")
    source = source if isinstance(source, Mapping) else {}
    return str(source.get("platform") or "unknown"), str(source.get("page_type") or "unknown")


def _at_least(count: int, total: int, share: float) -> bool:
    return total > 0 and count / total >= share - _EPSILON


@dataclass
class _Page:
    """A page's recent snapshot and its baseline, reduced to filled field sets."""

    ref: PageRef
    recent: frozenset[str]
    baseline: list[frozenset[str]] = field(default_factory=list)

    def normally_fills(self, name: str) -> bool:
        snapshots = self.baseline or [self.recent]
        return _at_least(sum(name in s for s in snapshots), len(snapshots), 0.5)


def _recent_pages(db: Database, policy: HealthPolicy, now: datetime) -> dict[tuple[str, str], list[_Page]]:
    """Pages of active suppliers with an ok check in the window, grouped by the family of their recent snapshot."""
    page = (Snapshot.supplier_id, Snapshot.url)
    ranked = (
        select(
            Snapshot.id.label("id"),
            func.row_number()
            .over(partition_by=page, order_by=(Snapshot.first_seen_at.desc(), Snapshot.id.desc()))
            .label("rank"),
            func.max(Snapshot.last_seen_at).over(partition_by=page).label("page_seen"),
        )
        .join(Supplier, Supplier.id == Snapshot.supplier_id)
        .where(Supplier.active.is_(True), Snapshot.last_seen_at >= now - policy.lookback)
        .subquery()
    )
    stmt = (
        select(Snapshot.supplier_id, Snapshot.url, Snapshot.claims)
        .join(ranked, ranked.c.id == Snapshot.id)
        .where(ranked.c.rank <= policy.baseline_snapshots + 1, ranked.c.page_seen >= now - policy.window)
        .order_by(Snapshot.supplier_id, Snapshot.url, ranked.c.rank)
    )
    documents: dict[PageRef, list[Mapping[str, Any]]] = defaultdict(list)  # newest first
    with db.session() as session:
        for supplier_id, url, claims in session.execute(stmt):
            documents[PageRef(supplier_id, url)].append(claims if isinstance(claims, Mapping) else {})
    families: dict[tuple[str, str], list[_Page]] = defaultdict(list)
    for ref, (recent, *earlier) in documents.items():
        family = family_of(recent)
        # An earlier snapshot of another family (the page moved layouts) is no baseline for this one.
        baseline = [filled_fields(d) for d in earlier if family_of(d) == family]
        families[family].append(_Page(ref, filled_fields(recent), baseline))
    return families


def _field_fill(name: str, pages: Sequence[_Page], policy: HealthPolicy) -> FieldFill:
    """One field across a family's pages, judged by ``policy`` (definitions in the module docstring)."""
    normally = [p for p in pages if p.normally_fills(name)]
    filled_now = sum(name in p.recent for p in pages)
    lost = tuple(p.ref for p in normally if name not in p.recent)
    normal = _at_least(len(normally), len(pages), policy.normal_fill)
    return FieldFill(
        field=name,
        baseline=len(normally) / len(pages),
        recent=filled_now / len(pages),
        normal=normal,
        lost=lost,
        dropped=normal
        and len(lost) >= policy.min_pages
        and _at_least(len(pages) - filled_now, len(pages), policy.drop_share),
    )


def parser_health(
    db: Database, *, policy: HealthPolicy = DEFAULT_POLICY, now: datetime | None = None
) -> list[FamilyHealth]:
    """Per page family (sorted by platform, page type): recent pages, per-field fill, dropped fields."""
    now = now if now is not None else utcnow()
    report: list[FamilyHealth] = []
    for (platform, page_type), pages in sorted(_recent_pages(db, policy, now).items()):
        fills = tuple(_field_fill(name, pages, policy) for name in claim_fields())
        report.append(FamilyHealth(platform, page_type, len(pages), fills))
    return report
