"""Decide what a fetched page is before anyone trusts its (missing) claims.

Anti-bot and login walls answer with HTTP 200, and normal pages load the same anti-bot scripts and carry
"Sign in" links. So a marker alone never decides: a page is ``blocked`` or ``login_required`` only when it
carries the wall's markers *and* none of the supplier data a real page has. One marker per table row, each
matching wall-specific text, never a vendor's script URL alone; the widgets that normal pages embed as well
(reCAPTCHA, hCaptcha, Alibaba's slider, a "log in to view" heading) count only where they are the whole page.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from http import HTTPStatus
from urllib.parse import urlsplit

from scrapers.claims import ClaimsDocument, PageStatus


@dataclass(frozen=True)
class Marker:
    """A sign of a wall; ``name`` ends up in the check's reason so operators see why."""

    name: str
    status: PageStatus
    pattern: re.Pattern[str]
    #: True for a sign that every wall of a family carries (captcha *and* login): it decides the status
    #: only when no specific marker does.
    generic: bool = False
    #: For a sign that normal pages carry too (a reCAPTCHA contact form, a slider in a login dialog): the
    #: pattern counts only when this also holds for the page, e.g. "the page is nothing but the widget".
    confirm: Callable[[PageView], bool] | None = None
    #: Lowercase literals of which every match contains one. A case-insensitive search without a rare literal
    #: prefix costs about 0.1 s a megabyte, ``needle in page.lower()`` a millisecond: most pages skip the regex.
    needle: str | tuple[str, ...] | None = None

    def may_match(self, lowered: str) -> bool:
        """False when the regex cannot match: none of its literals is on the (lower-cased) page."""
        if self.needle is None:
            return True
        needles = (self.needle,) if isinstance(self.needle, str) else self.needle
        return any(needle in lowered for needle in needles)


def _marker(
    name: str,
    status: PageStatus,
    regex: str,
    *,
    generic: bool = False,
    confirm: Callable[[PageView], bool] | None = None,
    needle: str | tuple[str, ...] | None = None,
) -> Marker:
    return Marker(name, status, re.compile(regex, re.IGNORECASE), generic, confirm, needle)


#: ``window._config_ = {...}`` of an Alibaba-group wall; "action" is not necessarily its first key.
_CONFIG_ACTION = r"_config_\s*=\s*\{[^{}]{0,5000}?[\"']action[\"']\s*:\s*[\"']"


#: How wall pages spell ".", "#", " " and "'": Akamai's page entity-encodes its punctuation
#: (``Reference&#32;&#35;18&#46;...``), a browser's serialisation of the same page does not.
_DOT = r"(?:\.|&#46;|&#x2e;)"
_HASH = r"(?:#|&#35;|&#x23;)"
_SPACE = r"(?:\s|&#32;|&#x20;|&nbsp;)"
_APOS = r"(?:'|\u2019|&#39;|&#x27;|&apos;|&rsquo;)"
_SIGN_IN = r"(?:sign|log)[\s-]?in\b"
_TITLE_SEP = r"\s{0,5}[|:\u2013\u2014-]\s{0,5}"
#: Hosts that only serve sign-in pages. my.indiamart.com is IndiaMART's account area: an anonymous visitor
#: sent there from a supplier page is asked to sign in.
_SIGN_IN_HOST = r"(?:(?:login|passport|signin)\.|my\.indiamart\.com\b)"

#: A captcha widget or slider is the whole page when the page has at most this much visible text...
INTERSTITIAL_TEXT_CHARS = 800
#: ... and a "log in to view" notice is the whole page at most this much (a sign-in form has more words).
LOGIN_WALL_TEXT_CHARS = 1500
#: Titles and headings are read from the start of the page only (walls are small; content pages are not).
HEADING_SCAN_CHARS = 200_000

