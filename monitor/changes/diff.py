"""Claim-level change detection: what a supplier's page claims now compared with the previous ok check.

Sourcing managers need "the ISO 9001 certificate now ends in 2025", not a text diff. So both claims
documents are read claim by claim: certificates are matched by what identifies them (standard + number,
then standard + edition + issuer, then name), badges by name, and the supplier's profile field by field.
Cosmetic differences (whitespace, case, accents, None vs "", list order, fetch time) are not changes.

Severities live in ``SEVERITY`` (data, one row per kind and field) so that they can be reviewed in one place.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, get_args

from monitor.severity import Severity
from scrapers.claims import Badge, Certification, ClaimsDocument, PageStatus
from scrapers.documents.attach import documents_of
from scrapers.normalize import clean_text, normalize_certification, parse_int

__all__ = [
    "CERT_FIELDS",
    "KINDS",
    "SEVERITY",
    "ChangeKind",
    "ClaimChange",
    "diff_claims",
    "listed",
    "parse_quantity",
]

ChangeKind = Literal[
    "identity_changed",
    "certification_removed",
    "certification_changed",
    "certification_document_changed",
    "certification_added",
    "badge_lost",
    "badge_changed",
    "badge_gained",
    "numeric_changed",
    "list_changed",
]
#: Every kind, in the order results are grouped (after severity).
KINDS: tuple[ChangeKind, ...] = get_args(ChangeKind)


# (kind, field) -> severity. A field may be qualified by what happened to it ("valid_until.shortened",
# "number.added": the page now shows a value it did not show before, ".removed": it no longer shows one).
# Lookup order: (kind, "field.qualifier"), (kind, "*.qualifier"), (kind, "field"), (kind, "*").
SEVERITY: dict[tuple[str, str], str] = {
    # --- certificates -----------------------------------------------------------------------------
    ("certification_added", "*"): "info",  # new claims are judged by the verification rules anyway
    ("certification_removed", "*"): "high",  # a certificate the buyer relied on is no longer claimed
    ("certification_changed", "number"): "high",  # another number is another certificate (or an edited one)
    ("certification_changed", "number.added"): "low",  # a number to check where there was none: more checkable
    ("certification_changed", "number.removed"): "high",  # hiding the number makes the claim uncheckable
    ("certification_changed", "issuer"): "high",  # another body vouches for it: re-check the whole claim
    ("certification_changed", "issuer.added"): "low",  # more detail, checked by the body rules
    ("certification_changed", "issuer.removed"): "medium",  # less detail: the claim got vaguer
    ("certification_changed", "accreditation_body"): "medium",  # accreditation decides whether it counts
    ("certification_changed", "accreditation_body.added"): "low",
    ("certification_changed", "scope"): "medium",  # the products/sites covered may no longer be the buyer's
    ("certification_changed", "scope.added"): "low",
    ("certification_changed", "valid_from"): "low",  # a new cycle start; the end date is what matters
    ("certification_changed", "valid_until.shortened"): "medium",  # ends earlier: may be expired or suspended
    ("certification_changed", "valid_until.extended"): "low",  # a renewal, the usual case
    ("certification_changed", "valid_until.added"): "low",
    ("certification_changed", "valid_until.removed"): "medium",  # an open end hides the expiry
    ("certification_changed", "edition"): "medium",  # another edition means other requirements (2008 -> 2015)
    ("certification_changed", "platform_verified.lost"): "high",  # true -> false: the platform withdrew its check
    ("certification_changed", "platform_verified.hidden"): "medium",  # true -> not shown: the check may be gone
    ("certification_changed", "platform_verified.gained"): "low",  # the platform checked it: good news
    ("certification_changed", "platform_verified"): "low",  # false <-> not shown: nothing was vouched for anyway
    ("certification_changed", "name"): "low",  # the label; standard, edition and number carry the meaning
    ("certification_changed", "kind"): "low",  # follows the standard; informative only
    ("certification_changed", "*.added"): "low",  # a value shown where there was none: the claim got more specific
    ("certification_changed", "*.removed"): "medium",  # a value no longer shown: the claim got vaguer
    ("certification_changed", "*"): "medium",
    # the certificate's PDF or picture was replaced by another file under the same claim: look at both (the new
    # one is read and judged by the document rules; a swapped image is how borrowed certificates arrive)
    ("certification_document_changed", "*"): "medium",
    # --- badges (the marketplace's own checks) ----------------------------------------------------
    ("badge_gained", "*"): "info",  # good news, nothing to do
    ("badge_lost", "*"): "medium",  # the platform stopped vouching for something
    ("badge_lost", "verified supplier"): "high",  # the platform's main identity/factory check is gone
    ("badge_changed", "detail"): "low",  # e.g. Trade Assurance limit changed
    ("badge_changed", "detail.years_up"): "info",  # "5 years" -> "6 years": time passes
    ("badge_changed", "detail.years_down"): "medium",  # membership years reset: the account lapsed or is new
    ("badge_changed", "issuer"): "medium",  # another assessor behind "Verified"
    ("badge_changed", "*"): "low",
    # --- the supplier's identity (confirm_needed: re-fetched before alerting) ---------------------
    ("identity_changed", "name"): "high",  # a renamed company may be another company behind the same store
    ("identity_changed", "*"): "medium",  # business type, location, country
    ("identity_changed", "*.added"): "info",  # the page states what it did not before
    ("identity_changed", "*.removed"): "low",  # the page no longer states it
    # --- numbers ----------------------------------------------------------------------------------
    ("numeric_changed", "year_established"): "medium",  # a founding year does not change: any edit is suspicious
    ("numeric_changed", "years_on_platform.decreased"): "medium",  # a reset suggests a new or re-created account
    ("numeric_changed", "years_on_platform.jumped"): "low",  # more than the elapsed time explains
    ("numeric_changed", "employees"): "low",  # companies grow and shrink; a buyer may want to know
    ("numeric_changed", "employees.large"): "medium",  # halved or doubled: factory closed, or it is a trader
    ("numeric_changed", "annual_revenue"): "low",
    ("numeric_changed", "annual_revenue.large"): "medium",
    ("numeric_changed", "*.added"): "info",
    ("numeric_changed", "*.removed"): "low",
    ("numeric_changed", "*"): "low",
    # --- lists ------------------------------------------------------------------------------------
    ("list_changed", "main_products"): "low",  # what they make changed: relevant to what the buyer sources
    ("list_changed", "main_markets"): "info",  # where they sell: context only
}

#: Kinds for which the monitor fetches the page a second time before alerting (a flaky page must not
#: make a certificate or the company's name disappear).
CONFIRM_KINDS: frozenset[str] = frozenset({"certification_removed", "badge_lost", "identity_changed"})

#: Certification fields compared between matched certificates, in the order they are reported.
CERT_FIELDS: tuple[str, ...] = (
    "name",
    "number",
    "issuer",
    "accreditation_body",
    "scope",
    "valid_from",
    "valid_until",
    "edition",
    "platform_verified",
    "kind",
)
_IDENTITY_FIELDS: tuple[str, ...] = ("name", "business_type", "location", "country")
_LABELS = {
    "name": "name",
    "business_type": "business type",
    "location": "location",
    "country": "country",
    "year_established": "year established",
    "years_on_platform": "years on platform",
    "employees": "employees",
    "annual_revenue": "annual revenue",
    "main_products": "main products",
    "main_markets": "main markets",
}

JSONValue = str | int | float | bool | None | list[Any]


@dataclass(frozen=True)
class ClaimChange:
    """One changed claim. ``fields`` entries are JSON-ready dicts ``{"field", "from", "to"}`` (list changes add
    ``"added"`` and ``"removed"``); ``key`` identifies the claim stably so alert ids can be derived from it."""

    kind: ChangeKind
    subject: str
    key: str
    fields: tuple[dict[str, Any], ...]
    severity: str
    confirm_needed: bool

    def to_dict(self) -> dict[str, Any]:
        """The change as a JSON-ready dict (for alert details and storage)."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "key": self.key,
            "fields": [dict(f) for f in self.fields],
            "severity": self.severity,
            "confirm_needed": self.confirm_needed,
        }


