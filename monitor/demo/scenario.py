"""The demo marketplace's invented suppliers and how they change from one check round to the next.

Everything here is synthetic: names, numbers, certificate numbers and texts were made up for the demo. The
suppliers cover the certification situations a buyer cares about (clean current ISO 9001:2015, expired,
unverified by the platform, vague "ISO certified" wording, ISO 9001:2008, CE/RoHS, BSCI, "FDA approved",
Chinese wording, a hostile display name) spread over the four Alibaba.com page families, plus one supplier
on each other platform the monitor reads (Made-in-China.com, Global Sources, IndiaMART, 1688) and one watched
on its own website, so the demo shows every platform watched the same way:

=======================  ======================================  ==============================================
family                   served at                               data carrier
=======================  ======================================  ==============================================
``shopbizdata``          ``/store/<id>/company_profile.html``    ``window.shopBizData`` + client-side render
``detaildata``           ``/product-detail/<id>.html``           ``window.detailData`` + rendered modules
``cpmodules``            ``/store/<id>/company_profile.html``    ``div[module-data]`` URL-encoded JSON
``legacy``               ``/store/<id>/company_profile.html``    server-rendered tables + ``bp-shopsign-data``
``mic_company``          ``/showroom/<id>/company-info.html``    Made-in-China.com: server-rendered label/value
                                                                 rows, ``sr-comInfo-sign`` badges (platform
                                                                 ``made_in_china``)
``gs_company``           ``/gs/<id>/company-profile.htm``        Global Sources: header badges, key-facts and
                                                                 certificate tables (``global_sources``)
``indiamart_company``    ``/im/<id>/aboutus.html``               IndiaMART: TrustSEAL, GSTIN, factsheet
                                                                 tables (``indiamart``)
``1688_shop``            ``/1688/<id>/page/creditdetail.htm``    1688 公司档案 as rendered: Chinese label
                                                                 cards, 资质证书 table (``1688``)
``own_website``          ``/sites/<id>/about-us.html``           a company site: JSON-LD Organization with
                                                                 hasCertification, facts table, prose, a
                                                                 certificate PDF (``website``)
=======================  ======================================  ==============================================

The last four families are HTML templates in ``monitor/demo/templates/`` (see ``monitor.demo.pages.templated``);
every marketplace page names its site the way the real one does (``og:site_name``), which is how the monitor
recognises the platform on the demo's loopback host when none is configured; the website matches no platform
and is read by the generic reader alone.

Suppliers (id: family, what is special):

- ``haoyu-valves``: shopbizdata, ISO 9001:2015 + CE; employee count changes in round 1.
- ``lumina-led``: shopbizdata, CE/RoHS product certificates; hostile display name
  ``<script>alert(1)</script> & "Quotes"``.
- ``brightpath-textiles``: shopbizdata, BSCI audit described as "BSCI certified"; store missing from round 3.
- ``kangda-medical``: detaildata, "FDA approved" wording; captcha page in round 1 only.
- ``everstar-tools``: detaildata, ISO 9001:2008 certificate issued by Bureau Veritas.
- ``sunrise-ceramics``: detaildata, "ISO 9001 certified products" in the product title.
- ``jiahe-electronics``: cpmodules, clean current ISO 9001:2015 (TÜV SÜD, verified) + expired ISO 14001;
  the ISO 9001 validity period ends in the past from round 2.
- ``xinlong-hardware``: cpmodules, ISO9001 with hasPassed false, "certified by ISO" in the description;
  CE product certificate removed in round 2.
- ``orient-packaging``: cpmodules, Chinese "通过ISO9001认证" in the description, FSC certificate.
- ``hengtai-machinery``: legacy, clean current ISO 9001:2015 by SGS, Gold Supplier, Onsite Check, assessed by
  SGS; from round 2 its ISO 9001 picture is another company's certificate (borrowed: same standard, number,
  body and dates, another holder); loses the Gold Supplier badge in round 3.
- ``fuda-garments``: legacy, "ISO certified" vague text, CE/RoHS production certificates with open end dates.
- ``greenleaf-foods``: legacy, expired ISO 22000:2018; store closed (empty 200 page) from round 4.
- ``ruifeng-pumps``: mic_company (Made-in-China.com), Diamond Member, Audited Supplier (SGS), "Management
  System Certification: ISO 9001, ISO 14001" (names only, as the site shows them), "Our products are ISO 9001
  certified" in the introduction; ISO 14001 dropped from that row in round 2.
- ``voltris-power``: gs_company (Global Sources), Verified Manufacturer (verified by Intertek), ISO 9001:2015,
  ISO 14001:2015 and CE in certificate tables; loses the Verified Manufacturer badge in round 3.
- ``nilgiri-pumps``: indiamart_company (IndiaMART), TrustSEAL Verified, Verified Exporter, a GSTIN, ISO
  9001:2015 and BIS listed by name; "Total Number of Employees" 26 to 50 -> 51 to 100 People in round 2.
- ``meichu-appliances``: 1688_shop (1688), 实力商家, 超级工厂, 诚信通 8 years, 深度验厂 by SGS, ISO 9001:2015,
  ISO 45001:2018 and 3C in the 资质证书 table; ISO 45001 dropped in round 4.
- ``kettlecraft``: own_website (platform ``website``), JSON-LD Organization with ISO 9001:2015 in
  hasCertification, a facts table, "an ISO certified company approved by ISO" in the text and a link to the
  certificate PDF; the text claims ISO 14001 in a new sentence from round 4 (no certificate backs it).

Certificate documents (``monitor/demo/files/<supplier>/``, rendered from ``monitor/demo/certificates/`` by
``scripts/make-demo-certificates``; every other certificate shows no picture): haoyu-valves, jiahe-electronics
(ISO 9001 matching the listing until round 2 shortens the listed period; ISO 14001 expired), hengtai-machinery,
meichu-appliances (bilingual Chinese), brightpath-textiles (BSCI audit summary), voltris-power (CE, a PDF with a
text layer), kettlecraft (PDF), xinlong-hardware (a product photo where the certificate should be: unreadable).

Round table (the clock starts at 0; rounds after 4 keep the round-4 state):

=====  ==========================================================================================
round  what changes (relative to the previous round)
=====  ==========================================================================================
0      baseline
1      ``haoyu-valves`` employees 96 -> 135 ("51 - 100 People" -> "101 - 200 People");
       ``kangda-medical`` is answered with the captcha (anti-bot) page, HTTP 200
2      ``kangda-medical`` back to normal, claims unchanged;
       ``jiahe-electronics`` ISO 9001:2015 period "2024-03-18 ~ 2027-03-17" -> "2024-03-18 ~ 2025-03-17"
       (now expired); ``xinlong-hardware`` CE product certificate removed;
       ``ruifeng-pumps`` Management System Certification "ISO 9001, ISO 14001" -> "ISO 9001";
       ``nilgiri-pumps`` employees "26 to 50 People" -> "51 to 100 People";
       ``hengtai-machinery`` ISO 9001 certificate picture replaced by a borrowed one (another company's)
3      ``hengtai-machinery`` loses the Gold Supplier badge; ``voltris-power`` loses Verified Manufacturer;
       ``brightpath-textiles`` store missing: 302 redirect to ``/error.html``
4      ``greenleaf-foods`` store closed: HTTP 200 page without any supplier data;
       ``meichu-appliances`` ISO 45001:2018 dropped; ``kettlecraft`` new sentence claiming ISO 14001
=====  ==========================================================================================

Always-on special stores: ``ghost-trading`` (and any unknown id) -> 302 to ``/error.html``;
``vacant-store`` -> empty 200 page; ``blocked-demo`` -> captcha page.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Family = Literal[
    "shopbizdata",
    "detaildata",
    "cpmodules",
    "legacy",
    "mic_company",
    "gs_company",
    "indiamart_company",
    "1688_shop",
    "own_website",
]
Availability = Literal["ok", "captcha", "missing_redirect", "missing_empty"]
CertKind = Literal["company", "product"]

ALIBABA_FAMILIES: tuple[Family, ...] = ("shopbizdata", "detaildata", "cpmodules", "legacy")
MADE_IN_CHINA_FAMILIES: tuple[Family, ...] = ("mic_company",)
#: Families rendered from the HTML templates in ``monitor/demo/templates/``, one supplier each.
TEMPLATE_FAMILIES: tuple[Family, ...] = ("gs_company", "indiamart_company", "1688_shop", "own_website")
#: Every page family the marketplace serves.
FAMILIES: tuple[Family, ...] = ALIBABA_FAMILIES + MADE_IN_CHINA_FAMILIES + TEMPLATE_FAMILIES
#: The monitor's parser (``platform`` in config.toml) for each family's pages.
FAMILY_PLATFORMS: dict[Family, str] = {
    **dict.fromkeys(ALIBABA_FAMILIES, "alibaba"),
    "mic_company": "made_in_china",
    "gs_company": "global_sources",
    "indiamart_company": "indiamart",
    "1688_shop": "1688",
    "own_website": "website",
}
#: Where each family's page is served (``{id}`` is the supplier id); see ``monitor.demo.marketplace``.
FAMILY_PATHS: dict[Family, str] = {
    "shopbizdata": "/store/{id}/company_profile.html",
    "detaildata": "/product-detail/{id}.html",
    "cpmodules": "/store/{id}/company_profile.html",
    "legacy": "/store/{id}/company_profile.html",
    "mic_company": "/showroom/{id}/company-info.html",
    "gs_company": "/gs/{id}/company-profile.htm",
    "indiamart_company": "/im/{id}/aboutus.html",
    "1688_shop": "/1688/{id}/page/creditdetail.htm",
    "own_website": "/sites/{id}/about-us.html",
}
LAST_SCRIPTED_ROUND = 4

#: Store ids with a fixed behaviour in every round (documentation for the monitor's block/missing tests).
SPECIAL_STORES: dict[str, Availability] = {
    "ghost-trading": "missing_redirect",
    "vacant-store": "missing_empty",
    "blocked-demo": "captcha",
}


@dataclass
class Certificate:
    """One certificate as the supplier lists it; renderers map it onto each family's own field names."""

    key: str
    name: str
    kind: CertKind
    number: str | None
    issuer: str | None
    valid_from: str | None
    valid_until: str | None
    scope: str = ""
    verified: bool = False
    assessment: bool = False
    category: str = "PRODUCT"
    photo: str = ""

    @property
    def validity_period(self) -> str:
        """Alibaba's "from ~ until" text; an open end is rendered as "from ~ " like the real pages."""
        if not self.valid_from and not self.valid_until:
            return ""
        return f"{self.valid_from or ''} ~ {self.valid_until or ''}"


