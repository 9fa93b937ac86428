"""Plausible unseen variants of the four Alibaba page families, written here as small synthetic snippets.

Real pages of the same families differ from the captures in ../shared/pages by assignment style, key order,
label wording (English and Chinese), encodings, date formats and missing or absurd values. Every test states
the exact claims a buyer would read off such a page: the parser must follow structure and label tables, and
must neither raise nor invent values on junk.
"""

from __future__ import annotations

import html as html_lib
import json
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest

from scrapers.claims import ClaimsDocument
from scrapers.platforms.alibaba import AlibabaParser

PROFILE_URL = "https://acme.en.alibaba.com/company_profile.html"
PRODUCT_URL = "https://www.alibaba.com/product-detail/widget_1600000000001.html"


def parse(html: str, url: str = PROFILE_URL) -> ClaimsDocument:
    return AlibabaParser().parse(html, url)


def cert(
    name: str,
    standard: str | None,
    edition: str | None,
    kind: str,
    *,
    number: str | None = None,
    issuer: str | None = None,
    scope: str | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    verified: bool | None = None,
) -> dict[str, Any]:
    """One expected certification exactly as the claims document serialises it."""
    return {
        "name": name,
        "standard": standard,
        "edition": edition,
        "number": number,
        "issuer": issuer,
        "accreditation_body": None,
        "scope": scope,
        "valid_from": valid_from.isoformat() if valid_from else None,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "platform_verified": verified,
        "kind": kind,
        "source": "structured",
        "from_document": {},
    }


def supplier(**fields: Any) -> dict[str, Any]:
    """The expected supplier block: every field the page does not state is null / empty."""
    base: dict[str, Any] = {
        "name": None,
        "business_type": None,
        "country": None,
        "location": None,
        "year_established": None,
        "years_on_platform": None,
        "employees": None,
        "annual_revenue": None,
        "main_products": [],
        "main_markets": [],
    }
    unknown = set(fields) - set(base)
    assert not unknown, unknown
    return base | fields


def certs_of(doc: ClaimsDocument) -> list[dict[str, Any]]:
    return doc.to_json_dict()["certifications"]


def badges_of(doc: ClaimsDocument) -> list[dict[str, Any]]:
    return doc.to_json_dict()["badges"]


def badge(name: str, issuer: str | None = None, detail: str | None = None) -> dict[str, Any]:
    return {"name": name, "issuer": issuer, "detail": detail, "source": "structured"}


# ==================================================================================================
# family 1: window.shopBizData
# ==================================================================================================


def shop_biz(*modules: tuple[str, Any], global_data: Any = None) -> dict[str, Any]:
    data: dict[str, Any] = {"pageModuleMap": [{"moduleName": n, "moduleData": d} for n, d in modules]}
    if global_data is not None:
        data["globalData"] = global_data
    return data


def in_script(body: str) -> str:
    return f"<html><head></head><body><div id='app'></div><script>\n{body}\n</script></body></html>"


PERFORMANCE = ("supplierPerformance", {"companyName": "Xiamen Orchid Ceramics Co., Ltd.", "years": {"value": "9 yrs"}})
CAPABILITY = (
    "factoryCapability",
    {
        "cards": [
            {
                "items": [
                    {"fieldName": "yearEstablished", "label": "Year established", "type": "kv", "value": 2011},
                    {"fieldName": "staff_count", "label": "Staff", "type": "kv", "value": "51 - 100 People"},
                ]
            },
            {
                "items": [
                    {"fieldName": "factory_area_sqm", "label": "Floor space(㎡)", "type": "kv", "value": "10,000+"},
                    {
                        "fieldName": "annual_revenue_range",
                        "label": "Annual revenue",
                        "type": "kv",
                        "value": "US$1 Million - US$2.5 Million",
                    },
                ]
            },
        ]
    },
)
CERTS = (
    "certifications",
    {
        "items": [
            {
                "name": "ISO9001:2015",
                "category": "MANAGEMENT_SYSTEM",
                "certId": "23QMS0105R1M",
                "certificateValidityPeriod": "2023.01.05-2026.01.04",
            },
            {"name": "CE", "category": "PRODUCT"},
        ]
    },
)
BASE_SUPPLIER = supplier(
    name="Xiamen Orchid Ceramics Co., Ltd.",
    years_on_platform=9,
    year_established=2011,
    employees="51 - 100 People",
    annual_revenue="US$1 Million - US$2.5 Million",
)
BASE_CERTS = [
    cert(
        "ISO9001:2015",
        "ISO 9001",
        "2015",
        "management_system",
        number="23QMS0105R1M",
        valid_from=date(2023, 1, 5),
        valid_until=date(2026, 1, 4),
    ),
    cert("CE", "CE", None, "product"),
]


def _js_single_quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(lambda d: f"window.shopBizData = {json.dumps(d)};", id="window-spaced"),
        pytest.param(lambda d: f"window.shopBizData={json.dumps(d, separators=(',', ':'))}", id="window-compact"),
        pytest.param(lambda d: f"var shopBizData = {json.dumps(d)};", id="var"),
        pytest.param(lambda d: f"  window . shopBizData =\n{json.dumps(d, indent=2)}\n;", id="multiline"),
        pytest.param(lambda d: f'window["shopBizData"]={json.dumps(d)};', id="bracket"),
        pytest.param(lambda d: f"window.shopBizData = JSON.parse({json.dumps(json.dumps(d))});", id="json-parse-dq"),
        pytest.param(
            lambda d: f"window.shopBizData = JSON.parse({_js_single_quoted(json.dumps(d))});", id="json-parse-sq"
        ),
        pytest.param(
            lambda d: 'var other = {"a": "}"};\nwindow.shopBizData = ' + json.dumps(d, ensure_ascii=True) + ";",
            id="ascii-escaped",
        ),
    ],
)
def test_shop_biz_assignment_styles(script: Any) -> None:
    data = shop_biz(CERTS, PERFORMANCE, CAPABILITY)
    doc = parse(in_script(script(data)))
    assert doc.source.page_type == "company_profile"
    assert doc.to_json_dict()["supplier"] == BASE_SUPPLIER
    assert certs_of(doc) == BASE_CERTS


def test_shop_biz_strings_that_look_like_code() -> None:
    performance = (
        "supplierPerformance",
        {"companyName": "Ningbo \u201cBrace}{\u201d <\\/script> Tools Co., Ltd.", "years": "3 YRS"},
    )
    body = "window.shopBizData = " + json.dumps(shop_biz(performance)).replace("<\\\\/script>", "<\\/script>")
    doc = parse(in_script(body + ";\nwindow.x = {'y': 1};"))
    assert doc.supplier.name == "Ningbo \u201cBrace}{\u201d </script> Tools Co., Ltd."
    assert doc.supplier.years_on_platform == 3


