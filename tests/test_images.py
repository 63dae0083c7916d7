import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

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


# Animations: every frame is decoded and re-encoded, so frames × pixels are capped before decoding.


def gif_animation(width, height, frames, *, comment=None):
    """An animated GIF of identical one-colour frames, each a copy of one frame Pillow encoded: small on disk."""
    one = io.BytesIO()
    Image.new("P", (width, height), 0).save(one, "GIF")
    data = one.getvalue()
    flags = data[10]
    header_end = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    header, frame = data[:header_end], data[header_end:-1]
    loop = b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    note = b"!\xfe" + bytes([len(comment)]) + comment + b"\x00" if comment else b""
    delay = b"!\xf9\x04\x00\x0a\x00\x00\x00"  # 100 ms a frame
    return header + loop + note + (delay + frame) * frames + b";"


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def apng_animation(width, height, frames):
    """An animated PNG of identical transparent frames sharing one compressed payload."""
    packer = zlib.compressobj(6)
    row = b"\0" * (1 + width * 4)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    chunks = [
        png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
        png_chunk(b"acTL", struct.pack(">II", frames, 0)),
    ]
    sequence = 0
    for index in range(frames):
        chunks.append(png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", sequence, width, height, 0, 0, 1, 10, 0, 0)))
        sequence += 1
        if index == 0:
            chunks.append(png_chunk(b"IDAT", pixels))
        else:
            chunks.append(png_chunk(b"fdAT", struct.pack(">I", sequence) + pixels))
            sequence += 1
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks) + png_chunk(b"IEND", b"")


def riff_chunk(kind, payload):
    return kind + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) % 2 else b"")


def riff_chunks(data):
    """(kind, payload) for each chunk of a WebP file, frames' own chunks included."""
    position, found = 12, []
    while position + 8 <= len(data):
        kind, size = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        found.append((kind, data[position + 8 : position + 8 + size]))
        position += 8 + size + (size & 1)
    return found


def webp_animation(width, height, frames):
    """An animated WebP of identical lossless frames (a one-colour frame is a few bytes)."""
    one = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 0, 0, 0)).save(one, "WEBP", lossless=True, method=0)
    bitstream = next(riff_chunk(k, p) for k, p in riff_chunks(one.getvalue()) if k == b"VP8L")

    def u24(value):
        return struct.pack("<I", value)[:3]

    canvas = riff_chunk(b"VP8X", bytes([0x12, 0, 0, 0]) + u24(width - 1) + u24(height - 1))
    frame = riff_chunk(b"ANMF", u24(0) + u24(0) + u24(width - 1) + u24(height - 1) + u24(100) + b"\0" + bitstream)
    body = b"WEBP" + canvas + riff_chunk(b"ANIM", b"\0" * 6) + frame * frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


ANIMATION_BOMBS = {
    "gif": lambda: gif_animation(3000, 3000, 40),
    "apng": lambda: apng_animation(2000, 2000, 60),
    "webp": lambda: webp_animation(3000, 3000, 400),
}


@pytest.mark.parametrize("kind", ANIMATION_BOMBS)
def test_animations_of_too_many_pixels_are_refused_before_decoding(kind, monkeypatch):
    """Each frame is under the pixel cap; frames × pixels is far over it, and nothing gets decoded."""
    data = ANIMATION_BOMBS[kind]()
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("a frame was decoded"))
    with pytest.raises(ValidationError) as error:
        clean_image(upload(data, name=f"bomb.{kind}"))
    assert error.value.code == "image_animation"
    assert "megapixels in all" in error.value.messages[0]


def test_the_reported_gif_bomb_is_refused():
    """40 frames of 6000 × 6000 in about a megabyte: 36 megapixels a frame, each under the pixel cap."""
    data = gif_animation(6000, 6000, 40)
    assert len(data) < 1_200_000
    with pytest.raises(ValidationError) as error:
        clean_image(upload(data, name="bomb.gif", content_type="image/gif"))
    assert error.value.code == "image_animation"


@pytest.mark.parametrize("kind", ["gif", "apng", "webp"])
def test_animations_of_too_many_frames_are_refused(kind, settings):
    build = {"gif": gif_animation, "apng": apng_animation, "webp": webp_animation}[kind]
    data = build(8, 8, settings.IMAGE_MAX_FRAMES + 1)
    with pytest.raises(ValidationError) as error:
        clean_image(upload(data, name=f"long.{kind}"))
    assert error.value.code == "image_frames"


def test_a_gif_frame_reaching_beyond_the_canvas_counts_at_its_full_extent():
    """Pillow grows a GIF's canvas to fit a later frame; the pixel cap applies to the grown canvas."""
    data = gif_animation(10, 10, 2)
    second = data.rindex(b",\x00\x00\x00\x00\x0a\x00\x0a\x00")
    data = data[: second + 1] + struct.pack("<HH", 6990, 6990) + data[second + 5 :]
    with pytest.raises(ValidationError) as error:
        clean_image(upload(data, name="grow.gif"))
    assert error.value.code == "image_pixels"