@dataclass
class ProductInfo:
    """The product shown on a product-detail page (family ``detaildata`` only)."""

    product_id: int
    subject: str
    moq: int
    unit: str
    price_low: float
    price_high: float
    properties: list[tuple[str, str]] = field(default_factory=list)
    description: str = ""


@dataclass
class ShowroomInfo:
    """What a Made-in-China.com showroom shows besides the shared facts: the site's own member and audit
    badges, and rows the monitor does not read (there so the page looks like the site's, not like a fixture)."""

    member: str = "Gold Member"
    member_since: int | None = None
    audited_supplier: bool = False
    audited_by: str | None = None
    secured_trading: bool = False
    #: The site shows the full date ("2009-05-18"); empty shows ``Supplier.established_year``.
    established_date: str = ""
    registered_capital: str = ""
    plant_area: str = ""


@dataclass
class PageExtras:
    """What a Global Sources, IndiaMART, 1688 or own-website page shows that the shared fields do not hold.

    The Alibaba families keep their badges in booleans (``gold_supplier``, ``onsite_check``); these sites each
    have their own badge names, so they are listed as shown. The platform's verification badge itself stays in
    ``Supplier.verified`` / ``onsite_check`` so that a round can take it away the same way for every family.
    """

    #: The platform's badges besides its verification, as the header shows them ("Verified Exporter", 实力商家).
    badges: list[str] = field(default_factory=list)
    #: Further label/value rows, worded as the page words them (the monitor may or may not read them).
    rows: list[tuple[str, str]] = field(default_factory=list)
    #: The short address line a header shows ("Coimbatore, Tamil Nadu", "China (Mainland)").
    region: str = ""
    #: IndiaMART: the GSTIN (an invented, well-formed one); it identifies a business, it certifies nothing.
    gstin: str = ""
    #: A supplier's own site: the brand the site calls itself by ("Kettlecraft").
    brand: str = ""


