"""Scheme rules: claims about programmes that are not certifications (BSCI, SMETA, FDA registration, marketplace
checks), claims that no listed certificate supports, and certificates the marketplace itself did not verify."""

from __future__ import annotations

import re
from collections.abc import Iterator

from monitor.severity import Severity
from monitor.verify.bodies_data import name_tokens
from monitor.verify.findings import Hit, VerifyContext, rule
from monitor.verify.rules._sources import S21, S24, S25, S31, cite
from monitor.verify.rules._text import cert_standard, describe, excerpt, normalized_certification, prepare

_SOCIAL = r"(?:amfori\s*)?(?:BSCI|SMETA|Sedex)(?![A-Za-z])"
_NOT_A_CERTIFICATION = re.compile(
    rf"(?<![A-Za-z]){_SOCIAL}[\s\-]*(?:(?:[A-Za-z]+\s+){{0,2}})?(?:certified|certificated|certificates?|certification)\b"
    rf"|\b(?:certified|certificated|certificates?|certification)\s+(?:by\s+|to\s+|of\s+|with\s+|under\s+|the\s+){{0,2}}"
    rf"{_SOCIAL}"
    rf"|\bpass(?:ed|es)?\s+(?:the\s+)?(?:4-pillar\s+|2-pillar\s+)?SMETA"
    rf"|(?<![A-Za-z]){_SOCIAL}\s*(?:的)?\s*(?:认证|证书)",
    re.I | re.A,
)
_SOCIAL_NAMES = frozenset({"BSCI", "SMETA", "Sedex"})
_HONEST_AUDIT_NAME = re.compile(r"audit|report|member|审核|报告|验厂|会员", re.I | re.A)

_FDA = r"(?:(?:US\s+|U\.S\.\s+|USA\s+|美国\s*)?(?:FDA(?![A-Za-z])|Food\s+and\s+Drug\s+Administration))"
_FDA_CLAIM = re.compile(
    rf"(?<![A-Za-z]){_FDA}[\s\-]*(?:approved|approval|certified|certificated|certificates?|certification)\b"
    rf"|\b(?:approved|certified|certificated)\s+by\s+(?:the\s+)?{_FDA}"
    rf"|{_FDA}\s*regist(?:ration|ered)\s+certificate"
    rf"|{_FDA}\s*(?:的)?\s*(?:认证|证书|批准)",
    re.I | re.A,
)
_FDA_REGISTRATION_NAME = re.compile(r"regist|listing|注册", re.I | re.A)
_FDA_CERT_NAME = re.compile(r"certif|approv|认证|证书|批准", re.I | re.A)

_INSPECTOR = r"(?:SGS|T[UÜ]E?V(?:\s*(?:Rheinland|S[UÜ]D|NORD))?|BV|Bureau\s+Veritas|Intertek)"
_PLATFORM = r"(?:Alibaba(?:\.com)?|Made[\s\-]*in[\s\-]*China(?:\.com)?|Global\s*Sources|1688|阿里巴巴)"
_PLATFORM_AS_CERT = re.compile(
    rf"(?<![A-Za-z]){_INSPECTOR}[\s\-]*(?:certified|verified|audited|approved|assessed)\s+(?:gold\s+)?"
    r"(?:suppliers?|factory|factories|manufacturers?|company|vendors?|exporters?|members?)\b"
    rf"|\b(?:certified|certification|certificate|approved)\s+(?:by|from)\s+{_PLATFORM}"
    rf"|(?<![A-Za-z]){_PLATFORM}[\s\-]*(?:certified|certification|certificate)"
    r"|\b(?:Verified|Gold|Assessed|Audited)\s+Supplier\s+(?:certificate|certification)"
    # "a Verified Supplier certified by SGS", "certified as an Audited Supplier": the badge is the certificate.
    r"|\b(?:Verified|Gold|Assessed|Audited)\s+(?:Supplier|Manufacturer)\b[^.;!?。；]{0,40}?"
    r"\b(?:certified|certificated|accredited)\b"
    r"|\b(?:certified|certificated|accredited)\s+(?:as\s+)?(?:an?\s+)?(?:Verified|Gold|Assessed|Audited)\s+Supplier"
    r"|\bon-?\s*site\s+check\s+certif\w*"
    rf"|{_PLATFORM}\s*认证"
    rf"|{_INSPECTOR}\s*认证\s*(?:的)?\s*(?:供应商|工厂|厂家)",
    re.I | re.A,
)
_CERTIFIED_BY_INSPECTOR = re.compile(
    rf"\b(?:certified|certificated|certification|certificate)\s+(?:by|from)\s+(?P<a>{_INSPECTOR})"
    rf"|(?<![A-Za-z])(?P<b>{_INSPECTOR})[\s\-]*(?:certified|certification|certificate)",
    re.I | re.A,
)
_BADGE_CERT_NAME = re.compile(
    r"^\s*(?:(?:verified|gold|assessed|audited)\s+(?:supplier|manufacturer)|on-?\s*site\s+check|trade\s+assurance)",
    re.I | re.A,
)
_ASSESSED_BY = re.compile(r"^\s*(?:assessed|audited|verified|inspected)\s+by\s+", re.I | re.A)
_INSPECTOR_KEYS = frozenset({"sgs", "tuv", "bv", "intertek"})
# GB/T national adoptions certify the same thing as the ISO standard.
_EQUIVALENT = {"GB/T 19001": "ISO 9001", "GB/T 24001": "ISO 14001", "GB/T 45001": "ISO 45001"}


