"""OCR engines behind one small protocol, and the reading order of what they find.

RapidOCR (PP-OCR models shipped inside the rapidocr-onnxruntime wheel, nothing downloaded) is the default: it
reads Chinese and English together. Tesseract (Debian's tesseract-ocr with chi_sim) is kept for comparison.
"""

from __future__ import annotations

import importlib.metadata
import math
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from statistics import median
from typing import Any, ClassVar, Protocol

from PIL import Image

from scrapers.documents.errors import DocumentError

__all__ = [
    "OcrEngine",
    "OcrError",
    "OcrLine",
    "RapidOcr",
    "TesseractOcr",
    "merge_rows",
    "reading_order",
    "upright_boxes",
]


class OcrError(DocumentError):
    """The OCR engine itself is missing or broken (not the document's fault)."""


@dataclass(frozen=True)
class OcrLine:
    """One run of text the engine found: its text, confidence (0..1) and box (left, top, right, bottom) in px."""

    text: str
    confidence: float
    box: tuple[float, float, float, float]

    @property
    def height(self) -> float:
        return max(1.0, self.box[3] - self.box[1])

    @property
    def middle(self) -> float:
        return (self.box[1] + self.box[3]) / 2


class OcrEngine(Protocol):
    """Anything that turns a picture into lines of text."""

    name: str

    def read(self, image: Image.Image) -> list[OcrLine]: ...


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Group boxes whose vertical middles lie within half a line height of the row's middle."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda item: (item.middle, item.box[0])):
        if rows:
            row = rows[-1]
            row_middle = sum(item.middle for item in row) / len(row)
            row_height = median(item.height for item in row)
            if abs(line.middle - row_middle) <= 0.5 * min(row_height, line.height):
                row.append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda item: item.box[0]) for row in rows]


def reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Top-to-bottom, left-to-right, boxes on the same row kept together (skewed rows stay one row)."""
    return [line for row in _rows(lines) for line in row]


#: A gap wider than this many line heights between two boxes of a row separates two cells ("  " in the text).
_CELL_GAP = 1.5


def merge_rows(lines: list[OcrLine]) -> list[OcrLine]:
    """One line per row: boxes of a row joined by a space, or by two spaces where a wide gap separates cells.

    The confidence of a row is the length-weighted mean of its boxes'.
    """
    merged: list[OcrLine] = []
    for row in _rows(lines):
        parts: list[str] = []
        for index, line in enumerate(row):
            if index:
                gap = line.box[0] - row[index - 1].box[2]
                parts.append("  " if gap > _CELL_GAP * median(item.height for item in row) else " ")
            parts.append(line.text)
        weight = sum(max(1, len(line.text)) for line in row)
        confidence = sum(line.confidence * max(1, len(line.text)) for line in row) / weight
        box = (
            min(line.box[0] for line in row),
            min(line.box[1] for line in row),
            max(line.box[2] for line in row),
            max(line.box[3] for line in row),
        )
        merged.append(OcrLine("".join(parts), confidence, box))
    return merged


class RapidOcr:
    """PP-OCRv4 (Chinese + English) through onnxruntime; one model per process and settings, inference under a lock.

    The defaults are the measured best trade on certificates (bench/documents_bench.py): no angle classifier
    (it only tells upright boxes from upside-down ones, which a certificate's text never is), and the text
    detector run on the page scaled to ``det_max_side`` px on its long side. Each box it finds is then cut from
    the full-size page and recognised at full resolution, so only the finding of text is coarser. RapidOCR's
    own sizing detects an A4 page at full size (and blows a small picture up to 736 px on its short side):
    about three times the detector's time and a few hundred MB more at its peak. ``det_max_side=None`` keeps it.
    """

    _models: ClassVar[dict[tuple[Any, ...], Any]] = {}
    _model_lock = threading.Lock()
    _inference_lock = threading.Lock()

    def __init__(self, *, use_cls: bool = False, det_max_side: int | None = 1280, threads: int | None = None) -> None:
        self.name = f"rapidocr-onnxruntime {_version('rapidocr-onnxruntime')}"
        self.use_cls = use_cls
        self._settings = (det_max_side, threads)

    def _load(self) -> Any:
        with self._model_lock:
            model = self._models.get(self._settings)
            if model is None:
                try:
                    from rapidocr_onnxruntime import RapidOCR
                except ImportError as error:  # pragma: no cover - the dependency is installed
                    raise OcrError(f"rapidocr-onnxruntime is not installed: {error}") from error
                det_max_side, threads = self._settings
                # The wheel's models (det / cls / rec) are loaded from the package folder; nothing is fetched.
                model = RapidOCR(**({"intra_op_num_threads": threads} if threads else {}))
                if det_max_side:
                    _limit_detection(model, det_max_side)
                self._models[self._settings] = model
            return model

    def read(self, image: Image.Image) -> list[OcrLine]:
        model = self._load()
        rgb = image.convert("RGB") if image.mode != "RGB" else image
        with self._inference_lock:
            result, _elapsed = model(rgb, use_cls=self.use_cls)
        found = [(box, str(text).strip(), score) for box, text, score in result or () if str(text).strip()]
        boxes = upright_boxes([[(float(x), float(y)) for x, y in box] for box, _text, _score in found])
        lines = [
            OcrLine(text, max(0.0, min(1.0, float(score))), upright)
            for (_box, text, score), upright in zip(found, boxes, strict=True)
        ]
        return reading_order(lines)


#: Skew below this (radians, ~0.3 degree) is left alone.
_MIN_SKEW = 0.005
#: Skew above this (~10 degrees) is not a slightly crooked scan: boxes are left as found.
_MAX_SKEW = 0.18


def _skew(quads: list[list[tuple[float, float]]]) -> float:
    """The median slope (radians) of the top edges of long text boxes: how crooked the scan is.

    A page scanned 2-4 degrees askew puts a label and its value, 500 px apart, a line height apart vertically,
    so rows would mix two columns; rows are grouped on boxes turned back by this angle.
    """
    angles: list[float] = []
    for quad in quads:
        if len(quad) != 4:
            continue
        (x0, y0), (x1, y1), _, (x3, y3) = quad
        width = math.hypot(x1 - x0, y1 - y0)
        height = math.hypot(x3 - x0, y3 - y0)
        if width >= 3 * height and width > 0:
            angles.append(math.atan2(y1 - y0, x1 - x0))
    if len(angles) < 3:
        return 0.0
    angle = median(angles)
    return angle if _MIN_SKEW <= abs(angle) <= _MAX_SKEW else 0.0


def upright_boxes(quads: list[list[tuple[float, float]]]) -> list[tuple[float, float, float, float]]:
    """(left, top, right, bottom) of each four-point box, turned back by the page's skew when it is crooked."""
    turn = _skew(quads)
    boxes: list[tuple[float, float, float, float]] = []
    for quad in quads:
        points = [_rotate(x, y, turn) for x, y in quad]
        xs = [point[0] for point in points]
        ys = [point[1] for point in points]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def _rotate(x: float, y: float, angle: float) -> tuple[float, float]:
    """(x, y) turned by -angle about the origin (undoing a skew of ``angle``)."""
    if not angle:
        return x, y
    cos, sin = math.cos(angle), math.sin(angle)
    return x * cos + y * sin, -x * sin + y * cos


def _limit_detection(model: Any, max_side: int) -> None:
    """Run ``model``'s text detector on the page scaled down to ``max_side`` on its long side.

    RapidOCR 1.4 has no setting for it: its "max" limit type ignores the configured side (it picks 960, 1500
    or 2000 by the picture's size). Its detector builds its resize step per call from ``get_preprocess``.
    """
    try:
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

        detector = model.text_det
        mean, std = detector.mean, detector.std
    except (ImportError, AttributeError):  # another RapidOCR version: keep its own sizing
        return
    detector.get_preprocess = lambda _longest: DetPreProcess(max_side, "max", mean, std)


_CJK_SPACE = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


class TesseractOcr:
    """Tesseract 5 with chi_sim+eng through its command line (TSV output), for comparison with RapidOCR."""

    def __init__(self, languages: str = "chi_sim+eng", binary: str = "tesseract", timeout: float = 120.0) -> None:
        self.languages = languages
        self.binary = binary
        self.timeout = timeout
        self._checked = False
        self.name = "tesseract"

    def _check(self) -> str:
        path = shutil.which(self.binary)
        if path is None:
            raise OcrError(f"the tesseract binary ({self.binary}) is not installed (apt-get install tesseract-ocr)")
        if not self._checked:
            listed = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=30)
            available = set(listed.stdout.split()) | set(listed.stderr.split())
            missing = [lang for lang in self.languages.split("+") if lang not in available]
            if missing:
                raise OcrError(f"tesseract has no language data for {', '.join(missing)} (tesseract-ocr-chi-sim)")
            version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
            first = (version.stdout or version.stderr).split("\n", 1)[0].strip()
            self.name = first or "tesseract"
            self._checked = True
        return path

    def read(self, image: Image.Image) -> list[OcrLine]:
        import io

        path = self._check()
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG")
        done = subprocess.run(
            [path, "stdin", "stdout", "-l", self.languages, "tsv"],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=self.timeout,
        )
        if done.returncode != 0:
            raise OcrError(f"tesseract failed: {done.stderr.decode(errors='replace').strip()[:300]}")
        return reading_order(parse_tesseract_tsv(done.stdout.decode("utf-8", errors="replace")))


def parse_tesseract_tsv(tsv: str) -> list[OcrLine]:
    """Tesseract's word rows grouped into its lines (block, paragraph, line), confidence as the words' mean."""
    groups: dict[tuple[str, str, str, str], list[tuple[str, float, tuple[float, float, float, float]]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        text = cells[11].strip()
        try:
            confidence = float(cells[10])
            left, top, width, height = (float(cells[i]) for i in range(6, 10))
        except ValueError:
            continue
        if not text or confidence < 0:
            continue
        key = (cells[1], cells[2], cells[3], cells[4])
        groups.setdefault(key, []).append((text, confidence / 100, (left, top, left + width, top + height)))
    lines: list[OcrLine] = []
    for words in groups.values():
        text = _CJK_SPACE.sub("", " ".join(word[0] for word in words))
        text = _CJK_SPACE.sub("", text)
        weight = sum(len(word[0]) for word in words)
        confidence = sum(word[1] * len(word[0]) for word in words) / max(1, weight)
        box = (
            min(word[2][0] for word in words),
            min(word[2][1] for word in words),
            max(word[2][2] for word in words),
            max(word[2][3] for word in words),
        )
        lines.append(OcrLine(text, max(0.0, min(1.0, confidence)), box))
    return lines
