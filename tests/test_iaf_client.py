"""IAF CertSearch client against a real local HTTP server implementing the documented API shapes."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from monitor.registries import CompanyQuery, IafApiError, IafCertSearchClient, IafRegistry, holder_key
from scrapers.claims import Certification
from storage import Database, open_database

KEY = "sk-test-SECRET-4f9a8b"
ENV = "IAF_TEST_KEY_VAR"


def certificate(cert_id: str, number: str, standard: str, holder: str, status: str = "active") -> dict[str, Any]:
    return {
        "cert_id": cert_id,
        "accreditation_bodies_name": "CNAS",
        "certification_bodies_name": "China Quality Certification Centre",
        "certification_number": number,
        "certification_status": status,
        "certification_scope": "Weaving of fabrics",
        "certification_standards_scheme": [
            {"standard_name": standard, "scheme_name": "QMS", "is_accredited_mla": True}
        ],
        "certification_main_sites": [],
        "certification_additional_sites": [],
        "certification_sectors": [],
        "certified_entities": [{"ce_id": "ce_1", "certified_entity_name": holder, "country": "China", "addresses": []}],
        "certification_expiry_date": "2027-01-14",
        "updated_at": "2025-10-01T00:00:00Z",
    }


HAOYUE_CERTS = [
    certificate("cert_A", "00124Q31415R2M", "ISO 9001:2015", "Ningbo Haoyue Textile Co., Ltd."),
    certificate("cert_B", "00124E20001R1M", "ISO 14001:2015", "Ningbo Haoyue Textile Co., Ltd.", status="withdrawn"),
]
COMPANIES: dict[str, dict[str, Any]] = {
    holder_key("Ningbo Haoyue Textile Co., Ltd.") or "": {
        "ce_id": "ce_1",
        "certified_entity_name": "Ningbo Haoyue Textile Co., Ltd.",
        "matched_certified_entity_name": "Ningbo Haoyue Textile Co., Ltd.",
        "match_status": "exactly_matched",
        "match_type": "company_name",
        "country": "China",
        "certifications": HAOYUE_CERTS,
    },
    holder_key("Haoyue Trading") or "": {
        "ce_id": "ce_2",
        "certified_entity_name": "Haoyue Trading (Shenzhen) Co., Ltd.",
        "matched_certified_entity_name": "Haoyue Trading (Shenzhen) Co., Ltd.",
        "match_status": "loosely_matched",
        "match_type": "company_name",
        "country": "China",
        "certifications": [certificate("cert_C", "Q-777", "ISO 9001:2015", "Haoyue Trading (Shenzhen) Co., Ltd.")],
    },
    holder_key("Abridged Co") or "": {
        "ce_id": "ce_3",
        "certified_entity_name": "Abridged Co",
        "match_status": "exactly_matched",
        "country": "China",
        "certifications": [{"cert_id": "cert_D", "certification_number": "AB-1"}],
    },
}
CERTS = {c["cert_id"]: c for c in HAOYUE_CERTS} | {"cert_D": certificate("cert_D", "AB-1", "ISO 9001:2015", "Abridged")}


@dataclass
class FakeIaf:
    """State of the fake API: recorded requests and scripted answers (consumed before normal handling)."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[tuple[int, dict[str, str], Any]] = field(default_factory=list)
    hang_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def count(self, path_prefix: str = "/") -> int:
        return sum(1 for r in self.requests if r["path"].startswith(path_prefix))


def problem(status: int, title: str, detail: str, code: str) -> dict[str, Any]:
    return {"type": "string", "title": title, "status": status, "detail": detail, "instance": "/x", "code": code}


