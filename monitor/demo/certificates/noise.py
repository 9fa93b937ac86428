"""What happens to a certificate between the certification body and the marketplace: a scan, a tilt, JPEG
compression, a small copy, a red stamp over the text, a watermark; and the unreadable ones (heavy blur, a
blank page, a product photo). Deterministic: the same image, steps and seed give the same bytes."""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

__all__ = ["apply_noise", "cjk_font_path", "encode_jpeg", "rng_for", "unreadable_image"]

_FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype"), Path("/usr/share/fonts"))
_CJK_FONTS = ("wqy-microhei.ttc", "wqy-zenhei.ttc", "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc")
_LATIN_FONTS = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")


def rng_for(seed: int, *parts: object) -> np.random.Generator:
    """A generator that depends only on ``seed`` and ``parts`` (never on Python's per-process hash salt)."""
    key = ":".join(str(p) for p in (seed, *parts)).encode()
    return np.random.default_rng(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def _find_font(names: Sequence[str]) -> Path | None:
    for directory in _FONT_DIRS:
        if not directory.is_dir():
            continue
        for name in names:
            hits = sorted(directory.rglob(name))
            if hits:
                return hits[0]
    return None


def cjk_font_path() -> Path | None:
    """A font with Chinese glyphs (Debian's fonts-wqy-microhei), or None: without one Chromium draws boxes."""
    return _find_font(_CJK_FONTS)


def _font(size: int, *, cjk: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _find_font(_CJK_FONTS if cjk else _LATIN_FONTS) or _find_font(_LATIN_FONTS)
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


def _paper(size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    tone = int(rng.integers(222, 240))
    tint = (tone, tone - int(rng.integers(0, 6)), tone - int(rng.integers(4, 14)))
    return Image.new("RGB", size, tint)


def _scan(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Grey-yellow paper, a little blur, toner speckle and sensor noise."""
    paper = _paper(img.size, rng)
    img = ImageChops.multiply(img.convert("RGB"), paper)
    img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 0.9))))
    arr = np.asarray(img, dtype=np.int16)
    h, w = arr.shape[:2]
    arr = arr + rng.normal(0, 6, size=(h, w, 1)).astype(np.int16)
    n_specks = int(h * w * rng.uniform(0.0004, 0.0009))
    ys, xs = rng.integers(0, h, n_specks), rng.integers(0, w, n_specks)
    arr[ys, xs] = rng.integers(30, 110, size=(n_specks, 1))
    # a darker band at one edge, as a lid that did not close
    band = int(w * rng.uniform(0.01, 0.03))
    arr[:, :band] = (arr[:, :band] * 0.8).astype(np.int16)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def _rotate(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    angle = float(rng.uniform(1.0, 4.0)) * (1 if rng.random() < 0.5 else -1)
    corner = img.getpixel((2, 2))
    fill = corner if isinstance(corner, tuple) else (corner, corner, corner)
    return img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def _lowres(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """About 100 dpi instead of 150 (a marketplace's resized copy)."""
    factor = float(rng.uniform(0.62, 0.70))
    size = (max(1, round(img.width * factor)), max(1, round(img.height * factor)))
    return img.resize(size, Image.Resampling.BILINEAR)


def encode_jpeg(img: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    img.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=False, progressive=False)
    return buffer.getvalue()


def _jpeg(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    quality = int(rng.integers(30, 61))
    return Image.open(io.BytesIO(encode_jpeg(img, quality))).convert("RGB")


def _stamp(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A red round company stamp pressed over the middle of the page (over the holder and the number)."""
    img = img.convert("RGB")
    w, h = img.size
    radius = int(min(w, h) * rng.uniform(0.10, 0.14))
    cx = int(w * rng.uniform(0.35, 0.65))
    cy = int(h * rng.uniform(0.30, 0.55))
    layer = Image.new("L", img.size, 0)
    draw = ImageDraw.Draw(layer)
    ring = max(4, radius // 10)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=255, width=ring)
    inner = int(radius * 0.62)
    draw.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), outline=200, width=max(2, ring // 2))
    font = _font(max(10, radius // 5), cjk=True)
    text = "合同专用章 ★ 质量检验 ★ 公司印章"
    for i, ch in enumerate(text):
        angle = math.pi * (1.15 + 1.7 * i / len(text))
        x = cx + (radius * 0.80) * math.cos(angle)
        y = cy + (radius * 0.80) * math.sin(angle)
        draw.text((x, y), ch, fill=230, font=font, anchor="mm")
    draw.text((cx, cy), "★", fill=255, font=_font(radius // 2, cjk=True), anchor="mm")
    strength = float(rng.uniform(0.75, 0.92))
    alpha = np.asarray(layer, dtype=np.float32) / 255.0 * strength
    # ink is uneven: fade parts of the stamp
    alpha *= rng.uniform(0.75, 1.0, size=alpha.shape).astype(np.float32)
    arr = np.asarray(img, dtype=np.float32)
    red = np.array([200, 30, 40], dtype=np.float32)
    out = arr * (1 - alpha[..., None]) + np.minimum(arr, red) * alpha[..., None]
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB")


def _watermark(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A diagonal, semi-transparent "for reference only" across the page, as marketplaces and suppliers add."""
    img = img.convert("RGBA")
    w, h = img.size
    texts = ("FOR REFERENCE ONLY", "仅供参考", "COPY", "SAMPLE ONLY")
    text = texts[int(rng.integers(0, len(texts)))]
    tile = Image.new("RGBA", (w * 2, h * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    font = _font(int(min(w, h) * 0.07), cjk=True)
    opacity = int(rng.integers(45, 80))
    colour = (120, 120, 120, opacity) if rng.random() < 0.5 else (40, 90, 170, opacity)
    step_y = int(h * 0.28)
    for row, y in enumerate(range(0, h * 2, step_y)):
        x0 = (row % 2) * int(w * 0.3)
        draw.text((x0, y), f"{text}    {text}", fill=colour, font=font)
    angle = float(rng.uniform(25, 40))
    tile = tile.rotate(angle, resample=Image.Resampling.BICUBIC)
    left, top = (tile.width - w) // 2, (tile.height - h) // 2
    img.alpha_composite(tile.crop((left, top, left + w, top + h)))
    return img.convert("RGB")


_STEPS = {
    "stamp": _stamp,
    "watermark": _watermark,
    "scan": _scan,
    "rotate": _rotate,
    "lowres": _lowres,
    "jpeg": _jpeg,
}
_ORDER = ("stamp", "watermark", "scan", "rotate", "lowres", "jpeg")


def apply_noise(img: Image.Image, steps: Sequence[str], seed: int, key: str = "") -> Image.Image:
    """``img`` with ``steps`` applied in the order a real document goes through them (stamp and watermark on
    the paper, then the scanner, then the tilt, the resize and the JPEG)."""
    out = img.convert("RGB")
    for step in _ORDER:
        if step in steps:
            out = _STEPS[step](out, rng_for(seed, key, step))
    return out


def unreadable_image(
    kind: str, base: Image.Image | None, size: tuple[int, int], seed: int, key: str = ""
) -> Image.Image:
    """A picture a reader cannot get a certificate out of: ``heavy_blur`` (of ``base``), ``blank``, ``photo``."""
    rng = rng_for(seed, key, kind)
    if kind == "heavy_blur":
        if base is None:
            raise ValueError("heavy_blur needs the rendered page")
        small = base.convert("RGB").resize((base.width // 6, base.height // 6), Image.Resampling.BILINEAR)
        small = small.filter(ImageFilter.GaussianBlur(4))
        return _scan(small.resize(base.size, Image.Resampling.BILINEAR), rng)
    if kind == "blank":
        page = _scan(Image.new("RGB", size, (255, 255, 255)), rng)
        draw = ImageDraw.Draw(page)
        # a faint fold line and a corner shadow: a scanned empty back side
        y = int(size[1] * rng.uniform(0.45, 0.55))
        draw.line((0, y, size[0], y + int(rng.integers(-8, 8))), fill=(205, 205, 200), width=2)
        return page
    if kind == "photo":
        return _product_photo(size, rng)
    raise ValueError(f"unknown unreadable kind {kind!r}")


def _product_photo(size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """A studio-like product shot: gradient backdrop, a kettle-ish body, shadow, noise; no text at all."""
    w, h = size
    yy = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    top = rng.integers(180, 250, size=3).astype(np.float32)
    bottom = rng.integers(90, 170, size=3).astype(np.float32)
    arr = np.broadcast_to(top * (1 - yy) + bottom * yy, (h, w, 3)).copy()
    img = Image.fromarray(arr.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    body = tuple(int(v) for v in rng.integers(40, 200, size=3))
    cx, cy = w // 2, int(h * 0.55)
    bw, bh = int(w * 0.28), int(h * 0.22)
    draw.ellipse((cx - bw, cy + bh - 30, cx + bw, cy + bh + 40), fill=(60, 60, 60))  # shadow
    draw.rounded_rectangle((cx - bw, cy - bh, cx + bw, cy + bh), radius=bw // 2, fill=body)
    draw.ellipse((cx - bw // 3, cy - bh - 40, cx + bw // 3, cy - bh + 20), fill=body)  # lid
    draw.arc((cx + bw - 40, cy - bh // 2, cx + bw + 140, cy + bh // 2), 270, 90, fill=(30, 30, 30), width=28)
    draw.polygon([(cx - bw, cy - bh // 3), (cx - bw - 120, cy - bh // 2), (cx - bw, cy)], fill=body)  # spout
    hl = tuple(min(255, c + 60) for c in body)
    draw.rounded_rectangle((cx - bw // 2, cy - bh + 30, cx - bw // 2 + 40, cy + bh - 40), radius=20, fill=hl)
    img = img.filter(ImageFilter.GaussianBlur(2))
    noisy = np.asarray(img, dtype=np.int16) + rng.normal(0, 4, size=(h, w, 1)).astype(np.int16)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")
