"""Host check, authentication, CSRF protection and security headers of the dashboard.

Threat model: the dashboard renders scraped (hostile) text and stores hostile HTML, and it can edit the
config and trigger fetches. So: everything is autoescaped, stored pages are only served sandboxed, every
state-changing request carries a CSRF token, and listening beyond loopback needs credentials.

- Host names: only its own (``allowed_host_names``: ``[dashboard] allowed_hosts``, or the loopback names
  and the address it listens on). A page on any web site can make the browser resolve its own name to
  127.0.0.1 (DNS rebinding) and then read the dashboard as "same origin"; the Host header still carries
  the attacker's name, so such requests are refused (400) before authentication or routing.
- Credentials (optional on 127.0.0.1, required elsewhere): a bearer token from $SUPPLIER_MONITOR_WEB_TOKEN
  and/or a password hash from $SUPPLIER_MONITOR_WEB_PASSWORD_HASH (``hash_password`` makes one). Browsers
  use HTTP Basic (any user name, which becomes the actor; password = the password or the token); API
  clients send ``Authorization: Bearer <token>``.
- CSRF: a random session id in its own cookie (``sm_session``: HttpOnly, SameSite=Strict, Path=/, Secure
  over https), and a token the server signed (itsdangerous, HMAC) for that session id, valid for 12 hours.
  Forms carry the token in a hidden field, scripts in the X-CSRF-Token header (pages have it in
  ``<meta name="csrf-token">``). A cookie alone proves nothing: cookies are not isolated by port, so a
  page on any other localhost port can set one; it cannot make a signature without the secret
  ($SUPPLIER_MONITOR_WEB_SECRET, else random per server start: a restart asks open pages to reload).
  Bearer-token requests are exempt: a browser never adds that header on its own, so a forged cross-site
  request cannot carry it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response
from itsdangerous import BadData, URLSafeTimedSerializer

from monitor.config import LOOPBACK_HOSTS, ConfigError

TOKEN_ENV = "SUPPLIER_MONITOR_WEB_TOKEN"
PASSWORD_HASH_ENV = "SUPPLIER_MONITOR_WEB_PASSWORD_HASH"
SECRET_ENV = "SUPPLIER_MONITOR_WEB_SECRET"
SESSION_COOKIE = "sm_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: A page left open longer than this must be reloaded before its forms work again.
CSRF_MAX_AGE = 12 * 3600
LOCAL_ACTOR = "local operator"
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
_HOST_NAME = re.compile(r"(\*\.)?[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?")

BASE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Stored supplier pages: a unique opaque origin, no scripts, no network, framable only by the dashboard.
EVIDENCE_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"


class CredentialsError(RuntimeError):
    """The server would be reachable by others without credentials, or the configured ones are unusable."""


@dataclass(frozen=True)
class Credentials:
    """What the dashboard accepts; both None means no authentication (loopback only)."""

    token: str | None = None
    password_hash: str | None = None

    @property
    def required(self) -> bool:
        return bool(self.token or self.password_hash)

    @classmethod
    def from_env(cls) -> Credentials:
        token = os.environ.get(TOKEN_ENV) or None
        pw_hash = os.environ.get(PASSWORD_HASH_ENV) or None
        if token is not None and len(token) < 16:
            raise CredentialsError(f"${TOKEN_ENV} is too short: use at least 16 random characters")
        if pw_hash is not None and not _parse_hash(pw_hash):
            raise CredentialsError(
                f"${PASSWORD_HASH_ENV} is not a hash made by "
                "`python -c 'from monitor.web.security import hash_password; print(hash_password(\"...\"))'`"
            )
        return cls(token, pw_hash)


# --- password hashes (stdlib only) -------------------------------------------------------------------


def hash_password(password: str, *, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    """An scrypt hash ``scrypt$n$r$p$salt$hash`` (hex) for $SUPPLIER_MONITOR_WEB_PASSWORD_HASH."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def _parse_hash(value: str) -> tuple[str, list[str]] | None:
    parts = value.strip().split("$")
    if (parts[0] == "scrypt" and len(parts) == 6) or (parts[0] == "pbkdf2_sha256" and len(parts) == 4):
        try:
            [int(x) for x in parts[1:-2]]
            bytes.fromhex(parts[-2])
            bytes.fromhex(parts[-1])
        except ValueError:
            return None
        return parts[0], parts[1:]
    return None


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of a password against an scrypt or pbkdf2_sha256 hash."""
    parsed = _parse_hash(stored)
    if parsed is None:
        return False
    kind, fields = parsed
    expected = bytes.fromhex(fields[-1])
    salt = bytes.fromhex(fields[-2])
    if kind == "scrypt":
        n, r, p = (int(x) for x in fields[:3])
        got = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=2**27)
    else:
        got = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, int(fields[0]), dklen=len(expected))
    return hmac.compare_digest(got, expected)


# --- binding -------------------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_credentials_for(host: str, credentials: Credentials) -> None:
    """Refuse to listen beyond loopback without credentials: the dashboard edits config and fetches pages."""
    if not is_loopback(host) and not credentials.required:
        raise CredentialsError(
            f"refusing to serve on {host}: anyone who can reach it could edit the watch list. "
            f"Set ${TOKEN_ENV} (a long random token) or ${PASSWORD_HASH_ENV} "
            "(from monitor.web.security.hash_password), or bind to 127.0.0.1."
        )


def allowed_host_names(configured: Sequence[str], listen_host: str | None) -> list[str]:
    """The Host header values the dashboard answers to (lower case; "*.example.com" allows subdomains).

    ``configured`` is ``[dashboard] allowed_hosts``; when it is empty, the loopback names and the address the
    server listens on (an IPv6 address in brackets, as browsers send it). Refuses patterns that would not
    do what they say (ConfigError naming the key).
    """
    hosts = [_bracket_ipv6(h.strip().lower()) for h in configured]
    for host in hosts:
        if not _is_host_pattern(host):
            raise ConfigError(
                f"dashboard.allowed_hosts: {host!r} is not a host name, an IP address or '*.' and a domain of two "
                "labels or more (e.g. 'monitor.example.com', '*.corp.example', '192.0.2.7', '[::1]')"
            )
    if hosts:
        return hosts
    names = list(LOOPBACK_HOSTS)
    if listen_host:
        listen = _bracket_ipv6(listen_host.strip().lower())
        if listen not in names:
            names.append(listen)
    return names


def _bracket_ipv6(host: str) -> str:
    """An IPv6 address as it appears in a Host header ("[::1]"); anything else as it is."""
    try:
        return f"[{host.strip('[]')}]" if ipaddress.ip_address(host.strip("[]")).version == 6 else host
    except ValueError:
        return host


def _is_host_pattern(host: str) -> bool:
    if host.startswith("[") and host.endswith("]"):
        try:
            return ipaddress.ip_address(host[1:-1]).version == 6
        except ValueError:
            return False
    return bool(_HOST_NAME.fullmatch(host)) and (not host.startswith("*.") or "." in host[2:])


# --- request checks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who made the request: ``actor`` is recorded with finding actions; ``bearer`` skips CSRF."""

    actor: str
    bearer: bool = False


