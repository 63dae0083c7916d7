import json
from urllib.parse import urlencode

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..models import Article, ArticleImage
from ..search import highlight as highlight_terms
from ..structured_data import absolute_url

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(data):
    """A JSON-LD script block; <, > and & are escaped so no text can close the script element."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.filter
def iso(value):
    """A datetime as the HTML checker accepts it in <time datetime>: local time, whole seconds, with offset."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


CANONICAL_PARAMETERS = ("before", "after", "page")


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address on SITE_URL, keeping only the parameters that choose a page of a list."""
    request = context["request"]
    kept = [(key, request.GET[key]) for key in CANONICAL_PARAMETERS if request.GET.get(key)]
    query = f"?{urlencode(kept)}" if kept else ""
    return absolute_url(request.path) + query


@register.filter
def absolute(url):
    return absolute_url(url)


@register.filter
def highlight(text, terms):
    return highlight_terms(text, terms)


def _photo(image):
    """The stored original, its 400, 800 and 1200 px WebP renditions, alt text and size of a photo."""
    owner = getattr(image, "instance", image)  # a stored file knows the object it belongs to
    if isinstance(owner, Article):
        renditions = (owner.hero_400, owner.hero_800, owner.hero_1200)
        return owner.hero_image, renditions, owner.hero_alt, owner.hero_width, owner.hero_height
    if isinstance(owner, ArticleImage):
        renditions = (owner.image_400, owner.image_800, owner.image_1200)
        return owner.image, renditions, owner.alt, owner.width, owner.height
    raise TypeError(f"{{% picture %}} shows an article's photo or an ArticleImage, not {owner!r}")


@register.inclusion_tag("articles/includes/picture.html")
def picture(image, sizes="100vw", eager=False, crop=""):
    """A <picture> of ``article.hero_image`` or an ArticleImage: WebP renditions, the original as the fallback.

    ``crop="card"`` (an article's photo only): the 3:2 renditions cut around the photo's focal point.
    """
    original, (small, medium, large), alt, width, height = _photo(image)
    if not original:
        return {}
    srcset = f"{small.url} 400w, {medium.url} 800w, {large.url} 1200w"
    if crop == "card" and isinstance(original.instance, Article):
        article = original.instance
        srcset = f"{article.hero_card.url} 600w, {article.hero_card_1200.url} 1200w"
        width, height = 600, 400
    return {
        "src": original.url,
        "srcset": srcset,
        "alt": alt,
        "width": width,
        "height": height,
        "sizes": sizes,
        "eager": eager,
    }


@register.inclusion_tag("articles/includes/byline.html")
def byline(authors, link=True):
    return {"authors": authors, "link": link}
