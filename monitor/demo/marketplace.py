"""A local synthetic marketplace (Alibaba.com-like, plus one supplier each on Made-in-China.com, Global
Sources, IndiaMART and 1688, and one supplier's own website) for demos, tests and benchmarks.

Serves invented supplier pages in the four real Alibaba.com page families, a Made-in-China.com company page,
a Global Sources company profile, an IndiaMART About Us page, a 1688 公司档案 page and a company website's
About us page from a stdlib ``ThreadingHTTPServer`` bound to 127.0.0.1, so the monitor can be exercised with
real Chromium and with plain HTTP without touching the real sites. The suppliers and the round table are data
in ``monitor/demo/data/``, read by ``monitor.demo.scenario``.

URL scheme (``<id>`` is a supplier id such as ``hengtai-machinery``):

=========================================  ================================================================
``GET /``                                  human-readable index of the suppliers
``GET /store/<id>/company_profile.html``   company profile (families shopbizdata, cpmodules, legacy; the
                                           detaildata suppliers get a shopbizdata profile here, which is
                                           where their ``companyProfileUrl`` points)
``GET /product-detail/<id>.html``          product detail page (family detaildata)
``GET /showroom/<id>/company-info.html``   Made-in-China.com showroom company page (family mic_company)
``GET /gs/<id>/company-profile.htm``       Global Sources company profile (family gs_company)
``GET /im/<id>/aboutus.html``              IndiaMART About Us page (family indiamart_company)
``GET /1688/<id>/page/creditdetail.htm``   1688 公司档案 page (family 1688_shop)
``GET /sites/<id>/about-us.html``          a supplier's own website, About us (family own_website)
``GET /sites/<id>/files/<name>.pdf``       that website's certificate PDF (``monitor/demo/files/<id>/``)
``GET /files/<id>/<name>.<pdf|png|jpg>``   a supplier's certificate picture or PDF (``monitor/demo/files/<id>/``)
``GET /error.html``                        "store does not exist" page (200), target of missing-store 302s
``GET /robots.txt``                        allow all by default (``robots_txt`` argument)
``GET /AWSC/...js``, ``/sd/...js``         empty anti-bot loader stand-ins referenced by every normal page
``GET /static/img/<name>.png``             a 1x1 PNG (certificate photos, logos)
``GET /__scenario``                        JSON ``{"round": n, "suppliers": [{id, name, url, family,
                                           platform}]}``
``POST /__scenario/round``                 set the round: ``n=2`` as query, form body, JSON ``{"n": 2}`` or
                                           a bare number body; answers ``{"round": n}``
``POST /__scenario/glitch``                ``store=<id>&kind=<glitch>`` (repeatable kind): the store's next
                                           requests misbehave once each (captcha, missing_redirect,
                                           missing_empty, drop_certificate, server_error,
                                           new_layout)
=========================================  ================================================================

Depending on the round a store answers with its page, the captcha page (HTTP 200, same URL), a 302 to
``/error.html`` or an empty 200 page. Unknown store ids get the 302; a known supplier asked for at another
family's path (an Alibaba store under ``/showroom/``, the showroom under ``/store/``) gets a 404. The block and
missing pages are the Alibaba-style ones for every supplier (the scenario sends none to the other platforms;
glitches can). ``delay_ms`` sleeps in the request's own thread before answering (not for ``/__scenario``), so
concurrent requests are still served in parallel.

Run standalone: ``python -m monitor.demo.marketplace --port 8765 [--delay-ms 300] [--round N]``.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from monitor.demo.pages import render_supplier
from monitor.demo.pages.blocks import (
    ERROR_PATH,
    captcha_page,
    empty_store_page,
    error_page,
    index_page,
    not_found_page,
)
from monitor.demo.scenario import Family, Scenario, demo_suppliers

__all__ = ["DEFAULT_ROBOTS_TXT", "DemoMarketplace", "RequestStats", "demo_suppliers", "main"]

DEFAULT_ROBOTS_TXT = "User-agent: *\nAllow: /\n"

_PROFILE_RE = re.compile(r"^/store/([A-Za-z0-9_-]+)/company_profile\.html$")
_PRODUCT_RE = re.compile(r"^/product-detail/([A-Za-z0-9_-]+)\.html$")
_SHOWROOM_RE = re.compile(r"^/showroom/([A-Za-z0-9_-]+)/company-info\.html$")
_GS_RE = re.compile(r"^/gs/([A-Za-z0-9_-]+)/company-profile\.htm$")
_INDIAMART_RE = re.compile(r"^/im/([A-Za-z0-9_-]+)/aboutus\.html$")
_1688_RE = re.compile(r"^/1688/([A-Za-z0-9_-]+)/page/creditdetail\.htm$")
_WEBSITE_RE = re.compile(r"^/sites/([A-Za-z0-9_-]+)/about-us\.html$")
#: Both parts are plain names (no dots, no slashes), so a request cannot leave ``monitor/demo/files/``.
_WEBSITE_FILE_RE = re.compile(r"^/sites/([A-Za-z0-9_-]+)/files/([A-Za-z0-9_-]+)\.pdf$")
#: Certificate files of any supplier (``/files/<supplier>/<name>.<ext>``): plain names again, three file types.
_SUPPLIER_FILE_RE = re.compile(r"^/files/([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)\.(pdf|png|jpg)$")
_FILE_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
_PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
_HTML = "text/html; charset=utf-8"

#: Which kind of store path was asked for; each family is served at its own kind (detaildata at both of
#: "product" and "profile": its product page links to a profile).
PathKind = Literal["profile", "product", "showroom", "global_sources", "indiamart", "1688", "website"]
_FAMILY_PATHS: dict[Family, tuple[PathKind, ...]] = {
    "shopbizdata": ("profile",),
    "detaildata": ("product", "profile"),
    "cpmodules": ("profile",),
    "legacy": ("profile",),
    "mic_company": ("showroom",),
    "gs_company": ("global_sources",),
    "indiamart_company": ("indiamart",),
    "1688_shop": ("1688",),
    "own_website": ("website",),
}
_STORE_ROUTES: tuple[tuple[re.Pattern[str], PathKind], ...] = (
    (_PROFILE_RE, "profile"),
    (_PRODUCT_RE, "product"),
    (_SHOWROOM_RE, "showroom"),
    (_GS_RE, "global_sources"),
    (_INDIAMART_RE, "indiamart"),
    (_1688_RE, "1688"),
    (_WEBSITE_RE, "website"),
)

Glitch = Literal["captcha", "missing_redirect", "missing_empty", "drop_certificate", "server_error", "new_layout"]
GLITCHES: tuple[str, ...] = (
    "captcha",
    "missing_redirect",
    "missing_empty",
    "drop_certificate",
    "server_error",
    "new_layout",
)


@dataclass
class Response:
    """What a route produced; the handler turns it into bytes on the wire."""

    status: int
    body: bytes = b""
    content_type: str = _HTML
    headers: tuple[tuple[str, str], ...] = ()


class RequestStats:
    """Counts requests and the peak number handled at once, so tests can prove real concurrency."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.total = 0

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.total += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def reset(self) -> None:
        with self._lock:
            self.max_in_flight = self.in_flight
            self.total = 0


