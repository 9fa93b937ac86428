"""Certificate fields from plain text: English, Chinese, bilingual, tables, OCR noise, dates, hostile input."""

from __future__ import annotations

from datetime import date

import pytest

from scrapers.documents import extract_fields, fields_from_text
from scrapers.documents.dates import find_dates

EN = """\
CERTIFICATE
This is to certify that the Quality Management System of
Ningbo Haoyue Electric Appliance Co., Ltd.
No. 88 Xinhua Road, Cixi City, Zhejiang Province, P.R. China
has been assessed and found to conform to the requirements of
ISO 9001:2015
Scope: Design and manufacture of electric kettles and coffee makers
Certificate No.: CN-QMS-2023-08812
Initial certification date: 12 May 2017
Issue date: 15 March 2024
Expiry date: 14 March 2027
Issued by: Apex Quality Certification Co., Ltd.
CNAS C123-M   IAF MLA
"""

ZH = """\
质量管理体系认证证书
证书编号：00123Q45678R1M
兹证明
深圳市华美电子科技有限公司
注册地址：广东省深圳市宝安区西乡街道航城大道168号
质量管理体系符合 GB/T 19001-2016/ISO 9001:2015 标准
认证范围：电子元器件的设计和生产
初次发证日期：2019年6月1日
证书有效期：2023年1月5日至2026年1月4日
认证机构：中鼎质量认证有限公司
中国合格评定国家认可委员会
"""


def test_english_certificate():
    fields = fields_from_text(EN)
    assert fields.holder.value == "Ningbo Haoyue Electric Appliance Co., Ltd."
    assert fields.address.value.startswith("No. 88 Xinhua Road")
    assert (fields.standard.value, fields.edition.value) == ("ISO 9001", "2015")
    assert fields.number.value == "CN-QMS-2023-08812"
    assert fields.scope.value == "Design and manufacture of electric kettles and coffee makers"
    assert fields.issuer.value == "Apex Quality Certification Co., Ltd."
    assert [mark.value for mark in fields.accreditation] == ["CNAS", "IAF MLA"]
    assert fields.first_issued.value == date(2017, 5, 12)
    assert fields.issued.value == date(2024, 3, 15)
    assert fields.valid_until.value == date(2027, 3, 14)
    assert fields.valid_until.text == "14 March 2027"


def test_chinese_certificate_with_full_width_colons_and_a_validity_range():
    fields = fields_from_text(ZH)
    assert fields.holder.value == "深圳市华美电子科技有限公司"
    assert fields.address.value == "广东省深圳市宝安区西乡街道航城大道168号"
    assert (fields.standard.value, fields.edition.value) == ("ISO 9001", "2015")
    assert fields.number.value == "00123Q45678R1M"
    assert fields.scope.value == "电子元器件的设计和生产"
    assert fields.issuer.value == "中鼎质量认证有限公司"
    assert [mark.value for mark in fields.accreditation] == ["CNAS"]
    assert fields.first_issued.value == date(2019, 6, 1)
    assert (fields.issued.value, fields.valid_until.value) == (date(2023, 1, 5), date(2026, 1, 4))


def test_bilingual_holder_gives_the_other_name_and_bilingual_labels():
    text = """\
兹证明 / This is to certify that
杭州美厨厨房电器有限公司
Hangzhou Meichu Kitchen Appliances Co., Ltd.
浙江省杭州市萧山区红星路258号
注册号 Registration No.：CN-QMS-2025-9683
认证范围/Scope：电热水壶的设计和生产
证书有效期 Validity：2025年6月19日至2028年6月18日
"""
    fields = fields_from_text(text)
    assert fields.holder.value == "杭州美厨厨房电器有限公司"
    assert [name.value for name in fields.holder_other_names] == ["Hangzhou Meichu Kitchen Appliances Co., Ltd."]
    assert fields.number.value == "CN-QMS-2025-9683"
    assert fields.scope.value == "电热水壶的设计和生产"
    assert fields.valid_until.value == date(2028, 6, 18)


def test_labels_with_the_value_on_the_next_line_and_a_label_row_table():
    text = """\
Certificate Holder:
Shaoxing Brightpath Textile Co., Ltd.
Certificate Number
TR-88123-A
Issue Date  Expiry Date
2024-02-01  2027-01-31
Certification Body
Nordic Assessment Services GmbH
"""
    fields = fields_from_text(text)
    assert fields.holder.value == "Shaoxing Brightpath Textile Co., Ltd."
    assert fields.holder.confidence < 0.95  # the next line is a little less sure than the label's own line
    assert fields.number.value == "TR-88123-A"
    assert (fields.issued.value, fields.valid_until.value) == (date(2024, 2, 1), date(2027, 1, 31))
    assert fields.issuer.value == "Nordic Assessment Services GmbH"