#: What an interstitial calls itself in its title or main heading.
_CHALLENGE_WORDING = (
    r"(?:please\s+)?(?:verify|confirm|prove)\s+(?:that\s+)?you(?:'|\u2019|\s+a)re\s+"
    r"(?:a\s+)?(?:human|not\s+a\s+(?:ro)?bot)"
    r"|are\s+you\s+(?:a\s+)?(?:human|robot)"
    r"|(?:human|security|bot|captcha)\s+(?:verification|check(?:point)?|challenge)"
    r"|one\s+more\s+step"
    r"|please\s+complete\s+(?:the\s+)?(?:security\s+check|captcha)"
    r"|验证码拦截|安全验证|人机验证|滑动验证|访问验证"
)
#: The whole heading is the wording, optionally followed by "| site name": "Security Check Equipment" (a
#: product title on a B2B site) is no challenge heading.
_CHALLENGE_HEADING = re.compile(
    rf"\W{{0,3}}(?:{_CHALLENGE_WORDING})\W{{0,5}}(?:[|:\u2013\u2014-]\s{{0,3}}[^|]{{0,60}})?", re.IGNORECASE
)
_LOGIN_TO_VIEW = re.compile(
    r"\W{0,3}(?:please\s{1,3})?(?:sign|log)[\s-]?in\s{1,3}to\s{1,3}(?:view|see|continue|access|read)\b",
    re.IGNORECASE,
)
_ENTRY_FIELD = re.compile(r"<(input|textarea)\b([^<>]{0,2000})", re.IGNORECASE)
_NOT_TYPED_INTO = re.compile(
    r"\btype\s{0,3}=\s{0,3}[\"']?(?:hidden|submit|button|image|reset|checkbox|radio)\b", re.IGNORECASE
)
#: reCAPTCHA and hCaptcha render a hidden textarea for their token: not a field anyone types into.
_CAPTCHA_RESPONSE = re.compile(r"captcha[-_]response", re.IGNORECASE)


class PageView:
    """One page and the costlier views of it that a marker's ``confirm`` needs, each computed once."""

    def __init__(self, html: str) -> None:
        self.html = html

    @cached_property
    def text(self) -> str:
        return visible_text(self.html)

    @cached_property
    def headings(self) -> list[tuple[str, str]]:
        """(tag, text) of the title and h1-h3 headings in page order, entities decoded: where a wall says
        what it is."""
        found = _HEADINGS.finditer(self.html[:HEADING_SCAN_CHARS])
        return [(m.group(1).lower(), " ".join(html_lib.unescape(_TAG.sub(" ", m.group(2))).split())) for m in found]

    @cached_property
    def main_headings(self) -> list[str]:
        """The title and the first h1/h2: what the page is about, not a dialog's or a sidebar's heading."""
        titles = [text for tag, text in self.headings if tag == "title"][:1]
        return titles + [text for tag, text in self.headings if tag in ("h1", "h2")][:1]

    @cached_property
    def has_entry_fields(self) -> bool:
        """A field a visitor types into: contact and sign-in forms have one, captcha interstitials do not."""
        for match in _ENTRY_FIELD.finditer(self.html):
            tag, attributes = match.group(1).lower(), match.group(2)
            if tag == "textarea" and not _CAPTCHA_RESPONSE.search(attributes):
                return True
            if tag == "input" and not _NOT_TYPED_INTO.search(attributes):
                return True
        return False


def _is_challenge_interstitial(page: PageView) -> bool:
    """The captcha is the page, not a widget on it: a heading says so ("One more step", "Verify you are
    human"), or there is next to nothing besides it and no field to type into (contact and login forms
    embed the same reCAPTCHA, hCaptcha and slider widgets)."""
    if any(_CHALLENGE_HEADING.fullmatch(text) for _, text in page.headings):
        return True
    return not page.has_entry_fields and len(page.text) <= INTERSTITIAL_TEXT_CHARS


