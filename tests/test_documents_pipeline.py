"""Certificate documents in real checks: fetched through the polite fetcher from a loopback site, stored, read by
the real reader once per file (text-layer PDFs rendered by Chromium: no OCR cost), attached to the claims, and a
replaced file told as ``certification_document_changed``. Real SQLite, real HTTP, real Checker."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from document_site import DocumentSite, Resource, certificate_html, render_pdfs
from loopback_site import EVERYTHING

import monitor.documents
from monitor.changes import diff_claims
from monitor.checks import PageOutcome, sync_watch_list
from monitor.config import Config, load_config
from monitor.documents import DocumentCollector
from monitor.engine import check_round
from monitor.fetchers import Fetchers
from scrapers.claims import CertificateDocument, Certification, ClaimsDocument, DocumentReading, Source, Supplier
from scrapers.extract import read_page
from storage import Database, latest_document, list_alerts, open_database

HOLDER = "Ningbo Brightwave Kettles Co., Ltd."
POLITENESS = {"min_delay_per_host": "0s", "max_concurrency_per_host": 16, "block_backoff": "0s", "backoff_base": "0s"}
CAPTCHA = b"<!DOCTYPE html><html><body><h1>Slide to verify you are human</h1>" + b" " * 2000 + b"</body></html>"
ISO = "/files/iso9001.pdf"
CE = "/img/ce-large.png"


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """Two versions of the supplier's ISO 9001 certificate, and an ISO 14001 one (about 30 KB each)."""
    v1, v2, env = render_pdfs(
        [
            certificate_html(HOLDER, "QMS-2024-0001", "2027-01-31"),
            certificate_html(HOLDER, "QMS-2024-0002", "2027-06-30"),
            certificate_html(HOLDER, "EMS-2024-0007", "2027-03-31", standard="ISO 14001:2015"),
        ]
    )
    return {"v1": v1, "v2": v2, "iso14001": env}


@pytest.fixture
def site() -> Iterator[DocumentSite]:
    server = DocumentSite()
    yield server
    server.close()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The media type of every document the real reader was asked to read (the reader itself runs)."""
    real, seen = monitor.documents._read, []
    monkeypatch.setattr(monitor.documents, "_RECENT", OrderedDict())  # nothing remembered from other tests

    def counting(data: bytes, media_type: str, engine_name: str) -> Any:
        seen.append(media_type)
        return real(data, media_type, engine_name)

    monkeypatch.setattr(monitor.documents, "_read", counting)
    return seen


def page(certifications: list[str], documents: list[tuple[str, str]]) -> bytes:
    """The supplier's website: certifications in JSON-LD (names only), certificate links under "Certificates"."""
    organization = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "legalName": HOLDER,
        "foundingDate": "2006",
        "address": {"@type": "PostalAddress", "addressCountry": "CN"},
        "hasCertification": [{"@type": "Certification", "name": name} for name in certifications],
    }
    links = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in documents)
    return (
        "<!DOCTYPE html><html><head><title>Brightwave Kettles</title>"
        f'<script type="application/ld+json">{json.dumps(organization)}</script></head>'
        f"<body><header><h1>{HOLDER}</h1></header><main><p>We make kettles.</p>"
        f'<h2>Certificates</h2><ul class="certs">{links}</ul></main></body></html>'
    ).encode()


def serve_page(site: DocumentSite, certifications: list[str], documents: list[tuple[str, str]]) -> None:
    site.resources["/about"] = Resource(page(certifications, documents), "text/html; charset=utf-8")


def make_config(
    tmp_path: Path,
    site: DocumentSite,
    *,
    private: bool = True,
    affiliates: tuple[str, ...] = (),
    recipients: tuple[dict[str, Any], ...] = (),
    **documents: Any,
) -> Config:
    return load_config(
        tmp_path / "config.toml",
        data={
            "database": {"url": f"sqlite:///{tmp_path / 'monitor.db'}"},
            "fetch": {"method": "http", "timeout": "10s", "allow_private_addresses": private},
            "politeness": POLITENESS,
            "documents": documents,
            "recipients": list(recipients),
            "suppliers": [
                {"id": "brightwave", "name": "Brightwave", "url": site.url("/about"), "affiliates": list(affiliates)}
            ],
        },
    )