def test_shop_biz_unicode_escapes_and_chinese_labels() -> None:
    capability = (
        "factoryCapability",
        {
            "cards": [
                {
                    "items": [
                        {"fieldName": "x_1", "label": "员工总数", "value": "120"},
                        {"fieldName": "x_2", "label": "成立年份", "value": "2008年"},
                        {"fieldName": "x_3", "label": "年营业额", "value": "500万-1000万美元"},
                    ]
                }
            ]
        },
    )
    performance = ("supplierPerformance", {"companyName": "佛山市美陶陶瓷有限公司", "years": {"value": 12}})
    doc = parse(in_script("window.shopBizData = " + json.dumps(shop_biz(performance, capability), ensure_ascii=True)))
    assert doc.to_json_dict()["supplier"] == supplier(
        name="佛山市美陶陶瓷有限公司",
        years_on_platform=12,
        employees="120",
        year_established=2008,
        annual_revenue="500万-1000万美元",
    )


@pytest.mark.parametrize(
    ("field_name", "label", "value", "expected"),
    [
        ("yearEstablished", "Year established", "2009", {"year_established": 2009}),
        ("year_established", "", 2009, {"year_established": 2009}),
        ("company_established_year", "Established", "Est. 2009", {"year_established": 2009}),
        ("new_field_v9", "Years established", "15", {}),  # a count of years, not a year: nothing invented
        ("employee_count", "Total employees", 43, {"employees": "43"}),
        ("totalEmployees", "", "51 - 100 People", {"employees": "51 - 100 People"}),
        ("new_field_v9", "Employee count", "10,000+", {"employees": "10,000+"}),
        ("new_field_v9", "Number of staff", "200", {"employees": "200"}),
        ("annualRevenue", "", "US$10 Million - US$50 Million", {"annual_revenue": "US$10 Million - US$50 Million"}),
        ("new_field_v9", "Annual turnover", "Above US$100 Million", {"annual_revenue": "Above US$100 Million"}),
        ("factory_area_sqm", "Floor space(㎡)", "10,000+", {}),
        ("qc_staff_count", "QA/QC inspectors", "12", {}),
        ("rd_team_count", "R&D engineers", "9", {}),
        ("export_experience_years", "Years exporting", "8", {}),
        ("production_line_count", "Number of production line", "3", {}),
    ],
)
def test_shop_biz_capability_field_variants(field_name: str, label: str, value: Any, expected: dict) -> None:
    capability = (
        "factoryCapability",
        {"cards": [{"items": [{"fieldName": field_name, "label": label, "value": value}]}]},
    )
    doc = parse(in_script("window.shopBizData = " + json.dumps(shop_biz(PERFORMANCE, capability))))
    assert doc.to_json_dict()["supplier"] == supplier(
        name="Xiamen Orchid Ceramics Co., Ltd.", years_on_platform=9, **expected
    )


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            {"name": "ISO 9001-2015", "certificateValidityPeriod": "2023/01/05 ~"},
            cert("ISO 9001-2015", "ISO 9001", "2015", "management_system", valid_from=date(2023, 1, 5)),
        ),
        (
            {"name": "GB/T19001-2016/ISO9001:2015", "certificateValidityPeriod": "Jan 5, 2023 - Jan 4, 2026"},
            cert(
                "GB/T19001-2016/ISO9001:2015",
                "ISO 9001",
                "2015",
                "management_system",
                valid_from=date(2023, 1, 5),
                valid_until=date(2026, 1, 4),
            ),
        ),
        (
            {"name": "ISO/IEC 27001:2022", "certificateValidityPeriod": "5 January 2023 to 4 January 2026"},
            cert(
                "ISO/IEC 27001:2022",
                "ISO/IEC 27001",
                "2022",
                "management_system",
                valid_from=date(2023, 1, 5),
                valid_until=date(2026, 1, 4),
            ),
        ),
        (
            {"name": "IATF16949", "certificateStartDate": 1672876800000, "certificateEndDate": 1767484800000},
            cert(
                "IATF16949",
                "IATF 16949",
                None,
                "management_system",
                valid_from=date(2023, 1, 5),
                valid_until=date(2026, 1, 4),
            ),
        ),
        (  # epoch milliseconds of midnight in Beijing (UTC+8), as the platform stores a day
            {"name": "ISO 14001:2015", "certificateValidityPeriod": "1672848000000 ~ 1767456000000"},
            cert(
                "ISO 14001:2015",
                "ISO 14001",
                "2015",
                "management_system",
                valid_from=date(2023, 1, 5),
                valid_until=date(2026, 1, 4),
            ),
        ),
        (
            {"name": "ISO 45001:2018", "certificateValidityPeriod": [1672876800000, 1767484800000]},
            cert(
                "ISO 45001:2018",
                "ISO 45001",
                "2018",
                "management_system",
                valid_from=date(2023, 1, 5),
                valid_until=date(2026, 1, 4),
            ),
        ),
        (
            {"name": "RoHS", "category": "PRODUCT", "certificateValidityPeriod": {"start": "2023-01-05", "end": None}},
            cert("RoHS", "RoHS", None, "product", valid_from=date(2023, 1, 5)),
        ),
        ({"name": "FDA", "category": "PRODUCT_CERTIFICATE"}, cert("FDA", "FDA", None, "product")),
        ({"name": "BSCI", "category": "AUDIT_REPORT"}, cert("BSCI", "BSCI", None, "audit")),
        (
            {"name": "Grade A supplier certificate", "category": "Management System Certification"},
            cert("Grade A supplier certificate", None, None, "management_system"),
        ),
        (
            {"name": "Energy efficiency label", "category": "Product Certification"},
            cert("Energy efficiency label", None, None, "product"),
        ),
        (
            {"name": "Social accountability", "category": "FACTORY_AUDIT"},
            cert("Social accountability", None, None, "audit"),
        ),
        (
            {
                "name": "ISO 13485:2016",
                "certId": "MD-2021-77",
                "issuedBy": "TÜV SÜD Product Service GmbH",
                "description": "Design and manufacture of syringes",
                "certificateValidityPeriod": "2021-05-01 ~ 2024-04-30",
                "hasPassed": "Y",
            },
            cert(
                "ISO 13485:2016",
                "ISO 13485",
                "2016",
                "management_system",
                number="MD-2021-77",
                issuer="TÜV SÜD Product Service GmbH",
                scope="Design and manufacture of syringes",
                valid_from=date(2021, 5, 1),
                valid_until=date(2024, 4, 30),
                verified=True,
            ),
        ),
    ],
)
def test_shop_biz_certification_variants(item: dict, expected: dict) -> None:
    doc = parse(in_script("window.shopBizData = " + json.dumps(shop_biz(("certifications", {"items": [item]})))))
    assert certs_of(doc) == [expected]