def test_a_gif_with_bytes_between_its_blocks_is_refused_as_damaged():
    data = gif_animation(10, 10, 3)
    data = data[:-1] + b"\x01" * 1000 + b";"
    with pytest.raises(ValidationError) as error:
        clean_image(upload(data, name="stray.gif"))
    assert error.value.code == "image_damaged"


def test_the_decoded_memory_cap_applies_to_still_images_too(settings):
    settings.IMAGE_MAX_DECODED_BYTES = 1_000_000
    with pytest.raises(ValidationError) as error:
        clean_image(upload(image_bytes(size=(800, 800))))
    assert error.value.code == "image_memory"


def test_an_animated_gif_within_the_limits_keeps_every_frame_and_its_timing():
    frames = [Image.new("P", (120, 80), index) for index in range(12)]
    for frame in frames:
        frame.putpalette([value for index in range(256) for value in (index, 255 - index, 128)])
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=70, loop=0)
    cleaned = Image.open(clean_image(upload(buffer.getvalue(), name="ok.gif")))
    assert (cleaned.format, cleaned.n_frames, cleaned.size) == ("GIF", 12, (120, 80))
    assert cleaned.info["duration"] == 70 and cleaned.info["loop"] == 0


def test_an_animated_png_or_webp_within_the_limits_is_stored_as_its_first_frame():
    for data, fmt in ((apng_animation(64, 48, 3), "PNG"), (webp_animation(64, 48, 3), "WEBP")):
        cleaned = Image.open(clean_image(upload(data)))
        assert (cleaned.format, cleaned.size, getattr(cleaned, "n_frames", 1)) == (fmt, (64, 48), 1)


# Metadata: comments, text chunks, EXIF, XMP and colour profiles are not stored.

MARK = b"<script>alert('metadata')</script>"


def jpeg_segments(data):
    """The marker byte of each JPEG segment before the image data."""
    position, markers = 2, []
    while data[position] == 0xFF and data[position + 1] != 0xDA:
        markers.append(data[position + 1])
        position += 2 + struct.unpack_from(">H", data, position + 2)[0]
    return markers


def png_chunks(data):
    position, kinds = 8, []
    while position < len(data):
        size = struct.unpack_from(">I", data, position)[0]
        kinds.append(data[position + 4 : position + 8])
        position += 12 + size
    return kinds


def image_with_metadata(fmt):
    image = Image.new("RGB", (64, 48), (200, 30, 60))
    exif = gps_exif()
    exif[ExifTags.Base.ImageDescription] = MARK.decode()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + MARK + b"</x:xmpmeta>"
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", comment=MARK, exif=exif, icc_profile=srgb, xmp=xmp)
    elif fmt == "PNG":
        text = PngInfo()
        text.add_text("Comment", MARK.decode())
        text.add_text("Description", MARK.decode(), zip=True)
        text.add_itxt("XML:com.adobe.xmp", xmp.decode())
        image.save(buffer, "PNG", pnginfo=text, exif=exif, icc_profile=srgb)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", exif=exif, icc_profile=srgb, xmp=xmp)
    else:
        image.convert("P").save(buffer, "GIF", comment=MARK)
    data = buffer.getvalue()
    assert MARK in data or MARK in zlib.decompress(data[data.index(b"zTXt") + 18 :][:200], bufsize=400)
    return data


def assert_no_metadata(data):
    assert b"<script" not in data and b"GPS" not in data and b"xmpmeta" not in data
    kind = Image.open(io.BytesIO(data)).format
    if kind == "JPEG":
        assert set(jpeg_segments(data)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xDD}, jpeg_segments(data)
    elif kind == "PNG":
        assert set(png_chunks(data)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}, png_chunks(data)
    elif kind == "WEBP":
        assert {k for k, _ in riff_chunks(data)} <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}
    else:
        assert b"!\xfe" not in data  # no comment extension


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_comments_text_exif_xmp_and_colour_profiles_are_not_stored(fmt):
    cleaned = clean_image(upload(image_with_metadata(fmt), name=f"x.{fmt.lower()}")).read()
    assert Image.open(io.BytesIO(cleaned)).format == fmt
    assert_no_metadata(cleaned)


@pytest.mark.parametrize("build", ["pillow", "comment-block"])
def test_comments_of_an_animated_gif_are_not_stored(build):
    if build == "pillow":
        frames = [Image.new("RGB", (32, 32), (index * 50, 0, 0)) for index in range(5)]
        buffer = io.BytesIO()
        frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], comment=MARK, duration=50)
        data, count = buffer.getvalue(), 5
    else:
        data, count = gif_animation(32, 32, 5, comment=MARK), 1  # identical frames are merged into one
    assert MARK in data
    cleaned = clean_image(upload(data, name="x.gif")).read()
    assert Image.open(io.BytesIO(cleaned)).n_frames == count
    assert_no_metadata(cleaned)