# --------------------------------------------------------------------------------------------------
# normalisation: what counts as "the same value"
# --------------------------------------------------------------------------------------------------


def _fold(value: object) -> str:
    """Comparison form: NFKC, whitespace collapsed, accents dropped, case folded; None and "" are both ""."""
    text = clean_text(unicodedata.normalize("NFKC", clean_text(value)))
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", text).casefold()


def _compact(value: object) -> str:
    """``_fold`` without spaces and punctuation: "12 100 45678-TMS" == "1210045678tms", "ISO9001" == "iso 9001"."""
    return "".join(ch for ch in _fold(value) if ch.isalnum())


def _shown(value: object) -> JSONValue:
    """A value as the alert shows it: ISO dates, bools, ints, cleaned strings; empty text is None."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_shown(v) for v in value]
    return clean_text(value) or None


def _severity(kind: str, field: str, qualifier: str | None = None) -> str:
    candidates = [(kind, f"{field}.{qualifier}"), (kind, f"*.{qualifier}")] if qualifier else []
    candidates += [(kind, field), (kind, "*")]
    for candidate in candidates:
        if candidate in SEVERITY:
            return SEVERITY[candidate]
    return "info"


def _worst(severities: Sequence[str]) -> str:
    return max(severities, key=Severity.rank_of, default=Severity.INFO.value)


def _presence(old: object, new: object) -> str | None:
    """Which side is empty: "added" (only the old one), "removed" (only the new one), else None."""
    old_empty = old is None or old == ""
    new_empty = new is None or new == ""
    if old_empty and not new_empty:
        return "added"
    if new_empty and not old_empty:
        return "removed"
    return None


# --------------------------------------------------------------------------------------------------
# certifications
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cert:
    """A certification with the comparison forms that matching and diffing use."""

    cert: Certification
    index: int  # its position in the claims document (documents are found by it)
    std: str  # compact standard ("iso9001"), or compact name when no standard is recognised
    edition: str
    num: str
    issuer: str
    name: str
    values: tuple[Hashable, ...]  # comparison form of CERT_FIELDS, in order

    @classmethod
    def of(cls, cert: Certification, index: int = -1) -> _Cert:
        standard, edition = cert.standard, cert.edition
        if not standard:
            derived_standard, derived_edition, _ = normalize_certification(cert.name)
            standard, edition = derived_standard, edition or derived_edition
        std = _compact(standard) or _compact(cert.name)
        edition_c = _compact(edition)
        values: list[Hashable] = []
        for name in CERT_FIELDS:
            raw = getattr(cert, name)
            if name == "edition":
                values.append(edition_c)
            elif name in ("valid_from", "valid_until", "platform_verified"):
                values.append(raw)
            else:
                values.append(_compact(raw))
        return cls(
            cert=cert,
            index=index,
            std=std,
            edition=edition_c,
            num=_compact(cert.number),
            issuer=_compact(cert.issuer),
            name=_compact(cert.name),
            values=tuple(values),
        )

    def value(self, field: str) -> Hashable:
        return self.values[CERT_FIELDS.index(field)]

    @property
    def key(self) -> str:
        """Standard + number when there is a number, else name + issuer (both in comparison form)."""
        if self.num:
            return f"cert:{self.std}:no:{self.num}"
        return f"cert:{_fold(self.cert.name) or self.std}:by:{self.issuer}"

    @property
    def subject(self) -> str:
        """The claim for a buyer, e.g. ISO 9001:2015 (no. 12 100 45678): the page's name unless it is the standard."""
        cert = self.cert
        name = clean_text(cert.name)
        label = name
        if cert.standard:
            normal = f"{cert.standard}:{cert.edition}" if cert.edition else cert.standard
            if _compact(normal) == _compact(name) or not name:
                label = clean_text(normal)
        number, issuer = clean_text(cert.number), clean_text(cert.issuer)
        if number:
            return f"{label} (no. {number})"
        if issuer:
            return f"{label} ({issuer})"
        return label or "certificate"

    @property
    def sort_key(self) -> str:
        return json.dumps([repr(v) for v in self.values] + [self.std], ensure_ascii=False)


