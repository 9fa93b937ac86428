"""1688's label/value pairs: which Chinese label names which fact, and the value each label has.

Labels are matched on their whole text with whitespace removed (old shop pages pad labels with ideographic
spaces: "地　　址："), a trailing ：/: dropped, in simplified and the common traditional spellings. A value
is the rest of the label's line ("经营模式：</th><td>生产厂家"), the text after the colon in the same cell
("经营模式：生产厂家"), or the next line when the label stands alone in its block and the two blocks are
siblings ("<dt>成立时间</dt><dd>2012</dd>", the stacked cards of the newer layout).

Labels that name no field (注册资本, 法定代表人 ...) are still known, so that a label standing alone is
never taken as another label's value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html

from scrapers.platforms.china_1688._dom import PROFILE, Cell, Line, ancestors

__all__ = ["CERT_RECORD_FIELDS", "MAX_LABEL_CHARS", "Pair", "label_field", "read_pairs"]

MAX_LABEL_CHARS = 20
#: A stacked value longer than this is a paragraph, not a form field.
MAX_STACKED_CHARS = 300
#: An introduction under a "公司简介" label is a paragraph.
MAX_INTRO_CHARS = 20_000
MAX_PAIRS = 1_000
#: How close (in ancestors) a stacked value's block must be to its label's.
STACK_DISTANCE = 3

# (field, pattern on the label without whitespace and colon). First match wins, so record labels
# ("证书名称") come before the bare words they contain ("证书").
_LABEL_TABLE: tuple[tuple[str, str], ...] = (
    # one certificate's record (a card or a table row of the certificate widget)
    ("cert_name", r"证书名称|證書名稱|认证名称|認證名稱|资质名称|資質名稱"),
    ("cert_number", r"证书编号|證書編號|认证编号|認證編號|证书号码?|證書號碼?|编号|編號"),
    ("cert_issuer", r"发证机[构关]|發證機[構關]|颁发机构|頒發機構|发证单位|發證單位|签发机构|簽發機構"),
    (
        "cert_from",
        r"生效日期|发证日期|發證日期|颁发日期|頒發日期|签发日期|簽發日期|发证时间|發證時間|[开開]始日期|起始日期",
    ),
    ("cert_until", r"截止日期|有效期至|到期(?:日期|时间|時間)|失效日期|[终終]止日期|[结結]束日期"),
    ("cert_period", r"有效期(?:限)?|有效(?:日期|时间|時間)"),
    ("cert_scope", r"(?:认证|認證|证书|證書)(?:范围|範圍)|覆盖范围|覆蓋範圍"),
    # who inspected the factory; inside a certificate record the certificate's issuer
    (
        "inspector",
        r"认证机构|認證機構|验厂机构|驗廠機構|认证公司|認證公司|第三方认证机构|第三方認證機構|审核机构|審核機構",
    ),
    # the supplier
    ("name", r"公司名称|公司名稱|企业名称|企業名稱|公司全称|公司全稱"),
    ("business_type", r"[经經][营營]模式"),
    ("year_established", r"成立(?:时间|時間|日期|年份)|创立时间|創立時間|创建时间|創建時間"),
    ("employees", r"[员員]工(?:总?人数|總?人數|总数|總數)|企业人数|企業人數|公司人数|公司人數"),
    ("annual_revenue", r"年(?:营业额|營業額|交易额|交易額|销售额|銷售額|营收|營收)"),
    ("location", r"所在(?:地区|地區|地|城市)|(?:公司|企业|企業|[经經][营營]|注册|註冊)?地址"),
    ("country", r"国家(?:/地区|或地区)?|國家(?:/地區|或地區)?"),
    ("main_products", r"主[营營](?:产品|產品|业务|業務|类目|類目)?|主要(?:产品|產品)"),
    ("main_markets", r"主要(?:市场|市場|销售区域|銷售區域|销售市场|銷售市場)|[销銷]售(?:区域|區域)"),
    ("tp_years", r"[诚誠][信]通(?:年限|年份)?"),
    ("intro", r"公司(?:简介|簡介|介绍|介紹|概况|概況)|企业(?:简介|介绍)|企業(?:簡介|介紹)"),
    (
        "certification",
        r"管理体系认证|管理體系認證|体系认证|體系認證|产品认证|產品認證|资质(?:证书|认证)|資質(?:證書|認證)|"
        r"认证(?:信息)?|認證(?:信息)?|证书|證書",
    ),
    # known labels without a field: registered capital is no claim of the schema, contacts are not claims
    (
        "ignored",
        r"注册资本|註冊資本|法定代表人|统一社会信用代码|統一社會信用代碼|注册号|註冊號|登记机关|登記機關|"
        r"企业类型|企業類型|经营范围|經營範圍|营业期限|營業期限|厂房面积|廠房面積|联系人|聯繫人|电话|電話|"
        r"手机|手機|传真|傳真|邮编|郵編|邮箱|郵箱|回头率|回頭率|粉丝数|粉絲數|代工模式|自主打样|自主打樣|"
        r"设备总数|設備總數|研发人员|研發人員|年报时间|年報時間|自传证书|自傳證書|品牌|加工方式|"
        r"证书(?:图片|照片|附件)|證書(?:圖片|照片|附件)|图片|圖片|附件|操作",
    ),
)
_LABELS = tuple((field, re.compile(pattern)) for field, pattern in _LABEL_TABLE)
#: The fields a certificate record reads (plus "inspector" inside a record: the certificate's issuer).
CERT_RECORD_FIELDS = frozenset(
    {"cert_name", "cert_number", "cert_issuer", "cert_from", "cert_until", "cert_period", "cert_scope"}
)
_COLON_END = re.compile(r"[\s:：*]+$")
_LEADING_COLON = re.compile(r"^[\s:：]+")
_WHITESPACE = re.compile(r"\s+")
#: "经营模式：生产厂家" in one cell: at most MAX_LABEL_CHARS before the first colon.
_INLINE = re.compile(r"^(?P<label>[^:：]{1,30}?)\s*[:：]\s*(?P<value>\S.*)$", re.S)


def label_field(text: str) -> str | None:
    """The field a label names ("经 营 模 式：" -> business_type), or ``None``."""
    key = _WHITESPACE.sub("", _COLON_END.sub("", text))
    if not key or len(key) > MAX_LABEL_CHARS:
        return None
    return next((field for field, pattern in _LABELS if pattern.fullmatch(key)), None)


def _inline(text: str) -> tuple[str, str] | None:
    match = _INLINE.match(text)
    if match is None:
        return None
    field = label_field(match.group("label"))
    return (field, match.group("value")) if field else None


def _is_label(text: str) -> bool:
    return label_field(text) is not None or _inline(text) is not None


@dataclass(frozen=True)
class Pair:
    field: str
    value: str
    #: The label's cell: its element places the pair in a certificate record.
    label: Cell
    #: The block of a stacked value (the next line's), ``None`` when the value shares the label's line.
    value_block: html.HtmlElement | None = None


def _near(label: Cell, line: Line) -> bool:
    """The stacked value's block is a sibling (or near cousin) of the label's: one card, one ``<dl>``."""
    around = list(ancestors(label.element, STACK_DISTANCE))  # referenced, so their ids stay theirs
    ids = {id(node) for node in around}
    return any(id(node) in ids for node in ancestors(line.block, STACK_DISTANCE))


def _value_cells(cells: list[Cell], start: int) -> tuple[list[str], int]:
    """The cells after a label up to the next label; a lone "：" between them belongs to the label."""
    values: list[str] = []
    index = start
    while index < len(cells) and not _is_label(cells[index].text):
        text = _LEADING_COLON.sub("", cells[index].text) if not values else cells[index].text
        if text:
            values.append(text)
        index += 1
    return values, index


def _stacked_value(lines: list[Line], index: int, label: Cell, limit: int) -> Line | None:
    following = lines[index + 1] if index + 1 < len(lines) else None
    if following is None or following.region != PROFILE or following.in_heading:
        return None
    if len(following.text) > limit or _is_label(following.cells[0].text) or not _near(label, following):
        return None
    return following


def read_pairs(lines: list[Line]) -> list[Pair]:
    """Every label/value pair of the profile lines (prose and headings hold no form fields), in page order."""
    pairs: list[Pair] = []
    for index, line in enumerate(lines):
        if line.region != PROFILE or line.in_heading:
            continue
        cells = line.cells
        position = 0
        while position < len(cells) and len(pairs) < MAX_PAIRS:
            cell = cells[position]
            field = label_field(cell.text)
            if field is not None:
                values, position = _value_cells(cells, position + 1)
                if values:
                    pairs.append(Pair(field, " ".join(values), cell))
                elif len(cells) == 1:  # the label alone in its block: the value is the next block
                    limit = MAX_INTRO_CHARS if field == "intro" else MAX_STACKED_CHARS
                    stacked = _stacked_value(lines, index, cell, limit)
                    if stacked is not None:
                        pairs.append(Pair(field, stacked.text, cell, stacked.block))
                continue
            inline = _inline(cell.text)
            position += 1
            if inline is not None:
                values, position = _value_cells(cells, position)
                pairs.append(Pair(inline[0], " ".join([inline[1], *values]), cell))
    return pairs
