"""A supplier's own website and a webhook receiver on loopback, for tests that run real checks over plain HTTP.

``SupplierSite`` serves one page whose HTTP status and body the test sets between checks (an ok page, the same
page answered with 503, an error page that still shows the supplier's header...). The page is read by the
generic reader (schema.org JSON-LD), so no browser is needed. ``HookReceiver`` records every JSON body posted.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from monitor.config import Config, load_config

SUPPLIER_ID = "brightwave"
SUPPLIER_NAME = "Ningbo Brightwave Kettles Co., Ltd."
#: Loopback pacing: no delay between fetches, and a block page backs nothing off for long.
POLITENESS = {"min_delay_per_host": "0s", "max_concurrency_per_host": 16, "block_backoff": "0s", "backoff_base": "0s"}
#: A recipient told everything, operators' alerts included (console channel: nothing leaves the machine). A test
#: asserting that no false alert is queued needs one: an alert nobody wants is never queued, whatever happened.
EVERYTHING: dict[str, Any] = {"name": "Everything", "console": True, "operator": True, "min_severity": "info"}


def supplier_page(certificates: int, *, header_only: bool = False, expired: bool = False, first: int = 0) -> str:
    """The supplier's "about us" page with ``certificates`` ISO 9001 certificates numbered from ``first``.

    ``header_only``: what an error page of the same site shows, the supplier's name and nothing else.
    """
    valid = ("2018-02-01", "2021-01-31") if expired else ("2024-02-01", "2030-01-31")
    organization: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "legalName": SUPPLIER_NAME,
        "foundingDate": "2006",
        "address": {"@type": "PostalAddress", "addressCountry": "CN"},
    }
    if not header_only:
        organization["hasCertification"] = [
            {
                "@type": "Certification",
                "name": "ISO 9001:2015",
                "certificationIdentification": f"QMS-{n:04d}",
                "issuedBy": {"@type": "Organization", "name": "Bureau Veritas Certification"},
                "validFrom": valid[0],
                "expires": valid[1],
            }
            for n in range(first, first + certificates)
        ]
    body = "<p>Service temporarily unavailable.</p>" if header_only else "<p>We make kettles.</p>"
    return (
        "<!DOCTYPE html><html><head><title>Brightwave Kettles</title>"
        f'<script type="application/ld+json">{json.dumps(organization)}</script></head>'
        f"<body><header><h1>{SUPPLIER_NAME}</h1></header><main>{body}</main></body></html>"
    )


@dataclass
class Answer:
    status: int
    html: str


class SupplierSite:
    """One page at ``/about``, answered with whatever ``answer`` says now; robots.txt is a 404 (no rules)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/about":
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                site.requests += 1
                answer = site.answer
                body = answer.html.encode("utf-8")
                self.send_response(answer.status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/about"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class HookReceiver:
    """A real webhook endpoint that records every JSON body posted to it."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def site_config(tmp_path: Path, site: SupplierSite, *, recipients: list[dict[str, Any]] = (), **alerts: Any) -> Config:
    """A config watching the site's page over plain HTTP, with the given recipients and [alerts] settings."""
    return load_config(
        tmp_path / "config.toml",
        data={
            "database": {"url": f"sqlite:///{tmp_path / 'monitor.db'}"},
            "fetch": {"method": "http", "timeout": "10s", "allow_private_addresses": True},
            "politeness": POLITENESS,
            "alerts": {"failure_threshold": 3, **alerts},
            "recipients": list(recipients),
            "suppliers": [{"id": SUPPLIER_ID, "name": "Brightwave", "url": site.url}],
        },
    )
