"""The certificate reader on real files: bad input, PDFs (text layer, scanned, encrypted, corrupt), pictures
read by real OCR (RapidOCR, PP-OCR models from its wheel), thumbnails and concurrent use.

OCR costs one to two seconds per image here: only a handful of generated certificates are read, each once
per module.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import struct
import subprocess
import unicodedata
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from scrapers.claims import DocumentReading
from scrapers.documents import (
    DocumentError,
    OcrError,
    RapidOcr,
    TesseractOcr,
    default_engine,
    read_document,
    render_thumbnail,
)
from scrapers.documents.images import suppress_red_ink
from scrapers.documents.ocr import OcrLine, merge_rows, parse_tesseract_tsv, reading_order, upright_boxes
from tests.certificates_fixture import GeneratedCertificates, generated_certificates  # noqa: F401


def _key(text: str | None) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text or "")).casefold()


@pytest.fixture(scope="module")
def certificates(generated_certificates: GeneratedCertificates) -> GeneratedCertificates:  # noqa: F811
    return generated_certificates


@pytest.fixture(scope="module")
def readings(certificates: GeneratedCertificates) -> dict[str, DocumentReading]:
    """Each OCR'd case read once for the module (the expensive part of this file)."""
    ids = ["en-frame-clean", "zh-table-clean", "zh-centre-scanpdf", "ce-stamp-watermark", "unreadable-photo"]
    return {case_id: read_document(certificates.path(case_id).read_bytes()) for case_id in ids}