def test_ocr_noise_lost_spaces_and_letter_digit_confusion():
    lines = [
        ("CERTIFICATEOFREGISTRATION", 0.9),
        ("Auditeename  ShaoxingBrightpathTextileCo.,Ltd.", 0.93),
        ("RegistrationNo.：CN-QMS-2O25-9683", 0.9),
        ("IS0 45001:2018", 0.88),
        ("Validuntil  2O27-O6-l2", 0.8),
    ]
    fields = extract_fields(lines)
    assert fields.holder.value == "Shaoxing Brightpath Textile Co.,Ltd."
    assert fields.number.value == "CN-QMS-2025-9683"
    assert (fields.standard.value, fields.edition.value) == ("ISO 45001", "2018")
    assert fields.valid_until.value == date(2027, 6, 12)
    # confidence carries the line's OCR confidence
    assert fields.valid_until.confidence == pytest.approx(0.8 * 0.95, abs=0.01)


@pytest.mark.parametrize(
    ("written", "standard", "edition"),
    [
        ("ISO 9001:2015", "ISO 9001", "2015"),
        ("ISO9001:2015", "ISO 9001", "2015"),
        ("ISO 9001-2015", "ISO 9001", "2015"),
        ("GB/T 19001-2016/ISO 9001:2015", "ISO 9001", "2015"),
        ("ISO 45001:2018", "ISO 45001", "2018"),
        ("EN 71-1", "EN 71-1", None),
        ("EN 71-1:2014+A1:2018", "EN 71-1", "2014"),
        ("amfori BSCI Code of Conduct", "amfori BSCI", None),
        ("BSCI audit", "BSCI", None),
    ],
)
def test_standards_and_editions(written: str, standard: str, edition: str | None):
    fields = fields_from_text(f"conforms to the requirements of\n{written}")
    assert fields.standard.value == standard
    assert (fields.edition.value if fields.edition else None) == edition


def test_the_bodys_own_accreditation_standard_is_not_the_certified_standard():
    fields = fields_from_text("Accredited to ISO/IEC 17021-1:2015\nThe management system meets ISO 14001:2015")
    assert (fields.standard.value, fields.edition.value) == ("ISO 14001", "2015")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-03-15", date(2024, 3, 15)),
        ("15 March 2024", date(2024, 3, 15)),
        ("March 15, 2024", date(2024, 3, 15)),
        ("Mar. 15, 2024", date(2024, 3, 15)),
        ("15/03/2024", date(2024, 3, 15)),
        ("03/04/2024", date(2024, 4, 3)),  # day first
        ("03/15/2024", date(2024, 3, 15)),  # day first is impossible: month first
        ("15.03.2024", date(2024, 3, 15)),
        ("2024年3月15日", date(2024, 3, 15)),
        ("2024 年 3 月 15 日", date(2024, 3, 15)),
        ("2024.03.15", date(2024, 3, 15)),
        ("15th Mar 2024", date(2024, 3, 15)),
        ("15-Mar-2024", date(2024, 3, 15)),
    ],
)
def test_date_formats(written: str, expected: date):
    assert [found.value for found in find_dates(f"Expiry date: {written}")] == [expected]
    assert fields_from_text(f"Valid until: {written}").valid_until.value == expected


@pytest.mark.parametrize(
    ("text", "issued", "until"),
    [
        ("Valid from 1 June 2023 to 31 May 2026", date(2023, 6, 1), date(2026, 5, 31)),
        ("证书有效期: 2023年1月5日至2026年1月4日", date(2023, 1, 5), date(2026, 1, 4)),
        ("Validity: 2023-06-01 - 2026-05-31", date(2023, 6, 1), date(2026, 5, 31)),
        ("有效期至2026年1月4日", None, date(2026, 1, 4)),
        ("Expires on Mar. 3, 2027", None, date(2027, 3, 3)),
        ("发证日期：2024.03.15  有效期至：2027.03.14", date(2024, 3, 15), date(2027, 3, 14)),
    ],
)
def test_date_labels_and_ranges(text: str, issued: date | None, until: date | None):
    fields = fields_from_text(text)
    assert (fields.issued.value if fields.issued else None) == issued
    assert (fields.valid_until.value if fields.valid_until else None) == until


def test_absurd_and_impossible_dates_are_dropped():
    fields = fields_from_text("Issue date: 1899-01-01\nExpiry date: 2150-01-01\nValid until: 31/02/2026")
    assert fields.issued is None
    assert fields.valid_until is None