@dataclass
class Supplier:
    """Family-independent supplier state; a round's changes are applied to a deep copy of it."""

    id: str
    name: str
    family: Family
    business_type: str
    country: str
    location: str
    established_year: int
    employees: str
    employee_count: int
    join_years: int
    main_products: list[str]
    description: str
    main_markets: list[tuple[str, str]]
    annual_revenue: str
    certificates: list[Certificate]
    gold_supplier: bool = True
    onsite_check: bool = False
    assessed_by: str | None = None
    verified: bool = False
    trade_assurance: str | None = None
    response_time: str = "≤4h"
    on_time_delivery: str = "96.0%"
    rating: float = 4.7
    review_count: int = 20
    company_id: int = 0
    product: ProductInfo | None = None
    showroom: ShowroomInfo | None = None
    extras: PageExtras | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def company_certificates(self) -> list[Certificate]:
        return [c for c in self.certificates if c.kind == "company"]

    @property
    def product_certificates(self) -> list[Certificate]:
        return [c for c in self.certificates if c.kind == "product"]

    @property
    def platform(self) -> str:
        """The monitor's parser name for this supplier's pages."""
        return FAMILY_PLATFORMS[self.family]

    @property
    def path(self) -> str:
        """The URL path the monitor watches for this supplier."""
        return FAMILY_PATHS[self.family].format(id=self.id)

    @property
    def subdomain(self) -> str:
        """A clearly synthetic stand-in for the real ``<sub>.en.alibaba.com`` store host."""
        return f"{self.id}.en.demo-marketplace.localhost"


HOSTILE_NAME = 'Lumina Lighting <script>alert(1)</script> & "Quotes" Co., Ltd.'


def _document(path: str) -> str:
    """A certificate picture or PDF from ``monitor/demo/files/`` (generated: ``scripts/make-demo-certificates``).

    Only certificates with a generated document show one: a placeholder picture would be read, found to hold no
    certificate, and flagged as unreadable on every demo supplier.
    """
    return f"/files/{path}"


#: Where a supplier's own website keeps its certificate PDFs (served by the marketplace as one small PDF).
CERTIFICATE_PDF = "/sites/{id}/files/{name}.pdf"


