"""A loopback web server for certificate documents that counts requests and answers ETag / 304, and text-layer
certificate PDFs rendered with the real Chromium (read by the real reader without OCR, so tests stay fast)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Resource:
    """What one path answers: ``etag`` None means the server sends none (and never answers 304)."""

    body: bytes
    content_type: str = "application/octet-stream"
    etag: str | None = None
    status: int = 200
    #: Content-Length announced; None: the real length; -1: none at all (the body ends when the connection closes).
    length: int | None = None


class DocumentSite:
    """Paths set by the test (``site.resources["/x.pdf"] = Resource(...)``); robots.txt is a 404 (no rules).

    ``hits`` counts GETs per path; ``conditional`` counts those that carried If-None-Match or If-Modified-Since.
    """

    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.hits: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.user_agents: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                resource = site.resources.get(self.path)
                if resource is None:
                    self._answer(404, b"", "text/plain")
                    return
                site.hits[self.path] += 1
                site.user_agents.append(self.headers.get("User-Agent", ""))
                if self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"):
                    site.conditional[self.path] += 1
                if resource.etag is not None and self.headers.get("If-None-Match") == resource.etag:
                    self._answer(304, b"", None, etag=resource.etag)
                    return
                self._answer(resource.status, resource.body, resource.content_type, etag=resource.etag,
                             length=resource.length)  # fmt: skip

            def _answer(
                self, status: int, body: bytes, content_type: str | None, *, etag: str | None = None,
                length: int | None = None,
            ) -> None:  # fmt: skip
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                if etag:
                    self.send_header("ETag", etag)
                if status != 304 and length != -1:
                    self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (too large, not a document): what the test wants

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def certificate_html(holder: str, number: str, valid_until: str, standard: str = "ISO 9001:2015") -> str:
    """A plain English certificate page: what a certification body's PDF prints."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
    body {{ font-family: serif; margin: 60px; text-align: center; }} h1 {{ font-size: 40px; }}
    p {{ font-size: 18px; margin: 14px; }}</style></head><body>
    <h1>CERTIFICATE</h1>
    <p>Bureau Veritas Certification</p>
    <p>This is to certify that the management system of</p>
    <p><b>{holder}</b></p>
    <p>No. 88 Binhai Road, Cixi, Zhejiang, China</p>
    <p>has been assessed and found to conform to the requirements of</p>
    <p><b>{standard}</b></p>
    <p>Scope: Design and manufacture of electric kettles</p>
    <p>Certificate No.: {number}</p>
    <p>Issue date: 2024-02-01</p>
    <p>Valid until: {valid_until}</p>
    <p>Accredited by UKAS</p>
    </body></html>"""


def render_pdfs(pages: list[str]) -> list[bytes]:
    """Each HTML page printed to a PDF (with its text layer) by the real Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            pdfs = []
            for html in pages:
                page.set_content(html)
                pdfs.append(page.pdf(format="A4"))
            return pdfs
        finally:
            browser.close()
