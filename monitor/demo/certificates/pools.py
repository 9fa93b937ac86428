"""Invented holders, certification bodies and number formats the generated certificates draw from.

Holders and most bodies are fictional; a few bodies are real names (from ../shared/domain/certification_bodies.csv)
printed on invented certificates, because real listings show those names and a reader must cope with them."""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["CE_LABS", "HOLDERS", "ISSUERS", "Holder", "Issuer", "make_number"]


@dataclass(frozen=True)
class Holder:
    name: str
    name_zh: str | None
    address: str
    address_zh: str | None
    scope: str
    scope_zh: str | None
    product: str


HOLDERS: tuple[Holder, ...] = (
    Holder(
        "Ningbo Haoyu Valve Manufacturing Co., Ltd.",
        "宁波浩宇阀门制造有限公司",
        "No. 18 Xingye Road, Beilun District, Ningbo, Zhejiang 315800, China",
        "浙江省宁波市北仑区兴业路18号",
        "Design and manufacture of brass ball valves and pipe fittings",
        "黄铜球阀及管件的设计和生产",
        "Brass ball valve DN15-DN50",
    ),
    Holder(
        "Dongguan Jiahe Electronics Technology Co., Ltd.",
        "东莞市佳和电子科技有限公司",
        "Building 3, No. 66 Changan Avenue, Chang'an Town, Dongguan, Guangdong 523850, China",
        "广东省东莞市长安镇长安大道66号3栋",
        "Manufacture of printed circuit board assemblies and power adapters",
        "印刷电路板组件及电源适配器的生产",
        "Switching power adapter 12V 2A",
    ),
    Holder(
        "Foshan Xinlong Hardware Products Co., Ltd.",
        "佛山市鑫隆五金制品有限公司",
        "No. 9 Gongye Road, Nanhai District, Foshan, Guangdong 528200, China",
        "广东省佛山市南海区工业路9号",
        "Production of stainless steel kitchen hardware",
        "不锈钢厨房五金制品的生产",
        "Stainless steel sink rack",
    ),
    Holder(
        "Hangzhou Meichu Kitchen Appliances Co., Ltd.",
        "杭州美厨厨房电器有限公司",
        "No. 258 Hongxing Road, Xiaoshan District, Hangzhou, Zhejiang 311200, China",
        "浙江省杭州市萧山区红星路258号",
        "Design and manufacture of electric kettles and small kitchen appliances",
        "电热水壶及小型厨房电器的设计和生产",
        "Electric kettle 1.7 L, model MC-K17",
    ),
    Holder(
        "Suzhou Hengtai Machinery Co., Ltd.",
        "苏州恒泰机械有限公司",
        "No. 77 Huashan Road, New District, Suzhou, Jiangsu 215011, China",
        "江苏省苏州市新区华山路77号",
        "Machining and assembly of packaging machinery",
        "包装机械的机加工和装配",
        "Automatic carton sealer",
    ),
    Holder(
        "Wenzhou Orient Packaging Co., Ltd.",
        "温州东方包装有限公司",
        "No. 5 Binhai 12th Road, Longwan District, Wenzhou, Zhejiang 325025, China",
        "浙江省温州市龙湾区滨海十二路5号",
        "Printing and production of paper packaging boxes",
        "纸质包装盒的印刷和生产",
        "Folding carton box",
    ),
    Holder(
        "Shaoxing Brightpath Textile Co., Ltd.",
        "绍兴明途纺织有限公司",
        "No. 1200 Keqiao Avenue, Keqiao District, Shaoxing, Zhejiang 312030, China",
        "浙江省绍兴市柯桥区柯桥大道1200号",
        "Weaving and finishing of polyester fabrics",
        "涤纶面料的织造和后整理",
        "Polyester curtain fabric",
    ),
    Holder(
        "Qingdao Ruifeng Pump Industry Co., Ltd.",
        "青岛瑞丰泵业有限公司",
        "No. 31 Tongji Road, Jimo District, Qingdao, Shandong 266200, China",
        "山东省青岛市即墨区通济路31号",
        "Design and manufacture of centrifugal water pumps",
        "离心水泵的设计和制造",
        "Centrifugal pump 0.75 kW",
    ),
    Holder(
        "Xiamen Lianfa Plastic Products Co., Ltd.",
        "厦门联发塑胶制品有限公司",
        "No. 402 Xiangan North Road, Xiang'an District, Xiamen, Fujian 361101, China",
        "福建省厦门市翔安区翔安北路402号",
        "Injection moulding of plastic household products",
        "塑料家居用品的注塑生产",
        "PP food storage box set",
    ),
    Holder(
        "Shenzhen Kaiyuan Lighting Technology Co., Ltd.",
        "深圳市凯源照明科技有限公司",
        "Floor 5, Block B, Huafeng Industrial Park, Bao'an District, Shenzhen, Guangdong 518101, China",
        "广东省深圳市宝安区华丰工业园B栋5楼",
        "Design and production of LED lighting products",
        "LED照明产品的设计和生产",
        "LED panel light 40 W",
    ),
    Holder(
        "Yongkang Everstar Hardware Tools Co., Ltd.",
        "永康市恒星五金工具有限公司",
        "No. 88 Jiulong North Road, Yongkang, Zhejiang 321300, China",
        "浙江省永康市九龙北路88号",
        "Manufacture of hand tools and garden tools",
        "手动工具及园林工具的制造",
        "Pruning shears",
    ),
    Holder(
        "Jiangmen Huayi Stainless Steel Products Co., Ltd.",
        "江门市华艺不锈钢制品有限公司",
        "No. 12 Xinglong Road, Pengjiang District, Jiangmen, Guangdong 529000, China",
        "广东省江门市蓬江区兴隆路12号",
        "Production of stainless steel cookware",
        "不锈钢炊具的生产",
        "Stainless steel stock pot 24 cm",
    ),
    Holder(
        "Changzhou Tianyu Motor Co., Ltd.",
        "常州天宇电机有限公司",
        "No. 6 Longcheng Avenue, Wujin District, Changzhou, Jiangsu 213164, China",
        "江苏省常州市武进区龙城大道6号",
        "Design and manufacture of micro DC motors",
        "微型直流电机的设计和制造",
        "DC motor 24 V",
    ),
    Holder(
        "Anhui Xinghe Garments Co., Ltd.",
        "安徽星河服饰有限公司",
        "No. 45 Fanhua Avenue, Economic Development Zone, Hefei, Anhui 230601, China",
        "安徽省合肥市经济开发区繁华大道45号",
        "Cutting and sewing of knitted garments",
        "针织服装的裁剪和缝制",
        "Cotton T-shirt",
    ),
    Holder(
        "Nilgiri Pumps & Motors Pvt. Ltd.",
        None,
        "Plot 42, SIDCO Industrial Estate, Coimbatore, Tamil Nadu 641021, India",
        None,
        "Manufacture of submersible pumps and motors",
        None,
        "Submersible pump 1 HP",
    ),
    Holder(
        "Anatolia Tekstil Sanayi A.S.",
        None,
        "Organize Sanayi Bolgesi 4. Cadde No. 12, Bursa 16140, Turkey",
        None,
        "Dyeing and finishing of cotton fabrics",
        None,
        "Cotton twill fabric",
    ),
    Holder(
        "Saigon Woodcraft Joint Stock Company",
        None,
        "Lot C5, Song Than Industrial Park, Di An, Binh Duong, Vietnam",
        None,
        "Manufacture of wooden indoor furniture",
        None,
        "Solid wood dining chair",
    ),
    Holder(
        "Kettlecraft Appliances Ltd.",
        None,
        "Unit 4, Riverside Works, Sheffield S3 8EN, United Kingdom",
        None,
        "Design and assembly of electric kettles",
        None,
        "Electric kettle 1.5 L, model KC-150",
    ),
)