def _inspector_key(name: str) -> str:
    tokens = name_tokens(name)
    if not tokens:
        return ""
    if tokens[0] in ("tuv", "bv", "sgs", "intertek"):
        return tokens[0]
    return "bv" if tokens[:2] == ("bureau", "veritas") else tokens[0]


def _badge_inspectors(context: VerifyContext) -> set[str]:
    """Inspection companies named by the page's marketplace badges ("assessed by SGS Group" -> "sgs")."""
    keys = set()
    for badge in context.claims.badges:
        for text in (badge.issuer, badge.detail, badge.name):
            if text:
                keys.add(_inspector_key(_ASSESSED_BY.sub("", text)))
    return keys & _INSPECTOR_KEYS


@rule(
    "NOT_A_CERTIFICATION",
    Severity.MEDIUM,
    title="Social audit presented as a certification",
    explanation=(
        "amfori BSCI and SMETA (Sedex) are social-compliance audits, not certifications: BSCI rates a factory A "
        "to E, SMETA has no pass or fail, and neither issues a certificate. Ask for the latest audit report (or "
        "access to it on the amfori / Sedex platform) and its date and rating."
    ),
    source=cite(S24, S25, "cert_rules OC-BSCI-1 / OC-SMETA-1"),
)
def not_a_certification(context: VerifyContext) -> Iterator[Hit]:
    """'BSCI certified', 'SMETA certificate', 'passed SMETA', BSCI认证, or BSCI/SMETA listed as a certificate."""
    for index, statement in context.statements():
        prepared = prepare(statement.text)
        match = _NOT_A_CERTIFICATION.search(prepared.text)
        if match:
            yield Hit(
                "BSCI / SMETA audits are presented as a certification. They are audits with a rating, not "
                "certificates; ask for the latest audit report, its date and its rating.",
                excerpt(prepared.text, match.start(), match.end()),
                statement=index,
            )
    for index, cert in context.certifications():
        standard, _ = cert_standard(cert)
        if standard in _SOCIAL_NAMES and not _HONEST_AUDIT_NAME.search(cert.name):
            yield Hit(
                f"{standard} is listed as a certificate, but it is an audit programme, not a certification. Ask for "
                "the audit report, its date and rating.",
                describe(cert),
                certification=index,
            )


@rule(
    "FDA_APPROVAL_CLAIM",
    Severity.HIGH,
    title="FDA registration presented as approval or a certificate",
    explanation=(
        "Registering a facility with the US FDA does not mean FDA approved anything, and FDA issues no "
        "registration certificates (the 'FDA certificates' sold by agents are not FDA documents). Ask for the FDA "
        "registration number to check in FDA's database, and, if approval is claimed, the 510(k) or approval "
        "number for the specific product."
    ),
    source=cite(S21, "21 CFR 807.97", "cert_rules OC-FDA-1"),
)
def fda_approval_claim(context: VerifyContext) -> Iterator[Hit]:
    """'FDA approved/certified', 'FDA certificate', FDA认证; an FDA entry listed as a certificate."""
    for index, statement in context.statements():
        prepared = prepare(statement.text)
        match = _FDA_CLAIM.search(prepared.text)
        if match:
            yield Hit(
                "The supplier claims FDA approval or an FDA certificate. FDA registration is not approval and FDA "
                "issues no such certificates; ask for the FDA registration number or the product's 510(k) number.",
                excerpt(prepared.text, match.start(), match.end()),
                statement=index,
            )
    for index, cert in context.certifications():
        standard, _ = cert_standard(cert)
        if standard != "FDA":
            continue
        if _FDA_REGISTRATION_NAME.search(cert.name) and not _FDA_CERT_NAME.search(cert.name):
            continue
        yield Hit(
            "FDA is listed as a certificate. FDA does not certify suppliers or issue registration certificates; "
            "ask for the FDA registration number or the product's 510(k) number.",
            describe(cert),
            certification=index,
        )


