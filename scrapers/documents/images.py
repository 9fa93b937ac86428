"""Pictures of certificates made ready for OCR, and small thumbnails of any certificate document.

Certificates come as phone photos (EXIF-rotated), huge scans, tiny thumbnails and the odd animated GIF; a
hostile file may claim billions of pixels in its header. Each is checked before its pixels are decoded.
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

from scrapers.documents.errors import DocumentError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MAX_PIXELS", "open_image", "prepare_for_ocr", "render_thumbnail", "suppress_red_ink"]

#: A picture claiming more pixels than this is refused before decoding (a 600 dpi A3 scan has ~70 MP).
MAX_PIXELS = 80_000_000
#: OCR reads best with the long side in this range: smaller pictures are scaled up, larger ones down.
OCR_MIN_LONG_SIDE = 1000
OCR_TARGET_SMALL = 1600
OCR_MAX_LONG_SIDE = 3200


def open_image(data: bytes) -> Image.Image:
    """The first frame of a picture as RGB, upright by its EXIF orientation, alpha flattened on white."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                raise DocumentError(f"picture too large: {width}x{height} pixels (at most {MAX_PIXELS:,} are read)")
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)
            image.load()
            image = ImageOps.exif_transpose(image) or image
    except DocumentError:
        raise
    except Image.DecompressionBombError as error:
        raise DocumentError(
            f"picture too large: its header claims too many pixels (at most {MAX_PIXELS:,} are read)"
        ) from error
    except (OSError, ValueError, SyntaxError, EOFError, Image.UnidentifiedImageError) as error:
        raise DocumentError(f"unreadable picture: {error}") from error
    return _rgb(image)


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


#: A pixel is red ink when its red channel exceeds both others by this much (a seal's red, not a grey or brown).
RED_MARGIN = 60
#: Pixels less red than this are left alone; between this and RED_MARGIN they are faded in proportion.
RED_FADE_FROM = 20
#: Red ink is suppressed when at least this share of the picture is red (a seal or stamp, not a red logo dot).
RED_MIN_SHARE = 0.002
#: The red channel of red ink is brightened at most this much (to the paper's grey).
RED_MAX_GAIN = 1.5


def suppress_red_ink(image: Image.Image) -> Image.Image:
    """Red ink (Chinese certificates are always sealed in red, often over the number or the dates) turned into
    the paper's grey by way of its red channel, so that OCR sees the black text under a seal, not the seal.

    Black text under the seal stays dark (the red channel of black is dark); blue or black ink is untouched.
    A picture with hardly any red is returned as it is.
    """
    import numpy as np

    image = _rgb(image)
    sample = image.reduce(4) if min(image.size) >= 64 else image  # most pictures have no seal: decided small
    if (_redness(np.asarray(sample)) > RED_MARGIN).mean() < RED_MIN_SHARE:
        return image
    rgb = np.asarray(image)
    red = rgb[..., 0].astype(np.int16)
    redness = _redness(rgb)
    seal = redness > RED_MARGIN
    if not seal.any():  # the small copy's red came from averaging other colours
        return image
    # The red channel brightened so that the seal's typical red reaches the paper's grey (on a greyish scan a
    # seal's red channel is still darker than the paper); darker mixes (text under the ink) stay darker.
    paper = float(np.median(rgb.max(axis=2)))
    gain = min(RED_MAX_GAIN, max(1.0, paper / max(1.0, float(np.median(red[seal])))))
    lifted = np.minimum(np.float32(paper), red.astype(np.float32) * np.float32(gain))[..., None]
    # Fully red pixels become that grey; pinkish ones (a seal's faded or blurred edge) part of the way.
    weight = np.clip((redness - RED_FADE_FROM) / np.float32(RED_MARGIN - RED_FADE_FROM), 0.0, 1.0)[..., None]
    out = rgb * (1.0 - weight) + lifted * weight
    return Image.fromarray(out.round().astype(np.uint8), "RGB")


def _redness(rgb: np.ndarray) -> np.ndarray:
    """How much redder than green and blue each pixel is (negative for grey, green or blue)."""
    import numpy as np

    return rgb[..., 0].astype(np.int16) - np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16)


def prepare_for_ocr(image: Image.Image) -> Image.Image:
    """Scale a picture so that its long side suits OCR (tiny thumbnails up, huge scans down), red seals faded."""
    image = _rgb(image)
    long_side = max(image.size)
    if long_side < OCR_MIN_LONG_SIDE:
        factor = OCR_TARGET_SMALL / long_side
    elif long_side > OCR_MAX_LONG_SIDE:
        factor = OCR_MAX_LONG_SIDE / long_side
    else:
        return suppress_red_ink(image)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return suppress_red_ink(image.resize(size, Image.Resampling.LANCZOS))


def render_thumbnail(data: bytes, media_type: str, max_px: int = 480) -> bytes:
    """A PNG no larger than ``max_px`` on either side: the picture itself, or a PDF's first page."""
    if max_px < 16:
        raise ValueError("max_px must be at least 16")
    if media_type == "application/pdf":
        from scrapers.documents.pdf import render_first_page

        image = render_first_page(data, max_px)
    else:
        image = open_image(data)
    image = image.copy()
    image.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