def check(config: Config, db: Database) -> PageOutcome:
    [outcome] = asyncio.run(check_round(config, db, config.suppliers))
    assert outcome.status == "ok", outcome.reason
    return outcome


def document(outcome: PageOutcome, path: str) -> CertificateDocument:
    assert outcome.claims is not None
    return next(d for d in outcome.claims.documents if d.url.endswith(path))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_document_is_read_once_across_checks_and_a_replaced_file_is_a_claim_change(
    tmp_path: Path, site: DocumentSite, pdfs: dict[str, bytes], reads: list[str]
) -> None:
    serve_page(site, ["ISO 9001:2015", "BSCI"], [(CE, "CE certificate"), (ISO, "ISO 9001 certificate (PDF)")])
    site.resources[ISO] = Resource(pdfs["v1"], "application/pdf", etag='"v1"')
    site.resources[CE] = Resource(CAPTCHA, "image/png")  # a captcha page behind a picture link
    config = make_config(tmp_path, site, recipients=(EVERYTHING,))  # alerts are queued for recipients only
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)

        first = check(config, db)
        iso = document(first, ISO)
        assert iso.error is None and iso.reading is not None
        assert (iso.reading.method, iso.reading.sha256) == ("text_layer", sha(pdfs["v1"]))
        assert iso.reading.number is not None and iso.reading.number.value == "QMS-2024-0001"
        ce = document(first, CE)
        assert ce.reading is None and ce.error is not None and ce.error.startswith("not_a_document")
        assert reads == ["application/pdf"]
        # The reading fills what the listing left empty, marked as read from the document.
        assert first.claims is not None
        [cert] = [c for c in first.claims.certifications if c.name == "ISO 9001:2015"]
        assert cert.number == "QMS-2024-0001" and "number" in cert.from_document
        stored = latest_document(db, site.url(ISO))
        assert stored is not None and stored.sha256 == sha(pdfs["v1"]) and stored.thumbnail_sha256 is not None

        # Unchanged (the server answers 304): not read again, no new snapshot, no change.
        second = check(config, db)
        assert (site.hits[ISO], site.conditional[ISO]) == (2, 1)
        assert reads == ["application/pdf"]
        assert not second.changed and second.changes == []
        assert document(second, ISO).reading == iso.reading

        # A server without validators that sends the same bytes: the same file by its hash, not read again.
        site.resources[ISO] = Resource(pdfs["v1"], "application/pdf", etag=None)
        third = check(config, db)
        assert site.hits[ISO] == 3 and reads == ["application/pdf"] and not third.changed

        # A removed certification is confirmed by a second page fetch; the document is not fetched again for it.
        serve_page(site, ["ISO 9001:2015"], [(CE, "CE certificate"), (ISO, "ISO 9001 certificate (PDF)")])
        pages, fourth = site.hits["/about"], check(config, db)
        assert site.hits["/about"] == pages + 2 and site.hits[ISO] == 4
        assert [c.kind for c in fourth.changes] == ["certification_removed"]
        assert reads == ["application/pdf"]

        # The certificate replaced by another file: read once, and told as a document change with both files.
        site.resources[ISO] = Resource(pdfs["v2"], "application/pdf", etag='"v2"')
        fifth = check(config, db)
        assert reads == ["application/pdf", "application/pdf"]
        assert document(fifth, ISO).reading.number.value == "QMS-2024-0002"  # type: ignore[union-attr]
        [change] = fifth.changes
        assert change.kind == "certification_document_changed" and change.severity == "medium"
        [entry] = change.fields
        assert (entry["from_sha256"], entry["to_sha256"]) == (sha(pdfs["v1"]), sha(pdfs["v2"]))
        assert entry["from"] == entry["to"] == site.url(ISO)
        alerts = list_alerts(db, "brightwave", limit=None)
        [alert] = [a for a in alerts if a.check_id == fifth.check_id and a.kind == "claim_change"]
        assert alert.payload["details"]["change"] == "certification_document_changed"
        assert "Certificate document replaced" in alert.payload["title"]

        sixth = check(config, db)  # and the new file is not read again
        assert reads == ["application/pdf", "application/pdf"] and not sixth.changed


