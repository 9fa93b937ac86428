"""The families kept as HTML templates (``monitor/demo/templates/*.html``): Global Sources, IndiaMART, 1688 and
a supplier's own website.

The markup lives in data files so that a page can be read, diffed and edited as the HTML it is; this module
only hands each template the supplier and the few values a template cannot derive (the website's JSON-LD).
Jinja2 autoescaping escapes every value that reaches HTML; JSON inside ``<script>`` goes through
``script_json``, which leaves no ``<``, ``>`` or ``&`` that could end the element.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from monitor.demo.pages.common import script_json
from monitor.demo.scenario import Family, PageExtras, Supplier

#: The template file of each family rendered from a template.
TEMPLATES: dict[Family, str] = {
    "gs_company": "global_sources_company.html",
    "indiamart_company": "indiamart_company.html",
    "1688_shop": "china_1688_shop.html",
    "own_website": "own_website_about.html",
}


@cache
def environment() -> Environment:
    """One Jinja2 environment for every demo template: autoescaped, and a misspelt name fails loudly."""
    env = Environment(
        loader=PackageLoader("monitor.demo", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["script_json"] = script_markup
    return env


def script_markup(obj: object) -> Markup:
    """JSON for a ``<script>`` element, marked safe: autoescaping would turn its quotes into ``&#34;`` and break
    the JSON, and ``script_json`` already leaves no ``<``, ``>`` or ``&`` that could end the element."""
    return Markup(script_json(obj))


def postal_address(s: Supplier) -> dict[str, str]:
    """schema.org PostalAddress from the demo's "street, city, region, country" address line: sites give the
    parts separately, and the city and region are what a reader can use as the location."""
    parts = [part.strip() for part in s.location.split(",")]
    if len(parts) < 4:
        return {"@type": "PostalAddress", "streetAddress": s.location, "addressCountry": s.country}
    return {
        "@type": "PostalAddress",
        "streetAddress": ", ".join(parts[:-3]),
        "addressLocality": parts[-3],
        "addressRegion": parts[-2],
        "addressCountry": s.country,
    }


def organization_json_ld(s: Supplier, base_url: str) -> dict[str, Any]:
    """The schema.org Organization a supplier's site publishes about itself, certificates included: the form
    in which company sites state their certifications for search engines."""
    extras = s.extras or PageExtras()
    certifications = [
        {
            "@type": "Certification",
            "name": c.name,
            **({"certificationIdentification": c.number} if c.number else {}),
            **({"issuedBy": {"@type": "Organization", "name": c.issuer}} if c.issuer else {}),
            **({"validFrom": c.valid_from} if c.valid_from else {}),
            **({"expires": c.valid_until} if c.valid_until else {}),
            **({"url": base_url + c.photo} if c.photo else {}),
        }
        for c in s.certificates
    ]
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": extras.brand or s.name,
        "legalName": s.name,
        "url": base_url + s.path,
        "foundingDate": str(s.established_year),
        "numberOfEmployees": {"@type": "QuantitativeValue", "value": s.employee_count},
        "address": postal_address(s),
        "hasCertification": certifications,
    }


def render(s: Supplier, base_url: str, family: Family) -> str:
    """The served page of ``s`` in ``family``'s template."""
    context: dict[str, Any] = {"s": s, "extras": s.extras or PageExtras(), "base_url": base_url}
    if family == "own_website":
        context["json_ld"] = organization_json_ld(s, base_url)
    return environment().get_template(TEMPLATES[family]).render(context)