def _similarity(a: _Cert, b: _Cert) -> int:
    return sum(1 for x, y in zip(a.values, b.values, strict=True) if x == y)


def _plausible(old: _Cert, new: _Cert, *, allow_number_change: bool) -> bool:
    """Whether a loose match (same standard, no shared number) is the same certificate.

    A different number is accepted only when something else ties the two together: a named issuer
    (that is in the match key), or the same scope or start date; otherwise it is removed + added.
    """
    if not (old.num and new.num and old.num != new.num):
        return True
    if not allow_number_change:
        return False
    if old.issuer:
        return True
    same_scope = bool(old.value("scope")) and old.value("scope") == new.value("scope")
    same_start = old.cert.valid_from is not None and old.cert.valid_from == new.cert.valid_from
    return same_scope or same_start


_Pass = tuple[Callable[[_Cert], Hashable | None], bool, bool]  # key, loose (1:1 only), number change allowed
_PASSES: tuple[_Pass, ...] = (
    (lambda c: (c.std, c.num) if c.num else None, False, False),
    (lambda c: (c.std, c.edition, c.issuer), True, True),
    (lambda c: (c.std, c.issuer) if c.issuer else None, True, True),  # the edition changed
    (lambda c: c.name or None, True, False),
)


def _match_certifications(
    old: list[_Cert], new: list[_Cert]
) -> tuple[list[tuple[_Cert, _Cert]], list[_Cert], list[_Cert]]:
    """(matched pairs, removed, added). Order-independent; ambiguous loose groups stay unmatched."""
    old_left = sorted(old, key=lambda c: c.sort_key)
    new_left = sorted(new, key=lambda c: c.sort_key)
    pairs: list[tuple[_Cert, _Cert]] = []
    for key_of, loose, allow_number_change in _PASSES:
        groups_old: dict[Hashable, list[_Cert]] = defaultdict(list)
        groups_new: dict[Hashable, list[_Cert]] = defaultdict(list)
        for c in old_left:
            if (k := key_of(c)) is not None:
                groups_old[k].append(c)
        for c in new_left:
            if (k := key_of(c)) is not None:
                groups_new[k].append(c)
        matched: list[tuple[_Cert, _Cert]] = []
        for k in sorted(set(groups_old) & set(groups_new), key=repr):
            olds, news = list(groups_old[k]), list(groups_new[k])
            for o in list(olds):  # identical certificates first: reordering is not a change
                same = next((n for n in news if n.values == o.values), None)
                if same is not None:
                    matched.append((o, same))
                    olds.remove(o)
                    news.remove(same)
            if loose:
                one_each = len(olds) == 1 and len(news) == 1
                if one_each and _plausible(olds[0], news[0], allow_number_change=allow_number_change):
                    matched.append((olds[0], news[0]))
                continue
            for o in olds:  # same standard and number listed twice: pair the most similar
                if not news:
                    break
                best = max(news, key=lambda n: _similarity(o, n))  # first of equals: news are sorted
                matched.append((o, best))
                news.remove(best)
        for o, n in matched:
            old_left.remove(o)
            new_left.remove(n)
        pairs.extend(matched)
    return pairs, old_left, new_left


