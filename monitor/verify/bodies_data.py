"""The verification rules' own reference data (monitor/verify/data/*.csv), loaded once and matched tolerantly.

Suppliers type body names every which way ("TÜV Rheinland (China) Ltd.", "TUV Rheinland", "SGS-CSTC Standards
Technical Services"), so names are compared as token sequences after folding case, diacritics and punctuation.
Every row keeps a ``source`` so a finding can say where the fact comes from.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

__all__ = [
    "AccreditationBody",
    "BodyListError",
    "CertificationBody",
    "CertificationBodyIndex",
    "WithdrawnEdition",
    "accreditation_bodies",
    "certification_bodies",
    "is_placeholder",
    "load_certification_bodies",
    "name_tokens",
    "resolve_accreditation_body",
    "resolve_certification_body",
    "withdrawn_editions",
]

_NON_WORD = re.compile(r"[\W_]+")
_PLACEHOLDERS = frozenset(
    {"", "na", "n a", "none", "null", "nil", "other", "others", "unknown", "no", "not applicable", "无", "其他", "不详"}
)


class BodyListError(ValueError):
    """An operator's body list cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class CertificationBody:
    name: str
    aliases: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class AccreditationBody:
    acronym: str
    name: str
    aliases: tuple[str, ...]
    country: str
    iaf_mla_status: str  # "yes" | "no" | "unverified"
    source: str


@dataclass(frozen=True)
class WithdrawnEdition:
    standard: str
    edition: str  # a year, or "*" when every edition of the standard is withdrawn
    invalid_after: date
    replaced_by: str
    source: str


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("monitor.verify").joinpath("data", filename).read_text(encoding="utf-8")
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(text.splitlines())]


def _split(aliases: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in aliases.split(";") if a.strip())


@lru_cache(maxsize=8192)
def name_tokens(value: str) -> tuple[str, ...]:
    """Lower-case ASCII-folded word tokens: "TÜV Rheinland (China) Ltd." -> ("tuv", "rheinland", "china", "ltd")."""
    text = unicodedata.normalize("NFKD", value[:300])
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().replace("tuev", "tuv")
    return tuple(t for t in _NON_WORD.split(text) if t)


def is_placeholder(value: str | None) -> bool:
    """True for empty fields and the fillers forms put there ("Other", "N/A", "无")."""
    return value is None or " ".join(name_tokens(value)) in _PLACEHOLDERS


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


@cache
def certification_bodies() -> tuple[CertificationBody, ...]:
    return tuple(
        CertificationBody(r["name"], _split(r["aliases"]), r["source"]) for r in _rows("certification_bodies.csv")
    )


