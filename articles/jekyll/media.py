"""Copying a post's images into media, each through ``articles.images.clean_image`` (checked, metadata removed).

Local images only: web addresses are left as they are. A file is copied once per import (by its SHA-256),
and not again when importing again finds the one stored last time unchanged. A dry run checks each image
but stores nothing.
"""

import hashlib
import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify

from ..images import UploadPath, clean_image
from .reading import PostError

# A line holding only a Markdown image (with an optional title and kramdown attributes): it becomes a figure.
MARKDOWN_IMAGE_LINE = re.compile(
    r"""^[ \t]{0,3}!\[(?P<alt>[^\]\n]*)\]\(\s*<?(?P<src>[^)\s>]+)>?"""
    r"""(?:\s+(?:"(?P<t1>[^"\n]*)"|'(?P<t2>[^'\n]*)'))?\s*\)[ \t]*(?P<ial>\{:(?:\\.|[^}\n\\])*\})?[ \t]*$""",
    re.MULTILINE,
)
INLINE_IMAGE = re.compile(r"(!\[[^\]\n]*\]\(\s*<?)([^)\s>]+)")
HTML_IMAGE = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE)
# A credit in a kramdown attribute list after the image, as the export writes it: {: data-credit="A. Name"}
CREDIT = re.compile(r"""\bdata-credit\s*=\s*(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)')""")
REFERENCE_IMAGE = re.compile(r"^([ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?)(\S+?\.(?:jpe?g|png|gif|webp))(>?)", re.I | re.M)


class MediaCopier:
    """Image copies for one import: ``stored`` maps (SHA-256, folder) to the stored name."""

    def __init__(self, *, dry_run=False):
        self.dry_run = dry_run
        self.stored = {}
        self.digests = {}  # SHA-256 of source files checked against the last import, by path

    def reset(self):
        """Forget what was stored (after a write was rolled back)."""
        self.stored = {}
        self.digests = {}

    def locate(self, post, reference):
        """The local file an image reference names, or raise PostError with the reason."""
        site = post.site
        parts = urlsplit(reference)
        path = unquote(parts.path)
        if not path:
            raise PostError("empty image path")
        if site.root is not None:
            base = site.root
            path = site.site_path(path)
        else:
            base = post.path.parent
        candidate = (base / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(base.resolve()):
            raise PostError("outside the site folder; not copied")
        if not candidate.is_file():
            raise PostError("not found")
        return candidate

    def copy(self, post, reference, folder, result, what="image"):
        """Copy a local image into media through clean_image; None (and a warning) when it cannot be."""
        try:
            source = self.locate(post, reference)
            size = source.stat().st_size
            if size > settings.IMAGE_MAX_BYTES:
                raise PostError(f"{size // 1_048_576} MB is over the image size limit")
            data = source.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            stored = self.stored.get((digest, folder))
            if stored is None:
                cleaned = clean_image(SimpleUploadedFile(source.name, data))
                if self.dry_run:
                    stored = f"{folder}/dry-run/{digest[:16]}"
                else:
                    stored = default_storage.save(UploadPath(folder)(None, cleaned.name), cleaned)
                self.stored[(digest, folder)] = stored
        except PostError as error:
            result.warnings.append(f"{what} “{reference}”: {error}")
            return None
        except ValidationError as error:
            result.warnings.append(f"{what} “{reference}”: {' '.join(error.messages)}")
            return None
        except OSError as error:
            result.warnings.append(f"{what} “{reference}”: could not be read ({error.strerror or error})")
            return None
        root = post.site.root or post.path.parent
        return {"source": str(source.relative_to(root.resolve())), "sha": digest, "name": stored}

    def reuse_or_copy(self, post, reference, previous, folder, result, what):
        """Keep the file stored last time when the source image has not changed."""
        if previous:
            try:
                source = self.locate(post, reference)
                digest = self.digests.get(source) or hashlib.sha256(source.read_bytes()).hexdigest()
                self.digests[source] = digest
            except (PostError, OSError):
                digest = None
            if digest and digest == previous.get("sha") and previous.get("name"):
                return dict(previous)
        return self.copy(post, reference, folder, result, what)

    def hero(self, post, previous, result):
        if not post.image:
            return None
        stored = self.reuse_or_copy(post, post.image["path"], previous, "photos", result, "photo")
        if stored is None:
            return None
        if not post.image.get("alt"):
            result.warnings.append("photo has no alt text; add it in the admin before the next edit")
        return {**stored, **{key: post.image.get(key, "") for key in ("alt", "caption", "credit")}}

    def body_images(self, post, body, previous, result):
        """Copy local body images; a line holding only an image becomes [[image:REF]], others get the media URL."""
        images, refs_by_source = {}, {}

        def store(src, alt, caption, credit=""):
            if src.startswith(("http://", "https://", "//", "data:", "mailto:")) or src.startswith("[[image"):
                return None
            key = unquote(urlsplit(src).path)
            if key in refs_by_source:
                return refs_by_source[key]
            ref = slugify(Path(key).stem)[:40].strip("-") or "image"
            base, number = ref[:36], 1
            while ref in images:
                number += 1
                ref = f"{base}-{number}"
            stored = self.reuse_or_copy(post, src, previous.get(ref), "photos", result, "body image")
            if stored is None:
                refs_by_source[key] = None
                return None
            images[ref] = {
                **stored, "alt": alt[:300], "caption": caption[:500], "credit": credit[:200], "position": len(images)
            }  # fmt: skip
            refs_by_source[key] = ref
            return ref

        def whole_line(match):
            credit = CREDIT.search(match.group("ial") or "")
            credit = re.sub(r"\\([\"'}])", r"\1", credit.group(1) or credit.group(2) or "") if credit else ""
            ref = store(match.group("src"), match.group("alt"), match.group("t1") or match.group("t2") or "", credit)
            return f"[[image:{ref}]]" if ref else match.group(0)

        def url_of(ref, fallback):
            if not ref:
                return fallback
            name = images[ref]["name"]
            return f"{settings.MEDIA_URL}{name}" if self.dry_run else default_storage.url(name)

        def rewrite(src):
            return url_of(store(html.unescape(src), "", ""), src)

        body = MARKDOWN_IMAGE_LINE.sub(whole_line, body)
        body = INLINE_IMAGE.sub(lambda m: m.group(1) + rewrite(m.group(2)), body)
        body = HTML_IMAGE.sub(lambda m: m.group(1) + m.group(2) + rewrite(m.group(3)) + m.group(2), body)
        body = REFERENCE_IMAGE.sub(lambda m: m.group(1) + rewrite(m.group(2)) + m.group(3), body)
        return body, images