def make_handler(state: FakeIaf) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep pytest output clean
            pass

        def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            path = self.path.removeprefix("/api/client/v1")
            with state.lock:
                state.requests.append({"method": method, "path": path, "body": body, "headers": dict(self.headers)})
                scripted = state.script.pop(0) if state.script else None
            if state.hang_seconds:
                time.sleep(state.hang_seconds)
                return
            if self.headers.get("x-http-authorization") != KEY:
                self.reply(401, problem(401, "Unauthorized access.", "Authentication failed.", "unauthorized"))
                return
            if "application/json" not in (self.headers.get("Accept") or ""):
                self.reply(406, problem(406, "Not acceptable.", "Missing Accept header.", "not_acceptable"))
                return
            if scripted is not None:
                self.reply(scripted[0], scripted[2], scripted[1])
                return
            if method == "POST" and path == "/verify-company":
                if not isinstance(body, dict) or not body.get("company_country") or not body.get("company_name"):
                    self.reply(422, problem(422, "Unprocessable entity.", "company_country is required.", "invalid"))
                    return
                company = COMPANIES.get(holder_key(body["company_name"]) or "")
                if company is None:
                    self.reply(404, problem(404, "Not found.", "No matching company.", "not_found"))
                    return
                self.reply(200, {"data": company})
                return
            if method == "GET" and path.startswith("/certificate/"):
                cert = CERTS.get(path.removeprefix("/certificate/"))
                if cert is None:
                    self.reply(404, problem(404, "Not found.", "No certificate.", "not_found"))
                else:
                    self.reply(200, {"data": cert})
                return
            if method == "POST" and path == "/bulk-companies":
                companies = (body or {}).get("companies") or []
                if len(companies) > 100:
                    self.reply(422, problem(422, "Unprocessable entity.", "At most 100 companies.", "invalid"))
                    return
                data = []
                for item in companies:
                    company = COMPANIES.get(holder_key(item.get("company_name")) or "")
                    if company is not None:
                        data.append({"companies_request_index": item["companies_request_index"], **company})
                meta = {"total_pages": 1, "total_rows": len(data), "limit": 100, "offset": 0, "next_key": ""}
                self.reply(200, {"data": data, "meta": meta})
                return
            self.reply(404, problem(404, "Not found.", "No such endpoint.", "not_found"))

        def do_GET(self) -> None:
            self.handle_any("GET")

        def do_POST(self) -> None:
            self.handle_any("POST")

    return Handler


@pytest.fixture
def fake_iaf() -> Iterator[FakeIaf]:
    state = FakeIaf()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/client/v1"
    try:
        yield state
    finally:
        state.hang_seconds = 0
        server.shutdown()
        server.server_close()


@pytest.fixture
def db(tmp_path: Any) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'iaf.db'}")
    try:
        yield database
    finally:
        database.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 11, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def client_for(fake: FakeIaf, db: Database | None = None, **kwargs: Any) -> IafCertSearchClient:
    kwargs.setdefault("sleep", lambda s: None)
    kwargs.setdefault("api_key", KEY)
    return IafCertSearchClient(fake.url, db=db, **kwargs)


def claimed(number: str | None = None, standard: str = "ISO 9001:2015") -> Certification:
    return Certification(name=standard, standard=standard, number=number)


def test_verify_company_sends_documented_request(fake_iaf: FakeIaf) -> None:
    client = client_for(fake_iaf)
    answer = client.verify_company("Ningbo Haoyue Textile Co., Ltd.", "CN", match_rate=90)
    assert answer["data"]["match_status"] == "exactly_matched"
    [request] = fake_iaf.requests
    assert request["method"] == "POST" and request["path"] == "/verify-company"
    assert request["headers"]["x-http-authorization"] == KEY
    assert request["body"] == {
        "company_name": "Ningbo Haoyue Textile Co., Ltd.",
        "company_country": "CN",
        "match_rate": 90,
    }
    assert client.stats.charged == 1


def test_cache_within_ttl_and_refetch_after_expiry(fake_iaf: FakeIaf, db: Database) -> None:
    clock = Clock()
    client = client_for(fake_iaf, db, ttl=timedelta(days=7), clock=clock)
    registry = IafRegistry(client, default_country="CN")
    first = registry.lookup(claimed("00124Q31415R2M"), "Ningbo Haoyue Textile Co., Ltd.")
    assert first.record is not None
    assert fake_iaf.count() == 1
    clock.now += timedelta(days=6)
    # A new client on the same DB: the cache lives in registry_cache, not in the client.
    again = IafRegistry(client_for(fake_iaf, db, clock=clock), default_country="CN")
    assert again.lookup(claimed("00124Q31415R2M"), "Ningbo Haoyue Textile Co., Ltd.").record == first.record
    assert fake_iaf.count() == 1
    clock.now += timedelta(days=2)
    assert registry.lookup(claimed("00124Q31415R2M"), "Ningbo Haoyue Textile Co., Ltd.").record is not None
    assert fake_iaf.count() == 2
    # 404 answers are cached too (free, but still a request against the rate limit).
    assert registry.lookup(claimed("X"), "Nobody Ltd").record is None
    assert registry.lookup(claimed("X"), "Nobody Ltd").record is None
    assert fake_iaf.count() == 3