def load_certification_bodies(path: Path) -> tuple[CertificationBody, ...]:
    """An operator's own list of certification bodies (same columns as the bundled one: name, aliases, source).

    The bundled list is short; operators who buy in one region know its legitimate local bodies. A row
    without a source is refused: a finding must be able to say why a body is trusted.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BodyListError(f"{path}: cannot read ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    missing = {"name", "source"} - set(reader.fieldnames or ())
    if missing:
        raise BodyListError(f"{path}: missing column(s) {', '.join(sorted(missing))}; expected name,aliases,source")
    bodies: list[CertificationBody] = []
    for line, row in enumerate(reader, start=2):
        name, source = (row.get("name") or "").strip(), (row.get("source") or "").strip()
        if not name and not source:
            continue
        if not name_tokens(name):
            raise BodyListError(f"{path}, line {line}: the name is empty")
        if not source:
            raise BodyListError(f"{path}, line {line}: {name!r} has no source (say why the body is trusted)")
        bodies.append(CertificationBody(name, _split(row.get("aliases") or ""), source))
    return tuple(bodies)


class CertificationBodyIndex:
    """Resolves issuer strings to bodies, tolerant of case, accents, punctuation and legal suffixes.

    Short acronyms (SGS, BV, UL...) must open the name ("SGS-CSTC Standards..."), so the Dutch company suffix
    "BV" or a "UL" inside a longer name does not count; longer aliases may appear anywhere as whole words.
    """

    def __init__(self, bodies: tuple[CertificationBody, ...]) -> None:
        # Longest aliases first, so "TÜV SÜD" wins over a bare "TÜV".
        keys = [(name_tokens(alias), body) for body in bodies for alias in (body.name, *body.aliases)]
        self._keys = sorted((k for k in keys if k[0]), key=lambda k: -len(" ".join(k[0])))

    def resolve(self, name: str) -> CertificationBody | None:
        tokens = name_tokens(name)
        if not tokens:
            return None
        for alias, body in self._keys:
            if len(alias) == 1 and len(alias[0]) <= 4:
                if tokens[0] == alias[0]:
                    return body
            elif _contains(tokens, alias):
                return body
        return None


@lru_cache(maxsize=16)
def body_index(bodies: tuple[CertificationBody, ...]) -> CertificationBodyIndex:
    """One index per body list (the bundled one, an operator's), built once."""
    return CertificationBodyIndex(bodies)


@lru_cache(maxsize=4096)
def resolve_certification_body(name: str) -> CertificationBody | None:
    """The bundled list's certification body an issuer string names, or None."""
    return body_index(certification_bodies()).resolve(name)


@cache
def accreditation_bodies() -> tuple[AccreditationBody, ...]:
    return tuple(
        AccreditationBody(
            r["acronym"], r["name"], _split(r["aliases"]), r["country"], r["iaf_mla_status"].lower(), r["source"]
        )
        for r in _rows("accreditation_bodies.csv")
    )


@cache
def _accreditation_index() -> tuple[
    dict[tuple[str, ...], AccreditationBody], list[tuple[tuple[str, ...], AccreditationBody]]
]:
    exact: dict[tuple[str, ...], AccreditationBody] = {}
    long_names: list[tuple[tuple[str, ...], AccreditationBody]] = []
    for body in accreditation_bodies():
        short = len(body.acronym) <= 3  # "SA", "NA", "AA": only as written, by the case-sensitive pass below
        for alias in (body.name, *body.aliases) if short else (body.acronym, body.name, *body.aliases):
            exact.setdefault(name_tokens(alias), body)
        for alias in (body.name, *body.aliases):
            if len(name_tokens(alias)) >= 2:
                long_names.append((name_tokens(alias), body))
    return exact, long_names


_RAW_TOKEN = re.compile(r"[A-Za-z][A-Za-z\-]*[A-Za-z]")


@lru_cache(maxsize=4096)
def resolve_accreditation_body(name: str) -> AccreditationBody | None:
    """The accreditation body a field names ("UKAS", "CNAS L1234", "中国合格评定国家认可委员会"), or None.

    Acronyms are matched as whole words with their own capitalisation ("NA" and "SA" are too common otherwise).
    """
    tokens = name_tokens(name)
    if not tokens:
        return None
    exact, long_names = _accreditation_index()
    if tokens in exact:
        return exact[tokens]
    for alias, body in long_names:
        if _contains(tokens, alias):
            return body
    words = set(_RAW_TOKEN.findall(name[:300]))
    for body in accreditation_bodies():
        acronym = body.acronym
        if acronym in words or (len(acronym) >= 4 and acronym.casefold() in tokens):
            return body
    return None


@cache
def withdrawn_editions() -> dict[str, tuple[WithdrawnEdition, ...]]:
    """Dated withdrawals by canonical standard ("ISO 9001" -> its withdrawn editions)."""
    table: dict[str, list[WithdrawnEdition]] = {}
    for r in _rows("withdrawn_editions.csv"):
        entry = WithdrawnEdition(
            r["standard"], r["edition"], date.fromisoformat(r["invalid_after"]), r["replaced_by"], r["source"]
        )
        table.setdefault(entry.standard, []).append(entry)
    return {k: tuple(v) for k, v in table.items()}