def _cert_field_change(field: str, old: _Cert, new: _Cert) -> tuple[dict[str, Any], str]:
    before, after = getattr(old.cert, field), getattr(new.cert, field)
    if field == "edition":
        before = before or (normalize_certification(old.cert.name)[1] if not old.cert.standard else None)
        after = after or (normalize_certification(new.cert.name)[1] if not new.cert.standard else None)
    qualifier = _presence(old.value(field), new.value(field))
    if field == "valid_until" and before is not None and after is not None:
        qualifier = "shortened" if after < before else "extended"
    elif field == "platform_verified":
        if before is True:
            qualifier = "lost" if after is False else "hidden"
        elif after is True:
            qualifier = "gained"
        else:
            qualifier = None
    change = {"field": field, "from": _shown(before), "to": _shown(after)}
    return change, _severity("certification_changed", field, qualifier)


def _whole(kind: ChangeKind, c: _Cert) -> ClaimChange:
    """An added or removed certificate, with every field it showed."""
    fields = []
    for name in CERT_FIELDS:
        value = _shown(getattr(c.cert, name))
        if value is not None and not (name == "kind" and value == "other"):
            fields.append(
                {"field": name, "from": value, "to": None}
                if kind.endswith("removed")
                else {"field": name, "from": None, "to": value}
            )
    return _change(kind, c.subject, c.key, fields, _severity(kind, "*"))