def test_document_trouble_is_no_claim_change_and_a_flaky_host_keeps_the_last_reading(
    tmp_path: Path, site: DocumentSite, pdfs: dict[str, bytes], reads: list[str]
) -> None:
    serve_page(site, ["ISO 9001:2015"], [(ISO, "ISO 9001 certificate (PDF)")])
    site.resources[ISO] = Resource(pdfs["v1"], "application/pdf", etag='"v1"')
    config = make_config(tmp_path, site)
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        first = check(config, db)
        assert document(first, ISO).reading is not None

        site.resources[ISO] = Resource(b"busy", "text/plain", status=503)
        flaky = check(config, db)
        assert document(flaky, ISO).reading == document(first, ISO).reading and document(flaky, ISO).error is None
        assert flaky.changes == [] and not flaky.changed

        site.resources[ISO] = Resource(b"gone", "text/plain", status=404)
        gone = check(config, db)
        assert (
            document(gone, ISO).reading is None
            and document(gone, ISO).error == f"http_error: {site.url(ISO)}: HTTP 404"
        )
        assert gone.changes == [], "a document that cannot be fetched is no change of the claims"
        assert reads == ["application/pdf"]


def collect(config: Config, claims: ClaimsDocument, run: Any) -> ClaimsDocument:
    """The collector alone on ``claims`` (as a check runs it), with the config's fetchers and database."""

    async def collecting(db: Database) -> ClaimsDocument:
        async with Fetchers(config) as fetchers:
            return await DocumentCollector(config.documents, db, fetchers, supplier_id="brightwave").collect(claims)

    with open_database(config.database.url) as db:
        return run(collecting(db))


def claims_with(site: DocumentSite, documents: list[CertificateDocument]) -> ClaimsDocument:
    return ClaimsDocument(
        source=Source(url=site.url("/about"), platform="website", page_type="unknown"),
        supplier=Supplier(name=HOLDER),
        certifications=[Certification(name="ISO 9001:2015", standard="ISO 9001", edition="2015")],
        documents=documents,
    )


def test_at_most_max_per_check_documents_certified_ones_first(
    tmp_path: Path, site: DocumentSite, pdfs: dict[str, bytes], reads: list[str], run: Any
) -> None:
    untied = ["/files/iso14001.pdf", "/files/iso45001.pdf"]
    site.resources[ISO] = Resource(pdfs["v1"], "application/pdf")
    site.resources[untied[0]] = Resource(pdfs["iso14001"], "application/pdf")
    site.resources[untied[1]] = Resource(pdfs["v2"], "application/pdf")
    documents = [CertificateDocument(url=site.url(path), kind="pdf") for path in untied]
    documents.append(CertificateDocument(url=site.url(ISO), kind="pdf", certification="ISO 9001:2015"))
    documents.append(CertificateDocument(url=site.url(ISO), kind="pdf", label="the same link twice"))

    collected = collect(make_config(tmp_path, site, max_per_check=1), claims_with(site, documents), run)
    *others, tied, again = collected.documents
    assert tied.reading is not None, "the certification's own document goes first"
    assert again.reading == tied.reading and site.hits[ISO] == 1, "one fetch per URL"
    for doc in others:
        assert doc.error is not None and doc.error.startswith("not_fetched: [documents] max_per_check (1)")
    assert [site.hits[path] for path in untied] == [0, 0]
    assert reads == ["application/pdf"]


def test_the_same_file_under_another_url_is_not_read_again(
    tmp_path: Path, site: DocumentSite, pdfs: dict[str, bytes], reads: list[str], run: Any
) -> None:
    site.resources[ISO] = Resource(pdfs["v1"], "application/pdf")
    site.resources["/mirror/cert.pdf"] = Resource(pdfs["v1"], "application/pdf")
    config = make_config(tmp_path, site)
    first = collect(config, claims_with(site, [CertificateDocument(url=site.url(ISO), kind="pdf")]), run)
    mirror = CertificateDocument(url=site.url("/mirror/cert.pdf"), kind="pdf")
    second = collect(config, claims_with(site, [mirror]), run)
    assert second.documents[0].reading == first.documents[0].reading is not None
    assert site.hits["/mirror/cert.pdf"] == 1 and reads == ["application/pdf"]