def test_registry_matches_by_number_and_reports_match_status(fake_iaf: FakeIaf) -> None:
    registry = IafRegistry(client_for(fake_iaf))
    result = registry.lookup(claimed("00124-Q31415-R2M"), "NINGBO HAOYUE TEXTILE CO.,LTD", country="China")
    assert result.error is None and result.record is not None
    rec = result.record
    assert (rec.number, rec.status, rec.standard, rec.edition) == ("00124Q31415R2M", "active", "ISO 9001:2015", "2015")
    assert (rec.holder, rec.certification_body, rec.accreditation_body) == (
        "Ningbo Haoyue Textile Co., Ltd.",
        "China Quality Certification Centre",
        "CNAS",
    )
    assert (
        rec.source == "IAF CertSearch" and rec.valid_until is not None and rec.valid_until.isoformat() == "2027-01-14"
    )
    assert rec.match_status == "exactly_matched" and rec.matched_by == "number"  # type: ignore[attr-defined]
    # No number claimed: an exactly matched company's certificate for the standard.
    env = registry.lookup(claimed(standard="ISO 14001"), "Ningbo Haoyue Textile Co., Ltd.", country="CN").record
    assert env is not None and env.status == "withdrawn" and env.matched_by == "holder"  # type: ignore[attr-defined]
    assert registry.lookup(claimed(standard="ISO 45001"), "Ningbo Haoyue Textile", country="CN").record is None


def test_loosely_matched_company_needs_the_certificate_number(fake_iaf: FakeIaf) -> None:
    registry = IafRegistry(client_for(fake_iaf), default_country="CN")
    assert registry.lookup(claimed(), "Haoyue Trading").record is None
    assert registry.lookup(claimed("Q-999"), "Haoyue Trading").record is None
    tied = registry.lookup(claimed("q777"), "Haoyue Trading").record
    assert tied is not None and tied.match_status == "loosely_matched"  # type: ignore[attr-defined]


def test_abridged_certificate_is_completed_by_cert_id(fake_iaf: FakeIaf) -> None:
    registry = IafRegistry(client_for(fake_iaf), default_country="CN")
    record = registry.lookup(claimed("AB-1"), "Abridged Co").record
    assert record is not None and record.status == "active"
    assert [r["path"] for r in fake_iaf.requests] == ["/verify-company", "/certificate/cert_D"]
    client = client_for(fake_iaf)
    assert client.certificate("cert_A")["data"]["certification_number"] == "00124Q31415R2M"
    assert client.certificate("nope") is None


def test_not_found_is_not_an_error(fake_iaf: FakeIaf) -> None:
    result = IafRegistry(client_for(fake_iaf), default_country="CN").lookup(claimed("1"), "Unknown Widgets Ltd")
    assert result.record is None and result.error is None


def test_missing_inputs_are_errors(fake_iaf: FakeIaf) -> None:
    registry = IafRegistry(client_for(fake_iaf))
    assert "country" in (registry.lookup(claimed("1"), "Ningbo Haoyue Textile").error or "")
    assert "name" in (registry.lookup(claimed("1"), None, country="CN").error or "")
    assert fake_iaf.requests == []


