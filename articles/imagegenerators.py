"""Responsive renditions, made by django-imagekit when the source image is saved.

They are made while the save's transaction is open, so they read as little of the source as they need:
a JPEG is decoded straight at a fraction of its size (DCT scaling) when that is still larger than the
rendition, which makes a 40-megapixel photo's renditions several times faster to make.
"""

from imagekit import ImageSpec, register
from imagekit.processors import ResizeToFill, ResizeToFit


class DecodeAtLeast:
    """Before decoding, ask the decoder for the smallest scale that still covers ``size`` (JPEG only)."""

    def __init__(self, width, height=None):
        self.width, self.height = width, height

    def process(self, image):
        if image.format == "JPEG" and image.mode in ("RGB", "L"):
            width, height = image.size
            if self.height is None:  # fit to a width: keep the aspect ratio
                scale = self.width / width
                wanted = (self.width, max(1, round(height * scale)))
            else:  # fill a box: both sides must cover it
                scale = max(self.width / width, self.height / height)
                wanted = (max(1, round(width * scale)), max(1, round(height * scale)))
            image.draft(image.mode, wanted)
        return image


class WebpWidth(ImageSpec):
    format = "WEBP"
    options = {"quality": 78, "method": 4}
    width = None

    @property
    def processors(self):
        return [DecodeAtLeast(self.width), ResizeToFit(width=self.width, upscale=False)]


class Webp400(WebpWidth):
    width = 400


class Webp800(WebpWidth):
    width = 800


class Webp1200(WebpWidth):
    width = 1200


class Portrait(ImageSpec):
    format = "WEBP"
    options = {"quality": 80}
    processors = [DecodeAtLeast(240, 240), ResizeToFill(240, 240)]


register.generator("newsroom:webp400", Webp400)
register.generator("newsroom:webp800", Webp800)
register.generator("newsroom:webp1200", Webp1200)
register.generator("newsroom:portrait", Portrait)