def test_size_limits_per_document_and_per_check(
    tmp_path: Path, site: DocumentSite, pdfs: dict[str, bytes], reads: list[str]
) -> None:
    serve_page(
        site, ["ISO 9001:2015"], [(ISO, "ISO 9001 certificate"), ("/files/iso14001.pdf", "ISO 14001 certificate")]
    )
    site.resources[ISO] = Resource(pdfs["v1"], "application/pdf")
    site.resources["/files/iso14001.pdf"] = Resource(pdfs["iso14001"], "application/pdf")
    one_document_mb = len(pdfs["v1"]) / 1024 / 1024

    small = make_config(tmp_path / "small", site, max_document_mb=one_document_mb / 2)
    with open_database(small.database.url) as db:
        sync_watch_list(db, small)
        outcome = check(small, db)
    assert all(d.error is not None and d.error.startswith("too_large") for d in outcome.claims.documents)  # type: ignore[union-attr]

    # Room for one document in the check: the first is read, the second is refused with what was left.
    budget = make_config(tmp_path / "budget", site, max_mb_per_check=one_document_mb * 1.5)
    with open_database(budget.database.url) as db:
        sync_watch_list(db, budget)
        outcome = check(budget, db)
    assert document(outcome, ISO).reading is not None
    error = document(outcome, "/files/iso14001.pdf").error
    assert error is not None and error.startswith("too_large") and "max_mb_per_check" in error
    assert reads == ["application/pdf"]


def test_documents_on_addresses_the_policy_refuses_are_not_fetched(
    tmp_path: Path, site: DocumentSite, pdfs: dict[str, bytes], run: Any
) -> None:
    site.resources[ISO] = Resource(pdfs["v1"], "application/pdf")
    tied = CertificateDocument(url=site.url(ISO), kind="pdf", certification="ISO 9001:2015")
    config = make_config(tmp_path, site, private=False)
    [doc] = collect(config, claims_with(site, [tied]), run).documents
    assert doc.reading is None and doc.error is not None and doc.error.startswith("blocked_address")
    assert site.hits[ISO] == 0


def test_read_false_fetches_no_document(tmp_path: Path, site: DocumentSite, pdfs: dict[str, bytes]) -> None:
    serve_page(site, ["ISO 9001:2015"], [(ISO, "ISO 9001 certificate (PDF)")])
    site.resources[ISO] = Resource(pdfs["v1"], "application/pdf")
    config = make_config(tmp_path, site, read=False)
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        outcome = check(config, db)
    assert document(outcome, ISO).reading is None and document(outcome, ISO).error is None
    assert site.hits[ISO] == 0


def test_a_group_companys_certificate_is_info_for_a_supplier_with_that_affiliate(
    tmp_path: Path, site: DocumentSite
) -> None:
    group = "Brightwave Holding Group Co., Ltd."
    [borrowed] = render_pdfs([certificate_html(group, "QMS-2024-0009", "2027-01-31")])
    serve_page(site, ["ISO 9001:2015"], [(ISO, "ISO 9001 certificate (PDF)")])
    site.resources[ISO] = Resource(borrowed, "application/pdf")
    severities = {}
    for name, affiliates in (("stranger", ()), ("affiliate", (group,))):
        config = make_config(tmp_path / name, site, affiliates=affiliates)
        with open_database(config.database.url) as db:
            sync_watch_list(db, config)
            outcome = check(config, db)
        severities[name] = {f.severity for f in outcome.findings if f.code == "CERT_HOLDER_MISMATCH"}
    assert severities == {"stranger": {"high"}, "affiliate": {"info"}}


def test_readings_and_document_errors_alone_are_no_claim_changes() -> None:
    """What was read (and what it filled) differs between two fetches; the listing did not change."""
    html = page(["ISO 9001:2015"], [(ISO, "ISO 9001 certificate (PDF)")]).decode()
    listing = read_page(html, "https://brightwave.example/about").claims
    assert listing is not None
    reading = DocumentReading(sha256="a" * 64, media_type="application/pdf", method="text_layer")
    read = listing.model_copy(deep=True)
    read.documents[0].reading = reading
    read.certifications[0].number = "QMS-2024-0001"
    read.certifications[0].from_document = {"number": 0.95}
    failed = listing.model_copy(deep=True)
    failed.documents[0].error = "timeout: no answer"
    assert diff_claims(read, failed) == [] and diff_claims(failed, read) == [] and diff_claims(listing, read) == []
    other = read.model_copy(deep=True)
    other.documents[0].reading = reading.model_copy(update={"sha256": "b" * 64})
    assert [c.kind for c in diff_claims(read, other)] == ["certification_document_changed"]