def _base_suppliers() -> list[Supplier]:
    """The round-0 state of every supplier (fresh objects on each call so callers may mutate them)."""
    return [
        # ---- family shopbizdata -------------------------------------------------------------------
        Supplier(
            id="haoyu-valves",
            name="Ningbo Haoyu Valve Manufacturing Co., Ltd.",
            family="shopbizdata",
            business_type="Manufacturer",
            country="CN",
            location="Zhejiang, China",
            established_year=2009,
            employees="51 - 100 People",
            employee_count=96,
            join_years=7,
            main_products=["Brass Ball Valves", "Check Valves", "Pipe Fittings"],
            description="Brass valve maker serving plumbing wholesalers since 2009.",
            main_markets=[("Western Europe", "0.35"), ("North America", "0.25"), ("Mid East", "0.15")],
            annual_revenue="US$5 Million - US$10 Million",
            certificates=[
                Certificate(
                    key="iso9001",
                    name="ISO 9001:2015",
                    kind="company",
                    number="HY-QMS-240520",
                    issuer="Bureau Veritas Certification",
                    valid_from="2024-05-20",
                    valid_until="2027-05-19",
                    scope="Design and manufacture of brass ball valves and fittings",
                    verified=True,
                    assessment=True,
                    category="MANAGEMENT_SYSTEM",
                    photo=_document("haoyu-valves/ISO-9001-2015-certificate.jpg"),
                ),
                Certificate(
                    key="ce",
                    name="CE",
                    kind="product",
                    number="HY-CE-2201",
                    issuer="Notified body 0000 (demo)",
                    valid_from="2022-01-10",
                    valid_until=None,
                    scope="Pressure equipment: ball valves DN15-DN50",
                    verified=True,
                    category="PRODUCT",
                ),
            ],
            response_time="≤3h",
            rating=4.8,
            review_count=41,
            company_id=910000001,
            tags=["iso9001-current", "employees-change"],
        ),
        Supplier(
            id="lumina-led",
            name=HOSTILE_NAME,
            family="shopbizdata",
            business_type="Manufacturer, Trading Company",
            country="CN",
            location="Guangdong, China",
            established_year=2014,
            employees="11 - 50 People",
            employee_count=38,
            join_years=4,
            main_products=["LED Panel Lights", "LED Strips"],
            description="LED lighting for shops and offices.",
            main_markets=[("Eastern Europe", "0.30"), ("South America", "0.20"), ("Africa", "0.10")],
            annual_revenue="US$1 Million - US$2.5 Million",
            certificates=[
                Certificate(
                    key="ce",
                    name="CE",
                    kind="product",
                    number="LM-CE-3318",
                    issuer="Demo Testing Laboratory Ltd.",
                    valid_from="2023-06-01",
                    valid_until=None,
                    scope="LED panel lights 18W-48W",
                    category="PRODUCT",
                ),
                Certificate(
                    key="rohs",
                    name="RoHS",
                    kind="product",
                    number="LM-ROHS-3319",
                    issuer="Demo Testing Laboratory Ltd.",
                    valid_from="2023-06-01",
                    valid_until=None,
                    scope="LED strips, 2011/65/EU",
                    category="PRODUCT",
                ),
                Certificate(
                    key="rohs-report",
                    name="RoHS",
                    kind="product",
                    number="LM-TR-0921",
                    issuer="Demo Testing Laboratory Ltd.",
                    valid_from="2024-09-21",
                    valid_until=None,
                    scope="Test report, lead and cadmium content",
                    category="INSPECTION_REPORT",
                ),
            ],
            company_id=910000002,
            tags=["hostile-name", "product-certs"],
        ),
        Supplier(
            id="brightpath-textiles",
            name="Shaoxing Brightpath Textile Co., Ltd.",
            family="shopbizdata",
            business_type="Manufacturer",
            country="CN",
            location="Zhejiang, China",
            established_year=2011,
            employees="101 - 200 People",
            employee_count=160,
            join_years=9,
            main_products=["Polyester Fabric", "Curtain Fabric"],
            description="Woven fabric mill. We are BSCI certified.",
            main_markets=[("Western Europe", "0.40"), ("Domestic Market", "0.30")],
            annual_revenue="US$10 Million - US$50 Million",
            certificates=[
                Certificate(
                    key="bsci",
                    name="BSCI",
                    kind="company",
                    number="DEMO-BSCI-77120",
                    issuer="amfori BSCI audit (demo auditor)",
                    valid_from="2025-02-11",
                    valid_until="2026-02-10",
                    scope="Social audit, rating C. We are BSCI certified.",
                    verified=False,
                    category="AUDIT_REPORT",
                    photo=_document("brightpath-textiles/BSCI-audit-summary.jpg"),
                ),
            ],
            company_id=910000003,
            tags=["bsci", "goes-missing"],
        ),
        # ---- family detaildata --------------------------------------------------------------------
        Supplier(
            id="kangda-medical",
            name="Hebei Kangda Medical Supplies Co., Ltd.",
            family="detaildata",
            business_type="Manufacturer",
            country="CN",
            location="Hebei, China",
            established_year=2016,
            employees="201 - 300 People",
            employee_count=240,
            join_years=5,
            main_products=["Nitrile Gloves", "Face Masks"],
            description="Disposable medical consumables.",
            main_markets=[("North America", "0.45"), ("Western Europe", "0.20")],
            annual_revenue="US$10 Million - US$50 Million",
            certificates=[
                Certificate(
                    key="fda",
                    name="FDA",
                    kind="product",
                    number="DEMO-FDA-3011223344",
                    issuer="U.S. FDA establishment registration",
                    valid_from="2025-01-01",
                    valid_until="2026-12-31",
                    scope="FDA approved nitrile examination gloves, 510(k) exempt.",
                    verified=False,
                    category="PRODUCT",
                ),
                Certificate(
                    key="ce",
                    name="CE",
                    kind="product",
                    number="DEMO-CE-MD-5521",
                    issuer="Demo Notified Body",
                    valid_from="2024-04-01",
                    valid_until="2029-03-31",
                    scope="Category III PPE gloves",
                    verified=True,
                    category="PRODUCT",
                ),
            ],
            verified=True,
            trade_assurance="120,000",
            company_id=910000004,
            product=ProductInfo(
                product_id=1600900000004,
                subject="FDA Approved Disposable Nitrile Examination Gloves Powder Free",
                moq=10000,
                unit="piece",
                price_low=0.021,
                price_high=0.035,
                properties=[("Material", "Nitrile"), ("Place of Origin", "Hebei, China")],
                description="Our gloves are FDA approved and CE marked.",
            ),
            tags=["fda-approved", "captcha-round-1"],
        ),
        Supplier(
            id="everstar-tools",
            name="Yongkang Everstar Hardware Tools Co., Ltd.",
            family="detaildata",
            business_type="Trading Company",
            country="CN",
            location="Zhejiang, China",
            established_year=2008,
            employees="11 - 50 People",
            employee_count=25,
            join_years=12,
            main_products=["Hand Tools", "Tool Sets"],
            description="Hand tool sets for DIY retail.",
            main_markets=[("North America", "0.50"), ("Oceania", "0.10")],
            annual_revenue="US$2.5 Million - US$5 Million",
            certificates=[
                Certificate(
                    key="iso9001-2008",
                    name="ISO 9001:2008",
                    kind="company",
                    number="DEMO-BV-04112Q1023",
                    issuer="Bureau Veritas Certification",
                    valid_from="2015-08-10",
                    valid_until="2018-09-14",
                    scope="Trading of hand tools",
                    verified=True,
                    category="MANAGEMENT_SYSTEM",
                ),
            ],
            verified=True,
            trade_assurance="35,000",
            company_id=910000005,
            product=ProductInfo(
                product_id=1600900000005,
                subject="46-Piece Socket Wrench Tool Set Chrome Vanadium",
                moq=200,
                unit="set",
                price_low=6.5,
                price_high=8.9,
                properties=[("Material", "Chrome Vanadium Steel"), ("Brand Name", "Everstar")],
            ),
            tags=["iso9001-2008"],
        ),
        Supplier(
            id="sunrise-ceramics",
            name="Chaozhou Sunrise Ceramics Co., Ltd.",
            family="detaildata",
            business_type="Manufacturer",
            country="CN",
            location="Guangdong, China",
            established_year=2005,
            employees="301 - 500 People",
            employee_count=420,
            join_years=10,
            main_products=["Porcelain Dinnerware", "Mugs"],
            description="Hotel and restaurant porcelain.",
            main_markets=[("Western Europe", "0.30"), ("Mid East", "0.25")],
            annual_revenue="US$10 Million - US$50 Million",
            certificates=[
                Certificate(
                    key="lfgb",
                    name="LFGB Test Report",
                    kind="product",
                    number="DEMO-LFGB-20240611",
                    issuer="Demo Food Contact Lab",
                    valid_from="2024-06-11",
                    valid_until=None,
                    scope="Porcelain plates, migration test",
                    verified=True,
                    category="INSPECTION_REPORT",
                ),
            ],
            verified=False,
            trade_assurance="60,000",
            company_id=910000006,
            product=ProductInfo(
                product_id=1600900000006,
                subject="Restaurant Porcelain Dinner Plates, ISO 9001 certified products, LFGB tested",
                moq=500,
                unit="piece",
                price_low=1.2,
                price_high=2.4,
                properties=[("Material", "Porcelain"), ("Technique", "Underglaze")],
                description="ISO 9001 certified products made in our own kilns.",
            ),
            tags=["iso9001-products-wording"],
        ),
        # ---- family cpmodules ---------------------------------------------------------------------
        Supplier(
            id="jiahe-electronics",
            name="Dongguan Jiahe Electronics Technology Co., Ltd.",
            family="cpmodules",
            business_type="Manufacturer, Trading Company",
            country="CN",
            location="Guangdong, China (Mainland)",
            established_year=2010,
            employees="101 - 200 People",
            employee_count=150,
            join_years=8,
            main_products=["PCB Assembly", "Power Adapters"],
            description="Contract electronics manufacturing with SMT lines.",
            main_markets=[("North America", "40.00%"), ("Western Europe", "25.00%"), ("Domestic Market", "10.00%")],
            annual_revenue="US$10 Million - US$50 Million",
            certificates=[
                Certificate(
                    key="iso9001",
                    name="ISO 9001:2015",
                    kind="company",
                    number="12 100 58342 TMS",
                    issuer="TÜV SÜD Management Service GmbH",
                    valid_from="2024-03-18",
                    valid_until="2027-03-17",
                    scope="Design and manufacture of PCB assemblies and power adapters",
                    verified=True,
                    assessment=True,
                    category="MANAGEMENT_SYSTEM",
                    photo=_document("jiahe-electronics/ISO-9001-2015-certificate.png"),
                ),
                Certificate(
                    key="iso14001",
                    name="ISO 14001:2015",
                    kind="company",
                    number="12 104 58343 TMS",
                    issuer="TÜV SÜD Management Service GmbH",
                    valid_from="2019-07-01",
                    valid_until="2022-06-30",
                    scope="Manufacture of PCB assemblies",
                    verified=True,
                    category="MANAGEMENT_SYSTEM",
                    photo=_document("jiahe-electronics/ISO-14001-2015-certificate.jpg"),
                ),
                Certificate(
                    key="ce",
                    name="CE",
                    kind="product",
                    number="DEMO-CE-JH-0207",
                    issuer="Other",
                    valid_from="2023-02-07",
                    valid_until=None,
                    scope="Switching power adapters 5V-24V",
                    verified=True,
                    assessment=True,
                    category="PRODUCT",
                ),
            ],
            onsite_check=True,
            assessed_by="TÜV Rheinland",
            verified=True,
            trade_assurance="210,000",
            company_id=910000007,
            tags=["iso9001-current", "expires-round-2", "expired-iso14001"],
        ),
        Supplier(
            id="xinlong-hardware",
            name="Foshan Xinlong Hardware Products Co., Ltd.",
            family="cpmodules",
            business_type="Manufacturer",
            country="CN",
            location="Guangdong, China (Mainland)",
            established_year=2012,
            employees="51 - 100 People",
            employee_count=70,
            join_years=6,
            main_products=["Door Hinges", "Drawer Slides"],
            description=(
                "Xinlong makes furniture hardware. Our factory is certified by ISO and our products are "
                "exported to 40 countries."
            ),
            main_markets=[("Southeast Asia", "35.00%"), ("Mid East", "20.00%")],
            annual_revenue="US$2.5 Million - US$5 Million",
            certificates=[
                Certificate(
                    key="iso9001",
                    name="ISO9001",
                    kind="company",
                    number="HX24Q31077",
                    issuer="Huaxin Demo Certification Co., Ltd.",
                    valid_from="2024-06-01",
                    valid_until="2027-05-31",
                    scope="Production of furniture hardware",
                    verified=False,
                    assessment=False,
                    category="MANAGEMENT_SYSTEM",
                    photo=_document("xinlong-hardware/ISO9001-certificate.jpg"),
                ),
                Certificate(
                    key="ce",
                    name="CE",
                    kind="product",
                    number="DEMO-CE-XL-1180",
                    issuer="Demo Testing Laboratory Ltd.",
                    valid_from="2021-11-08",
                    valid_until=None,
                    scope="Soft-close drawer slides",
                    verified=True,
                    category="PRODUCT",
                ),
                Certificate(
                    key="rohs",
                    name="RoHS",
                    kind="product",
                    number="DEMO-ROHS-XL-1181",
                    issuer="Demo Testing Laboratory Ltd.",
                    valid_from="2021-11-08",
                    valid_until=None,
                    scope="Zinc alloy hinges",
                    verified=False,
                    category="PRODUCT",
                ),
            ],
            onsite_check=True,
            verified=False,
            trade_assurance="18,000",
            company_id=910000008,
            tags=["unverified-iso9001", "certified-by-iso-wording", "cert-removed-round-2"],
        ),
        Supplier(
            id="orient-packaging",
            name="Wenzhou Orient Packaging Co., Ltd.",
            family="cpmodules",
            business_type="Manufacturer",
            country="CN",
            location="Zhejiang, China (Mainland)",
            established_year=2007,
            employees="201 - 300 People",
            employee_count=260,
            join_years=11,
            main_products=["Paper Bags", "Gift Boxes"],
            description=(
                "Orient Packaging produces printed paper bags and gift boxes. 本公司已通过ISO9001认证，"
                "产品出口欧美。 FSC paper available on request."
            ),
            main_markets=[("Western Europe", "30.00%"), ("North America", "30.00%")],
            annual_revenue="US$5 Million - US$10 Million",
            certificates=[
                Certificate(
                    key="fsc",
                    name="FSC COC",
                    kind="company",
                    number="DEMO-FSC-COC-0417",
                    issuer="SGS Hong Kong Ltd. (demo)",
                    valid_from="2023-04-17",
                    valid_until="2028-04-16",
                    scope="Paper bags and boxes from FSC Mix material",
                    verified=True,
                    assessment=False,
                    category="MANAGEMENT_SYSTEM",
                ),
            ],
            onsite_check=False,
            verified=False,
            company_id=910000009,
            tags=["chinese-iso9001-wording"],
        ),
        # ---- family legacy ------------------------------------------------------------------------
        Supplier(
            id="hengtai-machinery",
            name="Zhengzhou Hengtai Machinery Co., Ltd.",
            family="legacy",
            business_type="Manufacturer",
            country="CN",
            location="Henan, China (Mainland)",
            established_year=2006,
            employees="301 - 500 People",
            employee_count=380,
            join_years=8,
            main_products=["Pellet Machines", "Feed Mixers", "Hammer Mills"],
            description="Hengtai builds feed pellet machines and complete feed lines.",
            main_markets=[("Africa", "30.00%"), ("Southeast Asia", "25.00%"), ("South America", "15.00%")],
            annual_revenue="US$10 Million - US$50 Million",
            certificates=[
                Certificate(
                    key="iso9001",
                    name="ISO 9001:2015",
                    kind="company",
                    number="CN24/31874",
                    issuer="SGS-CSTC Standards Technical Services Co., Ltd.",
                    valid_from="2024-09-02",
                    valid_until="2027-09-01",
                    scope="Design and manufacture of feed processing machinery",
                    verified=True,
                    assessment=True,
                    category="MANAGEMENT_SYSTEM",
                    photo=_document("hengtai-machinery/ISO-9001-2015-certificate.jpg"),
                ),
                Certificate(
                    key="ce",
                    name="CE",
                    kind="product",
                    number="DEMO-CE-HT-0912",
                    issuer="Demo Notified Body",
                    valid_from="2020-09-12",
                    valid_until=None,
                    scope="Pellet machines, Machinery Directive",
                    verified=True,
                    category="PRODUCT",
                ),
            ],
            gold_supplier=True,
            onsite_check=True,
            assessed_by="SGS",
            verified=True,
            trade_assurance="95,000",
            company_id=910000010,
            tags=["iso9001-current", "badge-lost-round-3"],
        ),
        Supplier(
            id="fuda-garments",
            name="Quanzhou Fuda Garments Co., Ltd.",
            family="legacy",
            business_type="Manufacturer, Trading Company",
            country="CN",
            location="Fujian, China (Mainland)",
            established_year=2013,
            employees="51 - 100 People",
            employee_count=80,
            join_years=5,
            main_products=["Sportswear", "Hoodies"],
            description="Fuda is an ISO certified factory making sportswear and hoodies for private labels.",
            main_markets=[("North America", "40.00%"), ("Oceania", "20.00%"), ("Western Europe", "10.00%")],
            annual_revenue="US$1 Million - US$2.5 Million",
            certificates=[
                Certificate(
                    key="ce",
                    name="CE",
                    kind="product",
                    number="DEMO-CE-FD-0510",
                    issuer="Demo Testing Laboratory Ltd.",
                    valid_from="2019-05-10",
                    valid_until=None,
                    scope="Children's sportswear",
                    verified=True,
                    category="PRODUCT",
                ),
                Certificate(
                    key="rohs",
                    name="RoHS",
                    kind="product",
                    number=None,
                    issuer="Demo Testing Laboratory Ltd.",
                    valid_from="2020-11-03",
                    valid_until=None,
                    scope="Zippers and metal trims",
                    verified=False,
                    category="PRODUCT",
                ),
            ],
            gold_supplier=True,
            onsite_check=False,
            verified=False,
            company_id=910000011,
            tags=["iso-certified-wording", "product-certs"],
        ),
        Supplier(
            id="greenleaf-foods",
            name="Zhangzhou Greenleaf Foods Co., Ltd.",
            family="legacy",
            business_type="Manufacturer",
            country="CN",
            location="Fujian, China (Mainland)",
            established_year=2004,
            employees="101 - 200 People",
            employee_count=170,
            join_years=14,
            main_products=["Canned Mushrooms", "Canned Fruit"],
            description="Canned vegetables and fruit for importers and supermarkets.",
            main_markets=[("Western Europe", "35.00%"), ("Eastern Asia", "20.00%")],
            annual_revenue="US$5 Million - US$10 Million",
            certificates=[
                Certificate(
                    key="iso22000",
                    name="ISO 22000:2018",
                    kind="company",
                    number="DEMO-BV-CN19-2214",
                    issuer="Bureau Veritas Certification (Beijing) Co., Ltd.",
                    valid_from="2019-04-15",
                    valid_until="2022-04-14",
                    scope="Production of canned mushrooms and fruit",
                    verified=True,
                    assessment=False,
                    category="MANAGEMENT_SYSTEM",
                ),
            ],
            gold_supplier=True,
            onsite_check=True,
            verified=False,
            company_id=910000012,
            tags=["expired-cert", "store-closed-round-4"],
        ),
        # ---- Made-in-China.com showroom -----------------------------------------------------------
        Supplier(
            id="ruifeng-pumps",
            name="Taizhou Ruifeng Pump Industry Co., Ltd.",
            family="mic_company",
            business_type="Manufacturer/Factory",
            country="CN",
            location="No. 18 Dongfang Road, Wenling, Taizhou, Zhejiang, China",
            established_year=2009,
            employees="51~200 People",
            employee_count=120,
            join_years=0,  # Made-in-China shows the member-since year instead (ShowroomInfo.member_since)
            main_products=["Submersible Pumps", "Garden Pumps", "Booster Pumps"],
            description=(
                "Ruifeng was founded in 2009 in Wenling and makes submersible, garden and booster pumps for "
                "distributors in Europe and North America. Our products are ISO 9001 certified and every pump "
                "is run on a test bench before it is packed."
            ),
            main_markets=[("North America", "30%"), ("Western Europe", "25%"), ("Southeast Asia", "15%")],
            annual_revenue="US$10 Million - US$50 Million",
            # The site lists management-system certifications by name only: no number, issuer or dates.
            certificates=[
                Certificate(
                    key="iso9001",
                    name="ISO 9001",
                    kind="company",
                    number=None,
                    issuer=None,
                    valid_from=None,
                    valid_until=None,
                    category="MANAGEMENT_SYSTEM",
                ),
                Certificate(
                    key="iso14001",
                    name="ISO 14001",
                    kind="company",
                    number=None,
                    issuer=None,
                    valid_from=None,
                    valid_until=None,
                    category="MANAGEMENT_SYSTEM",
                ),
            ],
            gold_supplier=False,
            showroom=ShowroomInfo(
                member="Diamond Member",
                member_since=2016,
                audited_supplier=True,
                audited_by="SGS",
                secured_trading=True,
                established_date="2009-05-18",
                registered_capital="10,000,000 RMB",
                plant_area="12,000 square meters",
            ),
            tags=["iso9001-products-wording", "iso14001-dropped-round-2"],
        ),
        *_other_platform_suppliers(),
    ]