def test_shop_biz_modules_keyed_by_name_and_identity_elsewhere() -> None:
    data = {
        "globalData": {"companyRegisterCountry": "CN"},
        "pageModuleMap": {
            "certifications": {"list": [{"name": "UL", "certificateNo": "E498765"}]},
            "companyInfo": {
                "companyName": "Shenzhen Voltmax Power Co., Ltd.",
                "businessType": "Manufacturer, Trading Company",
                "yearEstablished": "2010",
                "location": "Guangdong, China",
            },
            "supplierPerformance": {"years": 5},
        },
    }
    doc = parse(in_script(f"window.shopBizData={json.dumps(data)}"))
    assert doc.to_json_dict()["supplier"] == supplier(
        name="Shenzhen Voltmax Power Co., Ltd.",
        business_type="Manufacturer, Trading Company",
        country="CN",
        location="Guangdong, China",
        year_established=2010,
        years_on_platform=5,
    )
    assert certs_of(doc) == [cert("UL", "UL", None, "product", number="E498765")]


@pytest.mark.parametrize("country", ["CN", {"fieldName": "companyRegisterCountry", "value": "CN"}, "China (Mainland)"])
def test_shop_biz_global_country_shapes(country: Any) -> None:
    data = shop_biz(PERFORMANCE, global_data={"companyRegisterCountry": country})
    assert parse(in_script(f"window.shopBizData = {json.dumps(data)};")).supplier.country == "CN"


def test_shop_biz_absurd_values_are_not_invented() -> None:
    capability = (
        "factoryCapability",
        {"cards": [{"items": [{"fieldName": "year_established", "value": "1066"}, None, 7, "x"]}, None]},
    )
    performance = ("supplierPerformance", {"companyName": "  ", "years": "250 yrs"})
    certs = (
        "certifications",
        {
            "items": [
                {"name": "ISO 9001:2015", "certificateValidityPeriod": "0000-00-00 ~ 0000-00-00"},
                {"name": "ISO 14001:2015", "certificateValidityPeriod": "2026-01-04 ~ 2023-01-05"},
                {"name": "CE", "certificateStartDate": 0, "certificateEndDate": -1},
                {"name": "RoHS", "certificateValidityPeriod": "9999-12-31"},
                {"name": None},
                {"name": {"nested": ["junk"]}},
                [],
                "FCC",
                12,
                None,
            ]
        },
    )
    doc = parse(in_script("window.shopBizData = " + json.dumps(shop_biz(capability, performance, certs))))
    assert doc.to_json_dict()["supplier"] == supplier()
    assert certs_of(doc) == [
        cert("ISO 9001:2015", "ISO 9001", "2015", "management_system"),
        cert("ISO 14001:2015", "ISO 14001", "2015", "management_system"),
        cert("CE", "CE", None, "product"),
        cert("RoHS", "RoHS", None, "product"),
    ]


@pytest.mark.parametrize("year", ["2999", 2999, "1066", 0, -5, 10**30, 1e308, True, "", None, [2009], {"v": 2009}])
def test_shop_biz_year_established_out_of_range(year: Any) -> None:
    capability = ("factoryCapability", {"cards": [{"items": [{"fieldName": "established_year", "value": year}]}]})
    doc = parse(in_script("window.shopBizData = " + json.dumps(shop_biz(PERFORMANCE, capability))))
    assert doc.supplier.year_established is None
    assert doc.supplier.name == "Xiamen Orchid Ceramics Co., Ltd."


def test_shop_biz_deeply_nested_junk_never_raises() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    body = '{"pageModuleMap": [{"moduleName": "certifications", "moduleData": {"items": ' + deep + "}}]}"
    doc = parse(in_script(f"window.shopBizData = {body};"))
    assert certs_of(doc) == []
    truncated = '{"pageModuleMap": [{"moduleName": "certifications", "moduleData": {"items": [' + "{" * 50_000
    assert not parse(in_script(f"window.shopBizData = {truncated}")).has_claims()


# ==================================================================================================
# family 2: window.detailData and the product page DOM
# ==================================================================================================


def detail_page(seller: Any = None, certification: Any = None, **global_extra: Any) -> str:
    global_data: dict[str, Any] = {"seller": seller, "certification": certification, **global_extra}
    return in_script(f"window.detailData = {json.dumps({'globalData': global_data, 'nodeMap': {}})};")


SELLER = {
    "companyName": "Yiwu Sunrise Crafts Co., Ltd.",
    "companyBusinessType": "Manufacturer, Trading Company",
    "companyRegisterCountry": "CN",
    "companyJoinYears": "8",
}


@pytest.mark.parametrize("years", ["8", 8, "8 yrs", "8 YRS", {"value": "8"}, 8.0])
def test_detail_join_years_shapes(years: Any) -> None:
    doc = parse(detail_page({**SELLER, "companyJoinYears": years}), PRODUCT_URL)
    assert doc.source.page_type == "product_detail"
    assert doc.to_json_dict()["supplier"] == supplier(
        name="Yiwu Sunrise Crafts Co., Ltd.",
        business_type="Manufacturer, Trading Company",
        country="CN",
        years_on_platform=8,
    )


@pytest.mark.parametrize(
    ("amount", "detail"),
    [
        ("50,000", "limit US $50,000"),
        (50000, "limit US $50000"),
        ("US $50,000", "limit US $50,000"),
        (None, None),
    ],
)
def test_detail_trade_assurance_amount(amount: Any, detail: str | None) -> None:
    seller = {**SELLER, "baoAccountAmount": amount, "baoAccountIsDisplayAssurance": amount is None}
    assert badges_of(parse(detail_page(seller), PRODUCT_URL)) == [badge("Trade Assurance", None, detail)]


@pytest.mark.parametrize("amount", [0, "0", "", "0.00"])
def test_detail_zero_trade_assurance_is_no_badge(amount: Any) -> None:
    assert badges_of(parse(detail_page({**SELLER, "baoAccountAmount": amount}), PRODUCT_URL)) == []