class _Handler(BaseHTTPRequestHandler):
    """Routes one request; all state lives on the owning ``DemoMarketplace``."""

    protocol_version = "HTTP/1.1"
    server_version = "DemoMarketplace/1.0"
    #: TCP_NODELAY, as real web servers set it: the headers and the body go out in two writes, and with Nagle's
    #: algorithm the body would wait for the client's delayed ACK of the headers (up to 40 ms on Linux).
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        app = self.server.app
        app.stats.enter()
        try:
            try:
                response = app.handle(method, self.path, self._read_body(), self.headers.get("Content-Type", ""))
            except Exception as exc:  # a bug in a renderer must not kill the demo server
                response = Response(500, f"internal error: {exc!r}".encode(), "text/plain; charset=utf-8")
            self._send(response, with_body=method != "HEAD")
        finally:
            app.stats.leave()

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, response: Response, *, with_body: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if with_body and response.body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.app.verbose:
            super().log_message(format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: DemoMarketplace) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that closes a connection mid-response (page closed, request aborted, recycled) is
        # normal traffic, not a server error worth a traceback in the demo's output.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class DemoMarketplace:
    """The demo marketplace server: ``start()``/``stop()`` or use it as a context manager.

    ``port=0`` picks a free ephemeral port; read the address from ``base_url`` after ``start()``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        delay_ms: int = 0,
        scenario: Scenario | None = None,
        robots_txt: str = DEFAULT_ROBOTS_TXT,
        verbose: bool = False,
    ) -> None:
        if delay_ms < 0:
            raise ValueError("delay_ms must be >= 0")
        self.host = host
        self.port = port
        self.delay_ms = delay_ms
        self.scenario = scenario or Scenario()
        self.robots_txt = robots_txt
        self.verbose = verbose
        self.stats = RequestStats()
        self._glitches: dict[str, list[Glitch]] = {}
        self._glitch_lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------------------

    def start(self) -> DemoMarketplace:
        if self._httpd is not None:
            return self
        self._httpd = _Server((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-marketplace", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> DemoMarketplace:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the marketplace is not running; call start() first")
        return f"http://{self.host}:{self.port}"

    # -- scenario -------------------------------------------------------------------------------------------

    @property
    def round(self) -> int:
        return self.scenario.round

    def set_round(self, n: int) -> None:
        self.scenario.round = n

    def glitch(self, store_id: str, *glitches: Glitch) -> None:
        """Make the store's next requests misbehave once each, in order, whatever the round says.

        For flapping pages (``drop_certificate`` once, then the real page again) and transient failures.
        """
        for kind in glitches:
            if kind not in GLITCHES:
                raise ValueError(f"unknown glitch {kind!r}; known: {', '.join(GLITCHES)}")
        with self._glitch_lock:
            self._glitches.setdefault(store_id, []).extend(glitches)

    def _next_glitch(self, store_id: str) -> Glitch | None:
        with self._glitch_lock:
            queue = self._glitches.get(store_id)
            return queue.pop(0) if queue else None

    def suppliers(self) -> list[dict[str, object]]:
        """The monitor's watch list for this running server (see ``demo_suppliers``)."""
        return demo_suppliers(self.base_url)

    # -- routing --------------------------------------------------------------------------------------------

    def handle(self, method: str, raw_path: str, body: bytes = b"", content_type: str = "") -> Response:
        """Answer one request (public so it can be unit-tested without sockets)."""
        url = urlsplit(raw_path)
        path = url.path
        if path.startswith("/__scenario"):
            return self._control(method, path, url.query, body, content_type)
        if self.delay_ms:
            time.sleep(self.delay_ms / 1000)
        if method == "POST":
            return Response(405, b"method not allowed", "text/plain; charset=utf-8", (("Allow", "GET, HEAD"),))
        if path == "/":
            listing = self.scenario.listing(self.base_url)
            return _html(200, index_page(listing["suppliers"], self.scenario.round))  # type: ignore[arg-type]
        if path == "/robots.txt":
            return Response(200, self.robots_txt.encode(), "text/plain; charset=utf-8")
        if path == ERROR_PATH:
            return _html(200, error_page())
        if path.endswith(".js") and (path.startswith("/AWSC/") or path.startswith("/sd/")):
            return Response(200, b"", "application/javascript; charset=utf-8")
        if path.startswith("/static/img/") and path.endswith(".png"):
            return Response(200, _PNG_1X1, "image/png")
        for pattern, kind in _STORE_ROUTES:
            if m := pattern.match(path):
                return self._store(m.group(1), raw_path, kind)
        if m := _WEBSITE_FILE_RE.match(path):
            return self._website_file(m.group(1), m.group(2), raw_path)
        if m := _SUPPLIER_FILE_RE.match(path):
            return self._supplier_file(m.group(1), f"{m.group(2)}.{m.group(3)}", raw_path)
        return _html(404, not_found_page(path))

    def _supplier_file(self, supplier_id: str, file_name: str, raw_path: str) -> Response:
        """A certificate picture or PDF a supplier's page shows, from ``monitor/demo/files/<supplier>/``."""
        document = resources.files("monitor.demo").joinpath("files", supplier_id, file_name)
        if not self.scenario.has_supplier(supplier_id) or not document.is_file():
            return _html(404, not_found_page(raw_path))
        return Response(200, document.read_bytes(), _FILE_TYPES[file_name.rsplit(".", 1)[1]])

    def _website_file(self, site_id: str, name: str, raw_path: str) -> Response:
        """A document a supplier's own website links (its certificate PDF), from ``monitor/demo/files/``."""
        known = self.scenario.has_supplier(site_id) and self.scenario.supplier(site_id).family == "own_website"
        document = resources.files("monitor.demo").joinpath("files", site_id, f"{name}.pdf")
        if not known or not document.is_file():
            return _html(404, not_found_page(raw_path))
        return Response(200, document.read_bytes(), "application/pdf")

    def _store(self, store_id: str, raw_path: str, kind: PathKind) -> Response:
        known = self.scenario.has_supplier(store_id)
        if known and kind not in _FAMILY_PATHS[self.scenario.supplier(store_id).family]:
            return _html(404, not_found_page(raw_path))
        glitch = self._next_glitch(store_id) if known else None
        if glitch == "server_error":
            return _html(503, "<html><body><h1>Service temporarily unavailable</h1></body></html>")
        if glitch == "new_layout":
            return _html(200, _new_layout_page(self.scenario.supplier(store_id).name))
        availability = glitch if glitch in ("captcha", "missing_redirect", "missing_empty") else None
        availability = availability or self.scenario.availability(store_id)
        if availability == "captcha":
            return _html(200, captcha_page(raw_path, f"{self.host}:{self.port}"))
        if availability == "missing_redirect":
            location = self.base_url + ERROR_PATH
            return Response(302, b"", _HTML, (("Location", location),))
        if availability == "missing_empty":
            return _html(200, empty_store_page(store_id))
        supplier = self.scenario.supplier(store_id)
        if glitch == "drop_certificate" and supplier.certificates:
            supplier.certificates = supplier.certificates[1:]
        family = supplier.family
        if family == "detaildata" and kind == "profile":
            family = "shopbizdata"
        return _html(200, render_supplier(supplier, self.base_url, family))

    def _control(self, method: str, path: str, query: str, body: bytes, content_type: str) -> Response:
        if path == "/__scenario" and method in ("GET", "HEAD"):
            return _json(200, self.scenario.listing(self.base_url))
        if path == "/__scenario/round":
            if method in ("GET", "HEAD"):
                return _json(200, {"round": self.scenario.round})
            if method == "POST":
                try:
                    n = _round_from(query, body, content_type)
                    self.scenario.round = n
                except ValueError as exc:
                    return _json(400, {"error": str(exc)})
                return _json(200, {"round": self.scenario.round})
        if path == "/__scenario/glitch" and method == "POST":
            params = parse_qs(query)
            try:
                self.glitch(params["store"][0], *params["kind"])
            except (KeyError, IndexError, ValueError) as exc:
                return _json(400, {"error": f"give store=ID&kind=GLITCH ({exc})"})
            return _json(200, {"queued": params["kind"]})
        return _json(404, {"error": f"unknown control path {path}"})


