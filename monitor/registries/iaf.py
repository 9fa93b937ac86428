"""IAF CertSearch Verification Users API client and the Registry adapter built on it.

As documented (shared/domain/cert_rules.md §5): API key in the ``x-http-authorization`` header, JSON bodies,
``POST /verify-company`` (company_name + company_country [+ company_identifiers, match_rate]),
``GET /certificate/{cert_id}``, ``POST /bulk-companies`` (at most 100 companies per request, each with a
``companies_request_index``). Company answers carry ``match_status`` (exactly_matched / loosely_matched) and
a credit is charged only for exact matches; 404 is free. Not documented in our notes, so parsed tolerantly:
whether ``data`` is an object or a list, whether a company's certificates are under ``certifications`` or
``certificates``, and the names of the certificate date fields.

Every answer (200 and 404) is cached in the registry_cache table (or in memory without a database) for a
TTL, because lookups cost credits and the rate limit is unpublished. Errors never raise out of the Registry
adapter: they become ``RegistryLookup.error``. The API key is never logged, printed or put in messages.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from monitor.registries.normalize import holder_key, number_key, standard_key
from monitor.registries.records import CertificateRecord
from monitor.verify.findings import RegistryLookup
from scrapers.claims import Certification
from storage import Database
from storage.registries import cache_get, cache_put

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.iafcertsearch.org/api/client/v1"
DEFAULT_API_KEY_ENV = "IAF_CERTSEARCH_API_KEY"
CACHE_REGISTRY = "iaf-certsearch"
BULK_LIMIT = 100
EXACT = "exactly_matched"
LOOSE = "loosely_matched"
SOURCE = "IAF CertSearch"


class IafApiError(Exception):
    """The API could not answer; ``kind`` is auth, credit, rate_limited, timeout, network, invalid or http."""

    def __init__(self, kind: str, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status_code = status_code


@dataclass(frozen=True)
class CompanyQuery:
    """One company to look up: its name as on the certificate and its country (name, alpha-2 or alpha-3)."""

    name: str
    country: str
    identifiers: dict[str, str | None] | None = None


@dataclass
class ClientStats:
    """Counters for logs and tests: network requests, cache hits, and answers that cost a credit."""

    requests: int = 0
    cache_hits: int = 0
    charged: int = 0
    retries: int = 0


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _company_body(query: CompanyQuery, match_rate: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"company_name": query.name.strip(), "company_country": query.country.strip()}
    if query.identifiers:
        body["company_identifiers"] = dict(query.identifiers)
    if match_rate is not None:
        body["match_rate"] = match_rate
    return body


def _error_detail(response: httpx.Response) -> str:
    """The API's own error text (problem+json detail/title/message), shortened."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300]
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("title", "detail", "message", "error") if body.get(k)]
        errors = body.get("errors")
        if errors:
            parts.append(json.dumps(errors, ensure_ascii=False)[:300])
        if parts:
            return " ".join(parts)[:500]
    return str(body)[:300]


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


