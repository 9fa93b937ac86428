"""config.toml: who is watched, how often, and how fetching behaves.

Other tools write this file, so key names are a contract. Every key but the supplier list has a default,
and every error names the key that is wrong and what would be right.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from monitor.severity import Severity
from scrapers.fetch.base import DEFAULT_USER_AGENT, redact_url, validate_url
from scrapers.platforms import platform_names

DEFAULT_CONFIG_PATH = Path("config.toml")
DATABASE_URL_ENV = "SUPPLIER_MONITOR_DATABASE_URL"
SUPPLIER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|d|h|m|s)")
#: No setting needs more than a year; beyond it a typo ("99999999999d") would overflow timedelta or never fire.
MAX_DURATION = timedelta(days=366)
#: The shortest check interval: below it one supplier pins a core and hammers its host.
MIN_INTERVAL = timedelta(seconds=1)


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the file and key."""


def parse_duration(value: object, *, allow_zero: bool = False) -> timedelta:
    """'24h', '90m', '1h30m', '10s', '1d' or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration like '24h', '30m' or '10s'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        parts = _DURATION_PART.findall(text)
        if not text or "".join(n + u for n, u in parts) != text:
            raise ValueError(f"{value!r} is not a duration; use e.g. '24h', '30m', '1h30m' or '10s'")
        factor = {"d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
        seconds = sum(float(n) * factor[u] for n, u in parts)
    else:
        raise ValueError("expected a duration like '24h', '30m' or '10s'")
    if not math.isfinite(seconds):
        raise ValueError(f"{value!r} is not a finite duration")
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ValueError("a duration must be positive")
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"{value!r} is longer than a year; use at most '366d'")
    return timedelta(seconds=seconds)


def parse_interval(value: object) -> timedelta:
    """A check interval: a duration between one second and a year."""
    interval = parse_duration(value)
    if interval < MIN_INTERVAL:
        raise ValueError(f"{value!r} is shorter than the shortest interval, '1s'")
    return interval


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
#: A duration that may be zero ("0s": no jitter).
OptionalDelay = Annotated[timedelta, BeforeValidator(lambda v: parse_duration(v, allow_zero=True))]
#: How often a supplier is checked.
Interval = Annotated[timedelta, BeforeValidator(parse_interval)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Section):
    url: str = "sqlite:///data/monitor.db"

    @field_validator("url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        if not url.startswith(("sqlite:", "postgresql")):
            raise ValueError("use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db")
        return url


class BrowserConfig(_Section):
    executable_path: str | None = None  # empty: system Chromium when present, else Playwright's own
    headless: bool = True
    concurrency: int = Field(default=2, ge=1, le=64)
    render_wait: Duration = timedelta(seconds=5)
    screenshots: bool = False
    storage_state: str | None = None
    #: Relaunch Chromium after this many pages, or when its process tree passes max_memory_mb (leaks).
    recycle_after_pages: int = Field(default=500, ge=1)
    max_memory_mb: int = Field(default=1500, ge=100)

    @field_validator("executable_path", "storage_state", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


FetchMethodSetting = Literal["browser", "http", "auto"]


class FetchConfig(_Section):
    #: auto: plain HTTP where the parser says the data is in the HTML, the browser when that fails.
    method: FetchMethodSetting = "browser"
    #: auto: after falling back to the browser, try plain HTTP again every this many checks.
    retry_http_every: int = Field(default=10, ge=1)
    user_agent: str = DEFAULT_USER_AGENT
    timeout: Duration = timedelta(seconds=30)
    max_page_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(default=10, ge=0, le=50)
    proxy: str | None = None
    #: Fetch loopback, private, link-local and reserved addresses too. Off: a supplier URL (or a redirect) cannot
    #: make the monitor read the operator's own network and store the answer as evidence. On only for a
    #: marketplace you run yourself (the demo's, tests).
    allow_private_addresses: bool = False


class PolitenessConfig(_Section):
    obey_robots_txt: bool = True
    robots_cache_ttl: Duration = timedelta(hours=12)
    min_delay_per_host: OptionalDelay = timedelta(seconds=2)
    max_concurrency_per_host: int = Field(default=2, ge=1, le=64)
    #: Exponential backoff with jitter after errors (timeouts, 5xx, unreachable), per host; "0s": none.
    backoff_base: OptionalDelay = timedelta(seconds=30)
    backoff_max: Duration = timedelta(hours=6)
    #: A host that answered with a captcha / anti-bot page is left alone this long (doubling, capped); "0s": not
    #: at all (only for a host you run yourself, like the demo's, where one store's captcha says nothing of others).
    block_backoff: OptionalDelay = timedelta(minutes=30)


class PlatformConfig(_Section):
    """Per-platform fetching: proxy, user agent and a reusable browser session (cookies)."""

    proxy: str | None = None
    user_agent: str | None = None
    storage_state: str | None = None


class SchedulerConfig(_Section):
    #: Random delay added to each run so that checks of many suppliers do not start in the same second; at most a
    #: tenth of the supplier's interval (or of its cron schedule's shortest gap).
    jitter: OptionalDelay = timedelta(seconds=30)
    #: After downtime, a missed run within this window is made up once (not a burst of catch-ups).
    misfire_grace: Duration = timedelta(hours=12)
    #: How often due alerts are delivered (and digests considered).
    deliver_every: Duration = timedelta(minutes=1)
    #: Budget for one whole check of one supplier (all its pages, confirmation fetches included).
    check_timeout: Duration = timedelta(minutes=5)
    #: The daemon counts as stalled (``status`` exits non-zero, /healthz answers 503) when its scheduler has not
    #: ticked for this long.
    stall_after: Duration = timedelta(minutes=5)
    #: "single": one process (``run``) checks everything, on SQLite or PostgreSQL. "distributed" (PostgreSQL
    #: only): ``supplier-monitor scheduler`` enqueues the checks and any number of ``supplier-monitor worker``
    #: processes run them (monitor.distributed).
    mode: Literal["single", "distributed"] = "single"
    #: Distributed mode: how many suppliers one worker checks at once (``worker --concurrency`` overrides it).
    worker_concurrency: int = Field(default=2, ge=1, le=64)
    #: Distributed mode: how often each worker writes its heartbeat to the job queue.
    worker_heartbeat: Duration = timedelta(seconds=10)
    #: Distributed mode: a worker silent for this long is taken for dead (killed, machine lost) and the checks
    #: it had taken are given to other workers. At least twice ``worker_heartbeat``.
    worker_stall_timeout: Duration = timedelta(minutes=1)

    @field_validator("worker_stall_timeout")
    @classmethod
    def _stall_outlasts_heartbeats(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        heartbeat = info.data.get("worker_heartbeat")
        if heartbeat is not None and value < 2 * heartbeat:
            raise ValueError(
                f"must be at least twice worker_heartbeat ({heartbeat.total_seconds():g} s): a worker merely slow "
                "to beat would otherwise have its checks taken away while it runs them"
            )
        return value


class VerifyConfig(_Section):
    expiring_soon_days: int = Field(default=60, ge=0, le=3650)
    #: Judge every check as of this date instead of the day it ran. For the bundled demo, whose certificates
    #: are dated for one day in its story, and for replaying evidence; unset, each check is judged on its own day.
    as_of: date | None = None
    #: Set once IAF announces the end of the ISO 9001:2015 -> 2026 transition; until then 2015 is current.
    iso9001_2015_transition_end: date | None = None
    #: A CSV (name, aliases, source) of further certification bodies the operator recognises; relative to this file.
    certification_bodies: Path | None = None

    @field_validator("iso9001_2015_transition_end", "as_of", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


class RegistriesConfig(_Section):
    #: Match certificates against the ones imported with `supplier-monitor registry import FILE.csv`.
    local: bool = True
    iaf_certsearch: bool = False
    iaf_base_url: str = "https://api.iafcertsearch.org/api/client/v1"
    #: Name of the environment variable that holds the API key (the key itself never goes in this file).
    iaf_api_key_env: str = "IAF_CERTSEARCH_API_KEY"
    iaf_cache_ttl: Duration = timedelta(days=7)
    #: Country used for IAF lookups when the page does not say (IAF requires one).
    iaf_default_country: str | None = None


class SmtpConfig(_Section):
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    from_: str = Field(default="supplier-monitor@localhost", alias="from")
    #: Name of the environment variable holding the password (never the password itself).
    password_env: str = "SUPPLIER_MONITOR_SMTP_PASSWORD"
    timeout: Duration = timedelta(seconds=30)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def password(self) -> str | None:
        return os.environ.get(self.password_env) or None


class AlertsConfig(_Section):
    #: Fetch a page a second time before alerting on a removed claim or a changed identity.
    confirm_changes: bool = True
    #: Consecutive failed checks before a "check failing" alert (then one "recovered" when it works again).
    failure_threshold: int = Field(default=3, ge=1, le=1000)
    #: Relative change of a numeric claim (employees, years) below which no alert is raised.
    numeric_change_threshold: float = Field(default=0.2, ge=0, le=100)
    max_attempts: int = Field(default=8, ge=1, le=100)
    retry_backoff: Duration = timedelta(minutes=1)
    #: Hour (0-23, UTC) at which daily digests go out.
    digest_hour: int = Field(default=8, ge=0, le=23)
    #: At most this many alert messages per check and recipient; the rest go out as one summary message
    #: ("and 480 more"), and stay listed in full in the dashboard.
    max_messages_per_check: int = Field(default=20, ge=1, le=1000)


#: Host names the dashboard answers to when none are configured; the name it is served on is added.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


class DashboardConfig(_Section):
    #: Host header values the dashboard accepts (DNS-rebinding defence); empty: loopback names and the --host
    #: it listens on. A leading "*." allows subdomains.
    allowed_hosts: list[str] = Field(default_factory=list)


def _is_secret_reference(value: str) -> bool:
    """``env:NAME``: the value is read from that environment variable when used (see alerts.channels.base)."""
    if not value.startswith("env:"):
        return False
    if not re.fullmatch(r"env:[A-Za-z_][A-Za-z0-9_]*", value):
        raise ValueError(f"{value!r}: env: must be followed by an environment variable name (letters, digits, _)")
    return True


class RecipientConfig(_Section):
    name: str
    email: str | None = None
    webhook: str | None = None
    webhook_format: Literal["json", "slack", "teams"] = "json"
    apprise: list[str] = Field(default_factory=list)
    console: bool = False
    suppliers: list[str] = Field(default_factory=list)  # supplier ids, "*" for all
    tags: list[str] = Field(default_factory=list)
    min_severity: Severity = Severity.MEDIUM
    operator: bool = False
    digest: bool = False

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+", value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @field_validator("webhook")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not _is_secret_reference(value):
            try:
                validate_url(value)
            except Exception as exc:
                raise ValueError(f"{exc} (or write env:VARIABLE to read it from the environment)") from None
        return value

    @field_validator("apprise")
    @classmethod
    def _apprise_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not _is_secret_reference(url) and "://" not in url:
                raise ValueError(f"{url!r} is not an Apprise URL (scheme://...) nor env:VARIABLE")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> RecipientConfig:
        if not (self.email or self.webhook or self.apprise or self.console):
            raise ValueError(f"recipient {self.name!r} has no email, webhook, apprise or console channel")
        return self

    def wants(self, supplier_id: str | None, supplier_tags: list[str]) -> bool:
        """Whether this recipient follows the supplier: by id, "*", or a shared tag (all when neither is set)."""
        if supplier_id is None:
            return self.operator
        if not self.suppliers and not self.tags:
            return True
        return "*" in self.suppliers or supplier_id in self.suppliers or bool(set(self.tags) & set(supplier_tags))


#: OCR engines the certificate reader can use (scrapers.documents); tesseract is kept for comparison only.
OCR_ENGINES: tuple[str, ...] = ("rapidocr", "tesseract")


class DocumentsConfig(_Section):
    """Reading the certificate PDFs and pictures that supplier pages link (monitor.documents)."""

    #: Fetch and read certificate documents during checks (their fields fill and cross-check the listing).
    read: bool = True
    #: At most this many documents are fetched in one check (those tied to a certification first).
    max_per_check: int = Field(default=10, ge=0, le=1000)
    #: At most this many MB are fetched for documents in one check, all documents together.
    max_mb_per_check: float = Field(default=20, gt=0, le=10_000)
    #: A single document larger than this many MB is refused (too_large).
    max_document_mb: float = Field(default=10, gt=0, le=1000)
    #: The OCR engine for pictures and PDFs without a text layer.
    ocr: str = "rapidocr"

    @field_validator("ocr")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value not in OCR_ENGINES:
            raise ValueError(f"unknown OCR engine {value!r}; use one of: {', '.join(OCR_ENGINES)}")
        return value

    @property
    def max_bytes_per_check(self) -> int:
        return int(self.max_mb_per_check * 1024 * 1024)

    @property
    def max_document_bytes(self) -> int:
        return int(self.max_document_mb * 1024 * 1024)


class DefaultsConfig(_Section):
    interval: Interval = timedelta(hours=24)


class SupplierConfig(_Section):
    id: str
    name: str | None = None
    url: str | None = None
    urls: list[str] = Field(default_factory=list)
    platform: str = "auto"
    tags: list[str] = Field(default_factory=list)
    interval: Interval | None = None
    #: Cron expression ("0 6 * * *", UTC) instead of an interval.
    cron: str | None = None
    method: FetchMethodSetting | None = None
    #: Only for operators with the site's permission: fetch even where robots.txt disallows it.
    ignore_robots_txt: bool = False
    paused: bool = False
    #: Companies known to be the supplier's group or affiliates: a certificate held by one of them is told as
    #: info (a related company's certificate), not as a certificate of another company.
    affiliates: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not SUPPLIER_ID.match(value):
            raise ValueError(f"{value!r} must be lowercase letters, digits, '-' and '_' (at most 64)")
        return value

    @field_validator("affiliates")
    @classmethod
    def _affiliate_names(cls, value: list[str]) -> list[str]:
        names = [" ".join(name.split()) for name in value]
        if any(not name for name in names):
            raise ValueError('an affiliate name is empty; give company names, e.g. "Group Co., Ltd."')
        return list(dict.fromkeys(names))

    @field_validator("platform")
    @classmethod
    def _known_platform(cls, value: str) -> str:
        known = platform_names()
        if value != "auto" and value not in known:
            raise ValueError(f"unknown platform {value!r}; use 'auto' or one of: {', '.join(known)}")
        return value

    @model_validator(mode="after")
    def _has_urls(self) -> SupplierConfig:
        if not self.url and not self.urls:
            raise ValueError("give the supplier a url (or urls = [...])")
        for url in self.page_urls:
            try:
                validate_url(url)
            except Exception as exc:
                raise ValueError(str(exc)) from None
            if "@" in urlsplit(url).netloc:
                # Credentials would be sent to the supplier's host and shown wherever the URL is.
                raise ValueError(f"{redact_url(url)!r} carries a user name or password; remove them from the URL")
        if self.cron is not None:
            if self.interval is not None:
                raise ValueError("give either interval or cron, not both")
            _check_cron(self.cron)
        return self

    @property
    def page_urls(self) -> list[str]:
        urls = ([self.url] if self.url else []) + list(self.urls)
        return list(dict.fromkeys(urls))

    @property
    def display_name(self) -> str:
        return self.name or self.id


def _check_cron(expression: str) -> None:
    """A crontab expression that fires at all ("0 0 31 2 *" is valid syntax but never comes)."""
    from apscheduler.triggers.cron import CronTrigger

    try:
        trigger = CronTrigger.from_crontab(expression, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"cron {expression!r} is not a crontab expression: {exc}") from None
    if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:
        raise ValueError(f"cron {expression!r} never fires (no such date)")


class Config(_Section):
    database: DatabaseConfig = DatabaseConfig()
    dashboard: DashboardConfig = DashboardConfig()
    browser: BrowserConfig = BrowserConfig()
    fetch: FetchConfig = FetchConfig()
    defaults: DefaultsConfig = DefaultsConfig()
    verify: VerifyConfig = VerifyConfig()
    registries: RegistriesConfig = RegistriesConfig()
    smtp: SmtpConfig = SmtpConfig()
    alerts: AlertsConfig = AlertsConfig()
    politeness: PolitenessConfig = PolitenessConfig()
    platforms: dict[str, PlatformConfig] = Field(default_factory=dict)
    scheduler: SchedulerConfig = SchedulerConfig()
    documents: DocumentsConfig = DocumentsConfig()
    recipients: list[RecipientConfig] = Field(default_factory=list)
    suppliers: list[SupplierConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Config:
        seen: set[str] = set()
        for supplier in self.suppliers:
            if supplier.id in seen:
                raise ValueError(f"supplier id {supplier.id!r} appears twice")
            seen.add(supplier.id)
        # Recipients are picked by name in the dashboard and named in the alerts log: two with one name would be
        # indistinguishable there.
        names: set[str] = set()
        for recipient in self.recipients:
            if recipient.name.casefold() in names:
                raise ValueError(f"recipient name {recipient.name!r} appears twice")
            names.add(recipient.name.casefold())
        return self

    def supplier(self, supplier_id: str) -> SupplierConfig:
        for supplier in self.suppliers:
            if supplier.id == supplier_id:
                return supplier
        known = ", ".join(s.id for s in self.suppliers) or "none configured"
        raise ConfigError(f"no supplier with id {supplier_id!r} (known: {known})")

    def interval_for(self, supplier: SupplierConfig) -> timedelta:
        return supplier.interval or self.defaults.interval

    def warnings(self) -> list[str]:
        """Valid but probably unintended settings, e.g. a recipient naming a supplier id nobody has (a typo, or a
        supplier removed since): its alerts would silently go nowhere."""
        known = {s.id for s in self.suppliers}
        found: list[str] = []
        for index, recipient in enumerate(self.recipients):
            for supplier_id in recipient.suppliers:
                if supplier_id != "*" and supplier_id not in known:
                    found.append(
                        f"recipients[{index}].suppliers ({recipient.name}): no supplier has the id {supplier_id!r}"
                    )
        return found


def load_config(path: Path | str | None = None, *, data: dict[str, Any] | None = None) -> Config:
    """Read and validate a config file (or an already parsed dict), resolving relative paths against it."""
    path = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    if data is None:
        data = _parse(path, read_config_text(path))
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(path, exc, data)) from None
    url = os.environ.get(DATABASE_URL_ENV) or _resolve_sqlite(config.database.url, path.parent)
    _check_distributed(path, config, url)
    update: dict[str, Any] = {"database": DatabaseConfig(url=url)}
    if config.verify.certification_bodies is not None:
        bodies = (path.parent / config.verify.certification_bodies).resolve()
        _check_body_list(path, bodies)
        update["verify"] = config.verify.model_copy(update={"certification_bodies": bodies})
    return config.model_copy(update=update)


def _check_distributed(path: Path, config: Config, url: str) -> None:
    """Distributed mode's job queue lives in PostgreSQL (checked after $SUPPLIER_MONITOR_DATABASE_URL applies)."""
    if config.scheduler.mode == "distributed" and not url.startswith("postgresql"):
        raise ConfigError(
            f'{path}: invalid configuration\n  scheduler.mode: "distributed" needs a PostgreSQL database, and '
            f'database.url is {redact_url(url)}; set [database] url = "postgresql+psycopg://user@host/db" (or '
            f'${DATABASE_URL_ENV}), or use mode = "single" with SQLite'
        )