def _png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (255, 255, 255)).save(out, format="PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


# ------------------------------------------------------------------------------------------------ bad input


def test_html_bytes_are_not_a_document():
    with pytest.raises(DocumentError, match="not a PDF or picture"):
        read_document(b"<!doctype html><html><body>Please verify you are human</body></html>", media_type="image/png")
    with pytest.raises(DocumentError, match="empty"):
        read_document(b"")


def test_truncated_png_is_an_unreadable_picture():
    data = _png(400, 300)
    with pytest.raises(DocumentError, match="unreadable picture"):
        read_document(data[: len(data) // 2])


def test_corrupt_pdf():
    with pytest.raises(DocumentError, match="corrupt PDF"):
        read_document(b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 9 0 R>> endobj\ngarbage\n%%EOF")


def test_a_picture_whose_header_claims_billions_of_pixels_is_refused_before_decoding():
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
    bomb += _chunk(b"IEND", b"")
    with pytest.raises(DocumentError, match="too large"):
        read_document(bomb)
    with pytest.raises(DocumentError, match="too large"):
        render_thumbnail(bomb, "image/png")


# ------------------------------------------------------------------------------------------------ PDFs


def test_text_layer_pdf_is_read_without_ocr(certificates: GeneratedCertificates):
    case = certificates.case("en-band-textpdf")
    data = certificates.path(case, "pdf").read_bytes()
    reading = read_document(data)
    assert reading.method == "text_layer"
    assert reading.engine.startswith("pypdf ")
    assert reading.media_type == "application/pdf"
    assert reading.pages == 1
    assert reading.text_confidence == 1.0
    assert _key(reading.holder.value) == _key(case.holder)
    assert _key(reading.number.value) == _key(case.number)
    assert reading.valid_until.value == case.valid_until
    assert reading.standard.value == case.standard
    assert len(reading.sha256) == 64


def _encrypted(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdfs(certificates: GeneratedCertificates):
    data = certificates.path("en-band-textpdf", "pdf").read_bytes()
    with pytest.raises(DocumentError, match="password"):
        read_document(_encrypted(data, "user-secret"))
    opened = read_document(_encrypted(data, ""))  # an owner password only: readable with the empty password
    assert opened.method == "text_layer"
    assert opened.number is not None


def test_scanned_pdf_is_rendered_and_read_by_ocr(readings: dict[str, DocumentReading], certificates):
    case = certificates.case("zh-centre-scanpdf")
    reading = readings[case.id]
    assert reading.method == "ocr"
    assert reading.engine == default_engine().name
    assert reading.media_type == "application/pdf"
    assert _key(reading.number.value) == _key(case.number)
    assert reading.valid_until.value == case.valid_until
    assert _key(case.holder_zh) in {_key(reading.holder.value)} | {_key(n.value) for n in reading.holder_other_names}


# ------------------------------------------------------------------------------------------------ OCR


@pytest.mark.parametrize("case_id", ["en-frame-clean", "zh-table-clean"])
def test_clean_certificates_are_read_by_ocr(case_id: str, readings: dict[str, DocumentReading], certificates):
    case = certificates.case(case_id)
    reading = readings[case_id]
    assert reading.method == "ocr"
    assert reading.engine.startswith("rapidocr-onnxruntime ")
    assert 0.8 < reading.text_confidence <= 1.0
    holder_names = {_key(reading.holder.value)} | {_key(name.value) for name in reading.holder_other_names}
    assert _key(case.holder) in holder_names
    if case.holder_zh:
        assert _key(case.holder_zh) in holder_names
    assert _key(reading.number.value) == _key(case.number)
    assert reading.valid_until.value == case.valid_until
    assert reading.issued.value == case.issued
    assert reading.standard.value == case.standard
    issuer = _key(reading.issuer.value)
    assert _key(case.issuer) in issuer or issuer in _key(case.issuer + (case.issuer_zh or ""))
    marks = {mark.value for mark in reading.accreditation}
    assert marks >= {mark for mark in case.accreditation if mark in {"CNAS", "UKAS", "IAF MLA"}}
    for value in (reading.holder, reading.number, reading.valid_until):
        assert 0.5 < value.confidence <= 1.0


def test_a_photo_without_a_certificate_reads_as_nothing_certificate_like(readings: dict[str, DocumentReading]):
    reading = readings["unreadable-photo"]
    assert not reading.readable
    assert reading.holder is None and reading.number is None and reading.valid_until is None


def test_tiny_animated_gif_is_read_from_its_first_frame_by_two_threads_at_once(certificates):
    page = Image.open(certificates.path("en-frame-clean")).convert("RGB")
    small = page.resize((page.width * 600 // max(page.size), page.height * 600 // max(page.size)))
    frames = [small, Image.new("RGB", small.size, (0, 0, 0))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=500)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda _: read_document(out.getvalue()), range(2))
    assert first == second  # one model, inference under a lock: the same answer from both threads
    assert RapidOcr._models  # loaded once, shared by both threads
    assert first.media_type == "image/gif"
    assert first.method == "ocr"
    assert "certif" in first.text.lower()  # the first frame (the certificate), scaled up; not the black frame


# ------------------------------------------------------------------------------------------------ thumbnails


def test_thumbnails_of_pictures_and_pdfs(certificates: GeneratedCertificates):
    for path, media_type in (
        (certificates.path("en-frame-clean"), "image/png"),
        (certificates.path("en-band-textpdf", "pdf"), "application/pdf"),
    ):
        thumbnail = Image.open(io.BytesIO(render_thumbnail(path.read_bytes(), media_type, max_px=240)))
        assert thumbnail.format == "PNG"
        assert max(thumbnail.size) == 240
    with pytest.raises(DocumentError):
        render_thumbnail(b"%PDF-1.4 broken", "application/pdf")


# ------------------------------------------------------------------------------------------------ engines


def test_reading_order_groups_boxes_of_one_row():
    boxes = [
        OcrLine("2027-01-31", 0.9, (400, 102, 560, 128)),
        OcrLine("Holder", 0.9, (10, 10, 100, 40)),
        OcrLine("Expiry date:", 0.8, (10, 100, 150, 126)),
        OcrLine("Acme Co., Ltd.", 0.95, (110, 14, 300, 42)),
    ]
    assert [line.text for line in reading_order(boxes)] == ["Holder", "Acme Co., Ltd.", "Expiry date:", "2027-01-31"]
    merged = merge_rows(boxes)
    assert [line.text for line in merged] == ["Holder Acme Co., Ltd.", "Expiry date:  2027-01-31"]


def test_boxes_of_a_crooked_scan_are_turned_back_so_two_columns_do_not_mix():
    """A page scanned 3 degrees askew: a label at x=100 and its value at x=600 differ by 26 px in height, more
    than half a line; grouped as found, each label would pair with the next row's value."""
    angle = math.radians(3)

    def quad(text_x: float, row_y: float, width: float) -> list[tuple[float, float]]:
        corners = [(text_x, row_y), (text_x + width, row_y), (text_x + width, row_y + 20), (text_x, row_y + 20)]
        return [
            (x * math.cos(angle) - y * math.sin(angle), x * math.sin(angle) + y * math.cos(angle)) for x, y in corners
        ]

    cells = [
        ("Registration No.", 100, 0, 160),
        ("1210049921TMS", 600, 0, 150),
        ("Scope", 100, 40, 60),
        ("Dyeing of fabrics", 600, 40, 170),
        ("Expiry Date", 100, 80, 110),
        ("21 October 2027", 600, 80, 160),
    ]
    quads = [quad(x, y, width) for _text, x, y, width in cells]
    crooked = [
        OcrLine(text, 0.9, (min(x for x, _ in q), min(y for _, y in q), max(x for x, _ in q), max(y for _, y in q)))
        for (text, *_), q in zip(cells, quads, strict=True)
    ]
    assert [line.text for line in merge_rows(crooked)][:2] != [
        "Registration No.  1210049921TMS",
        "Scope  Dyeing of fabrics",
    ]
    upright = [OcrLine(text, 0.9, box) for (text, *_), box in zip(cells, upright_boxes(quads), strict=True)]
    assert [line.text for line in merge_rows(upright)] == [
        "Registration No.  1210049921TMS",
        "Scope  Dyeing of fabrics",
        "Expiry Date  21 October 2027",
    ]
    straight = [[(x, y), (x + w, y), (x + w, y + 20), (x, y + 20)] for _text, x, y, w in cells]
    assert upright_boxes(straight) == [(x, y, x + w, y + 20) for _text, x, y, w in cells]  # nothing to undo


def test_red_seal_ink_is_faded_and_black_text_under_it_kept():
    page = Image.new("RGB", (200, 100), (255, 255, 255))
    for x in range(40, 160):
        for y in range(20, 80):
            page.putpixel((x, y), (200, 30, 40))  # the seal
    for x in range(60, 140):
        for y in range(45, 55):
            page.putpixel((x, y), (0, 0, 0))  # text under the seal
    page.putpixel((5, 5), (20, 40, 160))  # blue ink
    out = suppress_red_ink(page)
    assert out.getpixel((50, 30)) == (255, 255, 255)  # red ink: its red channel, brightened to the paper
    assert out.getpixel((100, 50)) == (0, 0, 0)
    assert out.getpixel((5, 5)) == (20, 40, 160)
    assert out.getpixel((190, 90)) == (255, 255, 255)
    plain = Image.new("RGB", (200, 100), (255, 255, 255))
    plain.putpixel((10, 10), (220, 0, 0))  # a red dot in a logo is no seal: the picture is left as it is
    assert suppress_red_ink(plain) is plain
    checker = Image.new("RGB", (128, 128))
    checker.putdata([(255, 255, 0) if (x + y) % 2 else (255, 0, 255) for y in range(128) for x in range(128)])
    assert suppress_red_ink(checker) is checker  # yellow and magenta average to red, but no pixel is red


def test_a_stamped_certificate_is_read_through_its_seal(readings: dict[str, DocumentReading], certificates):
    case = certificates.case("ce-stamp-watermark")
    reading = readings[case.id]
    assert _key(reading.number.value) == _key(case.number)
    assert reading.valid_until is None or reading.valid_until.value == case.valid_until
    assert _key(case.holder) in {_key(reading.holder.value)} | {_key(n.value) for n in reading.holder_other_names}


def test_tesseract_tsv_is_grouped_into_lines():
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t96\tCertificate\n"
        "5\t1\t1\t1\t1\t2\t70\t10\t30\t20\t90\tNo.\n"
        "5\t1\t1\t1\t2\t1\t10\t40\t20\t20\t80\t证\n"
        "5\t1\t1\t1\t2\t2\t32\t40\t20\t20\t70\t书\n"
    )
    lines = parse_tesseract_tsv(tsv)
    assert [line.text for line in lines] == ["Certificate No.", "证书"]
    assert lines[1].confidence == pytest.approx(0.75)


def test_tesseract_reports_a_missing_binary_or_language_clearly():
    with pytest.raises(OcrError, match="not installed"):
        TesseractOcr(binary="tesseract-that-does-not-exist").read(Image.new("RGB", (10, 10)))


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr (the optional engine) is not installed")
def test_tesseract_reports_missing_language_data_clearly():
    with pytest.raises(OcrError, match="no language data"):
        TesseractOcr(languages="eng+xyz_not_a_language").read(Image.new("RGB", (10, 10)))


def test_dates_on_generated_documents_are_plausible(readings: dict[str, DocumentReading]):
    for reading in readings.values():
        for value in (reading.first_issued, reading.issued, reading.valid_until):
            assert value is None or date(1950, 1, 1) <= value.value <= date(2100, 12, 31)


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf (which writes AES-256 PDFs) is not installed")
def test_aes_encrypted_pdfs(certificates: GeneratedCertificates, tmp_path):
    source = certificates.path("en-band-textpdf", "pdf")
    for user, name in (("", "open.pdf"), ("user-secret", "locked.pdf")):
        subprocess.run(["qpdf", "--encrypt", user, "owner-secret", "256", "--", str(source), str(tmp_path / name)],
                       check=True)  # fmt: skip
    opened = read_document((tmp_path / "open.pdf").read_bytes())
    assert opened.method == "text_layer"
    assert opened.number is not None
    with pytest.raises(DocumentError, match="password"):
        read_document((tmp_path / "locked.pdf").read_bytes())
