"""The shared image-safety helpers: what an uploaded photo becomes."""

import io

import pytest
from PIL import Image

from core.images import (
    ImageRefused,
    image_open_safely,
    image_probe,
    image_reencode,
    image_thumbnail,
)
from tests.campaigns.factories import exif_with_gps, jpeg_bytes, png_bomb


def test_reencoded_photo_keeps_its_pixels_but_loses_exif_and_gps():
    # Given a phone photo with a camera model and a GPS position in its EXIF
    original = jpeg_bytes(exif=exif_with_gps())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)

    # When it is opened safely and re-encoded
    clean = image_reencode(image_open_safely(original))

    # Then the new file is a JPEG of the same size with no EXIF at all
    img = Image.open(io.BytesIO(clean))
    assert (img.format, img.size) == ("JPEG", (640, 480))
    assert not img.getexif()
    assert "exif" not in img.info and "icc_profile" not in img.info
    assert b"VolunteerPhone" not in clean


def test_a_photo_taken_sideways_is_turned_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    img = image_open_safely(jpeg_bytes(size=(400, 300), exif=exif.tobytes()))
    assert img.size == (300, 400)


def test_thumbnail_fits_the_box_and_keeps_the_aspect_ratio():
    thumb = Image.open(io.BytesIO(image_thumbnail(image_open_safely(jpeg_bytes((1600, 1200))))))
    assert thumb.size == (320, 240)


def test_a_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(ImageRefused) as refused:
        image_open_safely(png_bomb())
    assert refused.value.code == "too_many_pixels"


def test_a_smaller_pixel_limit_is_honoured():
    with pytest.raises(ImageRefused) as refused:
        image_probe(jpeg_bytes((640, 480)), max_pixels=100_000)
    assert refused.value.code == "too_many_pixels"


def test_text_pretending_to_be_a_photo_is_refused():
    with pytest.raises(ImageRefused) as refused:
        image_probe(b"%PDF-1.7 this is not a photo")
    assert refused.value.code == "not_an_image"


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ImageRefused) as refused:
        image_probe(jpeg_bytes(), max_bytes=100)
    assert refused.value.code == "too_large"


def test_a_truncated_jpeg_is_refused_as_damaged():
    data = jpeg_bytes((800, 600))
    with pytest.raises(ImageRefused) as refused:
        image_open_safely(data[: len(data) // 2])
    assert refused.value.code in {"broken", "not_an_image"}
