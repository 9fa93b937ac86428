"""Wording rules: what the supplier's own words (and the fields they typed) reveal about a certification claim.

Each rule is one small function over the statements (English and Chinese, after NFKC normalisation), plus the
structured fields where the same mistake can be typed into a form (issuer "ISO", accreditation body "IAF").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from monitor.severity import Severity
from monitor.verify.bodies_data import name_tokens
from monitor.verify.findings import Hit, VerifyContext, rule
from monitor.verify.rules._sources import S1, S1_SAY, S2, S3, S4, S7, S33, cite
from monitor.verify.rules._text import Prepared, cert_standard, describe, excerpt, prepare

# "ISO" as an organisation: not followed by a standard number ("ISO 9001", "ISO/IEC 27001").
_ISO = (
    r"(?:ISO(?![A-Za-z])(?![\s\-_:./]*(?:(?:IEC|TS)\s*)?\d)"
    r"|International\s+Organi[sz]ation\s+for\s+Standardi[sz]ation|国际标准化组织)"
)
_IAF = r"(?:IAF(?![A-Za-z])|International\s+Accreditation\s+Forum|国际认可论坛)"
_BY = (
    r"(?:certified|certificated|approved|accredited|issued|granted|awarded|authori[sz]ed|recogni[sz]ed"
    r"|registered|audited)"
)

_ISO_AS_CERTIFIER = re.compile(
    rf"\b{_BY}\s+(?:by|from)\s+(?:the\s+)?{_ISO}(?!\s*standards?\b)"
    rf"|(?<![A-Za-z]){_ISO}[\s\-]*(?:approved|approval)\b"
    rf"|由\s*{_ISO}\s*(?:组织)?\s*(?:认证|颁发|签发|授予|批准|认可|审核)"
    # The organisation's full name before a certification is the organisation as certifier (经国际标准化组织认证,
    # 获得国际标准化组织颁发的证书); a bare "ISO认证" is only vague, so it is left to VAGUE_ISO_CLAIM.
    r"|国际标准化组织\s*(?:的)?\s*(?:认证|颁发|签发|授予|批准|认可|审核|证书)"
    rf"|(?<![A-Za-z]){_ISO}\s*(?:组织)?\s*(?:颁发|签发|授予|批准)",
    re.I | re.A,
)
_IAF_AS_ACCREDITOR = re.compile(
    rf"\b{_BY}\s+(?:by|from|with)\s+(?:the\s+)?{_IAF}(?![\s\-]*(?:MLA|members?|signator))"
    rf"|(?<![A-Za-z]){_IAF}[\s\-]*(?:certified|certificated|accredited|approved|certificates?|certification)\b"
    rf"|由\s*{_IAF}\s*(?:认证|认可|颁发|批准)"
    rf"|(?<![A-Za-z]){_IAF}\s*(?:认证|颁发|证书)",
    re.I | re.A,
)
_VAGUE_ISO = re.compile(
    rf"(?<![A-Za-z]){_ISO}[\s\-]*(?:(?:quality|management|system|systems|standard|standards|QMS)\s+){{0,3}}"
    r"(?:certified|certificated|certification|certificates?|registered)\b"
    rf"|\bcertified\s+(?:to\s+)?(?:the\s+)?{_ISO}\s+(?:standards?|company|factory|manufacturer|supplier)\b"
    rf"|(?<![A-Za-z]){_ISO}\s*(?:国际|质量|管理|体系|标准){{0,4}}\s*(?:认证|证书)",
    re.I | re.A,
)
_CLAIM_WORD = re.compile(r"certif|accredit|approved|registered|passed|认证|证书|通过", re.I | re.A)
_FAMILY = frozenset({"ISO 9000", "ISO 9004", "ISO 14000", "ISO 14004"})
_LAB_STANDARDS = frozenset(
    {"ISO/IEC 17025", "ISO/IEC 17020", "ISO/IEC 17065", "ISO/IEC 17021", "ISO/IEC 17024", "ISO 15189", "ISO 17034"}
)

# Over text where every management-system standard is replaced by "§".
_PRODUCT_CLAIM = re.compile(
    r"§\s*(?:certified|certificated|approved|compliant|qualified)?\s*(?:products?|goods|items|merchandise)\b"
    r"|\b(?:products?|goods|items)\s+(?:are|is|were|have\s+been|has\s+been)\s+(?:all\s+|also\s+|fully\s+)?"
    r"(?:[a-z]+\s+)?(?:certified|certificated|approved|tested)\s+(?:by|to|with|under|according\s+to)?\s*(?:the\s+)?§"
    r"|\b(?:products?|goods|items)\s+(?:are|is|were)\s+(?:all\s+|also\s+|fully\s+)?§\s*"
    r"(?:certified|certificated|approved|compliant)"
    r"|\b(?:quality|products?)\s+(?:is\s+|are\s+)?(?:guaranteed|assured|ensured|warranted|backed)\s+by\s+"
    r"(?:the\s+|our\s+)?(?:[a-z]+\s+)?§(?!\s*(?:quality\s+)?(?:management\s+)?systems?)"
    r"|§\s*(?:product\s+(?:certificat\w*|approval|quality)|quality\s+guarantee)"
    r"|产品\s*(?:均|都|已|全部|也)?\s*(?:通过|获得|取得)\s*(?:了)?\s*§"
    r"|§\s*(?:认证)?\s*(?:的)?\s*产品"
    r"|质量\s*(?:由|经)\s*§\s*(?:认证)?\s*(?:保证|担保)",
    re.I | re.A,
)
# The phrasing ISO allows: "the management system governing the manufacture of this product is ISO 9001 certified".
_ALLOWED_PRODUCT_PHRASE = re.compile(
    r"management\s+system\s+(?:governing|for|of|used|that|which|covering|behind)|管理体系", re.I | re.A
)
_COMPANY_ACCREDITED = re.compile(
    r"§\s*(?:[-–]\s*)?accredited\b|\baccredited\s+(?:to|with|for|under|as)\s+(?:an?\s+|the\s+)?§", re.I | re.A
)
_ISO_LOGO = re.compile(
    rf"(?<![A-Za-z]){_ISO}\s*(?:logos?|marks?|seals?|emblems?|stamps?)\b|{_ISO}\s*(?:标志|标识|徽标)", re.I | re.A
)
_PRODUCT_CERT_NAME = re.compile(r"product\s+(?:certificat|approval)|产品认证|产品证书", re.I | re.A)


def _substituted(prepared: Prepared) -> str:
    """The statement with each management-system standard (labs' standards excepted) replaced by "§"."""
    if not prepared.mentions:
        return prepared.text
    out, last = [], 0
    for m in prepared.mentions:
        if m.kind == "management_system" and m.standard not in _LAB_STANDARDS:
            out.append(prepared.text[last : m.start])
            out.append("§")
            last = m.end
    out.append(prepared.text[last:])
    return "".join(out)


def _statement_hits(context: VerifyContext, pattern: re.Pattern[str], message: str) -> Iterator[Hit]:
    for index, statement in context.statements():
        prepared = prepare(statement.text)
        match = pattern.search(prepared.text)
        if match:
            yield Hit(message, excerpt(prepared.text, match.start(), match.end()), statement=index)


def _is_named(value: str | None, *names: tuple[str, ...]) -> bool:
    return bool(value) and name_tokens(value) in names  # type: ignore[arg-type]


_ISO_NAMES = (("iso",), ("international", "organization", "for", "standardization"), ("国际标准化组织",))
_IAF_NAMES = (("iaf",), ("international", "accreditation", "forum"), ("国际认可论坛",))


@rule(
    "ISO_AS_CERTIFIER",
    Severity.HIGH,
    title="ISO named as the certifier",
    explanation=(
        "ISO writes the standards but never certifies, approves or issues certificates to companies. A claim that "
        "ISO certified this supplier shows the supplier does not know who certified it, or that the certificate "
        "is not genuine. Ask for the certificate itself: it must name the certification body that issued it."
    ),
    source=cite(S1, S2, "cert_rules CW-02"),
)
def iso_as_certifier(context: VerifyContext) -> Iterator[Hit]:
    """ISO does not certify: 'certified by ISO', 'ISO approved', 由ISO认证, or ISO typed as the issuer."""
    yield from _statement_hits(
        context,
        _ISO_AS_CERTIFIER,
        "The supplier says ISO certified or approved it. ISO does not certify companies; ask which certification "
        "body issued the certificate and for a copy showing its name.",
    )
    for index, cert in context.certifications():
        for field, value in (("issuer", cert.issuer), ("accreditation body", cert.accreditation_body)):
            if _is_named(value, *_ISO_NAMES):
                yield Hit(
                    f"The certificate gives ISO as its {field}. ISO issues no certificates; ask for the certificate "
                    "showing the real certification body.",
                    describe(cert),
                    certification=index,
                )


@rule(
    "IAF_AS_ACCREDITOR",
    Severity.HIGH,
    title="IAF named as the accreditor",
    explanation=(
        "The International Accreditation Forum is an association of accreditation bodies; it accredits and "
        "certifies no one. A certificate is accredited by a national body such as UKAS, DAkkS or CNAS. 'Accredited "
        "by IAF' usually means the supplier (or a certificate mill) borrowed the IAF name. Ask which accreditation "
        "body's mark the certificate bears."
    ),
    source=cite(S33, "cert_rules CW-09"),
)
def iaf_as_accreditor(context: VerifyContext) -> Iterator[Hit]:
    """'Accredited by IAF', 'IAF certified', 由IAF认证, or IAF typed as issuer / accreditation body."""
    yield from _statement_hits(
        context,
        _IAF_AS_ACCREDITOR,
        "The supplier says IAF accredited or certified it. IAF accredits no one; ask which national accreditation "
        "body accredits the certification body.",
    )
    for index, cert in context.certifications():
        for field, value in (("issuer", cert.issuer), ("accreditation body", cert.accreditation_body)):
            if _is_named(value, *_IAF_NAMES):
                yield Hit(
                    f"The certificate gives IAF as its {field}. IAF neither certifies nor accredits; ask for the "
                    "accreditation body (e.g. UKAS, CNAS) named on the certificate.",
                    describe(cert),
                    certification=index,
                )


@rule(
    "VAGUE_ISO_CLAIM",
    Severity.MEDIUM,
    title="'ISO certified' without a standard",
    explanation=(
        "There is no such thing as an 'ISO certificate': companies are certified to one standard (for example "
        "ISO 9001:2015 for quality management). A claim that names no standard cannot be checked. Ask which "
        "standard and edition, the certificate number and the certification body."
    ),
    source=cite(S1_SAY, "cert_rules CW-01"),
)
def vague_iso_claim(context: VerifyContext) -> Iterator[Hit]:
    """'ISO certified', 通过ISO认证 with no standard number in the sentence; a certificate named just 'ISO'."""
    for index, statement in context.statements():
        prepared = prepare(statement.text)
        if prepared.mentions:
            continue
        match = _VAGUE_ISO.search(prepared.text)
        if match and not _ISO_AS_CERTIFIER.search(prepared.text):  # that rule already says more
            yield Hit(
                "The supplier says it is 'ISO certified' without naming a standard. Ask which standard and edition "
                "(e.g. ISO 9001:2015), the certificate number and who issued it.",
                excerpt(prepared.text, match.start(), match.end()),
                statement=index,
            )
    for index, cert in context.certifications():
        standard, _ = cert_standard(cert)
        if standard is None and name_tokens(cert.name)[:1] == ("iso",) and len(name_tokens(cert.name)) <= 3:
            yield Hit(
                "A certificate is listed only as 'ISO'. Ask which standard and edition it covers.",
                describe(cert),
                certification=index,
            )


@rule(
    "FAMILY_NOT_CERTIFIABLE",
    Severity.MEDIUM,
    title="A standards family named as a certificate",
    explanation=(
        "ISO 9000 and ISO 14000 are families of standards, and ISO 9004 / ISO 14004 are guidance: nobody can be "
        "certified to them. Only ISO 9001 and ISO 14001 are certified. The supplier probably means one of those; "
        "ask for the certificate to see which."
    ),
    source=cite(S4, "ISO news 2003 (https://www.iso.org/news/2003/06/Ref859.html)", "cert_rules CW-04"),
)
def family_not_certifiable(context: VerifyContext) -> Iterator[Hit]:
    """'ISO 9000 certified', 'ISO 14000 certificate': families and guidance standards are not certified."""
    for index, statement in context.statements():
        prepared = prepare(statement.text)
        for m in prepared.mentions:
            if m.standard in _FAMILY and _CLAIM_WORD.search(prepared.text):
                yield Hit(
                    f"{m.standard} cannot be certified (it is a family or guidance standard). Ask whether the "
                    f"certificate is really ISO 9001 or ISO 14001, and for a copy.",
                    excerpt(prepared.text, m.start, m.end),
                    statement=index,
                )
                break
    for index, cert in context.certifications():
        standard, _ = cert_standard(cert)
        if standard in _FAMILY:
            yield Hit(
                f"The certificate is listed as {standard}, which cannot be certified. Ask for the actual certificate.",
                describe(cert),
                certification=index,
            )


@rule(
    "PRODUCT_CLAIM_FROM_SYSTEM_CERT",
    Severity.HIGH,
    title="A management-system certificate sold as product quality",
    explanation=(
        "ISO 9001 and similar certificates say the company runs a management system; they certify no product and "
        "guarantee no product quality, and ISO's rules forbid presenting them that way. Ask for product evidence "
        "instead: test reports or product certificates for the goods you buy."
    ),
    source=cite(S4, S7, "cert_rules CW-07"),
)
def product_claim_from_system_cert(context: VerifyContext) -> Iterator[Hit]:
    """'ISO 9001 certified products', 'quality guaranteed by ISO 9001', 产品通过ISO9001认证, or an MS standard
    listed as a product certificate."""
    for index, statement in context.statements():
        prepared = prepare(statement.text)
        if not prepared.mentions:
            continue
        text = _substituted(prepared)
        if "§" not in text or _ALLOWED_PRODUCT_PHRASE.search(text):
            continue
        match = _PRODUCT_CLAIM.search(text)
        if match:
            yield Hit(
                "A management-system certificate is presented as a product certification or quality guarantee. "
                "Ask for test reports or product certificates for the products themselves.",
                excerpt(prepared.text, max(0, match.start() - 10), match.end() + 10),
                statement=index,
            )
    for index, cert in context.certifications():
        standard, _ = cert_standard(cert)
        from_name = prepare(cert.name).mentions
        is_ms = (bool(from_name) and from_name[0].kind == "management_system") or (
            standard is not None and standard.startswith(("ISO", "IATF", "OHSAS")) and cert.kind == "product"
        )
        if (
            is_ms
            and standard not in _LAB_STANDARDS
            and (cert.kind == "product" or _PRODUCT_CERT_NAME.search(cert.name))
        ):
            yield Hit(
                f"{standard} is a management-system standard but is listed as a product certificate. Ask for the "
                "product's own test reports or certificates.",
                describe(cert),
                certification=index,
            )


@rule(
    "ACCREDITED_COMPANY_WORDING",
    Severity.LOW,
    title="Company says it is 'accredited' to a management-system standard",
    explanation=(
        "Companies are certified (or registered) to ISO 9001; only certification bodies and laboratories are "
        "accredited. The wording is a common slip, not proof of anything wrong, but it is worth asking for the "
        "certificate and the certification body's accreditation."
    ),
    source=cite(S4, S1, "cert_rules CW-05"),
)
def accredited_company_wording(context: VerifyContext) -> Iterator[Hit]:
    """'ISO 9001 accredited': accreditation is for certifiers and labs (ISO/IEC 17025 accreditation is fine)."""
    for index, statement in context.statements():
        prepared = prepare(statement.text)
        if not prepared.mentions:
            continue
        match = _COMPANY_ACCREDITED.search(_substituted(prepared))
        if match:
            yield Hit(
                "The supplier calls itself 'accredited' to a management-system standard; companies are certified, "
                "not accredited. Ask for the certificate and who issued it.",
                excerpt(prepared.text),
                statement=index,
            )


@rule(
    "ISO_LOGO",
    Severity.MEDIUM,
    title="ISO logo used with a certification",
    explanation=(
        "ISO does not allow its logo to be used to advertise a management-system certification, on products, web "
        "sites or marketing. Its use suggests the supplier is unfamiliar with the rules of certification. Ask for "
        "the certificate and the certification body's own mark rules."
    ),
    source=cite(S3, "cert_rules CW-06"),
)
def iso_logo(context: VerifyContext) -> Iterator[Hit]:
    """Mentions of the ISO logo / mark / 标志 in connection with a certification."""
    yield from _statement_hits(
        context,
        _ISO_LOGO,
        "The supplier refers to an ISO logo or mark. ISO forbids its logo in connection with certification; ask "
        "for the certificate itself.",
    )