def test_unlabelled_dates_are_a_low_confidence_guess():
    fields = fields_from_text("Acme Widgets Co., Ltd.\n2024-01-10\n2027-01-09")
    assert (fields.issued.value, fields.valid_until.value) == (date(2024, 1, 10), date(2027, 1, 9))
    assert fields.valid_until.confidence < 0.5


def test_issuer_from_a_company_pattern_or_a_known_body():
    signed = fields_from_text("Acme Widgets Co., Ltd.\nISO 9001:2015\nfor and on behalf of\nSGS United Kingdom Ltd.")
    assert signed.holder.value == "Acme Widgets Co., Ltd."
    assert signed.issuer.value == "SGS United Kingdom Ltd."
    assert fields_from_text("Acme Widgets Co., Ltd.\nISO 9001\nSGS").issuer.value == "SGS"
    zh = fields_from_text("兹证明 宁波某某五金制品有限公司 建立的质量管理体系\n北京世标认证中心有限公司")
    assert zh.holder.value == "宁波某某五金制品有限公司"
    assert zh.issuer.value == "北京世标认证中心有限公司"
    tuv = fields_from_text("Holder: Acme Widgets Co., Ltd.\nTÜV SÜD Management Service GmbH\nDAkkS")
    assert tuv.issuer.value == "TÜV SÜD Management Service GmbH"
    assert [mark.value for mark in tuv.accreditation] == ["DAkkS"]


def test_a_labelled_value_is_surer_than_a_guess():
    labelled = fields_from_text("Company name: Acme Widgets Co., Ltd.")
    guessed = fields_from_text("Acme Widgets Co., Ltd.")
    assert labelled.holder.value == guessed.holder.value == "Acme Widgets Co., Ltd."
    assert labelled.holder.confidence > guessed.holder.confidence


def test_empty_and_meaningless_text():
    assert fields_from_text("") == extract_fields([])
    empty = fields_from_text("\n\n   \n")
    assert empty.holder is None and empty.number is None and empty.valid_until is None
    noise = fields_from_text("lorem ipsum dolor sit amet\n!!!! ???")
    assert noise.holder is None and noise.standard is None and noise.issued is None


def test_hostile_text_is_bounded_and_does_not_raise():
    huge = "Certificate No.: " + "A1-" * 50_000 + "\n" + ("Valid until: 2026-01-01 " * 5_000 + "\n") * 50
    fields = fields_from_text(huge + "\x00\u202e\ufeff" + "(" * 10_000)
    assert fields.number is not None and len(fields.number.value) <= 60
    assert fields.valid_until.value == date(2026, 1, 1)
    assert fields_from_text("Scope:\n" + "x" * 100_000).scope.value.startswith("x")


@pytest.mark.parametrize(
    "text",
    [
        "组织名称  青岛瑞丰泵业有限公司\nOrganization  Qingdao Ruifeng Pump Industry Co., Ltd.\nAddress  No. 31",
        "组织名称  青岛瑞丰泵业有限公司\nOrganization  Qingdao Ruifeng Pump\nIndustry Co., Ltd.\nAddress  No. 31",
        "兹证明\n青岛瑞丰泵业有限公司\nQingdao Ruifeng Pump Industry\nCo., Ltd.\n山东省青岛市即墨区通济路31号",
    ],
)
def test_a_company_name_runs_to_its_legal_form_even_wrapped_onto_the_next_line(text: str):
    fields = fields_from_text(text)
    assert fields.holder.value == "青岛瑞丰泵业有限公司"
    assert [name.value for name in fields.holder_other_names] == ["Qingdao Ruifeng Pump Industry Co., Ltd."]


def test_an_english_holder_wrapped_before_its_legal_form():
    fields = fields_from_text("This is to certify that\nShaoxing Brightpath Textile\nCo., Ltd.\nNo. 1200 Keqiao Avenue")
    assert fields.holder.value == "Shaoxing Brightpath Textile Co., Ltd."
    fields = fields_from_text("Certificate holder: Acme Industries\nAddress: 1 Main Street")
    assert fields.holder.value == "Acme Industries"  # the next line is no legal form: nothing joined


def test_audit_summary_labels_and_date_labels_glued_by_ocr():
    text = "Audit ID  227-584124-2025\nAudit date  31.12.2025\nAuditvalidity until  30.12.2026\nOverall rating  B"
    fields = fields_from_text(text)
    assert fields.number.value == "227-584124-2025"
    assert fields.issued.value == date(2025, 12, 31)
    assert fields.valid_until.value == date(2026, 12, 30)