def test_detail_badges_and_gold_years_wording() -> None:
    seller = {
        **SELLER,
        "companyJoinYears": "8 yrs",
        "companyHasPassAssessment": "true",
        "assessmentCompany": "Bureau Veritas",
        "accountIsGoldPlusSupplier": 1,
        "companyHasPassOnsite": "N",
    }
    assert badges_of(parse(detail_page(seller), PRODUCT_URL)) == [
        badge("Verified Supplier", "Bureau Veritas", "assessed by Bureau Veritas"),
        badge("Gold Plus Supplier", None, "8 years"),
    ]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            {
                "certName": "ISO 9001:2015",
                "certNo": "CN21/30012",
                "certType": "SYSTEM",
                "issuingAuthority": "SGS-CSTC Standards Technical Services Co., Ltd.",
                "certValidPeriod": "2021-03-01 至 2024-02-28",
            },
            cert(
                "ISO 9001:2015",
                "ISO 9001",
                "2015",
                "management_system",
                number="CN21/30012",
                issuer="SGS-CSTC Standards Technical Services Co., Ltd.",
                valid_from=date(2021, 3, 1),
                valid_until=date(2024, 2, 28),
            ),
        ),
        (
            {"certName": "CE", "certNo": "M.2023.206.C1234", "certType": "PRODUCT", "certValidPeriod": "2023/5/8~"},
            cert("CE", "CE", None, "product", number="M.2023.206.C1234", valid_from=date(2023, 5, 8)),
        ),
        (
            {"certName": "ISO 14001", "certValidPeriod": "01/03/2021 - 28/02/2024"},  # day first, fixed by the 28
            cert(
                "ISO 14001",
                "ISO 14001",
                None,
                "management_system",
                valid_from=date(2021, 3, 1),
                valid_until=date(2024, 2, 28),
            ),
        ),
        (
            {"certName": "FCC", "certValidPeriod": "03/01/2021 - 02/28/2024"},  # month first, fixed by the 28
            cert("FCC", "FCC", None, "product", valid_from=date(2021, 3, 1), valid_until=date(2024, 2, 28)),
        ),
        (
            {"certName": "RoHS", "certValidPeriod": "Valid until: 2024-02-28"},
            cert("RoHS", "RoHS", None, "product", valid_until=date(2024, 2, 28)),
        ),
        (
            {"certName": "SA8000:2014", "certValidPeriod": "长期有效"},
            cert("SA8000:2014", "SA8000", "2014", "audit"),
        ),
        (
            {"certName": "GS", "certValidPeriod": "2024-02-28 ~ 2021-03-01"},  # until before from: neither trusted
            cert("GS", "GS", None, "product"),
        ),
    ],
)
def test_detail_certification_variants(record: dict, expected: dict) -> None:
    assert certs_of(parse(detail_page(SELLER, [record]), PRODUCT_URL)) == [expected]


def test_detail_certifications_under_other_keys() -> None:
    page = detail_page(SELLER, None, certifications=[{"certName": "BSCI", "certType": "AUDIT"}])
    assert certs_of(parse(page, PRODUCT_URL)) == [cert("BSCI", "BSCI", None, "audit")]


@pytest.mark.parametrize(
    "seller",
    [None, [], "x", {"companyName": None, "companyJoinYears": None, "baoAccountAmount": None}, {"companyName": [1]}],
)
@pytest.mark.parametrize("certification", [None, [], {}, [None, 1, "ISO", [], {"certName": None}], "ISO 9001"])
def test_detail_nulls_everywhere(seller: Any, certification: Any) -> None:
    doc = parse(detail_page(seller, certification), PRODUCT_URL)
    assert doc.source.page_type == "product_detail"
    assert doc.to_json_dict()["supplier"] == supplier()
    assert certs_of(doc) == []
    assert badges_of(doc) == []


def card(*rows: str, name: str = "Dongguan Hexa Precision Parts Co., Ltd.") -> str:
    inner = "".join(f'<div class="k{i}x"><span>{row}</span></div>' for i, row in enumerate(rows))
    return (
        '<div data-module-name="module_unifed_company_card" class="Zq91_a">'
        '<div class="hd_7f"><h3 class="t_3a">Know your supplier</h3></div>'
        f'<div class="b_x2"><a class="nm_1q" href="//hexa.en.alibaba.com">{name}</a>{inner}</div>'
        '<a class="btn_9" href="//hexa.en.alibaba.com/company_profile.html">Company profile</a>'
        '<a class="btn_9" href="//message.alibaba.com">Contact supplier</a></div>'
    )


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            ("Manufacturer, Trading Company", "8 yrs on Alibaba.com", "Located in CN"),
            {"business_type": "Manufacturer, Trading Company", "years_on_platform": 8, "country": "CN"},
        ),
        (  # another order, other wording
            ("Location: China", "8 YRS", "Manufacturer, Trading Company"),
            {"business_type": "Manufacturer, Trading Company", "years_on_platform": 8, "country": "CN"},
        ),
        (
            ("Located in Guangdong, China", "Custom manufacturer", "11 years on Alibaba.com"),
            {
                "business_type": "Custom manufacturer",
                "years_on_platform": 11,
                "country": "CN",
                "location": "Guangdong, China",
            },
        ),
        (
            ("贸易公司", "入驻 5 年", "所在地: 中国"),
            {"business_type": "贸易公司", "years_on_platform": 5, "country": "CN"},
        ),
        (("Trading Company", "Located in VN"), {"business_type": "Trading Company", "country": "VN"}),
        (("On-time delivery rate", "89.6%", "Response Time", "≤11h"), {}),
    ],
)
def test_product_dom_card_label_variants(rows: tuple[str, ...], expected: dict) -> None:
    doc = parse(f"<main>{card(*rows)}</main>", PRODUCT_URL)
    assert doc.source.page_type == "product_detail"
    assert doc.to_json_dict()["supplier"] == supplier(name="Dongguan Hexa Precision Parts Co., Ltd.", **expected)


def test_product_dom_company_module_only() -> None:
    html = (
        '<div data-module-name="module_company"><div class="p_9"><span class="company-name">'
        '<a href="#" title="Hangzhou Leaf Tea Co., Ltd.">Hangzhou Leaf Tea Co., Ltd.</a></span>'
        '<span class="company-life">14 YRS</span><span class="register-country"> cn </span></div></div>'
    )
    doc = parse(html, PRODUCT_URL)
    assert doc.to_json_dict()["supplier"] == supplier(
        name="Hangzhou Leaf Tea Co., Ltd.", years_on_platform=14, country="CN"
    )


# ==================================================================================================
# family 3: module-data attributes
# ==================================================================================================


