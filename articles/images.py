"""Image uploads: only real images are stored, re-encoded without metadata, under server-made names.

Every image that enters the site (admin upload, demo content, Jekyll import) goes through
``clean_image``: it must be a JPEG, PNG, WebP or GIF that Pillow can fully decode, within the byte,
pixel, frame and memory limits in settings. The limits are checked from the file's structure before
any pixel is decoded, so a small file that would decode to gigabytes costs nothing to refuse. What is
stored is a fresh encoding of the pixels, so EXIF (GPS location included), XMP, colour profiles,
comments, text chunks and anything appended after the image data never reach the media folder.

The admin checks uploads before it opens the transaction that saves them (``clean_uploads``), so
decoding and re-encoding never happen while the database's write lock is held.
"""

import contextlib
import io
import struct
import uuid
import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from PIL import GifImagePlugin, Image, ImageCms, ImageOps

FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
           "WEBP": ("webp", "image/webp"), "GIF": ("gif", "image/gif")}  # fmt: skip
# GIFs are stored with every frame; an animated PNG or WebP is stored as its first frame.
ANIMATED_FORMATS = {"GIF"}
# What a stored file keeps besides pixels: how it animates and which colour is transparent.
KEPT_INFO = {"transparency", "duration", "loop", "disposal", "background"}
# Frames sharing the first frame's palette stay palette images: the same pixels, re-encoded far faster.
GifImagePlugin.LOADING_STRATEGY = GifImagePlugin.LoadingStrategy.RGB_AFTER_DIFFERENT_PALETTE_ONLY
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _file_size(fileobj):
    size = getattr(fileobj, "size", None)
    if size is None:
        position = fileobj.tell()
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(position)
    return size


def _damaged():
    return ValidationError("This image is damaged or incomplete and cannot be read.", code="image_damaged")


def _gif_structure(data, limit):
    """The frames of a GIF and the canvas they cover, read from its blocks without decoding any.

    Counting stops once past ``limit``. Bytes that are not a block (which Pillow would crawl through one
    at a time) make the file damaged.
    """
    width, height = struct.unpack_from("<HH", data, 6)
    flags = data[10]
    position = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = 0
    try:
        while frames <= limit and position < len(data) and data[position] != 0x3B:
            if data[position] == 0x2C:  # an image: its descriptor, colour table and LZW code size
                left, top, frame_width, frame_height, flags = struct.unpack_from("<HHHHB", data, position + 1)
                width, height = max(width, left + frame_width), max(height, top + frame_height)
                frames += 1
                position += 11 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
            elif data[position] == 0x21:  # an extension: its label
                position += 2
            else:
                raise _damaged()
            while data[position]:  # data sub-blocks, each led by its length
                position += data[position] + 1
            position += 1
    except (IndexError, struct.error):
        pass  # truncated: decoding says whether what is there can be read
    return max(frames, 1), (width, height)


def _webp_structure(data, limit):
    """The frames of an extended WebP (its ANMF chunks) and its canvas (VP8X), or None for a simple one."""
    if data[12:16] != b"VP8X":
        return 1, None
    width, height = 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    position, frames = 12, 0
    while position + 8 <= len(data) and frames <= limit:
        size = struct.unpack_from("<I", data, position + 4)[0]
        frames += data[position : position + 4] == b"ANMF"
        position += 8 + size + (size & 1)
    return max(frames, 1), (width, height)


def _bytes_per_pixel(mode, frames):
    if frames > 1 or mode not in ("1", "L", "P", "I;16", "I;16B", "I;16L"):
        return 4  # how Pillow holds RGB, RGBA, CMYK and every composited animation frame
    return 2 if mode.startswith("I;16") else 1


