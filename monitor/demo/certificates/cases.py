"""Case sets: a small one for the test suite, a larger varied one for the benchmark, and listing-vs-document
pairs for the rules (a document of another company, another number, other dates, another standard, expired)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from monitor.demo.certificates.case import TEMPLATES, CertificateCase
from monitor.demo.certificates.pools import BSCI_AUDITORS, CE_LABS, HOLDERS, ISSUERS, Holder, Issuer, make_number

__all__ = [
    "REFERENCE_DAY",
    "Listing",
    "MismatchPair",
    "bench_cases",
    "listing_for",
    "make_case",
    "mismatch_pairs",
    "test_cases",
]

#: The "today" the case sets are built around: every case not meant to be expired is valid on this day.
REFERENCE_DAY = date(2026, 11, 26)

_STANDARDS = (("ISO 9001", "2015"), ("ISO 14001", "2015"), ("ISO 45001", "2018"))
_EN_DATE_STYLES = ("iso", "long", "dmy_slash", "us_abbr", "dmy_dot")
_CE_STANDARDS = (
    ("EN 60335-1", "2012", "Low Voltage Directive 2014/35/EU"),
    ("EN 55014-1", "2017", "EMC Directive 2014/30/EU"),
    ("EN 60598-1", "2015", "Low Voltage Directive 2014/35/EU"),
    ("EN ISO 12100", "2010", "Machinery Directive 2006/42/EC"),
)
_NOISE_COMBOS: tuple[tuple[str, ...], ...] = (
    ("scan",),
    ("scan", "rotate"),
    ("jpeg",),
    ("lowres", "jpeg"),
    ("stamp",),
    ("watermark",),
    ("stamp", "watermark"),
    ("scan", "rotate", "jpeg"),
    ("scan", "lowres", "jpeg"),
    ("stamp", "scan", "rotate"),
    ("watermark", "rotate", "jpeg"),
)


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _dates(rng: random.Random, *, expired: bool) -> tuple[date, date, date]:
    """First issue, this issue, valid until (a three-year cycle): valid on ``REFERENCE_DAY`` unless ``expired``."""
    if expired:
        issued = REFERENCE_DAY - timedelta(days=rng.randint(3 * 365 + 30, 4 * 365))
    else:
        issued = REFERENCE_DAY - timedelta(days=rng.randint(30, 3 * 365 - 30))
    first = _add_years(issued, -3 * rng.randint(0, 3)) - timedelta(days=rng.randint(0, 40) if rng.random() < 0.4 else 0)
    return first, issued, _add_years(issued, 3) - timedelta(days=1)


def make_case(
    case_id: str,
    template: str,
    *,
    rng: random.Random,
    holder: Holder | None = None,
    issuer: Issuer | None = None,
    standard: tuple[str, str] | None = None,
    expired: bool = False,
    **overrides: object,
) -> CertificateCase:
    """A case on ``template`` with fields drawn from the pools by ``rng`` (any field can be overridden)."""
    info = TEMPLATES[template]
    holder = holder or rng.choice(HOLDERS if not info.bilingual else [h for h in HOLDERS if h.name_zh])
    first, issued, until = _dates(rng, expired=expired)
    extra: dict[str, str] = {}
    product: str | None = None
    if info.kind == "iso":
        if issuer is None:
            pool = [i for i in ISSUERS if i.chinese or i.name_zh] if info.bilingual else list(ISSUERS)
            issuer = rng.choice(pool)
        std, edition = standard or rng.choice(_STANDARDS)
        scope = holder.scope
    elif info.kind == "ce":
        issuer = issuer or rng.choice(CE_LABS)
        std, edition, directive = rng.choice(_CE_STANDARDS)
        if standard:
            std, edition = standard
        extra = {
            "directive": directive,
            "report_no": f"{rng.choice(('SZ', 'GZ', 'NB'))}{issued:%y%m}{rng.randint(1000, 9999)}-01",
        }
        product = holder.product
        scope = f"{holder.product}; tested sample"
        first = None  # a CoC has one issue date
    else:  # bsci
        issuer = issuer or rng.choice(BSCI_AUDITORS)
        std, edition = standard or ("amfori BSCI", "Code of Conduct 2021")
        extra = {"dbid": str(rng.randint(100000, 999999)), "rating": rng.choice("ABC")}
        scope = holder.scope
        first = None
        until = issued + timedelta(days=364)
        if not expired and until < REFERENCE_DAY:
            issued = REFERENCE_DAY - timedelta(days=rng.randint(20, 300))
            until = issued + timedelta(days=364)
    date_style = "zh" if info.bilingual and rng.random() < 0.75 else rng.choice(_EN_DATE_STYLES)
    fields: dict[str, object] = {
        "id": case_id,
        "template": template,
        "holder": holder.name,
        "holder_zh": holder.name_zh if info.bilingual else None,
        "address": holder.address,
        "address_zh": holder.address_zh if info.bilingual else None,
        "standard": std,
        "edition": edition,
        "number": make_number(issuer.number_style, std, issued.year, rng),
        "scope": scope,
        "scope_zh": holder.scope_zh if info.bilingual and info.kind == "iso" else None,
        "issuer": issuer.name,
        "issuer_zh": issuer.name_zh if info.bilingual else None,
        "accreditation": issuer.accreditation,
        "first_issued": first,
        "issued": issued,
        "valid_until": until,
        "date_style": date_style,
        "label_variant": rng.randint(0, 5),
        "product": product,
        "extra": extra,
        "seed": rng.randint(0, 2**31 - 1),
    }
    fields.update(overrides)
    return CertificateCase(**fields)  # type: ignore[arg-type]


def test_cases(seed: int = 11) -> list[CertificateCase]:
    """Eight documents for ``make test``: one of each kind of file and trouble a reader must handle."""
    rng = random.Random(seed)
    h = {holder.name.split()[1]: holder for holder in HOLDERS}
    return [
        make_case(
            "en-frame-clean",
            "iso_frame_en",
            rng=rng,
            holder=h["Haoyu"],
            issuer=ISSUERS[3],
            standard=("ISO 9001", "2015"),
            date_style="long",
            label_variant=0,
            formats=("png",),
        ),
        make_case(
            "zh-table-clean",
            "iso_table_zh",
            rng=rng,
            holder=h["Jiahe"],
            issuer=ISSUERS[0],
            standard=("ISO 14001", "2015"),
            date_style="zh",
            label_variant=0,
            formats=("png",),
        ),
        make_case(
            "en-band-textpdf",
            "iso_band_en",
            rng=rng,
            holder=h["Hengtai"],
            issuer=ISSUERS[6],
            standard=("ISO 45001", "2018"),
            date_style="us_abbr",
            formats=("pdf",),
        ),
        make_case(
            "zh-centre-scanpdf",
            "iso_centre_zh",
            rng=rng,
            holder=h["Meichu"],
            issuer=ISSUERS[1],
            standard=("ISO 9001", "2015"),
            date_style="zh",
            noise=("scan",),
            formats=("scan.pdf",),
        ),
        make_case(
            "en-frame-rotated-jpeg",
            "iso_frame_en",
            rng=rng,
            holder=h["Xinlong"],
            issuer=ISSUERS[7],
            standard=("ISO 9001", "2015"),
            date_style="dmy_slash",
            label_variant=1,
            noise=("scan", "rotate", "jpeg"),
            formats=("jpeg",),
        ),
        make_case(
            "ce-stamp-watermark",
            "ce_conformity",
            rng=rng,
            holder=h["Meichu"],
            date_style="dmy_dot",
            noise=("stamp", "watermark"),
            formats=("png",),
        ),
        make_case(
            "bsci-lowres-jpeg",
            "bsci_summary",
            rng=rng,
            holder=h["Brightpath"],
            date_style="iso",
            noise=("lowres", "jpeg"),
            formats=("jpeg",),
        ),
        make_case(
            "unreadable-photo",
            "iso_frame_en",
            rng=rng,
            holder=h["Ruifeng"],
            unreadable="photo",
            formats=("jpeg",),
            note="a product photo uploaded as the certificate",
        ),
    ]


test_cases.__test__ = False  # type: ignore[attr-defined]  # a case set, not a pytest test


def bench_cases(n: int = 60, seed: int = 2026) -> list[CertificateCase]:
    """``n`` varied documents: layouts, holders, bodies, numbers, dates and label wordings drawn from the
    pools; even indexes clean (PNG or text-layer PDF), odd ones noisy (PNG, JPEG or scanned PDF), and every
    twelfth one unreadable. Deterministic for a given ``seed``."""
    templates = [
        *(["iso_frame_en", "iso_table_zh", "iso_band_en", "iso_centre_zh"] * 3),
        "ce_conformity",
        "bsci_summary",
    ]
    cases: list[CertificateCase] = []
    for i in range(n):
        rng = random.Random(f"{seed}:{i}")
        template = rng.choice(templates)
        if i % 12 == 11:
            kind = ("heavy_blur", "blank", "photo")[(i // 12) % 3]
            fmt = rng.choice(("png", "jpeg", "scan.pdf"))
            cases.append(make_case(f"b{i:03d}-unreadable-{kind}", template, rng=rng, unreadable=kind, formats=(fmt,)))
        elif i % 2 == 0:
            fmt = rng.choice(("png", "png", "pdf"))
            cases.append(make_case(f"b{i:03d}-clean-{template}", template, rng=rng, formats=(fmt,)))
        else:
            noise = rng.choice(_NOISE_COMBOS)
            fmt = "jpeg" if "jpeg" in noise else rng.choice(("png", "scan.pdf"))
            cases.append(make_case(f"b{i:03d}-noisy-{template}", template, rng=rng, noise=noise, formats=(fmt,)))
    return cases


@dataclass(frozen=True)
class Listing:
    """What a supplier's page claims for one certification (the side a document is checked against)."""

    supplier_name: str
    supplier_name_zh: str | None
    certification: str  # "ISO 9001:2015"
    number: str | None
    issuer: str | None
    valid_from: date | None
    valid_until: date | None
    scope: str | None = None