def payload(data: Any) -> str:
    return json.dumps({"gdc": {"lang": "en"}, "mds": {"moduleData": {"data": data}, "moduleName": "x"}})


def module_tag(name: str, attribute: str, title: str = "公司信息") -> str:
    return f'<div module-id="7" module-name="icbu-pc-{name}" module-title="{title}" {attribute} render="false"></div>'


SIGN = {
    "companyName": "Qingdao Harbor Rubber Co., Ltd.",
    "companyRegisterCountry": "CN",
    "companyJoinYears": "7",
    "companyBusinessType": {"authenticated": True, "value": "Manufacturer"},
}
CAPABILITY_CERTS = {
    "companyCertificateList": {
        "value": [
            {
                "certificateName": "ISO 9001:2015",
                "certificateNo": "04420Q30123R1M",
                "certificateIssuedBy": "China Quality Certification Centre",
                "certificateValidityPeriod": "2020-08-01 ~ 2023-07-31",
                "hasPassed": True,
                "description": "Manufacture of rubber hoses",
            }
        ]
    }
}
EXPECTED_ISO = cert(
    "ISO 9001:2015",
    "ISO 9001",
    "2015",
    "management_system",
    number="04420Q30123R1M",
    issuer="China Quality Certification Centre",
    scope="Manufacture of rubber hoses",
    valid_from=date(2020, 8, 1),
    valid_until=date(2023, 7, 31),
    verified=True,
)


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda p: f"module-data='{quote(p, safe='')}'", id="url-single-quotes"),
        pytest.param(lambda p: f'module-data="{quote(p, safe="")}"', id="url-double-quotes"),
        pytest.param(lambda p: f"module-data={quote(p, safe='')}", id="url-unquoted"),
        pytest.param(lambda p: f"module-data='{quote(quote(p, safe=''), safe='')}'", id="url-twice"),
        pytest.param(lambda p: f'module-data="{html_lib.escape(p, quote=True)}"', id="html-entities"),
        pytest.param(lambda p: f"module-data='{quote(p, safe=' ,:{{}}')}'", id="url-partial-raw-spaces"),
        pytest.param(lambda p: f'MODULE-DATA="{quote(p, safe="")}"', id="upper-case-attribute"),
        pytest.param(lambda p: f'module-data = "{quote(p, safe="")}"', id="spaced-equals"),
    ],
)
def test_module_data_attribute_encodings(encode: Any) -> None:
    html = "<html><body>" + module_tag("shopSign", encode(payload(SIGN)), "店铺招牌")
    html += module_tag("cpCompanyCapability", encode(payload(CAPABILITY_CERTS))) + "</body></html>"
    doc = parse(html)
    assert doc.source.page_type == "company_profile_modules"
    assert doc.to_json_dict()["supplier"] == supplier(
        name="Qingdao Harbor Rubber Co., Ltd.", country="CN", years_on_platform=7, business_type="Manufacturer"
    )
    assert certs_of(doc) == [EXPECTED_ISO]


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("true", True),
        (True, True),
        (1, True),
        ("Y", True),
        ("yes", True),
        ("已通过", True),
        ("false", False),
        (False, False),
        (0, False),
        ("N", False),
        ("未通过", False),
        (None, None),
        ("maybe", None),
    ],
)
def test_module_data_has_passed_shapes(flag: Any, expected: bool | None) -> None:
    record = {"certificateName": "CE", "certificatNo": "AT-1", "hasPassed": flag}
    html = module_tag("cpCompanyCapability", f"module-data='{quote(payload({'productCertificateList': [record]}))}'")
    assert certs_of(parse(html)) == [cert("CE", "CE", None, "product", number="AT-1", verified=expected)]


@pytest.mark.parametrize(
    ("period", "valid_from", "valid_until"),
    [
        ("2012-06-27 ~ ", date(2012, 6, 27), None),
        (" ~ 2019-01-01", None, date(2019, 1, 1)),
        ("~2019-01-01", None, date(2019, 1, 1)),
        ("2012-06-27~2019-01-01", date(2012, 6, 27), date(2019, 1, 1)),
        ("2012-06-27 ~ 2049-12-31", date(2012, 6, 27), date(2049, 12, 31)),
        ("2012-6-27 ~ 0000-00-00", date(2012, 6, 27), None),
        (" ~ ", None, None),
        ("null ~ null", None, None),
    ],
)
def test_module_data_validity_open_ends(period: str, valid_from: date | None, valid_until: date | None) -> None:
    record = {"certificateName": "FCC", "certificatNo": "2AB3C-01", "certificateValidityPeriod": period}
    html = module_tag("cpCompanyCapability", f"module-data='{quote(payload({'productCertificateList': [record]}))}'")
    assert certs_of(parse(html)) == [
        cert("FCC", "FCC", None, "product", number="2AB3C-01", valid_from=valid_from, valid_until=valid_until)
    ]


def test_module_data_basic_info_variants() -> None:
    basic = {
        "companyEstablishedYear": {"authType": "onsite", "title": "成立年份", "value": 2003},
        "companyNumberOfEmployees": {"title": "员工人数", "value": "101 - 200 People"},
        "companyLocation": {"value": "Shandong, China (Mainland)"},
        "supplierMainProducts": {"value": ["Rubber hoses", "Gaskets", "Rubber hoses"]},
        "companyMainMarket": {
            "value": {
                "asc": [
                    {"name": "Oceania", "percentFormat": "5.00%"},
                    {"name": "Western Europe", "percentFormat": "25.00%"},
                    {"name": "North America", "percentFormat": "40.00%"},
                ]
            }
        },
        "supplierTotalAnnualSalesVolume": {"value": "US$2.5 Million - US$5 Million"},
    }
    html = module_tag("shopSign", f"module-data='{quote(payload(SIGN))}'") + module_tag(
        "cpCompanyBasicInfo", f"module-data='{quote(payload(basic))}'"
    )
    doc = parse(html)
    assert doc.to_json_dict()["supplier"] == supplier(
        name="Qingdao Harbor Rubber Co., Ltd.",
        country="CN",
        years_on_platform=7,
        business_type="Manufacturer",
        location="Shandong, China (Mainland)",
        year_established=2003,
        employees="101 - 200 People",
        annual_revenue="US$2.5 Million - US$5 Million",
        main_products=["Rubber hoses", "Gaskets"],
        main_markets=["North America", "Western Europe", "Oceania"],  # largest share first
    )