def _certification_changes(old: ClaimsDocument, new: ClaimsDocument) -> list[ClaimChange]:
    """Certificates removed, added and changed as the page lists them (``listed``); a matched certificate whose
    document was replaced by another file is a ``certification_document_changed`` (read from the full claims)."""
    pairs, removed, added = _match_certifications(
        [_Cert.of(c, i) for i, c in enumerate(listed(old).certifications)],
        [_Cert.of(c, i) for i, c in enumerate(listed(new).certifications)],
    )
    changes = [_whole("certification_removed", c) for c in removed]
    changes += [_whole("certification_added", c) for c in added]
    for o, n in pairs:
        diffs = [_cert_field_change(f, o, n) for f in CERT_FIELDS if o.value(f) != n.value(f)]
        if diffs:
            fields = [d for d, _ in diffs]
            # A field that disappeared is a removal too: worth a second look before alerting.
            confirm = any(d["from"] is not None and d["to"] is None for d in fields)
            changes.append(
                _change("certification_changed", o.subject, o.key, fields, _worst([s for _, s in diffs]), confirm)
            )
        replaced = _document_change(o, n, old, new)
        if replaced is not None:
            changes.append(replaced)
    return changes


# --------------------------------------------------------------------------------------------------
# certificate documents
# --------------------------------------------------------------------------------------------------


def listed(claims: ClaimsDocument) -> ClaimsDocument:
    """The claims as the page lists them: what was read from certificate documents taken out.

    Readings, document errors and the certification fields they filled (``from_document``) change with every
    fetch of a document, a reader upgrade or a flaky CDN; none of that is a change of the supplier's claims.
    """
    certifications = [
        cert.model_copy(
            update={**{f: None for f in cert.from_document if f in Certification.model_fields}, "from_document": {}}
        )
        for cert in claims.certifications
    ]
    documents = [doc.model_copy(update={"reading": None, "error": None}) for doc in claims.documents]
    return claims.model_copy(update={"certifications": certifications, "documents": documents})


def _read_files(claims: ClaimsDocument, index: int) -> dict[str, str]:
    """sha256 -> URL of the files read for the certification at ``index`` (a document that failed has no file)."""
    return {doc.reading.sha256: doc.url for doc in documents_of(claims, index) if doc.reading is not None}


def _document_change(o: _Cert, n: _Cert, old: ClaimsDocument, new: ClaimsDocument) -> ClaimChange | None:
    """The certificate's document replaced by a different file: a file read before is gone and another came.

    A document that could not be fetched or read this time has no file and replaces nothing; an extra document
    beside the old one is no replacement either.
    """
    before, after = _read_files(old, o.index), _read_files(new, n.index)
    gone = sorted((url, sha) for sha, url in before.items() if sha not in after)
    came = sorted((url, sha) for sha, url in after.items() if sha not in before)
    if not gone or not came:
        return None
    fields = [
        {"field": "document", "from": old_url, "to": new_url, "from_sha256": old_sha, "to_sha256": new_sha}
        for (old_url, old_sha), (new_url, new_sha) in zip(gone, came, strict=False)
    ]
    return _change(
        "certification_document_changed", o.subject, o.key, fields, _severity("certification_document_changed", "*")
    )