def _round_from(query: str, body: bytes, content_type: str) -> int:
    """Read ``n`` from the query, a JSON body, a form body or a bare number body."""
    values = parse_qs(query).get("n")
    text = body.decode("utf-8", "replace").strip()
    if not values and text:
        if "json" in content_type or text.startswith("{"):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"bad JSON body: {exc}") from exc
            values = [str(data.get("n", data.get("round")))] if isinstance(data, dict) else [str(data)]
        elif "=" in text:
            values = parse_qs(text).get("n") or parse_qs(text).get("round")
        else:
            values = [text]
    if not values:
        raise ValueError('missing n (use ?n=2, n=2 form body or {"n": 2})')
    try:
        n = int(values[0])
    except ValueError as exc:
        raise ValueError(f"n must be an integer, got {values[0]!r}") from exc
    if n < 0:
        raise ValueError("n must be >= 0")
    return n


def _new_layout_page(name: str) -> str:
    """A redesigned store page: plenty of content, none of it where any known page family keeps its data."""
    paragraph = "Explore our factory, our production lines and our quality control process. " * 8
    return (
        f"<!doctype html><html><head><title>{html.escape(name)}</title></head><body>"
        f'<div id="app-root" data-v3-layout="1"><h1>{html.escape(name)}</h1><p>{paragraph}</p>'
        f"<p>{paragraph}</p></div></body></html>"
    )


def _html(status: int, text: str) -> Response:
    return Response(status, text.encode("utf-8"), _HTML)


def _json(status: int, obj: object) -> Response:
    return Response(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the marketplace in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m monitor.demo.marketplace", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--delay-ms", type=int, default=0, help="sleep this long before each page response")
    parser.add_argument("--round", type=int, default=0, help="initial scenario round")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    market = DemoMarketplace(
        args.host, args.port, delay_ms=args.delay_ms, scenario=Scenario(round=args.round), verbose=args.verbose
    )
    market.start()
    signal.signal(signal.SIGTERM, _raise_interrupt)  # `kill` stops it as cleanly as Ctrl-C
    print(f"Demo marketplace running at {market.base_url} (round {market.round}); Ctrl-C stops.", flush=True)
    for s in market.suppliers():
        print(f"  {s['url']}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        market.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