def read_config_text(path: Path) -> str:
    """The file's text, or a ConfigError that says why it cannot be read (missing, a folder, not UTF-8)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file; create one with `supplier-monitor init`") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder; give the path of the config file (config.toml)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(f"{path}: is saved as UTF-16; TOML files must be UTF-8 (save it again as UTF-8)")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: is not UTF-8 (byte {exc.start} is not valid UTF-8); TOML files must be saved as UTF-8"
        ) from None


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _check_body_list(path: Path, bodies: Path) -> None:
    """Refuse an unreadable body list when the config is loaded, not at the first certificate judged."""
    from monitor.verify.bodies_data import BodyListError, load_certification_bodies

    if not bodies.is_file():
        raise ConfigError(f"{path}: invalid configuration\n  verify.certification_bodies: no such file: {bodies}")
    try:
        load_certification_bodies(bodies)
    except BodyListError as exc:
        raise ConfigError(f"{path}: invalid configuration\n  verify.certification_bodies: {exc}") from None


def _resolve_sqlite(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        return prefix + str((base / url[len(prefix) :]).resolve())
    return url


def _describe(path: Path, exc: ValidationError, data: dict[str, Any]) -> str:
    lines = [f"{path}: invalid configuration"]
    for error in exc.errors():
        key = _key_name(error["loc"], data)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see `supplier-monitor init` for every key)"
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)


def _key_name(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """'suppliers[2].id (haoyue)' style names, so the operator finds the line."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
        else:
            parts.append(str(item))
    name = ".".join(parts) or "(top level)"
    if len(loc) >= 2 and loc[0] == "suppliers" and isinstance(loc[1], int):
        try:
            supplier_id = data["suppliers"][loc[1]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            supplier_id = None
        if supplier_id:
            name += f" (supplier {supplier_id!r})"
    return name


#: What identifies one version of the config file on disk (mtime, size, inode): the processes poll it.
FileSignature = tuple[int, int, int]


def file_signature(path: Path) -> FileSignature | None:
    """The file's version as far as polling can tell; None when it cannot be read (reported by the next load)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)