def _is_thin(page: PageView) -> bool:
    """Next to no visible text: a script shell that only runs a challenge (normal pages load the same SDK)."""
    return len(page.text) <= INTERSTITIAL_TEXT_CHARS


def _is_login_wall_page(page: PageView) -> bool:
    """A "log in to view" notice that is the page (its title or first main heading, on a short page), not a
    sign-in dialog's or a sidebar's heading beside the supplier's content."""
    if len(page.text) > LOGIN_WALL_TEXT_CHARS:
        return False
    return any(_LOGIN_TO_VIEW.match(text) for text in page.main_headings)


def _cloudflare_error(code: str) -> str:
    """Cloudflare's error code as its pages print it: "Error 1020", "Error code: 1020",
    ``<span data-translate="error">Error</span> <span>1020</span>`` or ``<span class="cf-error-code">1020``."""
    return (
        r"(?:\berror(?:\s{1,3}code)?(?:\s{0,3}:)?|cf-error-code[\"'][^<>]{0,80}>)"
        r"\s{0,40}(?:</?span\b[^<>]{0,120}>\s{0,40}){0,4}" + code + r"\b"
    )


def _sign_in_title(site: str) -> str:
    """A title that is only the sign-in page of ``site``: "Sign in to Global Sources", "Login | IndiaMART",
    "IndiaMART - Sign In", with at most a "| suffix". A product titled "Login Kit ..." is no match."""
    return (
        rf"<title\b[^<>]{{0,100}}>\s{{0,20}}"
        rf"(?:{_SIGN_IN}(?:\s{{1,5}}to\s{{1,5}}|{_TITLE_SEP}){site}|{site}{_TITLE_SEP}{_SIGN_IN})"
        rf"(?:{_TITLE_SEP}[^<>]{{0,60}})?\s{{0,20}}</title>"
    )


#: ``<meta http-equiv="refresh" content="0;url=https://login...">``: the page only sends the visitor to sign in.
_REFRESH_TO_SIGN_IN = (
    r"<meta\b(?=[^<>]{0,400}http-equiv\s{0,3}=\s{0,3}[\"']?refresh)[^<>]{0,400}?"
    rf"url\s{{0,3}}=\s{{0,3}}[\"']?\s{{0,3}}(?:https?:)?//{_SIGN_IN_HOST}"
)


