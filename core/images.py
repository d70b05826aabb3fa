"""Safe handling of images people upload, for every app.

Untrusted bytes are opened with limits on file size and pixel count checked *before* the
pixels are decoded (a decompression bomb is a small file that expands to gigabytes), then
re-encoded from pixels only: EXIF (GPS, camera serial, time), XMP, ICC and comments are
dropped because a new file is written from the decoded image, never copied from the old one.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_BYTES = 12 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is refused; 7000×5000 passes
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"})


class ImageRefused(ValueError):
    """The upload is not an image we accept. ``code`` is stable, ``message`` translated."""

    def __init__(self, code: str, message: object) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def image_probe(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS
) -> ImageInfo:
    """Check size, format and dimensions from the header only (cheap; no pixel is decoded).

    Raises :class:`ImageRefused` with code ``too_large``, ``not_an_image``, ``unsupported`` or
    ``too_many_pixels``."""
    if len(data) > max_bytes:
        raise ImageRefused(
            "too_large",
            _("The file is larger than %(limit)d MB.") % {"limit": max_bytes // (1024 * 1024)},
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                info = ImageInfo(format=img.format or "", width=img.width, height=img.height)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused(
            "too_many_pixels", _("The image has too many pixels to be processed safely.")
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageRefused("not_an_image", _("The file is not an image.")) from error
    if info.format not in ALLOWED_FORMATS:
        raise ImageRefused(
            "unsupported", _("This image format is not supported; send a JPEG or PNG photo.")
        )
    if info.width * info.height > max_pixels:
        raise ImageRefused(
            "too_many_pixels", _("The image has too many pixels to be processed safely.")
        )
    return info


def image_open_safely(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """Probe, then decode and verify the whole image. Returns an RGB image turned upright
    according to its EXIF orientation (the orientation tag itself is then dropped)."""
    image_probe(data, max_bytes=max_bytes, max_pixels=max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as check:
                check.verify()  # structure and checksums; the object is unusable after
            img = Image.open(io.BytesIO(data))
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused(
            "too_many_pixels", _("The image has too many pixels to be processed safely.")
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageRefused("broken", _("The image is damaged and cannot be read.")) from error
    upright = ImageOps.exif_transpose(img)
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    return upright


def image_reencode(img: Image.Image, *, quality: int = 85) -> bytes:
    """A new JPEG written from pixels only: no EXIF, GPS, XMP, ICC profile or comment."""
    out = io.BytesIO()
    clean = Image.new(img.mode, img.size)
    clean.paste(img)
    clean.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def image_thumbnail(img: Image.Image, *, size: int = 320, quality: int = 80) -> bytes:
    """A JPEG thumbnail that fits in ``size``×``size``, without metadata."""
    thumb = img.copy()
    thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
    return image_reencode(thumb, quality=quality)