# --------------------------------------------------------------------------------------------------
# badges
# --------------------------------------------------------------------------------------------------


def _badge_key(badge: Badge) -> str:
    return _fold(badge.name)


def _badge_values(badge: Badge) -> tuple[str, str]:
    return _compact(badge.issuer), _compact(badge.detail)


def _badge_whole(kind: ChangeKind, badge: Badge) -> ClaimChange:
    fields = []
    for name in ("name", "issuer", "detail"):
        value = _shown(getattr(badge, name))
        if value is not None:
            fields.append(
                {"field": name, "from": value, "to": None}
                if kind == "badge_lost"
                else {"field": name, "from": None, "to": value}
            )
    key = _badge_key(badge)
    severity = SEVERITY.get((kind, key)) or _severity(kind, "*")
    return _change(kind, clean_text(badge.name) or "badge", f"badge:{key}", fields, severity)


def _years_detail(text: str | None) -> int | None:
    """The number of "5 years" / "5 yrs" / "5年"; None for other details (amounts, assessors)."""
    if text and re.search(r"\b(?:years?|yrs?)\b|年", text, re.I):
        return parse_int(text)
    return None


def _badge_changes(old: list[Badge], new: list[Badge], allowed_years: int) -> list[ClaimChange]:
    by_old: dict[str, list[Badge]] = defaultdict(list)
    by_new: dict[str, list[Badge]] = defaultdict(list)
    for b in old:
        if _badge_key(b):
            by_old[_badge_key(b)].append(b)
    for b in new:
        if _badge_key(b):
            by_new[_badge_key(b)].append(b)
    changes: list[ClaimChange] = []
    for key in sorted(set(by_old) | set(by_new)):
        olds = sorted(by_old[key], key=_badge_values)
        news = sorted(by_new[key], key=_badge_values)
        for b in list(olds):
            same = next((n for n in news if _badge_values(n) == _badge_values(b)), None)
            if same is not None:
                olds.remove(b)
                news.remove(same)
        for o, n in zip(olds, news, strict=False):
            diffs: list[tuple[dict[str, Any], str]] = []
            if _compact(o.issuer) != _compact(n.issuer):
                qualifier = _presence(_compact(o.issuer), _compact(n.issuer))
                entry = {"field": "issuer", "from": _shown(o.issuer), "to": _shown(n.issuer)}
                diffs.append((entry, _severity("badge_changed", "issuer", qualifier)))
            if _compact(o.detail) != _compact(n.detail):
                qualifier = None
                years_old, years_new = _years_detail(o.detail), _years_detail(n.detail)
                if years_old is not None and years_new is not None:
                    if years_new < years_old:
                        qualifier = "years_down"
                    elif years_new - years_old <= allowed_years:
                        qualifier = "years_up"
                entry = {"field": "detail", "from": _shown(o.detail), "to": _shown(n.detail)}
                diffs.append((entry, _severity("badge_changed", "detail", qualifier)))
            if diffs:
                fields = [d for d, _ in diffs]
                confirm = any(d["from"] is not None and d["to"] is None for d in fields)
                subject = clean_text(o.name) or "badge"
                changes.append(
                    _change("badge_changed", subject, f"badge:{key}", fields, _worst([s for _, s in diffs]), confirm)
                )
        changes += [_badge_whole("badge_lost", b) for b in olds[len(news) :]]
        changes += [_badge_whole("badge_gained", b) for b in news[len(olds) :]]
    return changes


# --------------------------------------------------------------------------------------------------
# the supplier's profile
# --------------------------------------------------------------------------------------------------


