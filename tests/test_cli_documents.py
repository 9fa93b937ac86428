"""``extract`` / ``verify`` with certificate documents, as a user runs them: the real entry point (in this process,
see ``test_cli.cli_here``), real files, a real loopback server, the real reader (text-layer PDFs rendered by
Chromium, so no OCR cost)."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from document_site import DocumentSite, Resource, certificate_html, render_pdfs
from test_cli import LOOPBACK_FETCH, cli_here

SUPPLIER = "Ningbo Brightwave Kettles Co., Ltd."
NUMBER = "QMS-CLI-0042"


def website(links: str = "") -> str:
    """A supplier's own page: ISO 9001:2015 named in JSON-LD, no number, issuer or dates (as most pages show it)."""
    organization = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "legalName": SUPPLIER,
        "hasCertification": [{"@type": "Certification", "name": "ISO 9001:2015"}],
    }
    return (
        f'<!DOCTYPE html><html><head><script type="application/ld+json">{json.dumps(organization)}</script></head>'
        f"<body><h1>{SUPPLIER}</h1><p>We make kettles.</p>{links}</body></html>"
    )


@pytest.fixture(scope="module")
def certificates() -> dict[str, bytes]:
    own, borrowed = render_pdfs(
        [
            certificate_html(html.escape(SUPPLIER), NUMBER, "2027-01-31"),
            certificate_html("Cixi Goldenriver Appliance Co., Ltd.", "QMS-CLI-0777", "2027-01-31"),
        ]
    )
    return {"own": own, "borrowed": borrowed}


@pytest.fixture
def site() -> Iterator[DocumentSite]:
    server = DocumentSite()
    yield server
    server.close()


def test_verify_with_a_local_document_fills_the_listing_and_judges_the_document(
    tmp_path: Path, certificates: dict[str, bytes]
) -> None:
    page = tmp_path / "about.html"
    page.write_text(website(), encoding="utf-8")
    (tmp_path / "own.pdf").write_bytes(certificates["own"])
    (tmp_path / "borrowed.pdf").write_bytes(certificates["borrowed"])

    plain = cli_here("verify", str(page), "--json", "--today", "2026-06-01", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert "MISSING_CERT_NUMBER" in {f["code"] for f in json.loads(plain.stdout)["findings"]}

    own = cli_here("verify", str(page), "--document", "own.pdf", "--json", "--today", "2026-06-01", cwd=tmp_path)
    assert own.returncode == 0, own.stderr
    result = json.loads(own.stdout)
    [cert] = result["claims"]["certifications"]
    assert cert["number"] == NUMBER and "number" in cert["from_document"]
    assert cert["valid_until"] == "2027-01-31"
    [document] = result["claims"]["documents"]
    assert document["label"] == "own.pdf" and document["reading"]["method"] == "text_layer"
    codes = {f["code"]: f["severity"] for f in result["findings"]}
    assert "MISSING_CERT_NUMBER" not in codes and "CERT_HOLDER_MISMATCH" not in codes
    assert "high" not in codes.values() and "critical" not in codes.values()

    # Tied by name on the command line; the holder is another company.
    borrowed = cli_here(
        "verify", str(page), "--document", "ISO 9001:2015=borrowed.pdf", "--json", "--today", "2026-06-01",
        cwd=tmp_path,
    )  # fmt: skip
    assert borrowed.returncode == 0, borrowed.stderr
    findings = json.loads(borrowed.stdout)["findings"]
    [holder] = [f for f in findings if f["code"] == "CERT_HOLDER_MISMATCH"]
    assert holder["severity"] == "high" and "Goldenriver" in holder["evidence"]


def test_bad_local_documents_are_clear_errors(tmp_path: Path) -> None:
    page = tmp_path / "about.html"
    page.write_text(website(), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ISO 9001 certificate, honest", encoding="utf-8")
    missing = cli_here("extract", str(page), "--document", "nowhere.pdf", cwd=tmp_path)
    assert missing.returncode == 2 and "nowhere.pdf: no such file" in missing.stderr
    text = cli_here("extract", str(page), "--document", "notes.txt", cwd=tmp_path)
    assert text.returncode == 2 and "not a PDF or a picture" in text.stderr


def test_extract_documents_fetches_the_linked_certificates_once_with_a_config(
    tmp_path: Path, site: DocumentSite, certificates: dict[str, bytes]
) -> None:
    site.resources["/about"] = Resource(
        website('<h2>Certificates</h2><a href="/files/iso9001.pdf">ISO 9001 certificate</a>').encode(),
        "text/html; charset=utf-8",
    )
    site.resources["/files/iso9001.pdf"] = Resource(certificates["own"], "application/pdf", etag='"v1"')
    # No pause between fetches from the one host (2 s by default, kept across runs in the database): the cache
    # is what is tested here; tests/test_politeness.py tests the pacing.
    (tmp_path / "config.toml").write_text(
        f'{LOOPBACK_FETCH}[politeness]\nmin_delay_per_host = "0s"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "monitor.db"}"\n',
        encoding="utf-8",
    )
    args = ("extract", site.url("/about"), "--method", "http", "--documents", "--json")
    first = cli_here(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    [document] = json.loads(first.stdout)["documents"]
    assert document["reading"]["number"]["value"] == NUMBER
    second = cli_here(*args, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["documents"] == [document]
    # The second run asked conditionally and was told "not modified": the file came once, its reading is kept.
    assert (site.hits["/files/iso9001.pdf"], site.conditional["/files/iso9001.pdf"]) == (2, 1)


def test_extract_documents_without_a_config_refuses_loopback_and_creates_no_database(
    tmp_path: Path, site: DocumentSite, certificates: dict[str, bytes]
) -> None:
    page = tmp_path / "about.html"
    page.write_text(website(f'<a href="{site.url("/files/iso9001.pdf")}">ISO 9001 certificate</a>'), encoding="utf-8")
    site.resources["/files/iso9001.pdf"] = Resource(certificates["own"], "application/pdf")
    result = cli_here("extract", str(page), "--documents", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [document] = json.loads(result.stdout)["documents"]
    assert document["reading"] is None and document["error"].startswith("blocked_address")
    assert site.hits["/files/iso9001.pdf"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["about.html"]