class IafCertSearchClient:
    """Synchronous client for the Verification Users API with a TTL cache and bounded 429 retries."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        db: Database | None = None,
        ttl: timedelta = timedelta(days=7),
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        *,
        api_key_env: str = DEFAULT_API_KEY_ENV,
        max_retries: int = 3,
        max_retry_after: float = 30.0,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.api_key_env = api_key_env
        self.__api_key = api_key if api_key is not None else os.environ.get(api_key_env)
        self.db = db
        self.ttl = ttl
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.backoff = backoff
        self._sleep = sleep
        self._clock = clock
        self._memory: dict[str, tuple[datetime, int, Any]] = {}
        self.stats = ClientStats()
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json", "Content-Type": "application/json"},
        )

    def __repr__(self) -> str:  # never show the key
        return f"IafCertSearchClient(base_url={self.base_url!r}, api_key_env={self.api_key_env!r})"

    @property
    def configured(self) -> bool:
        """True when an API key is available."""
        return bool(self.__api_key)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> IafCertSearchClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- cache -------------------------------------------------------------------------------------

    def _cache_key(self, kind: str, method: str, path: str, body: Any) -> str:
        # The base URL is part of the key: answers of a test server never serve production lookups.
        raw = json.dumps([self.base_url, method, path, body], sort_keys=True, ensure_ascii=False)
        return f"{kind}:{hashlib.sha256(raw.encode()).hexdigest()}"

    def _cache_read(self, key: str) -> tuple[int, Any] | None:
        now = self._clock()
        if self.db is not None:
            hit = cache_get(self.db, CACHE_REGISTRY, key, now=now)
            return None if hit is None else (hit.status_code, hit.response)
        entry = self._memory.get(key)
        if entry is None or entry[0] <= now:
            return None
        return entry[1], entry[2]

    def _cache_write(self, key: str, status_code: int, body: Any) -> None:
        now = self._clock()
        if self.db is not None:
            cache_put(self.db, CACHE_REGISTRY, key, status_code, body, fetched_at=now, expires_at=now + self.ttl)
        else:
            self._memory[key] = (now + self.ttl, status_code, body)

    # --- HTTP --------------------------------------------------------------------------------------

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float:
        value = response.headers.get("Retry-After")
        delay: float | None = None
        if value is not None:
            try:
                delay = float(value)
            except ValueError:
                parsed = email.utils.parsedate_to_datetime(value) if value.strip() else None
                if parsed is not None:
                    delay = (parsed - datetime.now(UTC)).total_seconds()
        if delay is None:
            delay = self.backoff * (2**attempt)
        return max(0.0, min(delay, self.max_retry_after))

    def _send(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One logical request: (status, JSON) for 200 and 404; IafApiError for anything else."""
        if not self.__api_key:
            raise IafApiError("auth", f"no IAF CertSearch API key: set the environment variable {self.api_key_env}")
        headers = {"x-http-authorization": self.__api_key}
        for attempt in range(self.max_retries + 1):
            self.stats.requests += 1
            try:
                response = self._http.request(method, path, json=body, headers=headers)
            except httpx.TimeoutException as exc:
                raise IafApiError(
                    "timeout", f"IAF CertSearch did not answer {method} {path} within {self.timeout:g}s"
                ) from exc
            except httpx.HTTPError as exc:
                raise IafApiError("network", f"IAF CertSearch unreachable ({type(exc).__name__})") from exc
            status = response.status_code
            if status == 200:
                try:
                    return status, response.json()
                except ValueError as exc:
                    raise IafApiError("http", f"IAF CertSearch sent invalid JSON for {method} {path}", status) from exc
            if status == 404:
                return status, None
            if status in (429, 500, 502, 503, 504):
                if attempt < self.max_retries:
                    delay = self._retry_delay(response, attempt)
                    self.stats.retries += 1
                    log.info("IAF CertSearch %s on %s %s; retrying in %.1fs", status, method, path, delay)
                    self._sleep(delay)
                    continue
                what = "rate limit exceeded (429)" if status == 429 else f"server error {status}"
                raise IafApiError(
                    "rate_limited" if status == 429 else "http",
                    f"IAF CertSearch {what} on {method} {path}; gave up after {self.max_retries + 1} attempts",
                    status,
                )
            if status == 401:
                raise IafApiError(
                    "auth",
                    f"IAF CertSearch rejected the API key (401): check the environment variable {self.api_key_env}",
                    status,
                )
            if status == 403:
                if _error_code(response) == "insufficient_credit":
                    raise IafApiError(
                        "credit", f"IAF CertSearch: insufficient credit (403): {_error_detail(response)}", status
                    )
                raise IafApiError(
                    "auth",
                    f"IAF CertSearch refused access (403): check the key in {self.api_key_env} and its permissions",
                    status,
                )
            if status == 422:
                raise IafApiError(
                    "invalid", f"IAF CertSearch rejected the request (422): {_error_detail(response)}", status
                )
            raise IafApiError(
                "http", f"IAF CertSearch answered {status} on {method} {path}: {_error_detail(response)}", status
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def _cached(self, kind: str, method: str, path: str, body: Any = None) -> Any:
        """The JSON answer (None for 404) from the cache, else from the API (then cached)."""
        key = self._cache_key(kind, method, path, body)
        hit = self._cache_read(key)
        if hit is not None:
            self.stats.cache_hits += 1
            return hit[1] if hit[0] == 200 else None
        status, data = self._send(method, path, body)
        if status == 200 and any(c.get("match_status") == EXACT for c in companies_of(data)):
            self.stats.charged += 1
        self._cache_write(key, status, data)
        return data

    # --- endpoints ---------------------------------------------------------------------------------

    def verify_company(
        self,
        name: str,
        country: str,
        *,
        identifiers: dict[str, str | None] | None = None,
        match_rate: int | None = None,
    ) -> Any:
        """POST /verify-company: the matched company with its certificates, or None when not found (404)."""
        body = _company_body(CompanyQuery(name, country, identifiers), match_rate)
        return self._cached("verify-company", "POST", "/verify-company", body)

    def certificate(self, cert_id: str) -> Any:
        """GET /certificate/{cert_id} (IAF's certificate id, not the CB's number); None when not found."""
        cert_id = cert_id.strip()
        if not cert_id or "/" in cert_id:
            raise IafApiError("invalid", f"invalid IAF certificate id {cert_id!r}")
        return self._cached("certificate", "GET", f"/certificate/{cert_id}")

    def bulk_companies(self, companies: Sequence[CompanyQuery], *, match_rate: int | None = None) -> list[Any]:
        """POST /bulk-companies in requests of at most 100; one answer per input (None = not found).

        Each company is cached on its own, so only companies not looked up within the TTL are sent.
        """
        results: list[Any] = [None] * len(companies)
        # Identical queries are sent once (each exact match costs a credit); key -> (body, input positions).
        pending: dict[str, tuple[dict[str, Any], list[int]]] = {}
        for i, query in enumerate(companies):
            body = _company_body(query, match_rate)
            key = self._cache_key("bulk-company", "POST", "/bulk-companies", body)
            if key in pending:
                pending[key][1].append(i)
                continue
            hit = self._cache_read(key)
            if hit is not None:
                self.stats.cache_hits += 1
                results[i] = hit[1] if hit[0] == 200 else None
            else:
                pending[key] = (body, [i])
        items = list(pending.items())
        for start in range(0, len(items), BULK_LIMIT):
            chunk = items[start : start + BULK_LIMIT]
            request = {"companies": [{"companies_request_index": n, **body} for n, (_, (body, _)) in enumerate(chunk)]}
            status, data = self._send("POST", "/bulk-companies", request)
            answers: dict[int, Any] = {}
            if status == 200:
                for position, company in enumerate(companies_of(data)):
                    index = company.get("companies_request_index", position)
                    try:
                        answers[int(index)] = {k: v for k, v in company.items() if k != "companies_request_index"}
                    except (TypeError, ValueError):
                        continue
            for n, (key, (_, positions)) in enumerate(chunk):
                company = answers.get(n)
                if company is not None and company.get("match_status") in (None, "", "not_matched", "no_match"):
                    company = company if company_certificates(company) else None
                if company is not None and company.get("match_status") == EXACT:
                    self.stats.charged += 1
                for i in positions:
                    results[i] = company
                self._cache_write(key, 200 if company is not None else 404, company)
        return results


# --- response parsing -------------------------------------------------------------------------------


def companies_of(body: Any) -> list[dict[str, Any]]:
    """Company objects of an answer, whether ``data`` is one object or a list."""
    if not isinstance(body, dict):
        return []
    data = body.get("data", body)
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return [c for c in data if isinstance(c, dict)]
    return []


def company_certificates(company: dict[str, Any]) -> list[dict[str, Any]]:
    certs = company.get("certifications") or company.get("certificates") or []
    return [c for c in certs if isinstance(c, dict)] if isinstance(certs, list) else []


def _first(mapping: dict[str, Any], *names: str) -> Any:
    for name in names:
        value = mapping.get(name)
        if value not in (None, ""):
            return value
    return None


def _date(value: Any) -> date | None:
    if not value:
        return None
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


_EDITION = re.compile(r"[:\-]\s*((?:19|20)\d{2})\s*$")


def _standard(cert: dict[str, Any]) -> tuple[str | None, str | None]:
    schemes = cert.get("certification_standards_scheme") or []
    name = None
    if isinstance(schemes, list) and schemes and isinstance(schemes[0], dict):
        name = _first(schemes[0], "standard_name", "scheme_name")
    name = name or _first(cert, "standard_name", "standard")
    if not name:
        return None, None
    match = _EDITION.search(str(name))
    return str(name), match.group(1) if match else None


def _entity(cert: dict[str, Any], company: dict[str, Any] | None) -> tuple[str | None, str | None]:
    entities = cert.get("certified_entities") or []
    entity = entities[0] if isinstance(entities, list) and entities and isinstance(entities[0], dict) else {}
    company = company or {}
    holder = _first(entity, "certified_entity_name", "certified_entity_english_name") or _first(
        company, "certified_entity_name", "matched_certified_entity_name"
    )
    country = _first(entity, "country") or _first(company, "country", "company_country")
    return holder, country


def certificate_record(cert: dict[str, Any], company: dict[str, Any] | None, matched_by: str) -> CertificateRecord:
    """A CertificateRecord from a documented certificate object (and the company answer it came with)."""
    standard, edition = _standard(cert)
    holder, country = _entity(cert, company)
    return CertificateRecord(
        number=_first(cert, "certification_number"),
        holder=holder,
        standard=standard,
        edition=edition,
        certification_body=_first(cert, "certification_bodies_name"),
        accreditation_body=_first(cert, "accreditation_bodies_name"),
        status=_first(cert, "certification_status"),
        valid_from=_date(_first(cert, "certification_issue_date", "certification_original_issue_date", "issue_date")),
        valid_until=_date(_first(cert, "certification_expiry_date", "expiry_date", "certification_expiration_date")),
        scope=_first(cert, "certification_scope"),
        source=SOURCE,
        matched_by=matched_by,
        match_status=(company or {}).get("match_status"),
        country=country,
        registry_id=_first(cert, "cert_id"),
        extra={"match_type": (company or {}).get("match_type"), "updated_at": cert.get("updated_at")},
    )


@dataclass
class IafRegistry:
    """Registry protocol over IAF CertSearch: supplier name + country -> company -> the claimed certificate.

    The claimed certificate is found by number first (matched_by="number"). Without a number match, a
    certificate for the claimed standard is returned (matched_by="holder") only when the company was
    EXACTLY matched: a loosely matched company (a similar name) is not treated as the supplier unless a
    certificate number ties them together.
    """

    client: IafCertSearchClient
    default_country: str | None = None
    name: str = "iaf"

    def lookup(
        self, certification: Certification, supplier_name: str | None, *, country: str | None = None
    ) -> RegistryLookup:
        """Never raises: API problems come back as RegistryLookup.error."""
        country = country or self.default_country
        if not supplier_name or not holder_key(supplier_name):
            return RegistryLookup(self.name, error="IAF CertSearch lookup needs the supplier's name")
        if not country:
            return RegistryLookup(self.name, error="IAF CertSearch lookup needs the supplier's country")
        try:
            body = self.client.verify_company(supplier_name, country)
            return RegistryLookup(self.name, record=self._match(certification, body))
        except IafApiError as exc:
            return RegistryLookup(self.name, error=str(exc))

    def _match(self, certification: Certification, body: Any) -> CertificateRecord | None:
        claimed_number = number_key(certification.number)
        claimed_standard = standard_key(certification.standard or certification.name)
        companies = companies_of(body)
        if claimed_number:
            for company in companies:
                for cert in company_certificates(company):
                    if number_key(_first(cert, "certification_number")) == claimed_number:
                        return self._complete(cert, company, "number")
        for company in companies:
            if company.get("match_status") != EXACT:
                continue
            for cert in company_certificates(company):
                standard, _ = _standard(cert)
                if claimed_standard is None or standard_key(standard) == claimed_standard:
                    return self._complete(cert, company, "holder")
        return None

    def _complete(self, cert: dict[str, Any], company: dict[str, Any], matched_by: str) -> CertificateRecord:
        """Certificates listed under a company may be abridged; fetch the full one by cert_id then."""
        cert_id = cert.get("cert_id")
        if cert_id and not cert.get("certification_status"):
            full = companies_of(self.client.certificate(str(cert_id)))
            if full:
                cert = {**cert, **full[0]}
        return certificate_record(cert, company, matched_by)


__all__ = [
    "BULK_LIMIT",
    "DEFAULT_API_KEY_ENV",
    "DEFAULT_BASE_URL",
    "ClientStats",
    "CompanyQuery",
    "IafApiError",
    "IafCertSearchClient",
    "IafRegistry",
    "certificate_record",
    "companies_of",
    "company_certificates",
]