@dataclass(frozen=True)
class MismatchPair:
    """A listing and a document; ``kind`` says what differs ("match" when nothing does)."""

    kind: str
    listing: Listing
    case: CertificateCase


def listing_for(case: CertificateCase) -> Listing:
    """The listing a supplier would show for its own, honest ``case``."""
    name = f"{case.standard}:{case.edition}" if case.info.kind == "iso" and case.edition else case.standard
    return Listing(
        case.holder, case.holder_zh, name, case.number, case.issuer, case.issued, case.valid_until, case.scope
    )


def mismatch_pairs(seed: int = 5, formats: tuple[str, ...] = ("png",)) -> list[MismatchPair]:
    """One honest pair and one pair per kind of contradiction, all on clean documents:

    ``match``, ``holder`` (the document names another company: borrowed), ``number``, ``dates``,
    ``standard`` (ISO 14001 shown for an ISO 9001 claim), ``scope``: each differs from the listing in that
    field only; ``expired``: a document (of its own listing) whose validity ended before ``REFERENCE_DAY``."""
    rng = random.Random(seed)
    h = {holder.name.split()[1]: holder for holder in HOLDERS}
    base = make_case(
        "mm-match",
        "iso_frame_en",
        rng=rng,
        holder=h["Haoyu"],
        issuer=ISSUERS[3],
        standard=("ISO 9001", "2015"),
        date_style="iso",
        formats=formats,
        first_issued=date(2018, 6, 4),
        issued=date(2024, 6, 4),
        valid_until=date(2027, 6, 3),
    )
    listing = listing_for(base)
    other = h["Jiahe"]
    pairs = [
        MismatchPair("match", listing, base),
        MismatchPair(
            "holder",
            listing,
            base.replace(
                id="mm-holder",
                holder=other.name,
                address=other.address,
                note="borrowed from another company",
            ),
        ),
        MismatchPair("number", listing, base.replace(id="mm-number", number=make_number("fm", "ISO 9001", 2024, rng))),
        MismatchPair(
            "dates",
            listing,
            base.replace(
                id="mm-dates",
                # other dates, still valid on REFERENCE_DAY: a dates mismatch without an expiry
                issued=date(2025, 1, 15),
                valid_until=date(2028, 1, 14),
            ),
        ),
        MismatchPair("standard", listing, base.replace(id="mm-standard", standard="ISO 14001", edition="2015")),
        MismatchPair("scope", listing, base.replace(id="mm-scope", scope=h["Hengtai"].scope)),
    ]
    expired = make_case(
        "mm-expired",
        "iso_table_zh",
        rng=rng,
        holder=h["Meichu"],
        issuer=ISSUERS[0],
        standard=("ISO 9001", "2015"),
        expired=True,
        date_style="zh",
        formats=formats,
    )
    pairs.append(MismatchPair("expired", listing_for(expired), expired))
    return pairs