def _other_platform_suppliers() -> list[Supplier]:
    """One supplier each on Global Sources, IndiaMART and 1688, and one watched on its own website: the
    platforms beyond Alibaba.com and Made-in-China.com, rendered from ``monitor/demo/templates/``."""
    return [
        Supplier(
            id="voltris-power",
            name="Shenzhen Voltris Power Technology Co., Ltd.",
            family="gs_company",
            business_type="Manufacturer, Exporter",
            country="CN",
            location="Building 3, Fuyong Industrial Park, Bao'an District, Shenzhen, Guangdong, China",
            established_year=2010,
            employees="501 - 1000 People",
            employee_count=640,
            join_years=9,
            main_products=["Power Banks", "Wireless Chargers", "GaN Chargers"],
            description=(
                "Voltris designs and builds portable power for retail brands. We are ISO 9001 certified since "
                "2012 and all chargers are CE and FCC approved."
            ),
            main_markets=[("North America", "35%"), ("Western Europe", "30%"), ("Japan", "10%")],
            annual_revenue="US$50 Million - US$100 Million",
            certificates=[
                Certificate(
                    key="iso9001",
                    name="ISO 9001:2015",
                    kind="company",
                    number="12 100 58231 TMS",
                    issuer="TÜV SÜD Management Service GmbH",
                    valid_from="2024-06-10",
                    valid_until="2027-06-09",
                    category="MANAGEMENT_SYSTEM",
                ),
                Certificate(
                    key="iso14001",
                    name="ISO 14001:2015",
                    kind="company",
                    number="CN25/20417",
                    issuer="SGS United Kingdom Ltd",
                    valid_from="2025-02-01",
                    valid_until="2028-01-31",
                    category="MANAGEMENT_SYSTEM",
                ),
                Certificate(
                    key="ce",
                    name="CE",
                    kind="product",
                    number="DEMO-CE-VT-2309",
                    issuer="Demo Testing Laboratory Ltd.",
                    valid_from=None,
                    valid_until=None,
                    scope="20000mAh Power Bank",
                    photo=_document("voltris-power/CE-certificate-of-conformity.pdf"),
                ),
            ],
            gold_supplier=False,
            verified=True,
            assessed_by="Intertek",
            extras=PageExtras(region="China (Mainland)", rows=[("Registered Capital", "RMB 20,000,000")]),
            tags=["verified-manufacturer", "badge-lost-round-3"],
        ),
        Supplier(
            id="nilgiri-pumps",
            name="Nilgiri Flow Pumps Private Limited",
            family="indiamart_company",
            business_type="Manufacturer",
            country="IN",
            location="SF No. 112/2, Avinashi Road, Peelamedu, Coimbatore - 641004, Tamil Nadu, India",
            established_year=2004,
            employees="26 to 50 People",
            employee_count=40,
            join_years=11,
            main_products=["Openwell Submersible Pumps", "Monoblock Pumps", "Borewell Pumps"],
            description=(
                "Established in the year 2004, we are an ISO 9001:2015 certified manufacturer of domestic and "
                "agricultural pumps. Our monoblock pumps carry the BIS ISI mark."
            ),
            main_markets=[("UAE", ""), ("Kenya", ""), ("Sri Lanka", "")],
            annual_revenue="Rs. 5 - 25 Crore",
            # IndiaMART's factsheet lists certifications by name; the picture is all the detail there is.
            certificates=[
                Certificate(
                    key="iso9001",
                    name="ISO 9001:2015",
                    kind="company",
                    number=None,
                    issuer=None,
                    valid_from=None,
                    valid_until=None,
                    category="MANAGEMENT_SYSTEM",
                ),
                Certificate(
                    key="bis",
                    name="BIS",
                    kind="product",
                    number=None,
                    issuer=None,
                    valid_from=None,
                    valid_until=None,
                ),
            ],
            gold_supplier=False,
            verified=True,
            extras=PageExtras(
                badges=["Verified Exporter"],
                rows=[("Company CEO", "S. Ramanathan"), ("Legal Status of Firm", "Limited Company (Ltd./Pvt.Ltd.)")],
                region="Coimbatore, Tamil Nadu",
                gstin="33AADCN4821K1Z3",
                brand="Nilgiri Flow Pumps",
            ),
            tags=["trustseal", "employees-change-round-2"],
        ),
        Supplier(
            id="meichu-appliances",
            name="佛山市顺德区美厨电器有限公司",
            family="1688_shop",
            business_type="生产厂家",
            country="CN",
            location="中国 广东省佛山市顺德区北滘镇工业大道28号",
            established_year=2011,
            employees="260人",
            employee_count=260,
            join_years=8,
            main_products=["电热水壶", "养生壶", "电饭煲"],
            description="美厨电器专业生产电热水壶和养生壶，工厂通过ISO9001质量管理体系认证，产品通过3C、CE认证。",
            main_markets=[("华南地区", ""), ("东南亚", "")],
            annual_revenue="5000万-1亿",
            certificates=[
                Certificate(
                    key="iso9001",
                    name="ISO 9001:2015",
                    kind="company",
                    number="00124Q35678R2M",
                    issuer="中国质量认证中心",
                    valid_from="2024-05-10",
                    valid_until="2027-05-09",
                    category="MANAGEMENT_SYSTEM",
                    photo=_document("meichu-appliances/ISO-9001-2015-certificate.jpg"),
                ),
                Certificate(
                    key="iso45001",
                    name="ISO 45001:2018",
                    kind="company",
                    number="00124S21456R1M",
                    issuer="中国质量认证中心",
                    valid_from="2024-05-10",
                    valid_until="2027-05-09",
                    category="MANAGEMENT_SYSTEM",
                ),
                Certificate(
                    key="ccc",
                    name="3C认证",
                    kind="product",
                    number="2022010701234567",
                    issuer="中国质量认证中心",
                    valid_from="2022-09-01",
                    valid_until="2027-08-31",
                ),
            ],
            gold_supplier=False,
            onsite_check=True,
            assessed_by="SGS",
            extras=PageExtras(badges=["实力商家", "超级工厂"], rows=[("厂房面积", "12000㎡")]),
            tags=["chinese-shop", "iso45001-dropped-round-4"],
        ),
        Supplier(
            id="kettlecraft",
            name="Yuyao Kettlecraft Electric Appliance Co., Ltd.",
            family="own_website",
            business_type="Manufacturer",
            country="CN",
            location="No. 66 Binhai Road, Yuyao, Zhejiang, China",
            established_year=2008,
            employees="101 - 200 People",
            employee_count=150,
            join_years=0,  # a supplier's own site: no platform membership
            main_products=["Electric Kettles", "Glass Kettles", "Travel Kettles"],
            description=(
                "Kettlecraft was founded in 2008 in Yuyao and designs and makes electric kettles for retail "
                "brands in Europe and North America.\n\nWe are an ISO certified company approved by ISO."
            ),
            main_markets=[("Western Europe", "40%"), ("North America", "30%"), ("Australia", "10%")],
            annual_revenue="US$10 Million - US$50 Million",
            certificates=[
                Certificate(
                    key="iso9001",
                    name="ISO 9001:2015",
                    kind="company",
                    number="DEMO-QMS-KC-2024-118",
                    issuer="Bureau Veritas Certification",
                    valid_from="2024-04-01",
                    valid_until="2027-03-31",
                    category="MANAGEMENT_SYSTEM",
                    photo=CERTIFICATE_PDF.format(id="kettlecraft", name="ISO-9001-2015-certificate"),
                ),
            ],
            gold_supplier=False,
            extras=PageExtras(
                rows=[("Registered Capital", "RMB 10,000,000")],
                brand="Kettlecraft",
            ),
            tags=["own-website", "iso-as-certifier-wording", "new-statement-round-4"],
        ),
    ]


