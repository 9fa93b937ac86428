"""Certificate documents on the dashboard, after a REAL check: the supplier page shows each certificate's document
(thumbnail, fields read with their confidence, the text on demand) beside the claim, escapes what the document
says, and serves the stored file and its thumbnail from the evidence routes only."""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomlkit
from document_site import DocumentSite, Resource, certificate_html, render_pdfs
from fastapi.testclient import TestClient

from monitor.checks import sync_watch_list
from monitor.config import Config, load_config
from monitor.engine import check_round
from monitor.web.app import create_app
from monitor.web.security import Credentials
from scrapers.documents.sniff import sniff
from storage import list_snapshots, open_database

LOOPBACK = "http://127.0.0.1"
SUPPLIER = "Ningbo Brightwave Kettles Co., Ltd."
#: The certificate names another company, whose name is hostile: every place that shows it must escape it.
HOSTILE_HOLDER = 'Evil <script>alert("doc")</script> Trading Co., Ltd.'
NUMBER = "QMS-WEB-0001"


def _page() -> bytes:
    organization = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "legalName": SUPPLIER,
        "hasCertification": [{"@type": "Certification", "name": "ISO 9001:2015"}],
    }
    return (
        "<!DOCTYPE html><html><head><title>Brightwave</title>"
        f'<script type="application/ld+json">{json.dumps(organization)}</script></head>'
        f"<body><h1>{SUPPLIER}</h1><h2>Certificates</h2>"
        '<ul><li><a href="/files/iso9001.pdf">ISO 9001 certificate (PDF)</a></li></ul></body></html>'
    ).encode()


@pytest.fixture(scope="module")
def certificates() -> list[bytes]:
    """The certificate the page links, and the file that replaces it later (another number)."""
    return render_pdfs(
        [
            certificate_html(html.escape(HOSTILE_HOLDER), NUMBER, "2027-01-31"),
            certificate_html(html.escape(HOSTILE_HOLDER), "QMS-WEB-0002", "2027-06-30"),
        ]
    )


@pytest.fixture
def certificate(certificates: list[bytes]) -> bytes:
    return certificates[0]


@dataclass
class Monitored:
    site: DocumentSite
    config: Config
    client: TestClient

    def check(self) -> None:
        with open_database(self.config.database.url) as db:
            sync_watch_list(db, self.config)
            [outcome] = asyncio.run(check_round(self.config, db, self.config.suppliers))
        assert outcome.status == "ok", outcome.reason


@contextmanager
def monitor_site(directory: Path, certificate: bytes) -> Iterator[Monitored]:
    """The supplier's page and certificate on a loopback site, checked once for real, and the dashboard over it."""
    site = DocumentSite()
    site.resources["/about"] = Resource(_page(), "text/html; charset=utf-8")
    site.resources["/files/iso9001.pdf"] = Resource(certificate, "application/pdf", etag='"v1"')
    data = {
        "database": {"url": f"sqlite:///{directory / 'monitor.db'}"},
        "fetch": {"method": "http", "timeout": "10s", "allow_private_addresses": True},
        "politeness": {"min_delay_per_host": "0s", "block_backoff": "0s"},
        "suppliers": [{"id": "brightwave", "name": "Brightwave", "url": site.url("/about")}],
    }
    config_path = directory / "config.toml"
    config_path.write_text(tomlkit.dumps(data), encoding="utf-8")
    try:
        with TestClient(create_app(config_path, credentials=Credentials()), base_url=LOOPBACK) as client:
            monitored = Monitored(site, load_config(config_path), client)
            monitored.check()
            yield monitored
    finally:
        site.close()


@pytest.fixture(scope="module")
def monitored(tmp_path_factory: pytest.TempPathFactory, certificates: list[bytes]) -> Iterator[Monitored]:
    """Checked once for the module's tests that only read the dashboard (a test that checks again: ``own``)."""
    with monitor_site(tmp_path_factory.mktemp("webdocs"), certificates[0]) as monitored:
        yield monitored


@pytest.fixture
def own(tmp_path: Path, certificate: bytes) -> Iterator[Monitored]:
    """This test's own site, database and dashboard, to change and check again."""
    with monitor_site(tmp_path, certificate) as monitored:
        yield monitored


@pytest.fixture
def client(monitored: Monitored) -> TestClient:
    return monitored.client


def test_supplier_page_shows_the_document_beside_its_claim_and_escapes_what_it_says(
    client: TestClient, certificate: bytes
) -> None:
    digest = hashlib.sha256(certificate).hexdigest()
    body = client.get("/suppliers/brightwave").text
    # The document, its thumbnail and the fields read from it, next to the ISO 9001 claim.
    assert f'href="/evidence/documents/{digest}"' in body
    assert f'src="/evidence/documents/{digest}/thumbnail.png"' in body
    assert NUMBER in body and "read from the document" in body  # the listing's empty number, filled
    assert "Text read from the document" in body
    # The holder is another company: the finding is shown, and the hostile name is text, never markup.
    assert "CERT_HOLDER_MISMATCH" in body
    assert '<script>alert("doc")' not in body
    assert "&lt;script&gt;alert(" in body


def test_evidence_routes_serve_the_stored_document_and_its_thumbnail(client: TestClient, certificate: bytes) -> None:
    digest = hashlib.sha256(certificate).hexdigest()
    pdf = client.get(f"/evidence/documents/{digest}")
    assert pdf.status_code == 200 and pdf.content == certificate
    assert pdf.headers["content-type"] == "application/pdf"
    # A PDF is downloaded, never rendered in the dashboard's origin.
    assert pdf.headers["content-disposition"].startswith("attachment")
    assert pdf.headers["x-content-type-options"] == "nosniff"
    thumbnail = client.get(f"/evidence/documents/{digest}/thumbnail.png")
    assert thumbnail.status_code == 200 and sniff(thumbnail.content) == "image/png"
    assert thumbnail.headers["content-type"] == "image/png"


def test_evidence_routes_refuse_unknown_and_malformed_hashes(client: TestClient) -> None:
    assert client.get(f"/evidence/documents/{'0' * 64}").status_code == 404
    assert client.get(f"/evidence/documents/{'0' * 64}/thumbnail.png").status_code == 404
    assert client.get("/evidence/documents/..%2f..%2fetc%2fpasswd").status_code in (404, 422)
    assert client.get(f"/evidence/documents/{'A' * 64}").status_code in (404, 422)


def test_a_replaced_document_shows_both_files_on_the_diff_page(own: Monitored, certificates: list[bytes]) -> None:
    monitored = own
    monitored.site.resources["/files/iso9001.pdf"] = Resource(certificates[1], "application/pdf", etag='"v2"')
    monitored.check()
    with open_database(monitored.config.database.url) as db:
        newer, older = list_snapshots(db, "brightwave")[:2]
    body = monitored.client.get(f"/suppliers/brightwave/diff?a={older.id}&b={newer.id}").text
    assert "certification document changed" in body
    for data in certificates:
        assert f'src="/evidence/documents/{hashlib.sha256(data).hexdigest()}/thumbnail.png"' in body
