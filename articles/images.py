"""Image uploads: only real images are stored, re-encoded without metadata, under server-made names.

Every image that enters the site (admin upload, demo content, Jekyll import) goes through
``clean_image``: it must be a JPEG, PNG, WebP or GIF that Pillow can fully decode, within the byte and
pixel limits in settings. What is stored is a fresh encoding of the pixels, so EXIF (GPS location
included), comments and anything appended after the image data never reach the media folder.
"""

import io
import uuid
import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from PIL import Image, ImageOps

FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
           "WEBP": ("webp", "image/webp"), "GIF": ("gif", "image/gif")}  # fmt: skip


def _file_size(fileobj):
    size = getattr(fileobj, "size", None)
    if size is None:
        position = fileobj.tell()
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(position)
    return size


def _open(fileobj):
    """Open and fully decode an image, turning every Pillow complaint into a clear error."""
    max_pixels = settings.IMAGE_MAX_PIXELS
    fileobj.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(fileobj)
            if image.format not in FORMATS:
                raise ValidationError(
                    "This file is a %(format)s image; upload a JPEG, PNG, WebP or GIF.",
                    code="image_format",
                    params={"format": image.format or "unknown"},
                )
            width, height = image.size
            if width * height > max_pixels:
                raise ValidationError(
                    "This image is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels.",
                    code="image_pixels",
                    params={"width": width, "height": height, "limit": max_pixels // 1_000_000},
                )
            image.load()
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
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise ValidationError(
                "This image is damaged or incomplete and cannot be read.", code="image_damaged"
            ) from error
    return image


def _encode(image):
    """Encode the pixels afresh, without any metadata, in the image's own format."""
    image_format = image.format
    output = io.BytesIO()
    if image_format == "GIF":
        frames = getattr(image, "n_frames", 1)
        image.save(output, "GIF", save_all=frames > 1, optimize=True)
        return output.getvalue(), image.size
    image = ImageOps.exif_transpose(image)
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(output, "JPEG", quality=88, optimize=True, progressive=True)
    elif image_format == "PNG":
        image.save(output, "PNG", optimize=True)
    else:
        image.save(output, "WEBP", quality=85, method=4)
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
    image = _open(fileobj)
    extension, content_type = FORMATS[image.format]
    data, _ = _encode(image)
    return SimpleUploadedFile(f"{uuid.uuid4().hex}.{extension}", data, content_type=content_type)


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
        return clean_image(checked)


class SafeImageField(models.ImageField):
    """An ImageField whose uploads go through ``clean_image``."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SafeImageFormField, **kwargs})