WALL_MARKERS: tuple[Marker, ...] = (
    # Alibaba group "punish" interception (captcha / slider), served with HTTP 200.
    _marker("alibaba punish component", PageStatus.BLOCKED, r"<punish-component\b", needle="<punish-component"),
    _marker("alibaba punish container", PageStatus.BLOCKED, r"id=[\"']baxia-punish[\"']", needle="baxia-punish"),
    # The rgv587 flag ends the captcha page *and* the 1688/Taobao login wall: generic.
    _marker("alibaba rgv587 flag", PageStatus.BLOCKED, r"<!--\s*rgv587_flag", generic=True, needle="rgv587_flag"),
    _marker("captcha action config", PageStatus.BLOCKED, _CONFIG_ACTION + "captcha", needle="_config_"),
    _marker(
        "captcha interception title",
        PageStatus.BLOCKED,
        r"<title>\s*captcha interception",
        needle="captcha interception",
    ),
    _marker(
        "unusual traffic notice",
        PageStatus.BLOCKED,
        r"detected unusual traffic from your network",
        needle="unusual traffic",
    ),
    # Imperva / Incapsula.
    _marker("incapsula resource", PageStatus.BLOCKED, r"/_Incapsula_Resource\?", needle="/_incapsula_resource?"),
    _marker("incapsula incident", PageStatus.BLOCKED, r"Incapsula incident ID", needle="incapsula incident id"),
    # Cloudflare, DataDome, PerimeterX challenge pages.
    _marker(
        "cloudflare challenge",
        PageStatus.BLOCKED,
        r"cf-challenge|challenges\.cloudflare\.com|cf_chl_opt",
        needle=("cf-challenge", "challenges.cloudflare.com", "cf_chl_opt"),
    ),
    _marker("cloudflare attention", PageStatus.BLOCKED, r"<title>\s*(attention required|just a moment)"),
    _marker("datadome captcha", PageStatus.BLOCKED, r"captcha-delivery\.com", needle="captcha-delivery"),
    _marker("perimeterx captcha", PageStatus.BLOCKED, r"id=[\"']px-captcha[\"']", needle="px-captcha"),
    # Login walls (Alibaba group / 1688 "tmd" login jump).
    _marker("login action config", PageStatus.LOGIN_REQUIRED, _CONFIG_ACTION + "login", needle="_config_"),
    _marker(
        "tmd login jump",
        PageStatus.LOGIN_REQUIRED,
        r"_____tmd_____(/|%2F)page(/|%2F)login_jump",
        needle="_____tmd_____",
    ),
    # Akamai edge denial. Akamai's "Why is Akamai blocking me?" (https://community.akamai.com/community/
    # cloud-security/blog/2016/04/07/why-is-akamai-blocking-me) shows the page: <title>Access Denied</title>,
    # "You don't have permission to access ... on this server.", "Reference #18.<hex>.<epoch>.<hex>" and
    # https://errors.edgesuite.net/<reference>. The raw page entity-encodes its punctuation.
    _marker(
        "akamai reference",
        PageStatus.BLOCKED,
        rf"Reference{_SPACE}{{1,3}}{_HASH}\d{{1,3}}{_DOT}[0-9a-f]{{6,10}}{_DOT}\d{{9,11}}{_DOT}[0-9a-f]{{4,10}}",
        needle="reference",
    ),
    _marker("akamai error host", PageStatus.BLOCKED, rf"errors{_DOT}edgesuite{_DOT}net", needle="edgesuite"),
    _marker(
        "access denied title",
        PageStatus.BLOCKED,
        r"<title>\s{0,20}Access Denied\s{0,20}</title>",
        needle="access denied",
    ),
    _marker(
        "permission denied notice",
        PageStatus.BLOCKED,
        rf"You don{_APOS}?t have permission to access\s{{1,3}}\"[^\"<>]{{0,600}}\"\s{{1,3}}on this server",
        needle="permission to access",
    ),
    # CloudFront's 403 error page (AWS WAF block, geo restriction): "<H1>403 ERROR</H1>" / "The request could
    # not be satisfied." / "Request blocked." / "Generated by cloudfront (CloudFront)", the block page wafw00f
    # recognises (https://github.com/EnableSecurity/wafw00f/blob/master/wafw00f/plugins/cloudfront.py).
    # "Generated by cloudfront" alone is no marker: CloudFront's 502/504 origin-error pages carry it too.
    _marker(
        "cloudfront request blocked",
        PageStatus.BLOCKED,
        r"could not be satisfied\.?\s{0,40}(?:<[^<>]{0,100}>\s{0,40}){0,10}Request blocked",
        needle="request blocked",
    ),
    _marker(
        "cloudfront 403 error",
        PageStatus.BLOCKED,
        r"403 ERROR\s{0,20}</h1>\s{0,40}(?:<[^<>]{0,100}>\s{0,40}){0,4}The request could not be satisfied",
        needle="403 error",
    ),
    # AWS WAF challenge and CAPTCHA interstitials (https://docs.aws.amazon.com/waf/latest/developerguide/
    # waf-captcha-puzzle.html): window.gokuProps holds the challenge's key/iv/context and only the
    # interstitial has it; it loads <id>.token.awswaf.com/.../challenge.js or captcha.awswaf.com/.../captcha.js.
    # Those scripts and awsWafCookieDomainList are on normal pages too (the JS SDK, and AWS documents setting
    # the list there: .../waf-js-challenge-api-set-token-domain.html), so the list counts only empty on a
    # page with nothing else on it.
    _marker("aws waf challenge props", PageStatus.BLOCKED, r"\bgokuProps\s{0,5}=\s{0,5}\{", needle="gokuprops"),
    _marker(
        "aws waf empty cookie domain list",
        PageStatus.BLOCKED,
        r"\bawsWafCookieDomainList\s{0,5}=\s{0,5}\[\s{0,5}\]",
        confirm=_is_thin,
        needle="awswafcookiedomainlist",
    ),
    # Cloudflare 1020 "Access denied" (firewall rule) and 1015 "You are being rate limited"
    # (https://developers.cloudflare.com/support/troubleshooting/cloudflare-errors/troubleshooting-cloudflare-1xxx-errors/),
    # pages titled "Access denied | <site> used Cloudflare to restrict access". Ray ID and #cf-error-details
    # are on Cloudflare's 5xx origin-error pages as well, so they are no marker (but a wait selector).
    # Every Cloudflare error page names Cloudflare (Ray ID line, "Performance & security by Cloudflare"); a bare
    # "1020" needle let the regex run on any page with that number.
    _marker("cloudflare error 1020", PageStatus.BLOCKED, _cloudflare_error("1020"), needle="cloudflare"),
    _marker("cloudflare error 1015", PageStatus.BLOCKED, _cloudflare_error("1015"), needle="cloudflare"),
    _marker(
        "cloudflare rate limited",
        PageStatus.BLOCKED,
        r"You are being rate limited",
        needle="you are being rate limited",
    ),
    _marker(
        "cloudflare access restricted",
        PageStatus.BLOCKED,
        r"used Cloudflare to restrict access",
        needle="used cloudflare to restrict access",
    ),
    # Sucuri WebSite Firewall block page ("Access Denied - Sucuri Website Firewall", cdn.sucuri.net/
    # sucuri-firewall-block.css, sucuri.net/privacy-policy, cloudproxy@sucuri.net) and its JavaScript
    # redirect challenge (var sucuri_cloudproxy_js), as matched by wafw00f
    # (https://github.com/EnableSecurity/wafw00f/blob/master/wafw00f/plugins/sucuri.py).
    _marker(
        "sucuri access denied",
        PageStatus.BLOCKED,
        r"Access Denied\s{0,5}-\s{0,5}Sucuri Website Firewall"
        r"|Sucuri WebSite Firewall\s{0,5}-\s{0,5}(?:CloudProxy\s{0,5}-\s{0,5})?Access Denied",
        needle="sucuri",
    ),
    _marker(
        "sucuri block page",
        PageStatus.BLOCKED,
        r"cdn\.sucuri\.net/sucuri[-_]firewall[-_]block\.css|sucuri\.net/privacy-policy|cloudproxy@sucuri\.net",
        needle="sucuri",
    ),
    _marker(
        "sucuri cloudproxy challenge", PageStatus.BLOCKED, r"\bsucuri_cloudproxy_js\b", needle="sucuri_cloudproxy_js"
    ),
    # F5 BIG-IP ASM / Advanced WAF default blocking page: "The requested URL was rejected. Please consult with
    # your administrator. Your support ID is: <n>", the page wafw00f recognises
    # (https://github.com/EnableSecurity/wafw00f/blob/master/wafw00f/plugins/f5bigipasm.py).
    _marker(
        "f5 request rejected",
        PageStatus.BLOCKED,
        r"The requested URL was rejected\.?\s{0,10}(?:<[^<>]{0,40}>\s{0,10}){0,4}"
        r"Please consult with your administrator",
        needle="the requested url was rejected",
    ),
    _marker("f5 support id", PageStatus.BLOCKED, r"Your support ID is\b", needle="your support id is"),
    # Kasada's 429 interstitial: an empty page whose inline script sets KPSDK.start=KPSDK.now() and loads
    # /<uuid>/<uuid>/ips.js?...x-kpsdk-im=... (described in https://github.com/0x6a69616e/kpsdk-solver).
    # Normal pages load Kasada's p.js and name the x-kpsdk-* headers: neither is a marker.
    _marker(
        "kasada interstitial script",
        PageStatus.BLOCKED,
        r"/ips\.js\?[^\"'<>\s?]{0,3000}?(?:x-kpsdk-im=|tkrm_alpekz|KP_UIDz)",
        needle="/ips.js?",
    ),
    _marker(
        "kasada bootstrap",
        PageStatus.BLOCKED,
        r"KPSDK\.start\s{0,5}=\s{0,5}KPSDK\.now\(\)",
        confirm=_is_thin,
        needle="kpsdk.start",
    ),
    # reCAPTCHA (https://developers.google.com/recaptcha/docs/display: <div class="g-recaptcha">, rendered as
    # an iframe of /recaptcha/api2/anchor) and hCaptcha (https://docs.hcaptcha.com/: <div class="h-captcha">,
    # an iframe of hcaptcha.com/captcha/v1/...) count only as the page itself, never as a form's widget.
    _marker(
        "recaptcha interstitial",
        PageStatus.BLOCKED,
        r"class=[\"'][^\"'<>]{0,200}?\bg-recaptcha\b|/recaptcha/(?:api2|enterprise)/anchor\?",
        confirm=_is_challenge_interstitial,
        needle="recaptcha",
    ),
    _marker(
        "hcaptcha interstitial",
        PageStatus.BLOCKED,
        r"class=[\"'][^\"'<>]{0,200}?\bh-captcha\b|hcaptcha\.com/captcha/v1/",
        confirm=_is_challenge_interstitial,
        needle=("h-captcha", "hcaptcha.com/captcha/v1/"),
    ),
    # 1688 / Taobao slider in Chinese: the punish page's title "验证码拦截" (its zh-CN "captcha-title") and
    # Alibaba's nocaptcha slider (#nocaptcha, handle #nc_1_n1z, "请按住滑块，拖动到最右边"). Login dialogs
    # and inquiry forms embed the same slider, so it counts only as the page itself.
    _marker("captcha interception title zh", PageStatus.BLOCKED, r"<title>\s{0,20}验证码拦截", needle="验证码拦截"),
    _marker(
        "alibaba slider",
        PageStatus.BLOCKED,
        r"id=[\"']nc_1_n1z[\"']|请按住滑块|请?拖动(?:下方)?滑块|拖动到最右边|id=[\"']nocaptcha[\"']",
        confirm=_is_challenge_interstitial,
        needle=("nc_1_n1z", "滑块", "拖动到最右边", "nocaptcha"),
    ),
    # Sign-in walls of Global Sources (login.globalsources.com/sso/GeneralManager?action=Login, page titled
    # "Sign in to Global Sources") and IndiaMART (my.indiamart.com, "Sign In to IndiaMART", "Login to view"
    # notices). A "Sign in" link or a login dialog on a normal page matches none of these.
    _marker(
        "global sources sign-in title",
        PageStatus.LOGIN_REQUIRED,
        _sign_in_title(r"global\s?sources(?:\.com)?"),
        needle="global",
    ),
    _marker(
        "indiamart sign-in title", PageStatus.LOGIN_REQUIRED, _sign_in_title(r"india\s?mart(?:\.com)?"), needle="india"
    ),
    _marker("sign-in refresh", PageStatus.LOGIN_REQUIRED, _REFRESH_TO_SIGN_IN, needle="refresh"),
    _marker(
        "login to view wall",
        PageStatus.LOGIN_REQUIRED,
        r"<(?:title|h[12])\b[^<>]{0,200}>\s{0,40}(?:<[^<>]{0,200}>\s{0,40}){0,4}(?:please\s{1,3})?"
        r"(?:sign|log)[\s-]?in\s{1,3}to\s{1,3}(?:view|see|continue|access|read)\b",
        confirm=_is_login_wall_page,
    ),
)

