"""What the history pages show: two versions side by side, and what each history entry changed.

A version is either a history entry or the article as it is now; both are read through ``Version`` so the
pages compare them alike. Text is compared word by word with difflib.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from ..models import Article
from ..versions import PUBLISHING_FIELDS, related_snapshot

WORDS = re.compile(r"\s*\S+\s*|\s+")  # each word with the spaces around it, so spaces never match alone
SUMMARY_FIELDS = [
    "headline", "standfirst", "body", "hero_image", "hero_alt", "hero_caption", "hero_credit", "section_id",
    "slug", "published_at", "revised_at", "featured", "hidden", "meta_description", "social_image",
    "canonical_url",
]  # fmt: skip


@dataclass
class Version:
    """One version of an article, for comparing: a history entry (``record``) or the article now."""

    article: object
    record: object = None
    related: dict = field(default_factory=dict)

    @classmethod
    def of_record(cls, record):
        return cls(article=record, record=record, related=record.related or {})

    @classmethod
    def current(cls, article):
        return cls(article=article, related=related_snapshot(article))

    def __getattr__(self, name):
        return getattr(self.article, name)

    @property
    def label(self):
        if self.record is None:
            return "Current version"
        return f"Version of {timezone.localtime(self.record.history_date):%a %-d %b %Y, %H:%M}"

    @property
    def author(self):
        return person(self.record.history_user) if self.record is not None else ""

    @property
    def photo_url(self):
        name = str(self.article.hero_image or "")
        return default_storage.url(name) if name else ""

    @property
    def tags(self):
        return self.related.get("tags")

    @property
    def images(self):
        images = self.related.get("images")
        if images is None:
            return None
        return [{**image, "url": default_storage.url(image["image"])} for image in images if image["image"]]

    @property
    def state(self):
        at = self.record.history_date if self.record is not None else timezone.now()
        return state_label(self.article, at)


def person(user):
    if user is None:
        return "the system"
    return user.get_full_name() or user.get_username()


def state_label(article, at):
    """What readers saw of the article at moment ``at``: Draft, In review, Scheduled for ..., Published."""
    if article.status != Article.Status.PUBLISHED:
        return Article.Status(article.status).label
    if article.published_at and article.published_at > at:
        return f"Scheduled for {timezone.localtime(article.published_at):%a %-d %b %Y, %H:%M}"
    return "Published"


def word_diff(old, new):
    """(old, new) as HTML: words only in the old text in <del>, words only in the new one in <ins>.

    Paragraphs are matched first and words only within the paragraphs that changed, which keeps a long
    body quick to compare (difflib's matching grows with the square of what it compares).
    """
    a, b = (old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(escape("".join(a[i1:i2])))
            right.append(escape("".join(b[j1:j2])))
        else:
            _diff_words(WORDS.findall("".join(a[i1:i2])), WORDS.findall("".join(b[j1:j2])), left, right)
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - every piece was escaped above


def _diff_words(a, b, left, right):
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            left.append(escape(removed))
            right.append(escape(added))
            continue
        left.append(_marked("del", removed))
        right.append(_marked("ins", added))


def _marked(tag, text):
    """``text`` escaped and wrapped in ``tag``, leaving the spaces around it outside the mark."""
    words = text.strip()
    if not words:
        return escape(text)
    start = text.index(words)
    return f"{escape(text[:start])}<{tag}>{escape(words)}</{tag}>{escape(text[start + len(words) :])}"


def compare(old, new):
    """Rows for the side-by-side page: text fields as word diffs, then photo, tags and body images."""
    rows = []
    for name in ["headline", "standfirst", "body"]:
        before, after = getattr(old, name) or "", getattr(new, name) or ""
        left, right = word_diff(before, after)
        rows.append({"label": label(name), "kind": "text", "old": left, "new": right, "changed": before != after})
    photo = ["hero_image", "hero_alt", "hero_caption", "hero_credit"]
    rows.append(
        {
            "label": "Photo",
            "kind": "photo",
            "changed": any(str(getattr(old, name) or "") != str(getattr(new, name) or "") for name in photo),
        }
    )
    rows.append({"label": "Tags", "kind": "tags", "changed": old.tags is not None and old.tags != new.tags})
    rows.append(
        {
            "label": "Body images",
            "kind": "images",
            "changed": old.images is not None and [i["image"] for i in old.images] != [i["image"] for i in new.images],
        }
    )
    return rows


def publishing_changes(old, new):
    """The publishing fields that differ between ``old`` and ``new``: (name, label, old value, new value)."""
    rows = []
    for name in PUBLISHING_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            rows.append((name, label(name), show(old.article, name), show(new.article, name)))
    return rows


def show(article, name):
    value = getattr(article, name)
    if name == "status":
        return Article.Status(value).label
    if name == "published_at":
        return f"{timezone.localtime(value):%a %-d %b %Y, %H:%M}" if value else "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value or "empty"


def label(name):
    if name == "hero_image":
        return "photo"
    return str(Article._meta.get_field(name.removesuffix("_id")).verbose_name)


def changes(record, previous):
    """What the history entry ``record`` changed since ``previous`` (the entry before it), in words."""
    if previous is None or record.history_type == "+":
        return ["Created"]
    lines = []
    before, after = state_label(previous, record.history_date), state_label(record, record.history_date)
    if before != after:
        lines.append(f"Status: {before} → {after}")
    changed = [label(name) for name in SUMMARY_FIELDS if getattr(previous, name) != getattr(record, name)]
    if changed:
        lines.append("Changed: " + ", ".join(changed))
    old, new = previous.related, record.related
    if old is not None and new is not None:
        lines += _related_changes(old, new)
    return lines


def _related_changes(old, new):
    lines = []
    added = [tag for tag in new["tags"] if tag not in old["tags"]]
    removed = [tag for tag in old["tags"] if tag not in new["tags"]]
    if added or removed:
        lines.append("Tags: " + ", ".join([*(f"+{tag}" for tag in added), *(f"−{tag}" for tag in removed)]))
    if [i["image"] for i in old["images"]] != [i["image"] for i in new["images"]]:
        lines.append(f"Body images: {len(old['images'])} → {len(new['images'])}")
    for correction in new["corrections"]:
        if correction not in old["corrections"]:
            kind = "Correction" if correction["kind"] == "correction" else "Update note"
            lines.append(f"{kind} added: “{Truncator(correction['note']).chars(80)}”")
    return lines