@pytest.mark.parametrize(
    "markets",
    [
        {"value": "North America 40.00%, Western Europe 25.00%, Oceania 5%"},
        {"value": {"topMarkets": "North America(40%), Western Europe(25%), Oceania(5%)"}},
        {"value": {"descMarkets": [{"name": "North America"}, {"name": "Western Europe"}, {"name": "Oceania"}]}},
        "北美 40%、西欧 25%、大洋洲 5%",
    ],
)
def test_module_data_market_shapes(markets: Any) -> None:
    html = module_tag("cpCompanyBasicInfo", f"module-data='{quote(payload({'companyMainMarket': markets}))}'")
    found = parse(html).supplier.main_markets
    # Shares are kept where the page gives them (issue 9: "North America 20.00%" lost its share).
    assert found in (
        ["North America 40%", "Western Europe 25%", "Oceania 5%"],
        ["North America", "Western Europe", "Oceania"],
        ["北美 40%", "西欧 25%", "大洋洲 5%"],
    )


def test_module_data_junk_never_raises() -> None:
    junk = [
        module_tag("shopSign", "module-data='%7B%22mds%22%3A%7B%22moduleData%22%3A%7B%22data%22%3A"),
        module_tag("cpNav", "module-data='%25%25%25'"),
        module_tag("cpX", "module-data=''"),
        module_tag("cpY", f"module-data='{quote(payload([1, 2, 3]))}'"),
        module_tag("cpZ", f"module-data='{quote(payload({'companyCertificateList': {'value': [None, 5, 'x']}}))}'"),
        module_tag("cpW", f"module-data='{quote(payload({'companyEstablishedYear': {'value': '2999'}}))}'"),
        "<div module-data='" + "%7B" * 5000 + "'></div>",
    ]
    doc = parse("<html><body>" + "".join(junk) + "</body></html>")
    assert doc.to_json_dict()["supplier"] == supplier()
    assert certs_of(doc) == []


# ==================================================================================================
# family 4: the legacy server-rendered profile
# ==================================================================================================


def legacy_page(rows: str = "", tables: str = "", sign: Any = None) -> str:
    script = ""
    if sign is not None:
        script = f'<script type="application/json" id="bp-shopsign-data">{json.dumps(sign)}</script>'
    return (
        "<html><head><title>Company Overview</title></head><body>"
        f"{script}<div class='box'><table class='content-table'>{rows}</table></div>{tables}</body></html>"
    )


def row(role: str | None, label: str, value: str, cell: str = "th") -> str:
    attribute = f' data-role="{role}"' if role else ""
    return (
        f'<tr{attribute}><{cell} class="col-title">{label}</{cell}><td class="col-value">{value}</td>'
        '<td class="col-verify"></td></tr>'
    )


def test_legacy_rows_in_other_order_with_nbsp_and_mojibake() -> None:
    rows = (
        row("companyEstablishedYear", "Year Established:", "&nbsp;2006&nbsp;")
        + row("companyMainMarket", "Main Markets:", "Eastern Europe 30.00%,&nbsp;Africa 20.00%")
        + row("companyNumberOfEmployees", "Total Employees:", "101 - 200 People\u00c2\u00a0")
        + row("companyLocation", "Location:", "Zhejiang,\u00c2\u00a0China (Mainland)")
        + row("companyBusinessType", "Business Type:", "锟斤拷Manufacturer, Trading Company锟斤拷")
        + row("supplierMainProducts", "Main Products:", "<a href='#'>LED bulbs,&nbsp;LED panels , LED strips</a>")
    )
    doc = parse(legacy_page(rows))
    assert doc.source.page_type == "company_profile_legacy"
    assert doc.to_json_dict()["supplier"] == supplier(
        business_type="Manufacturer, Trading Company",
        location="Zhejiang, China (Mainland)",
        year_established=2006,
        employees="101 - 200 People",
        main_products=["LED bulbs", "LED panels", "LED strips"],
        main_markets=["Eastern Europe 30%", "Africa 20%"],
    )


@pytest.mark.parametrize("cell", ["th", "td"])
def test_legacy_chinese_labels_without_roles(cell: str) -> None:
    rows = (
        row(None, "公司类型：", "生产厂家", cell)
        + row(None, "所在地区：", "广东 深圳", cell)
        + row(None, "主营产品：", "蓝牙耳机、充电器、数据线", cell)
        + row(None, "员工人数：", "51 - 100 人", cell)
        + row(None, "成立年份：", "2012年", cell)
        + row(None, "主要市场：", "北美 40%，西欧 20%", cell)
        + row(None, "年营业额：", "500万 - 1000万美元", cell)
    )
    doc = parse(legacy_page(rows))
    assert doc.to_json_dict()["supplier"] == supplier(
        business_type="生产厂家",
        location="广东 深圳",
        main_products=["蓝牙耳机", "充电器", "数据线"],
        employees="51 - 100 人",
        year_established=2012,
        main_markets=["北美 40%", "西欧 20%"],
        annual_revenue="500万 - 1000万美元",
    )


def test_legacy_english_label_variants_without_roles() -> None:
    rows = (
        row(None, "Company Type:", "Trading Company")
        + row(None, "No. of Employees:", "11 - 50 People")
        + row(None, "Main Market:", "Domestic Market")
        + row(None, "Established:", "Since 1998")
        + row(None, "No. of R&amp;D Staff:", "5 - 10 People")
        + row(None, "Export Percentage:", "50%")
    )
    doc = parse(legacy_page(rows))
    assert doc.to_json_dict()["supplier"] == supplier(
        business_type="Trading Company",
        employees="11 - 50 People",
        main_markets=["Domestic Market"],
        year_established=1998,
    )


def cert_table(widget: str, header: list[str], *body: list[str], header_cell: str = "th") -> str:
    head = "".join(f"<{header_cell}>{h}</{header_cell}>" for h in header)
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" for cells in body)
    table = f'<table class="ui2-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    return f'<div class="{widget}">{table}</div>'


VERIFIED = '<span class="company-verified-icon icon-assessment"><i class="verified-icon"></i> Verified </span>'


