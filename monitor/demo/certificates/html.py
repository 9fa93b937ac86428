"""A case's HTML: the template filled with its fields, its labels' wording and its dates in the case's style."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from monitor.demo.certificates.case import CertificateCase
from monitor.demo.certificates.dates import format_date

__all__ = ["PAGE_SIZE", "page_size", "render_html"]

TEMPLATE_DIR = Path(__file__).parent / "templates"
#: A4 in CSS pixels (96 per inch); screenshots are taken at 150 dpi (1240 x 1754).
PAGE_SIZE = (794, 1123)

_SYSTEMS = {
    "ISO 9001": ("Quality Management System", "质量管理体系", "GB/T 19001-2016"),
    "ISO 14001": ("Environmental Management System", "环境管理体系", "GB/T 24001-2016"),
    "ISO 45001": ("Occupational Health and Safety Management System", "职业健康安全管理体系", "GB/T 45001-2020"),
}

_B = Markup("<br>")

#: Wordings of the labels, per template; ``label_variant`` picks one (modulo the count).
_LABELS: dict[str, dict[str, list[str | Markup]]] = {
    "iso_frame_en": {
        "number": ["Certificate No.", "Registration No.", "Certificate Number"],
        "first_issued": ["Date of initial certification", "Original certification date", "First issue"],
        "issued": ["Issue date", "Date of issue", "Current issue"],
        "valid_until": ["Valid until", "Expiry Date", "Expiration date"],
    },
    "iso_band_en": {
        "number": ["Registration No.", "Certificate No.", "Certificate Number"],
        "first_issued": ["Original approval", "Date of initial certification", "First issue"],
        "issued": ["Effective date", "Issue date", "Date of issue"],
        "valid_until": ["Expiry Date", "Valid until", "Expiration date"],
    },
    "iso_table_zh": {
        "number": [Markup("证书编号<br>Certificate No."), Markup("注册号<br>Registration No.")],
        "first_issued": [Markup("初次发证日期<br>Initial certification"), Markup("初次认证日期<br>First issue")],
        "issued": [Markup("发证日期<br>Issue date"), Markup("换证日期<br>Date of issue")],
        "valid_until": [Markup("有效期至<br>Valid until"), Markup("证书到期日<br>Expiry Date")],
    },
    "iso_centre_zh": {
        "number": ["证书编号 Certificate No.", "注册号 Registration No."],
        "first_issued": ["初次发证日期 Date of initial certification", "初次发证日期 First issue"],
        "issued": ["发证日期 Issue date", "发证日期 Date of issue"],
        "valid_until": ["有效期至 Valid until", "有效期至 Expiry Date"],
    },
    "ce_conformity": {
        "number": ["Certificate No.", "Certificate Number", "Verification No."],
        "first_issued": ["First issue"],
        "issued": ["Date of issue", "Issue Date"],
        "valid_until": ["Valid until", "Expiry Date"],
    },
    "bsci_summary": {
        "number": ["Audit ID", "Audit Reference No."],
        "first_issued": ["First audit"],
        "issued": ["Audit date", "Date of audit"],
        "valid_until": ["Audit validity until", "Valid until"],
    },
}

_ACCENTS = ("#1d3f8f", "#0b6e4f", "#7a1f2b", "#254a7a", "#5b2c83", "#8a5a00", "#006d8f", "#333f48")

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=select_autoescape(["html", "svg", "css"], default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def page_size(case: CertificateCase) -> tuple[int, int]:
    """The page's CSS size (portrait or landscape A4)."""
    w, h = PAGE_SIZE
    return (h, w) if case.info.landscape else (w, h)


def _mark_html(mark: str) -> Markup:
    """An accreditation box's content: the body's acronym big, the rest (number, "MLA") small."""
    head, _, rest = mark.partition(" ")
    extra = {"UKAS": "MANAGEMENT SYSTEMS", "ANAB": "ACCREDITED", "IAF": "MLA", "CNAS": "认可"}.get(head, "")
    parts = [Markup("<b>") + escape(head) + Markup("</b>")]
    if extra:
        parts.append(escape(extra))
    if rest:
        parts.append(escape(rest))
    return _B.join(parts)


def _initials(issuer: str) -> str:
    words = [w for w in issuer.replace("-", " ").split() if w[:1].isalpha() and w[:1].isupper()]
    return "".join(w[0] for w in words[:3]) or issuer[:2].upper()


def render_html(case: CertificateCase) -> str:
    """The filled template for ``case``."""
    base = case.standard
    system_en, system_zh, gb = _SYSTEMS.get(base, (base, base, base))
    standard_line = f"{case.standard}:{case.edition}" if case.edition else case.standard
    labels = {key: options[case.label_variant % len(options)] for key, options in _LABELS[case.template].items()}
    dates = {
        key: (format_date(getattr(case, key), case.date_style) if getattr(case, key) else None)
        for key in ("first_issued", "issued", "valid_until")
    }
    digest = hashlib.sha256(case.issuer.encode()).digest()
    w, h = page_size(case)
    template = _env.get_template(case.info.file)
    html = template.render(
        c=case,
        labels=labels,
        d=dates,
        page_w=w,
        page_h=h,
        accent=_ACCENTS[digest[0] % len(_ACCENTS)],
        initials=_initials(case.issuer),
        system_en=system_en,
        system_zh=system_zh,
        standard_line=standard_line,
        gb_line=f"{gb} / {standard_line}" if gb != base else standard_line,
        mark_html=_mark_html,
        seal_text_en=f"{case.issuer.upper()} * CERTIFICATION *",
        seal_text_zh=f"{case.issuer_zh or case.issuer} 认证专用章",
        seal_id=case.id.replace(".", "-"),
    )
    mark = case.extra.get("demo_mark")
    if mark:  # demo files say what they are, small, at the foot of the page
        note = Markup(
            '<div style="position:absolute;left:0;right:0;bottom:6px;text-align:center;font:10px '
            'Liberation Sans,sans-serif;color:#777">{}</div></body>'
        ).format(mark)
        html = html.replace("</body>", note, 1)
    return html
