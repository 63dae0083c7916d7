"""An article's versions: what each history entry records, and restoring an old version's content.

django-simple-history keeps a copy of the article's own fields at every save. Each entry also records, in
its ``related`` field, the tags, body images and corrections the article had once that save was complete
(the admin saves them after the article, so it calls ``record_related()`` when it is done).

Restoring brings back the content (headline, standfirst, body, photo, body images and tags) and nothing
else, unless an editor also asks for publishing fields that ``permissions.restorable_fields()`` allows.
It saves through ``workflow``, so the revision, the history, the search index and the page cache follow.
"""

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from . import permissions, workflow
from .models import Article, ArticleImage

CONTENT_FIELDS = ["headline", "standfirst", "body", "hero_image", "hero_alt", "hero_caption", "hero_credit"]
PUBLISHING_FIELDS = ["status", "published_at", "slug", "featured", "hidden", "canonical_url"]
IMAGE_FIELDS = ["ref", "image", "alt", "caption", "credit", "position"]


def related_snapshot(article):
    """The article's tags, body images and corrections as stored now, in the form history entries keep."""
    return {
        "tags": sorted((tag.name for tag in article.tags.all()), key=str.casefold),
        "images": [
            {**{name: getattr(image, name) for name in IMAGE_FIELDS}, "image": image.image.name or ""}
            for image in ArticleImage.objects.filter(article=article).order_by("position", "pk")
        ],
        "corrections": [
            {"kind": kind, "note": note, "noted_at": noted_at.isoformat()}
            for kind, note, noted_at in article.corrections.order_by("noted_at", "pk").values_list(
                "kind", "note", "noted_at"
            )
        ],
    }


@receiver(pre_create_historical_record, sender=Article.history.model)
def _record_related(sender, instance, history_instance, **kwargs):
    # A new article has nothing related yet; whoever adds it records them (or leaves the entry unrecorded).
    if history_instance.history_type != "+":
        history_instance.related = related_snapshot(instance)


def latest_record(article):
    return article.history.order_by("-history_date", "-history_id").first()


def record_related(article, *, note=""):
    """Complete the article's newest history entry once its tags, images and corrections are saved.

    ``note`` (the editor's change note) becomes the entry's change reason when the save had none.
    """
    record = latest_record(article)
    if record is None:
        return
    record.related = related_snapshot(article)
    fields = ["related"]
    if note and not record.history_change_reason:
        record.history_change_reason = workflow.change_reason(note)
        fields.append("history_change_reason")
    record.save(update_fields=fields)


def file_exists(name):
    return not name or default_storage.exists(name)


def restore(article, record, *, by, also=(), note=""):
    """Bring back ``record``'s content into ``article`` on behalf of ``by``; return what readers now see.

    ``also`` names publishing fields to bring back too; asking for one the user may not restore raises
    PermissionDenied and nothing changes. A photo or body image whose file is gone is left as it is now;
    tags and body images are left alone if the version did not record them. Publishing a status again goes
    through ``transition`` (with its checks); anything else is an ordinary new revision.
    """
    if not permissions.can_edit(by, article):
        raise PermissionDenied("You may not change this article.")
    refused = set(also) - set(permissions.restorable_fields(by))
    if refused:
        raise PermissionDenied(f"You may not restore {', '.join(sorted(refused))} from the history.")
    old = record.instance
    note = note or f"Restored the content of the version of {record.history_date:%d %b %Y, %H:%M}"
    with transaction.atomic():
        for name in CONTENT_FIELDS:
            if name == "hero_image" and not file_exists(old.hero_image.name):
                continue
            setattr(article, name, getattr(old, name))
        if file_exists(old.hero_image.name):
            article.hero_width, article.hero_height = old.hero_width, old.hero_height
            article.focal_x, article.focal_y = old.focal_x, old.focal_y
        for name in also:
            if name != "status":
                setattr(article, name, getattr(old, name))
        related = record.related or {}
        if "images" in related:
            _restore_images(article, related["images"])
        if "status" in also and old.status != article.status:
            seen = article.transition(to=old.status, by=by, note=note)
        else:
            workflow.save_revision(article, by=by, note=note)
            seen = workflow.visibility(article)
        if "tags" in related:
            article.tags.set(related["tags"])
        record_related(article)
        article.make_crops_on_commit()  # around the restored focal point
    return seen


def _restore_images(article, recorded):
    """Make the body images those recorded (by reference), keeping images whose file has gone since."""
    current = {image.ref: image for image in ArticleImage.objects.filter(article=article)}
    wanted = {item["ref"]: item for item in recorded if file_exists(item["image"])}
    for ref, image in current.items():
        if ref not in wanted:
            image.delete()
    for ref, item in wanted.items():
        image = current.get(ref) or ArticleImage(article=article, ref=ref)
        changed = [name for name in IMAGE_FIELDS if str(getattr(image, name) or "") != str(item[name] or "")]
        if changed or image.pk is None:
            for name in IMAGE_FIELDS:
                setattr(image, name, item[name])
            image.save()
