import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from articles.images import clean_image

from .factories import image_bytes

SAMPLE_WITH_GPS = "../shared/samples/jekyll-site/assets/images/council-chamber.jpg"


def gps_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 40.0)
    return exif


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def has_gps(data):
    return bool(Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo))


def test_gps_location_is_stripped_from_stored_jpegs():
    original = image_bytes(exif=gps_exif())
    assert has_gps(original)
    cleaned = clean_image(upload(original))
    assert not has_gps(cleaned.read())


def test_the_sample_photo_with_gps_is_stripped():
    import os

    if not os.path.exists(SAMPLE_WITH_GPS):
        pytest.skip("shared samples not present")
    data = Path(SAMPLE_WITH_GPS).read_bytes()
    assert has_gps(data)
    assert not has_gps(clean_image(upload(data)).read())


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_real_images_of_each_allowed_format_are_accepted(fmt):
    cleaned = clean_image(upload(image_bytes(fmt), name=f"x.{fmt.lower()}"))
    assert Image.open(cleaned).format == fmt


def test_the_stored_name_is_made_by_the_server():
    cleaned = clean_image(upload(image_bytes(), name="../../etc/passwd\u202egpj.jpg"))
    assert "/" not in cleaned.name and ".." not in cleaned.name
    assert cleaned.name.endswith(".jpg") and len(cleaned.name) == 36


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><script>alert(1)</script></html>", "not an image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "not an image"),
        (image_bytes()[:300], "damaged"),
    ],
)
def test_bad_files_are_refused_with_a_clear_reason(data, message):
    with pytest.raises(ValidationError) as error:
        clean_image(upload(data))
    assert message in error.value.messages[0]


def test_an_image_header_followed_by_html_is_stored_without_the_html():
    data = image_bytes() + b"<script>alert(1)</script>"
    cleaned = clean_image(upload(data)).read()
    assert b"<script" not in cleaned


def test_other_image_formats_are_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "BMP")
    with pytest.raises(ValidationError) as error:
        clean_image(upload(buffer.getvalue(), name="x.bmp"))
    assert "BMP" in error.value.messages[0]


def png_claiming_size(width, height):
    """A tiny PNG whose header claims enormous dimensions: a decompression bomb."""

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def test_decompression_bombs_are_refused():
    with pytest.raises(ValidationError) as error:
        clean_image(upload(png_claiming_size(100_000, 100_000), name="bomb.png", content_type="image/png"))
    assert error.value.code in {"image_bomb", "image_pixels"}


def test_images_over_the_pixel_limit_are_refused(settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationError) as error:
        clean_image(upload(image_bytes(size=(200, 200))))
    assert "megapixels" in error.value.messages[0] or error.value.code == "image_pixels"


def test_files_over_the_byte_limit_are_refused(settings):
    settings.IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        clean_image(upload(image_bytes(size=(800, 800))))
    assert error.value.code == "image_bytes"