@dataclass(frozen=True)
class RoundChange:
    """One scripted change: applies from ``round`` on (or only in that round when ``only_in_round``)."""

    round: int
    supplier_id: str
    description: str
    apply: Callable[[Supplier], None] | None = None
    availability: Availability | None = None
    only_in_round: bool = False

    def active(self, current_round: int) -> bool:
        return current_round == self.round if self.only_in_round else current_round >= self.round


def _more_employees(s: Supplier) -> None:
    s.employee_count = 135
    s.employees = "101 - 200 People"


def _iso9001_expires(s: Supplier) -> None:
    for cert in s.certificates:
        if cert.key == "iso9001":
            cert.valid_until = "2025-03-17"


def _remove_ce(s: Supplier) -> None:
    s.certificates = [c for c in s.certificates if c.key != "ce"]


def _lose_gold(s: Supplier) -> None:
    s.gold_supplier = False


def _drop_iso14001(s: Supplier) -> None:
    s.certificates = [c for c in s.certificates if c.key != "iso14001"]


def _more_staff_on_indiamart(s: Supplier) -> None:
    s.employee_count = 75
    s.employees = "51 to 100 People"


def _lose_verification(s: Supplier) -> None:
    s.verified = False


def _borrowed_iso9001(s: Supplier) -> None:
    """The same listing, but the certificate picture now shows another company's certificate (borrowed)."""
    for cert in s.certificates:
        if cert.key == "iso9001":
            cert.photo = _document("hengtai-machinery/ISO-9001-2015-certificate-r2.jpg")


