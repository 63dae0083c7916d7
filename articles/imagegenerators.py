"""Responsive renditions, made by django-imagekit when the source image is saved."""

from imagekit import ImageSpec, register
from imagekit.processors import ResizeToFill, ResizeToFit


class WebpWidth(ImageSpec):
    format = "WEBP"
    options = {"quality": 78, "method": 4}
    width = None

    @property
    def processors(self):
        return [ResizeToFit(width=self.width, upscale=False)]


class Webp400(WebpWidth):
    width = 400


class Webp800(WebpWidth):
    width = 800


class Webp1200(WebpWidth):
    width = 1200


class Portrait(ImageSpec):
    format = "WEBP"
    options = {"quality": 80}
    processors = [ResizeToFill(240, 240)]


register.generator("newsroom:webp400", Webp400)
register.generator("newsroom:webp800", Webp800)
register.generator("newsroom:webp1200", Webp1200)
register.generator("newsroom:portrait", Portrait)