#: CSS selectors of the same walls, so a browser can stop waiting for content that will never render.
#: Only final pages: Kasada's and AWS WAF's JavaScript challenges may pass and load the page, so the browser
#: keeps waiting there; reCAPTCHA/hCaptcha/slider widgets sit on normal pages' forms too.
WALL_SELECTORS = (
    "punish-component",
    "#baxia-punish",
    "#nocaptcha",
    "iframe#main-iframe",
    "#px-captcha",
    "#cf-error-details",
)

NOT_FOUND_TEXT = re.compile(
    r"(page (you requested )?(could not|cannot|can't) be found|page not found|"
    r"(store|shop|supplier|company|page) (you are looking for )?(does not|doesn't|no longer) exist|"
    r"has been (closed|removed|deleted)|店铺不存在|页面不存在|找不到页面)",
    re.IGNORECASE,
)
LOGIN_HOSTS = re.compile(rf"^{_SIGN_IN_HOST}", re.IGNORECASE)
ERROR_PATH = re.compile(r"(^|/)(error|404|notfound|not-found|not_found)([./_-]|$)", re.IGNORECASE)
_RAW_TEXT_OPEN = re.compile(r"<(script|style)\b", re.IGNORECASE)
_RAW_TEXT_CLOSE = {"script": re.compile(r"</script", re.IGNORECASE), "style": re.compile(r"</style", re.IGNORECASE)}
#: ``[^<>]`` (not ``[^>]``) keeps stripping linear on markup full of unclosed ``<``.
_TAG = re.compile(r"<[^<>]*>")
_HEADINGS = re.compile(r"<(title|h[1-3])\b[^<>]*>(.{0,500}?)</\1", re.IGNORECASE | re.DOTALL)
#: Error pages are short. On a longer page a "has been removed" is as likely a widget's ("this item has been
#: removed from your cart") and the page is a layout the parser failed to read, so only headings count there.
NOT_FOUND_MAX_TEXT_CHARS = 5000
#: A page with less visible text than this and no claims is an empty shell, not a layout we failed to read.
EMPTY_PAGE_TEXT_CHARS = 200


