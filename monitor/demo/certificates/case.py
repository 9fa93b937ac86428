"""The ground truth of one generated certificate: what is printed on it, how it is dressed up, and how it is
noised, so a reader's output can be scored field by field against what the document really says."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["FORMATS", "TEMPLATES", "CertificateCase", "TemplateInfo"]

#: Output formats: a PNG screenshot, a JPEG, the browser's PDF (with a text layer) and a picture wrapped in a
#: PDF without any text (a "scanned PDF", which only OCR can read).
FORMATS: tuple[str, ...] = ("png", "jpeg", "pdf", "scan.pdf")
FILE_SUFFIX: dict[str, str] = {"png": ".png", "jpeg": ".jpg", "pdf": ".pdf", "scan.pdf": ".scan.pdf"}


@dataclass(frozen=True)
class TemplateInfo:
    """One HTML layout: its file, page orientation, and whether it prints Chinese (then English) text."""

    file: str
    kind: str  # "iso" (management system), "ce" (certificate of conformity / test report), "bsci"
    landscape: bool = False
    bilingual: bool = False


TEMPLATES: dict[str, TemplateInfo] = {
    # Centred paragraphs in an ornamental frame, logo box on top, seal and accreditation box at the foot.
    "iso_frame_en": TemplateInfo("iso_frame_en.html", "iso"),
    # Chinese certification-body style: a bordered table of bilingual rows, Chinese first, red seal.
    "iso_table_zh": TemplateInfo("iso_table_zh.html", "iso", bilingual=True),
    # Landscape, a coloured band with the logo on the left and a label/value grid on the right.
    "iso_band_en": TemplateInfo("iso_band_en.html", "iso", landscape=True),
    # Centred Chinese paragraphs with the English below, "证书有效期 ... 至 ..." on one line.
    "iso_centre_zh": TemplateInfo("iso_centre_zh.html", "iso", bilingual=True),
    # A test laboratory's certificate of conformity / test report cover (CE).
    "ce_conformity": TemplateInfo("ce_conformity.html", "ce"),
    # An amfori BSCI audit summary: a table with the auditee, audit ids, rating and validity.
    "bsci_summary": TemplateInfo("bsci_summary.html", "bsci"),
}

#: Noise steps a case may carry (applied in this order by ``noise.apply_noise``).
NOISE_STEPS: tuple[str, ...] = ("stamp", "watermark", "scan", "rotate", "lowres", "jpeg")
#: Unreadable renderings: the document is replaced by something no reader can read.
UNREADABLE_KINDS: tuple[str, ...] = ("heavy_blur", "blank", "photo")


@dataclass(frozen=True)
class CertificateCase:
    """One generated document and everything printed on it (its ground truth).

    ``noise`` lists the noise steps (see ``NOISE_STEPS``); ``unreadable`` names what replaces the page
    ("heavy_blur", "blank", "photo") when the document is meant to be unreadable, and then the printed fields
    are only what the page would have said. Dates are printed in ``date_style`` (see ``dates.format_date``);
    ``label_variant`` picks among the template's wordings for its labels.
    """

    id: str
    template: str
    holder: str
    address: str
    standard: str
    edition: str | None
    number: str
    scope: str
    issuer: str
    holder_zh: str | None = None
    address_zh: str | None = None
    issuer_zh: str | None = None
    scope_zh: str | None = None
    accreditation: tuple[str, ...] = ()
    first_issued: date | None = None
    issued: date | None = None
    valid_until: date | None = None
    date_style: str = "iso"
    label_variant: int = 0
    #: For CE/test-report covers: the product and model printed on it.
    product: str | None = None
    noise: tuple[str, ...] = ()
    unreadable: str | None = None
    formats: tuple[str, ...] = ("png",)
    seed: int = 0
    #: Quality of a JPEG file when the case has no ``jpeg`` noise step (which picks 30-60 itself); default 88.
    jpeg_quality: int | None = None
    #: Free words for people reading the truth file ("borrowed from a group company", "expired").
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.template not in TEMPLATES:
            raise ValueError(f"unknown template {self.template!r}")
        unknown = [step for step in self.noise if step not in NOISE_STEPS]
        if unknown:
            raise ValueError(f"unknown noise steps {unknown}")
        if self.unreadable is not None and self.unreadable not in UNREADABLE_KINDS:
            raise ValueError(f"unknown unreadable kind {self.unreadable!r}")
        bad = [f for f in self.formats if f not in FORMATS]
        if bad:
            raise ValueError(f"unknown formats {bad}")

    @property
    def info(self) -> TemplateInfo:
        return TEMPLATES[self.template]

    @property
    def expected_unreadable(self) -> bool:
        """Nothing certificate-like can be read from this document."""
        return self.unreadable is not None

    @property
    def noisy(self) -> bool:
        """Readable but degraded (the benchmark scores clean and noisy documents apart)."""
        return bool(self.noise) and not self.expected_unreadable

    @property
    def noise_profile(self) -> str:
        """One word for the truth file: "clean", "scan+rotate+jpeg", "unreadable:photo"."""
        if self.unreadable:
            return f"unreadable:{self.unreadable}"
        return "+".join(self.noise) or "clean"

    def file_name(self, fmt: str) -> str:
        return f"{self.id}{FILE_SUFFIX[fmt]}"

    def to_json(self) -> dict[str, Any]:
        """The truth record (dates as ISO strings, tuples as lists) plus the derived flags."""
        data = dataclasses.asdict(self)
        for key, value in data.items():
            if isinstance(value, date):
                data[key] = value.isoformat()
            elif isinstance(value, tuple):
                data[key] = list(value)
        data["noise_profile"] = self.noise_profile
        data["expected_unreadable"] = self.expected_unreadable
        data["noisy"] = self.noisy
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CertificateCase:
        """Inverse of ``to_json`` (derived keys ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in names}
        for key in ("first_issued", "issued", "valid_until"):
            if kwargs.get(key):
                kwargs[key] = date.fromisoformat(kwargs[key])
        for key in ("accreditation", "noise", "formats"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key])
        return cls(**kwargs)

    def replace(self, **changes: Any) -> CertificateCase:
        return dataclasses.replace(self, **changes)