def _identity_form(field: str, value: object) -> object:
    if field == "business_type":  # "Manufacturer, Trading Company" == "Trading Company,Manufacturer"
        return frozenset(p for p in (_compact(part) for part in re.split(r"[,/;、，]", clean_text(value))) if p)
    return _compact(value)


def _identity_changes(old: ClaimsDocument, new: ClaimsDocument) -> list[ClaimChange]:
    changes = []
    for field in _IDENTITY_FIELDS:
        before, after = getattr(old.supplier, field), getattr(new.supplier, field)
        a, b = _identity_form(field, before), _identity_form(field, after)
        if a != b:
            qualifier = _presence(a or None, b or None)
            entry = {"field": field, "from": _shown(before), "to": _shown(after)}
            severity = _severity("identity_changed", field, qualifier)
            changes.append(_change("identity_changed", _LABELS[field], f"supplier:{field}", [entry], severity))
    return changes


_NUMBER = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)*)\s*(?P<unit>billion|bn\b|million|mio\b|mn\b|m\b|thousand|k\b|万|亿)?", re.I
)
_UNITS = {"billion": 1e9, "bn": 1e9, "million": 1e6, "mio": 1e6, "mn": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3}
_UNITS |= {"万": 1e4, "亿": 1e8}


def _number(text: str) -> float | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_quantity(value: object) -> float | None:
    """A number from a page's wording, ranges to their midpoint: "51 - 100 People" -> 75.5, "43" -> 43,
    "US$2.5 Million - US$5 Million" -> 3750000, "Above 1000 People" -> 1000; None when there is no number."""
    text = unicodedata.normalize("NFKC", clean_text(value))[:300]
    numbers: list[tuple[float, float | None]] = []
    for m in _NUMBER.finditer(text):
        number = _number(m.group("n"))
        if number is not None:
            unit = m.group("unit")
            numbers.append((number, _UNITS.get(unit.lower()) if unit else None))
        if len(numbers) == 2:
            break
    if not numbers:
        return None
    last_unit = next((u for _, u in reversed(numbers) if u), 1.0)  # "US$5 - 10 Million": both in millions
    scaled = [n * (u or last_unit) for n, u in numbers]
    return sum(scaled) / len(scaled)