def test_401_and_403_name_the_env_var_and_never_the_key(
    fake_iaf: FakeIaf, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(ENV, "wrong-key-XYZ")
    client = IafCertSearchClient(fake_iaf.url, None, api_key_env=ENV, sleep=lambda s: None)
    result = IafRegistry(client, default_country="CN").lookup(claimed("1"), "Ningbo Haoyue Textile")
    assert result.error is not None and "401" in result.error and ENV in result.error
    assert "wrong-key-XYZ" not in result.error and "wrong-key-XYZ" not in repr(client)
    fake_iaf.script.append((403, {}, problem(403, "Insufficient credit.", "Out of credits.", "insufficient_credit")))
    credit = IafRegistry(client_for(fake_iaf), default_country="CN").lookup(claimed("1"), "Ningbo Haoyue Textile")
    assert credit.error is not None and "insufficient credit" in credit.error
    fake_iaf.script.append((403, {}, problem(403, "Forbidden access.", "No access.", "forbidden")))
    forbidden = IafRegistry(client_for(fake_iaf), default_country="CN").lookup(claimed("1"), "Ningbo Haoyue Textile")
    assert forbidden.error is not None and "403" in forbidden.error and "IAF_CERTSEARCH_API_KEY" in forbidden.error
    monkeypatch.delenv(ENV)
    unset = IafCertSearchClient(fake_iaf.url, None, api_key_env=ENV)
    assert not unset.configured
    with pytest.raises(IafApiError, match=ENV):
        unset.verify_company("A", "CN")
    assert "wrong-key-XYZ" not in caplog.text and KEY not in caplog.text
    assert KEY not in "".join(str(r) for r in (credit.error, forbidden.error))


def test_422_reports_the_api_message(fake_iaf: FakeIaf) -> None:
    result = IafRegistry(client_for(fake_iaf), default_country=" ").lookup(claimed("1"), "Ningbo Haoyue Textile")
    assert result.error is not None and "422" in result.error and "company_country is required" in result.error


def test_429_retries_respecting_retry_after_then_succeeds(fake_iaf: FakeIaf) -> None:
    slept: list[float] = []
    fake_iaf.script += [
        (429, {"Retry-After": "0"}, problem(429, "Too many requests.", "Rate limit exceeded.", "rate_limited")),
        (429, {"Retry-After": "1"}, problem(429, "Too many requests.", "Rate limit exceeded.", "rate_limited")),
    ]
    client = client_for(fake_iaf, sleep=slept.append)
    record = IafRegistry(client, default_country="CN").lookup(claimed("00124Q31415R2M"), "Ningbo Haoyue Textile")
    assert record.error is None and record.record is not None
    assert slept == [0.0, 1.0]
    assert fake_iaf.count() == 3 and client.stats.retries == 2


def test_429_gives_up_after_bounded_retries(fake_iaf: FakeIaf) -> None:
    slept: list[float] = []
    fake_iaf.script += [(429, {"Retry-After": "3600"}, problem(429, "Too many", "Slow down", "rate_limited"))] * 10
    client = client_for(fake_iaf, sleep=slept.append, max_retries=2, max_retry_after=5.0)
    result = IafRegistry(client, default_country="CN").lookup(claimed("1"), "Ningbo Haoyue Textile")
    assert result.record is None and result.error is not None and "429" in result.error
    assert slept == [5.0, 5.0] and fake_iaf.count() == 3


def test_429_with_retry_after_zero_retries_at_once(fake_iaf: FakeIaf) -> None:
    slept: list[float] = []
    fake_iaf.script.append((429, {"Retry-After": "0"}, problem(429, "Too many", "Slow down", "rate_limited")))
    client = IafCertSearchClient(fake_iaf.url, KEY, sleep=slept.append)
    assert client.verify_company("Ningbo Haoyue Textile", "CN") is not None
    assert slept == [0.0] and fake_iaf.count() == 2


def test_timeout_is_an_error(fake_iaf: FakeIaf) -> None:
    fake_iaf.hang_seconds = 2.0
    client = client_for(fake_iaf, timeout=0.3)
    # No clock: without the timeout the lookup would wait out the hang and succeed.
    result = IafRegistry(client, default_country="CN").lookup(claimed("1"), "Ningbo Haoyue Textile")
    assert result.error is not None and "did not answer" in result.error


def test_bulk_splits_at_100_and_caches_per_company(fake_iaf: FakeIaf, db: Database) -> None:
    haoyue = ["Ningbo Haoyue Textile Co., Ltd.", "NINGBO HAOYUE TEXTILE CO.,LTD", "Ningbo Haoyue Textile"]
    names = [haoyue[i // 100] if i % 50 == 0 else f"Unknown {i} Ltd" for i in range(250)]
    queries = [CompanyQuery(n, "CN") for n in names]
    client = client_for(fake_iaf, db)
    answers = client.bulk_companies(queries)
    sizes = [len(r["body"]["companies"]) for r in fake_iaf.requests]
    assert sizes == [100, 100, 48]  # 250 queries, two repeated ones sent once each
    assert all(r["path"] == "/bulk-companies" for r in fake_iaf.requests)
    assert [r["body"]["companies"][0]["companies_request_index"] for r in fake_iaf.requests] == [0, 0, 0]
    assert sum(1 for r in fake_iaf.requests for c in r["body"]["companies"] if c["company_name"] == haoyue[0]) == 1
    assert len(answers) == 250
    assert [i for i, a in enumerate(answers) if a is not None] == [0, 50, 100, 150, 200]
    assert answers[50]["match_status"] == "exactly_matched" and "companies_request_index" not in answers[50]
    assert client.bulk_companies(queries) == answers
    assert fake_iaf.count() == 3
    more = client.bulk_companies([*queries[:10], CompanyQuery("Haoyue Trading", "CN")])
    assert fake_iaf.count() == 4 and len(fake_iaf.requests[-1]["body"]["companies"]) == 1
    assert more[-1]["match_status"] == "loosely_matched"


def test_key_never_in_logs_or_errors(fake_iaf: FakeIaf, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake_iaf.script.append((429, {"Retry-After": "0"}, problem(429, "Too many", "Slow down", "rate_limited")))
    fake_iaf.script.append((422, {}, problem(422, "Invalid", "bad", "invalid")))
    client = client_for(fake_iaf)
    registry = IafRegistry(client, default_country="CN")
    errors = [registry.lookup(claimed("1"), "Ningbo Haoyue Textile").error]
    fake_iaf.hang_seconds = 1.0
    errors.append(IafRegistry(client_for(fake_iaf, timeout=0.2), default_country="CN").lookup(claimed(), "A").error)
    assert all(errors)
    assert KEY not in caplog.text
    assert all(KEY not in e for e in errors if e)
    assert KEY not in repr(client) and KEY not in str(vars(client).get("api_key", ""))
