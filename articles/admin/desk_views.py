"""The writing desk's endpoints, called by static/desk/desk.js from the article form.

- preview: the headline, standfirst and body rendered by ``articles.rendering``, exactly as they will be published;
- autosave: the text being typed, kept in ``ArticleDraft`` (never the article row, never the history);
- upload: an image dropped or pasted into the body becomes a body image of the article, through ``clean_image``
  (into a story not saved yet: kept as a pending upload, named in the form, made a body image when it is saved);
- image details: the alt text, caption and credit of such an image;
- photo metadata: the credit and caption a photo carries, offered as defaults before ``clean_image`` strips them.

Each is a POST with the CSRF token, behind the admin's login, and asks ``articles.permissions`` who may do what.
"""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from PIL import Image, IptcImagePlugin

from .. import permissions
from ..images import clean_image
from ..models import Article, ArticleDraft, ArticleImage
from ..rendering import plain_text, render_body
from .forms import pending_name, store_pending

NEW_IMAGE = "desk_new_image"  # the form's tokens of images dropped into a story not saved yet, in order
MAX_NEW_IMAGES = 50
MAX_TEXT = 200_000  # characters of body a preview or an autosave accepts; a long read is some 60,000
WORDS_PER_MINUTE = 230  # as Article.reading_minutes

EXIF_DESCRIPTION, EXIF_ARTIST, EXIF_COPYRIGHT = 0x010E, 0x013B, 0x8298
IPTC_BYLINE, IPTC_COPYRIGHT, IPTC_CAPTION = (2, 80), (2, 116), (2, 120)
# Descriptions cameras write by themselves: not a caption.
CAMERA_DEFAULTS = {"OLYMPUS DIGITAL CAMERA", "SONY DSC", "DIGITAL CAMERA", "DCIM", "SAMSUNG", "DEFAULT", "IMAGE"}


def _error(message, status=400):
    return JsonResponse({"error": message}, status=status)


def _article_for(request, pk):
    """The article ``pk`` if the user may edit it; Http404 otherwise (as for an address they cannot see)."""
    queryset = Article.objects.editable_by(request.user).prefetch_related("bylines__author")
    article = get_object_or_404(queryset, pk=pk)
    if not permissions.can_edit(request.user, article):
        raise PermissionDenied
    return article


def _optional_article(request):
    """The article named in the POST (``article``), or None for a story not saved yet."""
    pk = request.POST.get("article", "")
    if not pk:
        if not request.user.has_perm("articles.add_article"):
            raise PermissionDenied
        return None
    if not pk.isdigit():
        raise Http404
    return _article_for(request, int(pk))


def _text(request, name):
    return request.POST.get(name, "").replace("\r\n", "\n")


@require_POST
def preview(request):
    """The story as readers will see it: the body through ``render_body`` with the article's images."""
    article = _optional_article(request)
    body = _text(request, "body")
    if len(body) > MAX_TEXT:
        return _error(f"The body is longer than {MAX_TEXT:,} characters; the preview stops here.", 413)
    images = list(article.images.all()) if article is not None else new_images(request.POST, request.user)
    body_html = render_body(body, images)
    words = len(plain_text(body_html).split())
    html = render_to_string(
        "admin/articles/article/change_form_preview.html",
        {"headline": _text(request, "headline"), "standfirst": _text(request, "standfirst"), "body_html": body_html},
    )
    return JsonResponse({"html": html, "words": words, "minutes": max(1, round(words / WORDS_PER_MINUTE))})


@require_POST
def autosave(request):
    """Keep the typed text as this user's draft of the article; say if someone else saved it meanwhile."""
    article = _optional_article(request)
    fields = {name: _text(request, name) for name in ("headline", "standfirst", "body")}
    if any(len(value) > MAX_TEXT for value in fields.values()):
        return _error("Too long to autosave.", 413)
    fields["headline"] = fields["headline"][: ArticleDraft._meta.get_field("headline").max_length]
    seen = request.POST.get("revision_seen", "")
    fields["revision"] = int(seen) if seen.isdigit() else None
    if article is None:  # the images dropped into a story not saved yet come back with its text
        fields["new_images"] = {key: request.POST.getlist(key) for key in request.POST if key.startswith(NEW_IMAGE)}
    with transaction.atomic():
        draft, _ = ArticleDraft.objects.update_or_create(article=article, user=request.user, defaults=fields)
    reply = {"saved_at": timezone.localtime(draft.saved_at).strftime("%H:%M:%S"), "warning": ""}
    if article is not None:
        reply["warning"] = collision_warning(article, request.user, fields["revision"])
    return JsonResponse(reply)


def collision_warning(article, user, revision_seen):
    """Tell an editor, while they type, that someone else has saved the article or is typing in it too."""
    if revision_seen is not None and article.revision > revision_seen:
        last = article.history.order_by("-history_date").select_related("history_user").first()
        who = _name(last.history_user) if last is not None and last.history_user else "Someone else"
        when = timezone.localtime(last.history_date).strftime("%H:%M") if last is not None else ""
        return (
            f"{who} saved this article at {when} while you were editing it. Saving will show you what differs "
            "before anything of yours overwrites it."
        )
    recent = timezone.now() - timezone.timedelta(minutes=2)
    others = ArticleDraft.objects.filter(article=article, saved_at__gte=recent).exclude(user=user)
    names = [_name(draft.user) for draft in others.select_related("user")]
    if names:
        return f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} also typing in this article right now."
    return ""


def _name(user):
    return user.get_full_name() or user.get_username()