@rule(
    "PLATFORM_CHECK_AS_CERTIFICATION",
    Severity.MEDIUM,
    title="Marketplace check presented as a certification",
    explanation=(
        "'Verified Supplier', 'Onsite Check' or 'assessed by SGS / TÜV' are paid marketplace verifications: an "
        "inspection company confirms the business exists and what it says about itself. They are useful, but "
        "they are not a certification of the company or its products. Ask for the verification report and, "
        "separately, for any real certificates."
    ),
    source=cite(S31, "cert_rules OC-PLAT-1"),
)
def platform_check_as_certification(context: VerifyContext) -> Iterator[Hit]:
    """'SGS certified supplier', 'certified by Alibaba', 'certified by TÜV' echoing an 'assessed by TÜV' badge."""
    badge_inspectors = _badge_inspectors(context)
    for index, statement in context.statements():
        prepared = prepare(statement.text)
        match = _PLATFORM_AS_CERT.search(prepared.text)
        if match is None and badge_inspectors and not prepared.mentions:
            by = _CERTIFIED_BY_INSPECTOR.search(prepared.text)
            standard = normalized_certification(prepared.text)[0]
            if by and standard in (None, "TUV") and _inspector_key(by.group("a") or by.group("b")) in badge_inspectors:
                match = by
        if match:
            yield Hit(
                "A marketplace verification is worded as a certification. It confirms the business, not a "
                "certificate; ask for the verification report and for the real certificates separately.",
                excerpt(prepared.text, match.start(), match.end()),
                statement=index,
            )
    for index, cert in context.certifications():
        if _BADGE_CERT_NAME.search(cert.name):
            yield Hit(
                f"'{cert.name}' is a marketplace verification listed as a certificate. Ask for the verification "
                "report and for real certificates separately.",
                describe(cert),
                certification=index,
            )


@rule(
    "UNSUPPORTED_TEXT_CLAIM",
    Severity.MEDIUM,
    title="Certification claimed in text but not listed",
    explanation=(
        "The supplier's text claims a certification that appears nowhere among the certificates shown on the "
        "page. It may simply not be uploaded, but the claim cannot be checked. Ask for a copy of that certificate "
        "with its number, issuer and dates."
    ),
    source=cite("cert_rules §2 (a claim needs a certificate with the §8.2.2 content)", "project heuristic"),
)
def unsupported_text_claim(context: VerifyContext) -> Iterator[Hit]:
    """Management-system standards named in statements with no structured certificate for them (once each)."""
    listed: set[str] = set()
    for _, cert in context.certifications():
        if cert.listed:
            standard, _ = cert_standard(cert)
            if standard:
                listed.add(_EQUIVALENT.get(standard, standard))
    reported: set[str] = set()
    for index, statement in context.statements():
        prepared = prepare(statement.text)
        for m in prepared.mentions:
            standard = _EQUIVALENT.get(m.standard, m.standard)
            if m.kind != "management_system" or standard in listed or standard in reported:
                continue
            reported.add(standard)
            yield Hit(
                f"The supplier claims {standard} in its text, but no {standard} certificate is listed. Ask for a copy "
                "with its number, issuer and validity dates.",
                excerpt(prepared.text, m.start, m.end),
                statement=index,
            )


@rule(
    "UNVERIFIED_BY_PLATFORM",
    Severity.LOW,
    title="Certificate not verified by the marketplace",
    explanation=(
        "The marketplace marks this certificate as not verified: the supplier uploaded it, but nobody checked it "
        "against the issuer. Ask for a copy and check the number with the issuing body."
    ),
    source=cite(S31),
)
def unverified_by_platform(context: VerifyContext) -> Iterator[Hit]:
    """platform_verified is False (None means the page does not say, which is not reported)."""
    for index, cert in context.certifications():
        if cert.platform_verified is False:
            yield Hit(
                "The marketplace has not verified this certificate. Ask for a copy and check it with the issuer.",
                describe(cert),
                certification=index,
            )