def _check_limits(mode, frames, canvas):
    """Refuse, before decoding, an image whose frames would take too long or too much memory to read."""
    width, height = canvas
    pixels = width * height
    max_pixels = settings.IMAGE_MAX_PIXELS
    if pixels > max_pixels:
        raise ValidationError(
            "This image is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels.",
            code="image_pixels",
            params={"width": width, "height": height, "limit": max_pixels // 1_000_000},
        )
    if frames > settings.IMAGE_MAX_FRAMES:
        raise ValidationError(
            "This animation has more than %(limit)s frames; upload a shorter one or a still image.",
            code="image_frames",
            params={"limit": settings.IMAGE_MAX_FRAMES},
        )
    budget = settings.IMAGE_MAX_ANIMATION_PIXELS
    if frames > 1 and frames * pixels > budget:
        raise ValidationError(
            "This animation is %(frames)s frames of %(width)s × %(height)s pixels; animations may hold at "
            "most %(limit)s megapixels in all (frames × width × height). Make it smaller or shorter.",
            code="image_animation",
            params={"frames": frames, "width": width, "height": height, "limit": budget // 1_000_000},
        )
    decoded = frames * pixels * _bytes_per_pixel(mode, frames)
    if decoded > settings.IMAGE_MAX_DECODED_BYTES:
        raise ValidationError(
            "This image would take %(size)s MB of memory to read; the limit is %(limit)s MB.",
            code="image_memory",
            params={"size": decoded // 1_000_000, "limit": settings.IMAGE_MAX_DECODED_BYTES // 1_000_000},
        )


def _decode(image, frames, canvas):
    """Decode the frames that will be stored, refusing more or larger frames than the structure showed."""
    kept = frames if image.format in ANIMATED_FORMATS else 1
    for index in range(kept):
        image.seek(index)
        if image.width * image.height > canvas[0] * canvas[1]:
            raise _damaged()
        image.load()
    if kept > 1 or image.format in ANIMATED_FORMATS:
        try:
            image.seek(kept)
        except EOFError:
            pass
        else:
            raise _damaged()
    image.seek(0)


def _open(fileobj):
    """Open an image, check its limits from its structure, then decode it; every complaint a clear error."""
    fileobj.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            if fileobj.read(16)[8:12] == b"WEBP":  # Pillow hands the whole file to its decoder: check first
                fileobj.seek(0)
                frames, canvas = _webp_structure(fileobj.read(), settings.IMAGE_MAX_FRAMES)
                if canvas is not None:
                    _check_limits("RGBA", frames, canvas)
            fileobj.seek(0)
            image = Image.open(fileobj)
            if image.format not in FORMATS:
                raise ValidationError(
                    "This file is a %(format)s image; upload a JPEG, PNG, WebP or GIF.",
                    code="image_format",
                    params={"format": image.format or "unknown"},
                )
            if image.format == "GIF":
                fileobj.seek(0)
                frames, canvas = _gif_structure(fileobj.read(), settings.IMAGE_MAX_FRAMES)
            else:
                frames, canvas = getattr(image, "n_frames", 1), image.size
            _check_limits(image.mode, frames, canvas)
            _decode(image, frames, canvas)
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValidationError(
                "This image would decompress to too many pixels and was refused.", code="image_bomb"
            ) from error
        except Image.UnidentifiedImageError as error:
            raise ValidationError(
                "This file is not an image. Upload a JPEG, PNG, WebP or GIF.", code="image_invalid"
            ) from error
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as error:
            raise _damaged() from error
    return image, frames


def _in_srgb(image):
    """The pixels moved from an embedded colour profile into sRGB, so the profile need not be stored."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGB" if image.mode == "CMYK" else image.mode
        return ImageCms.profileToProfile(image, source, SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _encode(image, frames):
    """Encode the pixels afresh in the image's own format, with nothing but the pixels and their timing.

    Pillow copies some metadata from the source unless told otherwise (a JPEG or GIF comment, a PNG's
    colour profile), so every such key is emptied here, as well as dropped from the image's info.
    """
    image_format = image.format
    output = io.BytesIO()
    no_metadata = {"comment": b"", "icc_profile": None, "exif": b"", "xmp": b""}
    if image_format == "GIF":
        if frames == 1:
            image.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
        image.save(output, "GIF", save_all=frames > 1, optimize=True, **no_metadata)
        return output.getvalue(), image.size
    ImageOps.exif_transpose(image, in_place=True)  # no second copy of the pixels unless it must turn
    image = _in_srgb(image)
    image.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(output, "JPEG", quality=88, optimize=True, progressive=True, **no_metadata)
    elif image_format == "PNG":
        image.save(output, "PNG", optimize=True, **no_metadata)
    else:
        image.save(output, "WEBP", quality=85, method=4, **no_metadata)
    return output.getvalue(), image.size


def clean_image(fileobj):
    """Validate an uploaded or imported image and return a metadata-free copy with a safe name.

    Raises ValidationError with a message meant for the person who chose the file.
    """
    size = _file_size(fileobj)
    if size == 0:
        raise ValidationError("The file is empty.", code="image_empty")
    if size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            "This file is %(size)s MB; images may be at most %(limit)s MB.",
            code="image_bytes",
            params={"size": round(size / 1_048_576, 1), "limit": settings.IMAGE_MAX_BYTES // 1_048_576},
        )
    image, frames = _open(fileobj)
    extension, content_type = FORMATS[image.format]
    data, _ = _encode(image, frames)
    return SimpleUploadedFile(f"{uuid.uuid4().hex}.{extension}", data, content_type=content_type)


def clean_upload(upload):
    """``clean_image`` once per uploaded file: the copy, or the refusal, is kept on the upload for reuse."""
    if not hasattr(upload, "_newsroom_cleaned"):
        try:
            upload._newsroom_cleaned = clean_image(upload)
        except ValidationError as error:
            upload._newsroom_cleaned = error
    cleaned = upload._newsroom_cleaned
    if isinstance(cleaned, ValidationError):
        raise cleaned
    cleaned.seek(0)
    return cleaned


def image_field_names(*model_classes):
    return {f.name for model in model_classes for f in model._meta.fields if isinstance(f, SafeImageField)}


def clean_uploads(files, field_names):
    """Check and re-encode a request's uploads for the named image fields (inline prefixes allowed) now.

    Call it before a transaction begins: the form's validation then reuses each result, so the expensive
    work is done while no database lock is held, and a refused file is still the form's error.
    """
    for key, uploads in files.lists():
        if key.rsplit("-", 1)[-1] in field_names:
            for upload in uploads:
                with contextlib.suppress(ValidationError):  # the form shows it, raising it again
                    clean_upload(upload)


@deconstructible
class UploadPath:
    """An upload_to callable: files land in FOLDER/YYYY/MM/ under a random, server-made name."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extension not in {"jpg", "png", "webp", "gif"}:
            extension = "bin"
        return f"{self.folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other):
        return isinstance(other, UploadPath) and other.folder == self.folder


class SafeImageFormField(forms.ImageField):
    def to_python(self, data):
        # Skip ImageField's own Pillow check: clean_image does it, with clearer messages.
        checked = forms.FileField.to_python(self, data)
        if checked is None:
            return None
        return clean_upload(checked)


class SafeImageField(models.ImageField):
    """An ImageField whose uploads go through ``clean_image``."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SafeImageFormField, **kwargs})
