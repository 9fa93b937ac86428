"""The certificate generator produces what its truth says: real PNG/JPEG/PDF files of the right size, a PDF
text layer that carries the holder, scanned PDFs without one, noise that is deterministic, and case sets whose
truth is consistent (the mismatch pairs really differ where they claim to)."""

from __future__ import annotations

import asyncio
import io
import json
import re
from datetime import date

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from monitor.demo.certificates import (
    REFERENCE_DAY,
    CertificateCase,
    bench_cases,
    listing_for,
    load_truth,
    make_case,
    mismatch_pairs,
    render,
    test_cases,
)
from monitor.demo.certificates.dates import DATE_STYLES, format_date
from monitor.demo.certificates.html import render_html
from monitor.demo.certificates.noise import apply_noise, unreadable_image
from scrapers.documents.sniff import sniff
from tests.certificates_fixture import generated_certificates_fixture, generated_mismatch_certificates_fixture  # noqa: F401

MEDIA = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf", "scan.pdf": "application/pdf"}


def _text_of_pdf(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- rendered files (one Chromium for the session) ---------------------------------------------------------


@pytest.mark.browser
def test_every_file_is_the_media_type_it_claims(generated_certificates):
    assert len(generated_certificates.cases) >= 6
    for case in generated_certificates.cases:
        for fmt in case.formats:
            data = generated_certificates.path(case, fmt).read_bytes()
            assert sniff(data) == MEDIA[fmt], (case.id, fmt)
            assert 5_000 < len(data) < 3_000_000, (case.id, fmt, len(data))


@pytest.mark.browser
def test_pictures_are_a4_at_150_dpi_unless_degraded(generated_certificates):
    sizes = {}
    for case in generated_certificates.cases:
        fmt = case.formats[0]
        if fmt in ("png", "jpeg"):
            with Image.open(generated_certificates.path(case, fmt)) as img:
                sizes[case.id] = img.size
    assert sizes["en-frame-clean"] == (1240, 1754)
    assert sizes["zh-table-clean"] == (1240, 1754)
    w, h = sizes["en-frame-rotated-jpeg"]  # rotated with the canvas expanded
    assert w > 1240 and h > 1754
    w, h = sizes["bsci-lowres-jpeg"]  # about 100 dpi
    assert 760 < w < 880 and 1080 < h < 1240


@pytest.mark.browser
def test_text_layer_pdf_carries_the_printed_fields(generated_certificates):
    case = generated_certificates.case("en-band-textpdf")
    text = _squash(_text_of_pdf(generated_certificates.path(case, "pdf").read_bytes()))
    assert case.holder in text
    assert case.number in text
    assert format_date(case.valid_until, case.date_style) in text
    assert "ISO 45001:2018" in text


@pytest.mark.browser
def test_scanned_pdf_has_a_picture_and_no_text(generated_certificates):
    case = generated_certificates.case("zh-centre-scanpdf")
    reader = PdfReader(io.BytesIO(generated_certificates.path(case, "scan.pdf").read_bytes()))
    assert len(reader.pages) == 1
    assert (reader.pages[0].extract_text() or "").strip() == ""
    images = reader.pages[0].images
    assert len(images) == 1
    assert images[0].image.size[0] >= 1200


@pytest.mark.browser
def test_stamp_puts_red_ink_on_the_page_and_the_photo_has_no_page(generated_certificates):
    with Image.open(generated_certificates.path("ce-stamp-watermark")) as img:
        arr = np.asarray(img.convert("RGB"), dtype=np.int16)
    red = (arr[..., 0] - arr[..., 1] > 70) & (arr[..., 0] - arr[..., 2] > 60)
    assert red.sum() > 2_000  # the CE template's own seal is blue: this red is the stamp
    with Image.open(generated_certificates.path("unreadable-photo")) as img:
        grey = np.asarray(img.convert("L"), dtype=np.int16)
    # a photo: no white paper (a page has > 50% near-white pixels)
    assert (grey > 235).mean() < 0.05


@pytest.mark.browser
def test_truth_json_round_trips(generated_certificates):
    loaded = load_truth(generated_certificates.dir)
    assert [case for case, _ in loaded] == generated_certificates.cases
    for case, files in loaded:
        assert files == generated_certificates.files[case.id]
    raw = json.loads((generated_certificates.dir / "truth.json").read_text(encoding="utf-8"))
    by_id = {item["id"]: item for item in raw["cases"]}
    assert by_id["unreadable-photo"]["expected_unreadable"] is True
    assert by_id["en-frame-clean"]["noise_profile"] == "clean"
    assert by_id["en-frame-rotated-jpeg"]["noisy"] is True
    assert by_id["zh-table-clean"]["holder_zh"] == "东莞市佳和电子科技有限公司"
    assert date.fromisoformat(by_id["zh-table-clean"]["valid_until"]) > REFERENCE_DAY


@pytest.mark.browser
def test_mismatch_documents_print_their_own_truth(generated_mismatch_certificates):
    generated = generated_mismatch_certificates
    kinds = {pair.kind for pair in generated.pairs}
    assert kinds == {"match", "holder", "number", "dates", "standard", "scope", "expired"}
    for pair in generated.pairs:
        assert sniff(generated.path(pair.case).read_bytes()) == "image/png"


@pytest.mark.browser
def test_render_from_a_running_event_loop(tmp_path):
    case = make_case("loop", "iso_frame_en", rng=__import__("random").Random(1), formats=("pdf",))

    async def main():
        return render([case], tmp_path)

    result = asyncio.run(main())
    assert case.holder in _squash(_text_of_pdf(result.path(case, "pdf").read_bytes()))


# --- noise and case sets (no browser) ----------------------------------------------------------------------


def _page() -> Image.Image:
    img = Image.new("RGB", (620, 877), "white")
    arr = np.asarray(img).copy()
    arr[100:110, 50:570] = 0
    arr[300:340, 80:400] = 30
    return Image.fromarray(arr)


@pytest.mark.parametrize(
    "steps", [("scan",), ("rotate",), ("jpeg",), ("lowres",), ("stamp",), ("watermark",), ("scan", "rotate", "jpeg")]
)
def test_noise_is_deterministic_for_a_seed(steps):
    page = _page()
    first = apply_noise(page, steps, seed=42, key="x").tobytes()
    again = apply_noise(page, steps, seed=42, key="x").tobytes()
    other = apply_noise(page, steps, seed=43, key="x").tobytes()
    assert first == again
    assert first != other
    assert first != page.tobytes()


@pytest.mark.parametrize("kind", ["heavy_blur", "blank", "photo"])
def test_unreadable_pictures_are_deterministic(kind):
    page = _page()
    a = unreadable_image(kind, page, page.size, seed=3, key="k").tobytes()
    assert a == unreadable_image(kind, page, page.size, seed=3, key="k").tobytes()
    assert a != unreadable_image(kind, page, page.size, seed=4, key="k").tobytes()


def test_date_styles_print_as_documented():
    for style, example in DATE_STYLES.items():
        assert format_date(date(2024, 3, 15), style) == example


def test_bench_cases_are_deterministic_varied_and_half_clean():
    cases = bench_cases(60, seed=9)
    assert cases == bench_cases(60, seed=9)
    assert cases != bench_cases(60, seed=10)
    assert len({c.id for c in cases}) == 60
    clean = [c for c in cases if not c.noise and not c.expected_unreadable]
    noisy = [c for c in cases if c.noisy]
    unreadable = [c for c in cases if c.expected_unreadable]
    assert 25 <= len(clean) <= 35 and 20 <= len(noisy) <= 35 and len(unreadable) >= 4
    assert len({c.template for c in cases}) == 6
    assert len({c.date_style for c in cases}) == len(DATE_STYLES)
    assert len({c.issuer for c in cases}) >= 8
    assert {f for c in cases for f in c.formats} == {"png", "jpeg", "pdf", "scan.pdf"}
    for c in cases:
        if c.valid_until and not c.expected_unreadable:
            assert c.valid_until >= REFERENCE_DAY, c.id


def test_numbers_come_in_the_formats_bodies_use():
    patterns = [
        r"\d{5}[QES]\d{5}R\dM",
        r"CN-(QMS|EMS|OHS)-\d{4}-\d{4}",
        r"12 \d{3} \d{5} TMS",
        r"[A-Z]{2}\d{2}/\d{5}",
        r"\d{6}-\d{4}-A[QES]-CHN-CNAS",
        r"(FM|EMS|OHS) \d{6}",
        r"CE-[A-Z]{2}\d{4}-\d{5}",
        r"\d{3}-\d{6}-\d{4}",
    ]
    numbers = [c.number for c in bench_cases(120, seed=1)]
    for number in numbers:
        assert any(re.fullmatch(p, number) for p in patterns), number
    assert sum(1 for p in patterns if any(re.fullmatch(p, n) for n in numbers)) >= 7


def test_bilingual_html_prints_chinese_before_english():
    case = next(c for c in test_cases() if c.id == "zh-table-clean")
    html = render_html(case)
    assert case.holder_zh and case.holder_zh in html
    assert html.index(case.holder_zh) < html.index(case.holder)
    assert "2028年" in html or "年" in html  # Chinese dates in this case's style
    assert "证书编号" in html


def test_mismatch_pairs_differ_where_they_say():
    pairs = {p.kind: p for p in mismatch_pairs()}
    match = pairs["match"]
    assert listing_for(match.case) == match.listing
    assert pairs["holder"].case.holder != match.listing.supplier_name
    assert pairs["number"].case.number != match.listing.number
    assert pairs["dates"].case.valid_until != match.listing.valid_until
    assert pairs["standard"].case.standard == "ISO 14001" and match.listing.certification == "ISO 9001:2015"
    assert pairs["scope"].case.scope != match.listing.scope
    assert pairs["expired"].case.valid_until < REFERENCE_DAY
    for kind in ("match", "holder", "number", "dates", "standard", "scope"):
        assert pairs[kind].case.valid_until > REFERENCE_DAY, kind  # only "expired" is expired
        same = {"holder", "number", "issued", "valid_until", "standard", "scope"} - {
            "dates": {"issued", "valid_until"}
        }.get(kind, {kind})
        for name in same:
            assert getattr(pairs[kind].case, name) == getattr(match.case, name), (kind, name)


def test_a_case_refuses_unknown_templates_noise_and_formats():
    base = test_cases()[0]
    for change in ({"template": "nope"}, {"noise": ("smudge",)}, {"formats": ("gif",)}, {"unreadable": "x"}):
        with pytest.raises(ValueError):
            base.replace(**change)
    assert CertificateCase.from_json(base.to_json()) == base


# --- the demo marketplace's certificate files --------------------------------------------------------------


def test_demo_files_exist_and_are_small_documents():
    from monitor.demo.certificates.demo import DEMO_FILES

    assert len(DEMO_FILES) >= 6
    assert sum(1 for d in DEMO_FILES if d.fmt == "pdf") >= 1
    for demo in DEMO_FILES:
        data = demo.path.read_bytes()
        assert sniff(data) == MEDIA[demo.fmt], demo.path
        assert 2_000 < len(data) < 200_000, (demo.path, len(data))
        assert re.fullmatch(r"[A-Za-z0-9_-]+", demo.name)
    # no stale file left beside them (a document renamed or moved to another format)
    for supplier in {d.supplier for d in DEMO_FILES}:
        expected = {d.file_name for d in DEMO_FILES if d.supplier == supplier}
        assert {p.name for p in (DEMO_FILES[0].path.parents[1] / supplier).iterdir()} == expected, supplier


def test_demo_documents_agree_with_the_scenario_listings_except_the_borrowed_one():
    from monitor.demo.certificates.demo import DEMO_FILES
    from monitor.demo.scenario import Scenario

    scenario = Scenario()
    borrowed = [d for d in DEMO_FILES if "borrowed" in d.case.note]
    assert len(borrowed) == 1
    for demo in DEMO_FILES:
        supplier = scenario.supplier(demo.supplier, round=0)
        listed = next(c for c in supplier.certificates if c.key == demo.certificate)
        if demo.case.expected_unreadable:
            continue
        assert demo.case.number == listed.number, demo.case.id
        if listed.valid_until:
            assert demo.case.valid_until == date.fromisoformat(listed.valid_until), demo.case.id
        names = {demo.case.holder, demo.case.holder_zh}
        if demo in borrowed:
            assert supplier.name not in names
            assert f"{demo.case.standard}:{demo.case.edition}" == listed.name
        else:
            assert supplier.name in names, demo.case.id