@dataclass(frozen=True)
class Issuer:
    name: str
    name_zh: str | None
    accreditation: tuple[str, ...]
    number_style: str
    chinese: bool = False


ISSUERS: tuple[Issuer, ...] = (
    Issuer("Huaxin Quality Certification Co., Ltd.", "华信质量认证有限公司", ("CNAS C031-M", "IAF"), "cqc", True),
    Issuer("Zhongke Standard Certification Center", "中科标准认证中心", ("CNAS C118-M",), "cn_dash", True),
    Issuer("Beijing Tianyuan Certification Co., Ltd.", "北京天元认证有限公司", ("CNAS C074-M", "IAF"), "cqc", True),
    Issuer("Meridian Assurance Services Ltd.", None, ("UKAS 0005",), "fm", False),
    Issuer("Nordwall Zertifizierung GmbH", None, ("DAkkS D-ZM-16031-01-00",), "tuv", False),
    Issuer("Apex Global Certification Inc.", None, ("ANAB", "IAF"), "dnv", False),
    Issuer(
        "TÜV SÜD Management Service GmbH", "南德认证检测（中国）有限公司", ("DAkkS D-ZM-14137-01-00",), "tuv", False
    ),
    Issuer("SGS United Kingdom Ltd", "通标标准技术服务有限公司", ("UKAS 0005",), "sgs", False),
    Issuer("Bureau Veritas Certification", None, ("UKAS 0008",), "cn_dash", False),
    Issuer("DNV Business Assurance", None, ("ANAB", "IAF"), "dnv", False),
)