def test_legacy_cert_table_columns_by_header() -> None:
    table = cert_table(
        "widget-supplier-certification",
        ["Verified", "Certificate No.", "Business Scope", "Certification Name", "Picture", "Issued By", "Validity"],
        [
            VERIFIED,
            "CN19/1234",
            "Injection moulding",
            "ISO 9001:2015",
            "<img src='x'>",
            "SGS",
            "2019-03-04 — 2022-03-03",
        ],
        ["Unverified", "E-77", "Moulds", "ISO 14001", "", "TÜV&nbsp;Rheinland", "2020/05/06 → 2023/05/05"],
        ["Not verified", "", "", "IATF 16949:2016", "", "", "2021-07-01 till 2024-06-30"],
    )
    doc = parse(legacy_page(tables=table))
    assert certs_of(doc) == [
        cert(
            "ISO 9001:2015",
            "ISO 9001",
            "2015",
            "management_system",
            number="CN19/1234",
            issuer="SGS",
            scope="Injection moulding",
            valid_from=date(2019, 3, 4),
            valid_until=date(2022, 3, 3),
            verified=True,
        ),
        cert(
            "ISO 14001",
            "ISO 14001",
            None,
            "management_system",
            number="E-77",
            issuer="TÜV Rheinland",
            scope="Moulds",
            valid_from=date(2020, 5, 6),
            valid_until=date(2023, 5, 5),
            verified=False,
        ),
        cert(
            "IATF 16949:2016",
            "IATF 16949",
            "2016",
            "management_system",
            valid_from=date(2021, 7, 1),
            valid_until=date(2024, 6, 30),
            verified=False,
        ),
    ]


@pytest.mark.parametrize("header_cell", ["th", "td"])
def test_legacy_cert_table_separate_date_columns_and_chinese_headers(header_cell: str) -> None:
    table = cert_table(
        "widget-supplier-production-certification",
        ["图片", "证书名称", "证书编号", "发证机构", "发证日期", "到期日期", "认证范围", "验证"],
        ["", "CE", "M.2019.201.C55", "ECM", "2019-05-06", "2024-05-05", "LED lamps", "已验证"],
        ["", "RoHS", "", "Intertek", "13/06/2020", "n/a", "", ""],
        header_cell=header_cell,
    )
    doc = parse(legacy_page(tables=table))
    assert certs_of(doc) == [
        cert(
            "CE",
            "CE",
            None,
            "product",
            number="M.2019.201.C55",
            issuer="ECM",
            scope="LED lamps",
            valid_from=date(2019, 5, 6),
            valid_until=date(2024, 5, 5),
            verified=True,
        ),
        cert("RoHS", "RoHS", None, "product", issuer="Intertek", valid_from=date(2020, 6, 13), verified=False),
    ]


@pytest.mark.parametrize(
    ("header", "period", "valid_from", "valid_until"),
    [
        ("Available Date --- Expired Date", "2018-01-02 --- 2021-01-01", date(2018, 1, 2), date(2021, 1, 1)),
        ("Available Date - Expired Date", "2018.01.02 - 2021.01.01", date(2018, 1, 2), date(2021, 1, 1)),
        ("Available Date ~ Expired Date", "2018/1/2 ~ 2021/1/1", date(2018, 1, 2), date(2021, 1, 1)),
        ("Available Date --- Expired Date", "02 Jan 2018 --- ", date(2018, 1, 2), None),
        ("Available Date --- Expired Date", " --- 01 Jan 2021", None, date(2021, 1, 1)),
        ("有效期", "2018年1月2日 - 2021年1月1日", date(2018, 1, 2), date(2021, 1, 1)),
        ("Valid Period", "2021-01-01 ~ 2018-01-02", None, None),
        ("Available Date --- Expired Date", "0000-00-00 --- 0000-00-00", None, None),
    ],
)
def test_legacy_period_separators(header: str, period: str, valid_from: date | None, valid_until: date | None) -> None:
    table = cert_table(
        "widget-supplier-certification", ["Certification Name", "Certified By", header], ["ISO9001", "CQC", period]
    )
    assert certs_of(parse(legacy_page(tables=table))) == [
        cert(
            "ISO9001",
            "ISO 9001",
            None,
            "management_system",
            issuer="CQC",
            valid_from=valid_from,
            valid_until=valid_until,
        )
    ]


def test_legacy_absurd_and_empty_inputs() -> None:
    rows = (
        row("companyEstablishedYear", "Year Established:", "2999")
        + row("companyNumberOfEmployees", "Total Employees:", "&nbsp;")
        + row("companyBusinessType", "Business Type:", "")
        + "<tr><th>orphan</th></tr><tr></tr>"
    )
    tables = (
        cert_table("widget-supplier-certification", ["Picture", "Verified"], ["", "Verified"])  # no name column
        + cert_table("widget-supplier-certification", ["Certification Name"], [""], ["   "])
        + '<div class="widget-supplier-production-certification"><table></table></div>'
    )
    sign = {"data": {"companyName": None, "companyJoinYears": "999", "companyCertificateList": [None, {}]}}
    doc = parse(legacy_page(rows, tables, sign))
    assert doc.source.page_type == "company_profile_legacy"
    assert doc.to_json_dict()["supplier"] == supplier()
    assert certs_of(doc) == []


def test_legacy_year_1066_is_not_a_year_established() -> None:
    doc = parse(legacy_page(row("companyEstablishedYear", "Year Established:", "1066")))
    assert doc.supplier.year_established is None


def test_legacy_issuer_header_that_says_name() -> None:
    table = cert_table(
        "widget-supplier-certification",
        ["Name of Certification Body", "Certificate", "Date of Issue", "Expiry Date", "Verification"],
        ["Intertek", "ISO 45001:2018", "2022-02-01", "2025-01-31", "Not verified"],
    )
    assert certs_of(parse(legacy_page(tables=table))) == [
        cert(
            "ISO 45001:2018",
            "ISO 45001",
            "2018",
            "management_system",
            issuer="Intertek",
            valid_from=date(2022, 2, 1),
            valid_until=date(2025, 1, 31),
            verified=False,
        )
    ]


SITE_HEADER = """<div class="sc-hd-header"><div class="sc-hd-ms-simple-ver">
<a href="//tradeassurance.alibaba.com/" data-val="Trade Assurance"><div class="sc-hd-ms-left-desc">
<i class="sc-hd-i-logo-ta"></i>Trade Assurance</div></a><span>Gold Supplier</span></div></div>
<script>var i18n = {"goldSupplier": "Gold Supplier", "tradeAssurance": "Trade Assurance",
 "assessedBy": "Assessed by SGS."};</script>"""


def test_legacy_site_menu_and_i18n_words_are_not_badges() -> None:
    html = legacy_page(row("companyBusinessType", "Business Type:", "Manufacturer")).replace(
        "<body>", "<body>" + SITE_HEADER
    )
    doc = parse(html)
    assert doc.supplier.business_type == "Manufacturer"
    assert badges_of(doc) == []