def authenticate(request: Request, credentials: Credentials) -> Principal | None:
    """The request's principal, or None when credentials are required and not (correctly) given."""
    if not credentials.required:
        return Principal(LOCAL_ACTOR)
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and credentials.token and value:
        if hmac.compare_digest(value.encode(), credentials.token.encode()):
            return Principal("api token", bearer=True)
        return None
    if scheme.lower() == "basic" and value:
        try:
            user, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        ok = bool(credentials.token) and hmac.compare_digest(password.encode(), credentials.token.encode())  # type: ignore[union-attr]
        if not ok and credentials.password_hash:
            ok = verify_password(password, credentials.password_hash)
        if ok:
            return Principal((user.strip() or "operator")[:100])
    return None


def secret_from_env() -> str:
    """The key CSRF tokens are signed with: $SUPPLIER_MONITOR_WEB_SECRET, or random for this server start."""
    secret = os.environ.get(SECRET_ENV) or ""
    if not secret:
        return secrets.token_urlsafe(32)
    if len(secret) < 32:
        raise CredentialsError(f"${SECRET_ENV} is too short: use at least 32 random characters")
    return secret


class CsrfTokens:
    """CSRF tokens signed by the server for one browser session (the session id cookie).

    token = itsdangerous ``URLSafeTimedSerializer(secret, salt="csrf").dumps(session_id)``: an HMAC-SHA1
    signature with a timestamp. A request passes when the token's signature is good, it is at most
    ``max_age`` seconds old, and it names the session id of the request's own cookie.
    """

    def __init__(self, secret: str | bytes, *, max_age: int = CSRF_MAX_AGE) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="csrf")
        self.max_age = max_age

    def token(self, session_id: str) -> str:
        return self._serializer.dumps(session_id)

    def valid(self, token: str, session_id: str) -> bool:
        try:
            signed_for = self._serializer.loads(token, max_age=self.max_age)
        except BadData:  # bad signature, expired, malformed
            return False
        return isinstance(signed_for, str) and hmac.compare_digest(signed_for.encode(), session_id.encode())


def session_id(request: Request) -> str | None:
    """The request's session id cookie, when it is one the server could have made."""
    value = request.cookies.get(SESSION_COOKIE) or ""
    return value if _SESSION_ID.fullmatch(value) else None


def csrf_token_for(request: Request) -> str:
    """The CSRF token for the request's session; without a session, one is started (the response
    middleware sets its cookie)."""
    token = getattr(request.state, "csrf_token", None)
    if token:
        return str(token)
    sid = session_id(request) or getattr(request.state, "new_session", None)
    if sid is None:
        sid = request.state.new_session = secrets.token_urlsafe(32)
    tokens: CsrfTokens = request.app.state.csrf
    request.state.csrf_token = token = tokens.token(sid)
    return token


def set_session_cookie(request: Request, response: Response) -> None:
    """Set the cookie of a session started while answering ``request``."""
    sid = getattr(request.state, "new_session", None)
    if sid:
        response.set_cookie(
            SESSION_COOKIE, sid, httponly=True, samesite="strict", path="/", secure=request.url.scheme == "https"
        )


async def check_csrf(request: Request) -> None:
    """Refuse (403) a state-changing request without a token signed for its session; bearer clients pass."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is not None and principal.bearer:
        return
    sid = session_id(request)
    sent = request.headers.get(CSRF_HEADER) or ""
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    tokens: CsrfTokens = request.app.state.csrf
    if not sid or not sent or not tokens.valid(sent, sid):
        raise HTTPException(
            status_code=403, detail="missing, expired or wrong CSRF token: reload the page and try again"
        )