@require_POST
def discard_draft(request):
    """Forget this user's autosaved text and go back to the form (works without JavaScript)."""
    article = _optional_article(request)
    ArticleDraft.objects.filter(article=article, user=request.user).delete()
    if article is None:
        return HttpResponseRedirect(reverse("admin:articles_article_add"))
    return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))


def photo_defaults(fileobj):
    """The caption and credit a photo carries (EXIF ImageDescription, Artist, Copyright; IPTC as a fallback).

    Read from the original upload, after ``clean_image`` accepted it and before its copy is stored without them.
    """
    fileobj.seek(0)
    try:
        with Image.open(fileobj) as image:
            exif = image.getexif()
            iptc = IptcImagePlugin.getiptcinfo(image) or {} if image.format == "JPEG" else {}
    except (OSError, SyntaxError, ValueError):
        return {"caption": "", "credit": ""}
    finally:
        fileobj.seek(0)

    def text(value, limit):
        if isinstance(value, list):
            value = value[0] if value else ""
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        return " ".join(str(value or "").replace("\x00", " ").split())[:limit]

    caption = text(exif.get(EXIF_DESCRIPTION) or iptc.get(IPTC_CAPTION), 500)
    if caption.upper() in CAMERA_DEFAULTS:
        caption = ""
    artist = text(exif.get(EXIF_ARTIST) or iptc.get(IPTC_BYLINE), 200)
    copyright_ = text(exif.get(EXIF_COPYRIGHT) or iptc.get(IPTC_COPYRIGHT), 200)
    credit = artist if not copyright_ or copyright_ in artist else f"{artist} / {copyright_}" if artist else copyright_
    return {"caption": caption, "credit": credit[:200]}


def _uploaded(request):
    upload = request.FILES.get("image")
    if upload is None:
        raise ValidationError("Choose an image to upload.")
    cleaned = clean_image(upload)
    return cleaned, photo_defaults(upload)


@require_POST
def photo_metadata(request):
    """The defaults a photo offers for its caption and credit (nothing is stored)."""
    if not request.user.has_perm("articles.add_article") and not request.user.has_perm("articles.change_article"):
        raise PermissionDenied
    try:
        _, defaults = _uploaded(request)
    except ValidationError as error:
        return _error(" ".join(error.messages))
    return JsonResponse(defaults)


def image_json(image):
    return {
        "id": image.pk,
        "ref": image.ref,
        "reference": f"[[image:{image.ref}]]",
        "thumbnail": image.image_400.url,
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
        "details_url": reverse("admin:articles_desk_image", args=[image.article_id, image.pk]),
    }


@require_POST
def upload(request, pk):
    """An image dropped or pasted into the body: checked and stripped by ``clean_image``, stored as a body image."""
    article = _article_for(request, pk)
    try:
        cleaned, defaults = _uploaded(request)
    except ValidationError as error:
        return _error(" ".join(error.messages))
    image = ArticleImage(article=article, caption=defaults["caption"], credit=defaults["credit"])
    image.alt = _text(request, "alt")[:300]
    last = article.images.order_by("-position").values_list("position", flat=True).first()
    image.position = 0 if last is None else last + 1
    image.image.save(cleaned.name, cleaned, save=False)
    try:
        with transaction.atomic():
            image.save()
    except OSError as error:
        return _error(f"The image could not be stored ({error.strerror or error}).", 507)
    return JsonResponse(image_json(image), status=201)


def new_images(data, user):
    """The images dropped into a story not saved yet, as unsaved body images numbered 1, 2, ... in form order.

    Each is named in the form by a signed token (``forms.store_pending``); its alt text, caption and credit are
    the form's ``desk_new_image-N-alt`` (``-caption``, ``-credit``) fields.
    """
    images = []
    for number, token in enumerate(data.getlist(NEW_IMAGE)[:MAX_NEW_IMAGES], start=1):
        name = pending_name(token, user)
        if name is None:
            continue
        image = ArticleImage(ref=str(number), image=name, position=number)
        for field, limit in (("alt", 300), ("caption", 500), ("credit", 200)):
            setattr(image, field, " ".join(data.get(f"{NEW_IMAGE}-{number}-{field}", "").split())[:limit])
        image.token = token
        images.append(image)
    return images


@require_POST
def upload_new(request):
    """An image dropped into a story not saved yet: checked, kept as a pending upload, its renditions made."""
    if not request.user.has_perm("articles.add_article"):
        raise PermissionDenied
    try:
        cleaned, defaults = _uploaded(request)
    except ValidationError as error:
        return _error(" ".join(error.messages))
    try:
        token = store_pending(cleaned, request.user)
    except OSError as error:
        return _error(f"The image could not be stored ({error.strerror or error}).", 507)
    image = ArticleImage(image=pending_name(token, request.user))
    for rendition in (image.image_400, image.image_800, image.image_1200):
        rendition.generate()  # for the preview, which shows it as readers will see it
    return JsonResponse({"token": token, "thumbnail": image.image_400.url, "alt": "", **defaults}, status=201)


@require_POST
@permission_required("articles.change_article", raise_exception=True)
def image_details(request, pk, image_pk):
    """Set a body image's alt text, caption and credit from the panel beside the body."""
    article = _article_for(request, pk)
    image = get_object_or_404(ArticleImage, article=article, pk=image_pk)
    for name, limit in (("alt", 300), ("caption", 500), ("credit", 200)):
        if name in request.POST:
            setattr(image, name, _text(request, name).strip()[:limit])
    image.save(update_fields=["alt", "caption", "credit"])
    if f"[[image:{image.ref}]]" in article.body and article.status != Article.Status.PUBLISHED:
        article.rerender()
    return JsonResponse(image_json(image))