def test_legacy_supplier_header_badges() -> None:
    header = (
        '<div class="verify-icons"><a class="icbu-icon-gs-year icbu-icon-gs-year-bg" href="#">'
        '<span class="join-year"><span class="value">11</span><span class="unit">YRS</span></span></a></div>'
        '<div class="ta-ammount">Suppliers Trade Assurance Limit:<span class="ta-value">US $1,200,000</span></div>'
        "<p class='assess'>This supplier was assessed by TÜV Rheinland.</p>"
    )
    doc = parse(legacy_page().replace("<body>", "<body>" + SITE_HEADER + header))
    assert badges_of(doc) == [
        badge("Gold Supplier", None, "11 years"),
        badge("Trade Assurance", None, "limit US $1,200,000"),
        badge("Verified Supplier", "TÜV Rheinland", "assessed by TÜV Rheinland"),
    ]


@pytest.mark.parametrize("variable", ["shopBizData", "detailData"])
def test_placeholder_assignment_before_the_data(variable: str) -> None:
    data = (
        shop_biz(PERFORMANCE)
        if variable == "shopBizData"
        else {"globalData": {"seller": {"companyName": "Xiamen Orchid Ceramics Co., Ltd."}}}
    )
    body = (
        f"window.{variable} = window.{variable} || {{}};\nif (!window.{variable}) {{ window.{variable} = {{}}; }}\n"
        f"window.{variable} = {json.dumps(data)};"
    )
    assert parse(in_script(body)).supplier.name == "Xiamen Orchid Ceramics Co., Ltd."


def test_legacy_list_cells_of_separate_links_and_odd_years() -> None:
    rows = (
        row("supplierMainProducts", "Main Products:", "<a href='#'>Ceramic mugs</a> <a href='#'>Plates</a><a>Bowls</a>")
        + row("companyMainMarket", "Main Markets:", "<span>Western Europe</span><span>North America</span>")
        + row("companyEstablishedYear", "Year Established:", "05/1998")
    )
    sign = '<!--{"data": {"companyName": "Chaozhou Fine Porcelain Co., Ltd.", "companyJoinYears": "4"}};-->'
    html = legacy_page(rows).replace(
        "<body>", f'<body><script id="bp-shopsign-data" type="application/json">{sign}</script>'
    )
    assert parse(html).to_json_dict()["supplier"] == supplier(
        name="Chaozhou Fine Porcelain Co., Ltd.",
        years_on_platform=4,
        main_products=["Ceramic mugs", "Plates", "Bowls"],
        main_markets=["Western Europe", "North America"],
        year_established=1998,
    )


@pytest.mark.parametrize(
    ("period", "valid_from", "valid_until"),
    [
        ("1970-01-01 ~ 2025-06-30", None, date(2025, 6, 30)),  # "no date" sentinels
        ("1900-01-01 ~ 1900-01-01", None, None),
        ("1999-12-31 ~ 2099-12-31", date(1999, 12, 31), date(2099, 12, 31)),
    ],
)
def test_sentinel_certificate_dates(period: str, valid_from: date | None, valid_until: date | None) -> None:
    item = {"name": "ISO 9001:2015", "certificateValidityPeriod": period}
    doc = parse(in_script("window.shopBizData = " + json.dumps(shop_biz(("certifications", {"items": [item]})))))
    assert certs_of(doc) == [
        cert("ISO 9001:2015", "ISO 9001", "2015", "management_system", valid_from=valid_from, valid_until=valid_until)
    ]


@pytest.mark.parametrize(
    "module",
    [
        {
            "tabs": [
                {"category": "PRODUCT", "title": "Product certifications", "items": [{"name": "CE", "certId": "C-1"}]},
                {
                    "category": "SYSTEM",
                    "items": [{"name": "ISO 9001:2015", "certificateValidityPeriod": "2023-01-05 ~"}],
                },
            ]
        },
        {
            "items": [
                {"title": "Product certifications", "list": [{"name": "CE", "certId": "C-1"}]},
                {
                    "title": "Management system",
                    "list": [{"name": "ISO 9001:2015", "certificateValidityPeriod": "2023-01-05 ~"}],
                },
            ]
        },
    ],
)
def test_shop_biz_certifications_grouped_in_tabs(module: dict) -> None:
    doc = parse(in_script("window.shopBizData = " + json.dumps(shop_biz(("certifications", module)))))
    assert certs_of(doc) == [
        cert("CE", "CE", None, "product", number="C-1"),
        cert("ISO 9001:2015", "ISO 9001", "2015", "management_system", valid_from=date(2023, 1, 5)),
    ]


def test_detail_certifications_deep_in_node_map() -> None:
    node_map = {
        "module_certs": {"privateData": {"groups": [{"list": [{"certificateName": "BSCI", "certNo": "A-9"}]}]}},
        "module_photos": {"privateData": {"list": [{"name": "front.jpg", "url": "//x"}]}},
    }
    html = in_script(f"window.detailData = {json.dumps({'globalData': {'seller': SELLER}, 'nodeMap': node_map})};")
    assert certs_of(parse(html, PRODUCT_URL)) == [cert("BSCI", "BSCI", None, "audit", number="A-9")]


def test_product_dom_card_with_unlinked_name() -> None:
    html = (
        '<div data-module-name="module_unifed_company_card"><h3>Know your supplier</h3>'
        '<div class="x_1"><div class="n_2">Ningbo Bright Star Trading Co., Ltd.</div>'
        "<div class='m_3'><span>Trading Company</span><span>3 yrs</span><span>CN</span></div></div>"
        '<a href="//x.en.alibaba.com/company_profile.html">Company profile</a></div>'
    )
    assert parse(html, PRODUCT_URL).to_json_dict()["supplier"] == supplier(
        name="Ningbo Bright Star Trading Co., Ltd.", business_type="Trading Company", years_on_platform=3, country="CN"
    )


@pytest.mark.parametrize(
    "record",
    [
        {"certName": "ISO 22000:2018", "certValidPeriod": {"beginDate": "2022-09-01", "endDate": "2025-08-31"}},
        {"certName": "ISO 22000:2018", "effectiveDate": "2022-09-01", "expirationDate": "2025-08-31"},
        {"certName": "ISO 22000:2018", "certValidPeriod": ["2022-09-01", "2025-08-31"]},
    ],
)
def test_detail_period_shapes(record: dict) -> None:
    assert certs_of(parse(detail_page(SELLER, [record]), PRODUCT_URL)) == [
        cert(
            "ISO 22000:2018",
            "ISO 22000",
            "2018",
            "management_system",
            valid_from=date(2022, 9, 1),
            valid_until=date(2025, 8, 31),
        )
    ]