def _shown(url: str) -> str:
    """A URL fit for a reason that operators read: its password masked."""
    from scrapers.fetch.base import redact_url  # scrapers.fetch imports this module (WALL_SELECTORS)

    return redact_url(url)


def is_http_error(http_status: int | None) -> bool:
    """A 4xx or 5xx answer: never an ok page, whatever its body shows."""
    return http_status is not None and 400 <= http_status <= 599


def http_words(http_status: int | None) -> str:
    """ "HTTP 503 (Service Unavailable)"; the number alone for a code without a standard name."""
    try:
        return f"HTTP {http_status} ({HTTPStatus(http_status).phrase})"
    except ValueError:
        return f"HTTP {http_status}"


@dataclass(frozen=True)
class Classification:
    status: PageStatus
    reason: str


def wall_markers(html: str) -> list[Marker]:
    """The wall markers on a page; a marker with a ``confirm`` counts only when the page passes it."""
    page = PageView(html)
    lowered = html.lower()
    return [
        m
        for m in WALL_MARKERS
        if m.may_match(lowered) and m.pattern.search(html) and (m.confirm is None or m.confirm(page))
    ]


def visible_text(html: str) -> str:
    """The page's text without tags, scripts and styles, whitespace collapsed.

    Linear in the page size even for broken markup (an unclosed ``<script`` hides the rest of the page, as
    it does in a browser), so a malformed page cannot stall a check.
    """
    parts: list[str] = []
    pos = 0
    while (opening := _RAW_TEXT_OPEN.search(html, pos)) is not None:
        parts.append(html[pos : opening.start()])
        closing = _RAW_TEXT_CLOSE[opening.group(1).lower()].search(html, opening.end())
        if closing is None:
            pos = len(html)
            break
        pos = closing.start()  # the closing tag itself goes with the other tags
    parts.append(html[pos:])
    return " ".join(_TAG.sub(" ", " ".join(parts)).split())