def _drop_iso45001(s: Supplier) -> None:
    s.certificates = [c for c in s.certificates if c.key != "iso45001"]


#: The sentence the website's "About us" gains in round 4: a certification claimed in prose only, which no
#: certificate on the page (JSON-LD, table or PDF) backs.
NEW_WEBSITE_STATEMENT = "Since 2025 our factory is also ISO 14001:2015 certified."


def _new_statement(s: Supplier) -> None:
    s.description = f"{s.description}\n\n{NEW_WEBSITE_STATEMENT}"


CHANGES: tuple[RoundChange, ...] = (
    RoundChange(1, "haoyu-valves", "employees 96 -> 135 (101 - 200 People)", apply=_more_employees),
    RoundChange(1, "kangda-medical", "captcha page served (round 1 only)", availability="captcha", only_in_round=True),
    RoundChange(2, "jiahe-electronics", "ISO 9001:2015 period now ends 2025-03-17 (expired)", apply=_iso9001_expires),
    RoundChange(2, "xinlong-hardware", "CE product certificate removed", apply=_remove_ce),
    RoundChange(2, "ruifeng-pumps", "ISO 14001 dropped from Management System Certification", apply=_drop_iso14001),
    RoundChange(2, "nilgiri-pumps", "employees 26 to 50 -> 51 to 100 People", apply=_more_staff_on_indiamart),
    RoundChange(
        2,
        "hengtai-machinery",
        "ISO 9001 certificate picture replaced by another company's certificate (borrowed)",
        apply=_borrowed_iso9001,
    ),
    RoundChange(3, "hengtai-machinery", "Gold Supplier badge lost", apply=_lose_gold),
    RoundChange(3, "voltris-power", "Verified Manufacturer badge lost", apply=_lose_verification),
    RoundChange(3, "brightpath-textiles", "store missing: 302 to /error.html", availability="missing_redirect"),
    RoundChange(4, "greenleaf-foods", "store closed: 200 page without supplier data", availability="missing_empty"),
    RoundChange(4, "meichu-appliances", "ISO 45001:2018 dropped from the certificate table", apply=_drop_iso45001),
    RoundChange(4, "kettlecraft", "new statement: ISO 14001 claimed in the About us text", apply=_new_statement),
)