#: Test laboratories for CE certificates of conformity (fictional).
CE_LABS: tuple[Issuer, ...] = (
    Issuer(
        "Shenzhen Huace Testing Technology Co., Ltd.",
        "深圳华测检测技术有限公司",
        ("CNAS L5785",),
        "ce",
    ),
    Issuer(
        "Euro-Asia Conformity Laboratory GmbH",
        None,
        ("DAkkS D-PL-12073-01-00",),
        "ce",
    ),
    Issuer(
        "Pacific Compliance Testing Ltd.",
        None,
        ("IAS TL-712",),
        "ce",
    ),
)

#: Auditing companies for BSCI audit summaries.
BSCI_AUDITORS: tuple[Issuer, ...] = (
    Issuer(
        "Veritaudit Social Compliance Ltd.",
        None,
        ("SAAS",),
        "bsci",
    ),
    Issuer(
        "Intertek Testing Services Shenzhen Ltd.",
        None,
        ("SAAS",),
        "bsci",
    ),
    Issuer(
        "TÜV Rheinland (Shanghai) Co., Ltd.",
        None,
        ("SAAS",),
        "bsci",
    ),
)

_SYSTEM_LETTER = {"ISO 9001": ("Q", "QMS"), "ISO 14001": ("E", "EMS"), "ISO 45001": ("S", "OHS")}


def make_number(style: str, standard: str, year: int, rng: random.Random) -> str:
    """A certificate number in one of the formats bodies use ("04515Q12345R1M", "CN-QMS-2023-0481",
    "12 100 56789 TMS", "SH19/21233", "105797-2021-AQ-CHN-CNAS", "FM 583920")."""
    letter, acronym = _SYSTEM_LETTER.get(standard, ("Q", "QMS"))
    if style == "cqc":
        return f"{rng.randint(1, 99999):05d}{letter}{rng.randint(10000, 99999)}R{rng.randint(0, 3)}M"
    if style == "cn_dash":
        return f"CN-{acronym}-{year}-{rng.randint(1, 9999):04d}"
    if style == "tuv":
        return f"12 {rng.choice((100, 104, 116))} {rng.randint(10000, 99999)} TMS"
    if style == "sgs":
        return f"{rng.choice(('SH', 'GZ', 'CN', 'HK'))}{year % 100:02d}/{rng.randint(10000, 99999)}"
    if style == "dnv":
        return f"{rng.randint(100000, 999999)}-{year}-A{letter}-CHN-CNAS"
    if style == "fm":
        return f"{rng.choice(('FM', 'EMS', 'OHS'))} {rng.randint(100000, 999999)}"
    if style == "ce":
        return (
            f"CE-{rng.choice(('SZ', 'GZ', 'NB'))}{year % 100:02d}{rng.randint(1, 12):02d}-{rng.randint(10000, 99999)}"
        )
    if style == "bsci":
        return f"{rng.randint(100, 999)}-{rng.randint(100000, 999999)}-{year}"
    raise ValueError(f"unknown number style {style!r}")