def visible_text_length(html: str) -> int:
    return len(visible_text(html))


def says_not_found(html: str) -> bool:
    """The page says the store/page does not exist: in its title or a heading, or anywhere in a short page."""
    headings = _TAG.sub(" ", " ".join(m.group(2) for m in _HEADINGS.finditer(html)))
    if NOT_FOUND_TEXT.search(headings):
        return True
    text = visible_text(html)
    return len(text) <= NOT_FOUND_MAX_TEXT_CHARS and NOT_FOUND_TEXT.search(text) is not None


def classify(
    html: str,
    claims: ClaimsDocument,
    *,
    http_status: int | None = None,
    final_url: str | None = None,
    markers: list[Marker] | None = None,
) -> Classification:
    """Status of a fetched page given what the parser could read from it (``markers``: the page's
    :func:`wall_markers`, when the caller has them already).

    An HTTP error answer (4xx/5xx) is never ``ok``: 404/410 are ``not_found``, a wall stays ``blocked`` or
    ``login_required`` (hosts back off from those), 401/407 and 403/429/503 without supplier data keep their
    wall statuses, and any other error page is ``http_error``, even when it shows the supplier's header.

    Never raises on page content; bytes are decoded as UTF-8 (with replacement characters).
    """
    if isinstance(html, bytes | bytearray | memoryview):
        html = bytes(html).decode("utf-8", errors="replace")
    elif not isinstance(html, str):
        html = ""
    if http_status in (404, 410):
        gone = "the server has no such page; the supplier page may be gone"
        return Classification(PageStatus.NOT_FOUND, f"{http_words(http_status)}: {gone}")
    failed = is_http_error(http_status)
    if claims.has_claims() and not failed:
        return Classification(PageStatus.OK, "supplier data present")

    markers = wall_markers(html) if markers is None else markers
    # A generic marker (rgv587 flag) is on captcha and login walls alike: the specific ones say which it is.
    decisive = [m for m in markers if not m.generic] or markers
    for status in (PageStatus.BLOCKED, PageStatus.LOGIN_REQUIRED):
        if any(m.status is status for m in decisive):
            hits = [m.name for m in markers if m.status is status or m.generic]
            return Classification(status, "no supplier data; " + ", ".join(hits))
    if final_url and LOGIN_HOSTS.match(urlsplit(final_url).hostname or ""):
        return Classification(PageStatus.LOGIN_REQUIRED, f"redirected to sign-in page {_shown(final_url)}")
    if failed and claims.has_claims():
        # An error page that still shows the supplier's header (or a stale copy of the page): not compared.
        return Classification(
            PageStatus.HTTP_ERROR, f"{http_words(http_status)}, although the page shows supplier data; not compared"
        )
    if http_status in (401, 407):
        return Classification(PageStatus.LOGIN_REQUIRED, f"HTTP {http_status}")
    if http_status in (403, 429, 503):
        return Classification(PageStatus.BLOCKED, f"HTTP {http_status} without supplier data")
    if failed:
        return Classification(PageStatus.HTTP_ERROR, f"{http_words(http_status)} without supplier data")
    if final_url and ERROR_PATH.search(urlsplit(final_url).path):
        return Classification(PageStatus.NOT_FOUND, f"redirected to error page {_shown(final_url)}")
    if says_not_found(html[:200_000]):
        return Classification(PageStatus.NOT_FOUND, "page says it does not exist")
    if visible_text_length(html) < EMPTY_PAGE_TEXT_CHARS:
        return Classification(PageStatus.NOT_FOUND, "empty page without supplier data")
    return Classification(PageStatus.UNPARSEABLE, "page has content but no claims the parser recognises")