class Scenario:
    """The scenario clock plus the suppliers; thread-safe because the server reads it from many threads."""

    def __init__(self, round: int = 0, changes: tuple[RoundChange, ...] = CHANGES) -> None:
        self._lock = threading.Lock()
        self._round = 0
        self._base = {s.id: s for s in _base_suppliers()}
        self.changes = changes
        self.round = round

    @property
    def round(self) -> int:
        with self._lock:
            return self._round

    @round.setter
    def round(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"round must be an int >= 0, got {value!r}")
        with self._lock:
            self._round = value

    def set_round(self, n: int) -> None:
        self.round = n

    @property
    def supplier_ids(self) -> list[str]:
        return list(self._base)

    def has_supplier(self, supplier_id: str) -> bool:
        return supplier_id in self._base

    def supplier(self, supplier_id: str, round: int | None = None) -> Supplier:
        """The supplier as its pages show it in ``round`` (default: the current round)."""
        r = self.round if round is None else round
        state = copy.deepcopy(self._base[supplier_id])
        for change in self.changes:
            if change.supplier_id == supplier_id and change.apply is not None and change.active(r):
                change.apply(state)
        return state

    def availability(self, supplier_id: str, round: int | None = None) -> Availability:
        """How the store answers in ``round``: its page, the captcha, or one of the missing variants."""
        if supplier_id in SPECIAL_STORES:
            return SPECIAL_STORES[supplier_id]
        if supplier_id not in self._base:
            return "missing_redirect"
        r = self.round if round is None else round
        result: Availability = "ok"
        for change in self.changes:
            if change.supplier_id == supplier_id and change.availability is not None and change.active(r):
                result = change.availability
        return result

    def changes_in(self, round: int) -> list[RoundChange]:
        return [c for c in self.changes if c.round == round]

    def listing(self, base_url: str) -> dict[str, object]:
        """The JSON served at ``GET /__scenario``."""
        base = base_url.rstrip("/")
        return {
            "round": self.round,
            "suppliers": [
                {"id": s.id, "name": s.name, "url": base + s.path, "family": s.family, "platform": s.platform}
                for s in self._base.values()
            ],
        }


def demo_suppliers(base_url: str) -> list[dict[str, object]]:
    """The watch list for the monitor's demo command: one entry per synthetic supplier."""
    base = base_url.rstrip("/")
    return [
        {
            "id": s.id,
            "name": s.name,
            "url": base + s.path,
            "platform": s.platform,
            "tags": ["demo", f"family:{s.family}", *s.tags],
        }
        for s in _base_suppliers()
    ]
