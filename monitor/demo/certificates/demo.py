"""The demo marketplace's certificate files: which supplier shows which document, and what it prints.

Regenerate them with ``python -m monitor.demo.certificates demo`` (or ``scripts/make-demo-certificates``): the
files in ``monitor/demo/files/<supplier>/`` are rendered from the templates here, so they are reproducible.
Every one carries a small "synthetic demo document" line; the names, numbers and dates match the demo
scenario's listings (``monitor/demo/scenario.py``) except where a document is meant to contradict them.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from monitor.demo.certificates.case import CertificateCase
from monitor.demo.certificates.render import render

__all__ = ["DEMO_FILES", "DEMO_FILES_DIR", "DemoFile", "write_demo_files"]

DEMO_FILES_DIR = Path(__file__).resolve().parents[1] / "files"
_MARK = {"demo_mark": "Synthetic demo document - not a real certificate"}


@dataclass(frozen=True)
class DemoFile:
    """One demo document: the supplier (its directory), the file name, and what the document says."""

    supplier: str
    name: str  # file name without its suffix, as served: [A-Za-z0-9_-]+
    fmt: str  # "jpeg", "png" or "pdf"
    #: The scenario certificate (``Certificate.key``) whose document this is.
    certificate: str
    case: CertificateCase
    #: What the demo should show with it.
    purpose: str

    @property
    def file_name(self) -> str:
        return self.name + {"jpeg": ".jpg", "png": ".png", "pdf": ".pdf"}[self.fmt]

    @property
    def path(self) -> Path:
        return DEMO_FILES_DIR / self.supplier / self.file_name


def _case(case_id: str, template: str, **fields: object) -> CertificateCase:
    base: dict[str, object] = {
        "id": case_id,
        "template": template,
        "extra": dict(_MARK),
        "label_variant": 0,
        "jpeg_quality": 72,
    }
    base.update(fields)
    return CertificateCase(**base)  # type: ignore[arg-type]


_SGS_CSTC = "SGS-CSTC Standards Technical Services Co., Ltd."
_HENGTAI_SCOPE = "Design and manufacture of feed processing machinery"

DEMO_FILES: tuple[DemoFile, ...] = (
    DemoFile(
        "haoyu-valves",
        "ISO-9001-2015-certificate",
        "jpeg",
        "iso9001",
        _case(
            "demo-haoyu-iso9001",
            "iso_frame_en",
            holder="Ningbo Haoyu Valve Manufacturing Co., Ltd.",
            address="No. 18 Xingye Road, Beilun District, Ningbo, Zhejiang 315800, China",
            standard="ISO 9001",
            edition="2015",
            number="HY-QMS-240520",
            scope="Design and manufacture of brass ball valves and fittings",
            issuer="Bureau Veritas Certification",
            accreditation=("UKAS 0008",),
            first_issued=date(2018, 5, 20),
            issued=date(2024, 5, 20),
            valid_until=date(2027, 5, 19),
            date_style="long",
            noise=("scan", "rotate", "lowres"),
            seed=101,
        ),
        "matches the listing (ISO 9001:2015, HY-QMS-240520, Bureau Veritas, 2024-05-20 ~ 2027-05-19): no finding; "
        "fills nothing new",
    ),
    DemoFile(
        "jiahe-electronics",
        "ISO-9001-2015-certificate",
        "png",
        "iso9001",
        _case(
            "demo-jiahe-iso9001",
            "iso_band_en",
            holder="Dongguan Jiahe Electronics Technology Co., Ltd.",
            address="Building 3, No. 66 Changan Avenue, Chang'an Town, Dongguan, Guangdong 523850, China",
            standard="ISO 9001",
            edition="2015",
            number="12 100 58342 TMS",
            scope="Design and manufacture of PCB assemblies and power adapters",
            issuer="TÜV SÜD Management Service GmbH",
            accreditation=("DAkkS D-ZM-14137-01-00",),
            first_issued=date(2018, 3, 18),
            issued=date(2024, 3, 18),
            valid_until=date(2027, 3, 17),
            date_style="us_abbr",
            noise=("lowres",),
            seed=102,
        ),
        "matches the listing in rounds 0-1; from round 2 the listing says valid until 2025-03-17 while the "
        "document says 2027-03-17: CERT_DATES_MISMATCH",
    ),
    DemoFile(
        "jiahe-electronics",
        "ISO-14001-2015-certificate",
        "jpeg",
        "iso14001",
        _case(
            "demo-jiahe-iso14001",
            "iso_table_zh",
            holder="Dongguan Jiahe Electronics Technology Co., Ltd.",
            holder_zh="东莞市佳和电子科技有限公司",
            address="Building 3, No. 66 Changan Avenue, Chang'an Town, Dongguan, Guangdong 523850, China",
            address_zh="广东省东莞市长安镇长安大道66号3栋",
            standard="ISO 14001",
            edition="2015",
            number="12 104 58343 TMS",
            scope="Manufacture of PCB assemblies",
            scope_zh="印刷电路板组件的生产",
            issuer="TÜV SÜD Management Service GmbH",
            issuer_zh="南德认证检测（中国）有限公司",
            accreditation=("DAkkS D-ZM-14137-01-00",),
            first_issued=date(2019, 7, 1),
            issued=date(2019, 7, 1),
            valid_until=date(2022, 6, 30),
            date_style="zh",
            noise=("scan", "lowres"),
            seed=103,
        ),
        "the listed, already expired ISO 14001: the document's own validity ended 2022-06-30: CERT_DOCUMENT_EXPIRED",
    ),
    DemoFile(
        "hengtai-machinery",
        "ISO-9001-2015-certificate",
        "jpeg",
        "iso9001",
        _case(
            "demo-hengtai-iso9001",
            "iso_frame_en",
            holder="Zhengzhou Hengtai Machinery Co., Ltd.",
            address="No. 39 Jingkai 15th Street, Economic and Technological Development Zone, Zhengzhou, Henan, China",
            standard="ISO 9001",
            edition="2015",
            number="CN24/31874",
            scope=_HENGTAI_SCOPE,
            issuer=_SGS_CSTC,
            accreditation=("CNAS C008-M", "IAF"),
            first_issued=date(2021, 9, 2),
            issued=date(2024, 9, 2),
            valid_until=date(2027, 9, 1),
            date_style="dmy_slash",
            label_variant=1,
            noise=("scan", "lowres"),
            seed=104,
        ),
        "rounds 0-1: the supplier's own certificate, matching the listing: no finding",
    ),
    DemoFile(
        "hengtai-machinery",
        "ISO-9001-2015-certificate-r2",
        "jpeg",
        "iso9001",
        _case(
            "demo-hengtai-iso9001-borrowed",
            "iso_frame_en",
            holder="Henan Jinhe Grain Machinery Group Co., Ltd.",
            address="No. 8 Xuesong Road, Xinzheng, Zhengzhou, Henan, China",
            standard="ISO 9001",
            edition="2015",
            number="CN24/31874",
            scope=_HENGTAI_SCOPE,
            issuer=_SGS_CSTC,
            accreditation=("CNAS C008-M", "IAF"),
            first_issued=date(2021, 9, 2),
            issued=date(2024, 9, 2),
            valid_until=date(2027, 9, 1),
            date_style="dmy_slash",
            label_variant=1,
            noise=("scan", "lowres"),
            seed=105,
            note="borrowed: another company's certificate shown under this supplier's claim",
        ),
        "from round 2 the certificate image is swapped for this BORROWED one: same standard, number, body and "
        "dates as the listing, but the holder is another company: CERT_HOLDER_MISMATCH (high), and the swap is "
        "a certification_document_changed",
    ),
    DemoFile(
        "meichu-appliances",
        "ISO-9001-2015-certificate",
        "jpeg",
        "iso9001",
        _case(
            "demo-meichu-iso9001",
            "iso_table_zh",
            holder="Foshan Shunde Meichu Electric Appliance Co., Ltd.",
            holder_zh="佛山市顺德区美厨电器有限公司",
            address="No. 28 Gongye Avenue, Beijiao Town, Shunde District, Foshan, Guangdong, China",
            address_zh="广东省佛山市顺德区北滘镇工业大道28号",
            standard="ISO 9001",
            edition="2015",
            number="00124Q35678R2M",
            scope="Design and manufacture of electric kettles and small kitchen appliances",
            scope_zh="电热水壶及小型厨房电器的设计和生产",
            issuer="China Quality Certification Centre",
            issuer_zh="中国质量认证中心",
            accreditation=("CNAS C001-M", "IAF"),
            first_issued=date(2015, 5, 10),
            issued=date(2024, 5, 10),
            valid_until=date(2027, 5, 9),
            date_style="zh",
            noise=("lowres",),
            seed=106,
        ),
        "bilingual Chinese certificate matching the 1688 listing (Chinese name first): no finding",
    ),
    DemoFile(
        "brightpath-textiles",
        "BSCI-audit-summary",
        "jpeg",
        "bsci",
        _case(
            "demo-brightpath-bsci",
            "bsci_summary",
            holder="Shaoxing Brightpath Textile Co., Ltd.",
            address="No. 1200 Keqiao Avenue, Keqiao District, Shaoxing, Zhejiang 312030, China",
            standard="amfori BSCI",
            edition="Code of Conduct 2021",
            number="DEMO-BSCI-77120",
            scope="Weaving and finishing of polyester fabrics",
            issuer="Veritaudit Social Compliance Ltd.",
            accreditation=("SAAS",),
            issued=date(2025, 2, 11),
            valid_until=date(2026, 2, 10),
            date_style="iso",
            extra={**_MARK, "dbid": "418822", "rating": "C"},
            noise=("stamp", "lowres"),
            seed=107,
        ),
        "an audit summary (rating C), not a certificate; its validity ended 2026-02-10: CERT_DOCUMENT_EXPIRED by "
        "the document's own date",
    ),
    DemoFile(
        "voltris-power",
        "CE-certificate-of-conformity",
        "pdf",
        "ce",
        _case(
            "demo-voltris-ce",
            "ce_conformity",
            holder="Shenzhen Voltris Power Technology Co., Ltd.",
            address="Building 3, Fuyong Industrial Park, Bao'an District, Shenzhen, Guangdong, China",
            standard="EN 62368-1",
            edition="2014",
            number="DEMO-CE-VT-2309",
            scope="20000mAh Power Bank",
            issuer="Demo Testing Laboratory Ltd.",
            accreditation=("CNAS L5785",),
            issued=date(2023, 9, 14),
            valid_until=None,
            product="Power bank 20000 mAh, model VT-PB20",
            date_style="dmy_dot",
            extra={**_MARK, "directive": "EMC Directive 2014/30/EU", "report_no": "SZ23090412-01"},
            seed=108,
        ),
        "text-layer PDF of the listed CE certificate: fills the issue date the listing lacks; no finding",
    ),
    DemoFile(
        "xinlong-hardware",
        "ISO9001-certificate",
        "jpeg",
        "iso9001",
        _case(
            "demo-xinlong-photo",
            "iso_frame_en",
            holder="Foshan Xinlong Hardware Products Co., Ltd.",
            address="Foshan, Guangdong, China",
            standard="ISO 9001",
            edition="2015",
            number="HX24Q31077",
            scope="Production of furniture hardware",
            issuer="Huaxin Demo Certification Co., Ltd.",
            unreadable="photo",
            noise=("lowres",),
            seed=109,
            note="a product photo uploaded as the certificate",
        ),
        "a product photo where the certificate should be: CERT_DOCUMENT_UNREADABLE (info, never high)",
    ),
)


def write_demo_files(root: Path | None = None) -> list[Path]:
    """Render every demo document into ``root/<supplier>/<name>.<ext>`` (default ``monitor/demo/files``)."""
    root = root or DEMO_FILES_DIR
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        result = render([d.case.replace(formats=(d.fmt,)) for d in DEMO_FILES], tmp)
        for demo in DEMO_FILES:
            target = root / demo.supplier / demo.file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(result.path(demo.case.id, demo.fmt), target)
            written.append(target)
    return written