def _allowed_years(old: ClaimsDocument, new: ClaimsDocument) -> int:
    """How much "years on platform" may grow between the two checks: 1, or more when they are years apart."""
    before, after = old.source.fetched_at, new.source.fetched_at
    if before is None or after is None:
        return 1
    try:
        elapsed = (after - before).days
    except TypeError:  # one aware, one naive
        return 1
    return 1 + max(0, int(elapsed // 365.25))


def _numeric_changes(old: ClaimsDocument, new: ClaimsDocument, threshold: float, allowed: int) -> list[ClaimChange]:
    changes = []
    for field in ("year_established", "years_on_platform", "employees", "annual_revenue"):
        before, after = getattr(old.supplier, field), getattr(new.supplier, field)
        qualifier = _presence(_compact(before) or None, _compact(after) or None)
        if qualifier is None and not _compact(before):
            continue  # neither says anything
        if qualifier is None:
            if field in ("year_established", "years_on_platform"):
                a, b = parse_int(before), parse_int(after)
                if a == b:
                    continue
                if field == "years_on_platform" and a is not None and b is not None:
                    if 0 <= b - a <= allowed:
                        continue  # time passes: +1 a year is expected
                    qualifier = "decreased" if b < a else "jumped"
            else:
                a_num, b_num = parse_quantity(before), parse_quantity(after)
                if a_num is not None and b_num is not None:
                    if a_num == b_num:
                        continue
                    relative = abs(b_num - a_num) / a_num if a_num > 0 else math.inf
                    if relative < threshold:
                        continue
                    if b_num >= 2 * a_num or 2 * b_num <= a_num:
                        qualifier = "large"
                elif _compact(before) == _compact(after):
                    continue
        entry = {"field": field, "from": _shown(before), "to": _shown(after)}
        severity = _severity("numeric_changed", field, qualifier)
        changes.append(_change("numeric_changed", _LABELS[field], f"supplier:{field}", [entry], severity))
    return changes


def _list_item(field: str, item: str) -> str:
    if field == "main_markets":  # "North America 30%": the share moves, the market is the claim
        item = re.sub(r"\d+(?:[.,]\d+)?\s*%", "", clean_text(item))
    return _compact(item)


def _list_changes(old: ClaimsDocument, new: ClaimsDocument) -> list[ClaimChange]:
    changes = []
    for field in ("main_products", "main_markets"):
        before = [clean_text(i) for i in getattr(old.supplier, field) if _list_item(field, i)]
        after = [clean_text(i) for i in getattr(new.supplier, field) if _list_item(field, i)]
        before_keys = {_list_item(field, i) for i in before}
        after_keys = {_list_item(field, i) for i in after}
        if before_keys == after_keys:
            continue
        added = _unique([i for i in after if _list_item(field, i) not in before_keys], field)
        removed = _unique([i for i in before if _list_item(field, i) not in after_keys], field)
        entry = {"field": field, "from": before, "to": after, "added": added, "removed": removed}
        severity = _severity("list_changed", field)
        changes.append(_change("list_changed", _LABELS[field], f"supplier:{field}", [entry], severity))
    return changes


def _unique(items: list[str], field: str) -> list[str]:
    seen: set[str] = set()
    result = []
    for item in items:
        if _list_item(field, item) not in seen:
            seen.add(_list_item(field, item))
            result.append(item)
    return result


# --------------------------------------------------------------------------------------------------
# the entry point
# --------------------------------------------------------------------------------------------------


def _change(
    kind: ChangeKind, subject: str, key: str, fields: list[dict[str, Any]], severity: str, confirm: bool = False
) -> ClaimChange:
    return ClaimChange(
        kind=kind,
        subject=subject,
        key=key,
        fields=tuple(fields),
        severity=severity,
        confirm_needed=confirm or kind in CONFIRM_KINDS,
    )


def diff_claims(old: ClaimsDocument, new: ClaimsDocument, *, numeric_threshold: float = 0.2) -> list[ClaimChange]:
    """The claim-level changes from ``old`` to ``new`` (two ok checks of the same supplier page).

    ``numeric_threshold`` is the relative change of employees / revenue below which nothing is reported
    (config ``[alerts] numeric_change_threshold``). The result is ordered worst first, then by kind and key,
    and the same pair of documents always gives the same list (keys included), whatever the claims' order.
    """
    for doc in (old, new):
        if doc.status != PageStatus.OK:
            raise ValueError(f"only ok claims documents can be compared, got status {doc.status.value!r}")
    allowed = _allowed_years(old, new)
    changes = _identity_changes(old, new)
    changes += _certification_changes(old, new)
    changes += _badge_changes(old.badges, new.badges, allowed)
    changes += _numeric_changes(old, new, numeric_threshold, allowed)
    changes += _list_changes(old, new)

    def canonical(c: ClaimChange) -> tuple[int, str, str]:
        return KINDS.index(c.kind), c.key, json.dumps(c.to_dict(), sort_keys=True, ensure_ascii=False)

    # Two identical certificates both removed would share a key: number them so alert ids stay distinct.
    unique: list[ClaimChange] = []
    seen: dict[tuple[str, str], int] = {}
    for c in sorted(changes, key=canonical):
        count = seen[(c.kind, c.key)] = seen.get((c.kind, c.key), 0) + 1
        if count > 1:
            c = ClaimChange(c.kind, c.subject, f"{c.key}#{count}", c.fields, c.severity, c.confirm_needed)
        unique.append(c)
    return sorted(unique, key=lambda c: (-Severity.rank_of(c.severity), KINDS.index(c.kind), c.key))
