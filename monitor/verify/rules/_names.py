"""Company names as certificates and listings write them: is the holder on a certificate the supplier?

The same company is written many ways: "Ningbo Haoyue Textile Co., Ltd.", "NINGBO HAOYUE TEXTILE CO.,LTD",
"Haoyue Textile (Ningbo) Company Limited", "宁波昊悦纺织有限公司", "昊悦纺织有限公司", and OCR adds its own typos
("Texti1e"). A name is reduced to a key without case, punctuation, spacing and legal form, with its place names
(provinces and cities, Chinese or pinyin) set apart; two keys of the same script are the same company when their
letters are nearly the same (difflib ratio), with or without the place names, unless both name a place and the
places differ (Ningbo Haoyue is not Shenzhen Haoyue). An English name and a Chinese one are not comparable:
nothing here translates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Literal

Script = Literal["latin", "cjk"]

#: Same company when the keys' similarity reaches this (one OCR typo in a 15-letter name is about 0.93).
SAME_LATIN = 0.88
#: Chinese names are short (four characters without place and legal form): one misread character in six is 0.83.
SAME_CJK = 0.8

_CJK_CHAR = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(rf"[A-Za-z0-9]*[{_CJK_CHAR}][{_CJK_CHAR}()（）A-Za-z0-9]*")
_HAS_CJK = re.compile(f"[{_CJK_CHAR}]")
_NON_WORD = re.compile(r"[\W_]+")
_PARENS = re.compile(r"[()（）\[\]【】]")

# Trailing legal forms of a Chinese name, longest first (stripped repeatedly).
_CJK_LEGAL = ("股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "股份公司", "公司")


def _words(text: str) -> list[str]:
    return text.split()


# Provinces, regions and the cities suppliers most often put before their names.
_CJK_PLACES = tuple(
    sorted(
        _words(
            "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
            "广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 中国 宁波 "
            "杭州 温州 绍兴 嘉兴 湖州 金华 义乌 台州 舟山 丽水 衢州 慈溪 余姚 永康 乐清 瑞安 诸暨 萧山 "
            "余杭 深圳 广州 东莞 佛山 中山 珠海 汕头 惠州 江门 顺德 南海 苏州 无锡 常州 南京 南通 扬州 "
            "泰州 昆山 张家港 江阴 常熟 宜兴 青岛 济南 烟台 潍坊 威海 临沂 淄博 厦门 福州 泉州 晋江 莆田 "
            "大连 沈阳 武汉 长沙 成都 西安 郑州 合肥 石家庄 保定 沧州 邢台 唐山 哈尔滨 长春 南昌 昆明 贵阳 "
            "南宁 海口 太原 兰州 乌鲁木齐"
        ),
        key=len,
        reverse=True,
    )
)
_CJK_PLACE_SUFFIX = ("特别行政区", "自治区", "省", "市", "区", "县")
_LATIN_PLACES = frozenset(
    _words(
        "beijing tianjin shanghai chongqing hebei shanxi liaoning jilin heilongjiang jiangsu zhejiang anhui fujian "
        "jiangxi shandong henan hubei hunan guangdong hainan sichuan guizhou yunnan shaanxi gansu qinghai taiwan "
        "guangxi xinjiang ningxia tibet hongkong macau macao china ningbo hangzhou wenzhou shaoxing jiaxing huzhou "
        "jinhua yiwu taizhou zhoushan lishui quzhou cixi yuyao yongkang yueqing ruian zhuji xiaoshan yuhang "
        "shenzhen guangzhou dongguan foshan zhongshan zhuhai shantou huizhou jiangmen shunde nanhai suzhou wuxi "
        "changzhou nanjing nantong yangzhou kunshan zhangjiagang jiangyin changshu yixing qingdao jinan yantai "
        "weifang weihai linyi zibo xiamen fuzhou quanzhou jinjiang putian dalian shenyang wuhan changsha chengdu "
        "xian zhengzhou hefei shijiazhuang baoding cangzhou xingtai tangshan harbin changchun nanchang kunming "
        "guiyang nanning haikou taiyuan lanzhou urumqi"
    )
)
_LATIN_LEGAL = frozenset(
    _words(
        "co coltd ltd limited company inc incorporated corp corporation llc plc gmbh mbh ag kg sa srl bv nv pte pvt "
        "private pty sdn bhd"
    )
)


@dataclass(frozen=True)
class NameKey:
    """One company name reduced for comparison."""

    script: Script
    #: The compact name with its place names, in the order written ("ningbohaoyuetextile").
    full: str
    #: The compact name without place names ("haoyuetextile").
    core: str
    places: frozenset[str]


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text[:300]))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")


def _cjk_key(text: str) -> NameKey | None:
    text = _PARENS.sub(" ", text)
    text = _NON_WORD.sub("", text)
    changed = True
    while changed:
        changed = False
        for form in _CJK_LEGAL:
            if text.endswith(form) and len(text) > len(form):
                text, changed = text[: -len(form)], True
    full = text
    places: set[str] = set()
    changed = True
    while changed:  # place names at the start ("浙江省宁波市"), then any in parentheses' former place
        changed = False
        for place in _CJK_PLACES:
            if text.startswith(place) and len(text) > len(place) + 1:
                text, changed = text[len(place) :], True
                places.add(place)
                for suffix in _CJK_PLACE_SUFFIX:
                    if text.startswith(suffix) and len(text) > len(suffix) + 1:
                        text = text[len(suffix) :]
                        break
                break
    for place in _CJK_PLACES:  # "昊悦纺织(宁波)" written with the city after the name
        if text.endswith(place) and len(text) > len(place) + 1:
            text = text[: -len(place)]
            places.add(place)
            break
    if not text:
        return None
    return NameKey("cjk", full, text, frozenset(places))


def _latin_key(text: str) -> NameKey | None:
    tokens = [t for t in _NON_WORD.split(text) if t]
    if tokens[:1] == ["the"]:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in _LATIN_LEGAL | {"and"}:
        tokens.pop()
    # "Hong Kong" is one place.
    joined: list[str] = []
    for token in tokens:
        if joined and joined[-1] == "hong" and token == "kong":
            joined[-1] = "hongkong"
        else:
            joined.append(token)
    places = {t for t in joined if t in _LATIN_PLACES}
    core = [t for t in joined if t not in _LATIN_PLACES]
    if not core:
        return None
    return NameKey("latin", "".join(joined), "".join(core), frozenset(places))


@lru_cache(maxsize=4096)
def name_keys(name: str) -> tuple[NameKey, ...]:
    """The comparable names in one name: a Chinese one, a Latin one, or both ("宁波昊悦纺织有限公司 Ningbo Haoyue
    Textile Co., Ltd." written together)."""
    text = _fold(name)
    keys: list[NameKey] = []
    if _HAS_CJK.search(text):
        runs = _CJK_RUN.findall(text)
        if runs:
            key = _cjk_key(max(runs, key=len))
            if key is not None:
                keys.append(key)
        latin = _CJK_RUN.sub(" ", text)
        tokens = [t for t in _NON_WORD.split(latin) if t and t not in _LATIN_LEGAL]
        if len(tokens) >= 2:  # a Latin name beside the Chinese one, not a stray "ABC" or "No.1"
            key = _latin_key(latin)
            if key is not None:
                keys.append(key)
    else:
        key = _latin_key(text)
        if key is not None:
            keys.append(key)
    return tuple(keys)


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def similarity(a: NameKey, b: NameKey) -> float | None:
    """How alike two names are (0..1); None when they are in different scripts (not comparable)."""
    if a.script != b.script:
        return None
    best = _ratio(a.full, b.full)
    if not (a.places and b.places and not a.places & b.places):
        best = max(best, _ratio(a.core, b.core))
    return best


def same_company(a: str, b: str) -> bool | None:
    """True when some name in ``a`` is the same company as some name in ``b``; False when they share a script and
    differ; None when they have no script in common (an English name against a Chinese one)."""
    comparable = False
    for ka in name_keys(a):
        for kb in name_keys(b):
            score = similarity(ka, kb)
            if score is None:
                continue
            comparable = True
            if score >= (SAME_CJK if ka.script == "cjk" else SAME_LATIN):
                return True
    return False if comparable else None


def scripts(name: str) -> frozenset[Script]:
    """The scripts a name is written in (for saying why two names could not be compared)."""
    return frozenset(k.script for k in name_keys(name))
