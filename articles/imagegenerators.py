"""Responsive renditions, made by django-imagekit when the source image is saved.

Width renditions keep the whole picture; the cropped ones (a 3:2 card, a 1.91:1 social card for Open Graph, a
square) cut around the photo's focal point, which the editor clicks on the photo in the article form. The
focal point is part of each cropped rendition's name, so moving it makes new files rather than stale ones.

They are made while the save's transaction is open, so they read as little of the source as they need:
a JPEG is decoded straight at a fraction of its size (DCT scaling) when that is still larger than the
rendition, which makes a 40-megapixel photo's renditions several times faster to make.
"""

from django.db import transaction
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


class FocalCrop:
    """Crop to the largest box of ``ratio`` (width / height) that holds the focal point as near its centre
    as the edges allow. ``focal`` is (x, y), each from 0 to 1 across the image."""

    def __init__(self, ratio, focal=(0.5, 0.5)):
        self.ratio, self.focal = ratio, focal

    def process(self, image):
        width, height = image.size
        crop_width, crop_height = width, round(width / self.ratio)
        if crop_height > height:
            crop_width, crop_height = round(height * self.ratio), height
        x, y = (min(1.0, max(0.0, float(value))) for value in self.focal)
        left = min(max(0, round(x * width - crop_width / 2)), width - crop_width)
        top = min(max(0, round(y * height - crop_height / 2)), height - crop_height)
        return image.crop((left, top, left + crop_width, top + crop_height))


class AfterCommit:
    """An imagekit cache-file strategy: make the rendition once the save's transaction has committed.

    The crops are made after the write lock is released rather than while it is held (as the width renditions
    are), so they add nothing to the time other saves wait.
    """

    def on_source_saved(self, file):
        transaction.on_commit(file.generate)

    def should_verify_existence(self, file):
        return False


class FocalFill(ImageSpec):
    """A fixed-size rendition of an article's photo cropped around its focal point."""

    cachefile_strategy = AfterCommit
    format = "WEBP"
    options = {"quality": 80, "method": 4}
    size = None

    @property
    def processors(self):
        width, height = self.size
        owner = getattr(self.source, "instance", None)
        focal = (getattr(owner, "focal_x", 0.5), getattr(owner, "focal_y", 0.5))
        return [
            DecodeAtLeast(width, height),
            FocalCrop(width / height, focal),
            ResizeToFill(width, height),
        ]


class Card(FocalFill):
    size = (600, 400)


class CardLarge(FocalFill):
    size = (1200, 800)


class Social(FocalFill):
    format = "JPEG"  # what every social network reads
    options = {"quality": 85, "progressive": True}
    size = (1200, 630)


class Square(FocalFill):
    size = (400, 400)


register.generator("newsroom:webp400", Webp400)
register.generator("newsroom:webp800", Webp800)
register.generator("newsroom:webp1200", Webp1200)
register.generator("newsroom:portrait", Portrait)
register.generator("newsroom:card", Card)
register.generator("newsroom:card1200", CardLarge)
register.generator("newsroom:social", Social)
register.generator("newsroom:square", Square)
