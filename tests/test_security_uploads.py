"""Hostile uploads through the admin form, as an editor would send them.

Extends tests/test_images.py (clean_image on its own) to the whole path: the form error a person sees,
where the file lands, and what is stored (original and every rendition).
"""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import ExifTags, Image

from articles import images
from articles.models import Author

from .admin_forms import article_post_data
from .factories import ArticleFactory, image_bytes
from .test_images import (
    ANIMATION_BOMBS,
    MARK,
    apng_animation,
    assert_no_metadata,
    gif_animation,
    gps_exif,
    image_with_metadata,
    png_claiming_size,
    webp_animation,
)

pytestmark = pytest.mark.django_db


def post_photo(client, article, data, name="photo.jpg", content_type="image/jpeg"):
    form = article_post_data(article, hero_alt="A photo")
    form["hero_image"] = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(reverse("admin:articles_article_change", args=[article.pk]), form)


def stored_files(media_root):
    return sorted(p for p in Path(media_root).rglob("*") if p.is_file())


HOSTILE_FILES = [
    ("text", b"Dear editor, please find attached...", "notes.jpg", "This file is not an image"),
    ("html", b"<!doctype html><script>alert(1)</script>", "page.jpg", "This file is not an image"),
    ("svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.svg", "This file is not an image"),
    ("pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>", "report.jpg", "This file is not an image"),
    ("zip", b"PK\x03\x04" + b"\0" * 64, "archive.jpg", "This file is not an image"),
    ("bomb", png_claiming_size(100_000, 100_000), "bomb.png", "too many pixels"),
    ("enormous-under-pillow-limit", png_claiming_size(9_000, 9_000), "huge.png", "the limit is 40 megapixels"),
    ("very-long-name", image_bytes(), "x" * 300 + ".jpg", "Ensure this filename has at most 100 characters"),
    ("truncated", image_bytes(size=(400, 300))[:500], "cut.jpg", "damaged or incomplete"),
    ("zero-bytes", b"", "empty.jpg", "The submitted file is empty"),
]


@pytest.mark.parametrize(("kind", "data", "name", "message"), HOSTILE_FILES, ids=[f[0] for f in HOSTILE_FILES])
def test_hostile_files_are_a_clear_form_error_and_nothing_is_stored(
    editor_client, editor, media_root, kind, data, name, message
):
    article = ArticleFactory(bylines=[editor.author], headline="Unchanged")
    before = stored_files(media_root)
    response = post_photo(editor_client, article, data, name=name)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page, kind
    assert "errorlist" in page
    article.refresh_from_db()
    assert not article.hero_image
    assert stored_files(media_root) == before


def test_the_pixel_cap_is_below_pillows_own_bomb_limit(settings):
    """An image just under Pillow's warning threshold is still refused by the site's own, lower cap."""
    assert settings.IMAGE_MAX_PIXELS < Image.MAX_IMAGE_PIXELS
    assert Image.MAX_IMAGE_PIXELS > 9_000 * 9_000 > settings.IMAGE_MAX_PIXELS


def test_an_image_followed_by_html_is_stored_as_a_clean_image(editor_client, editor, media_root):
    article = ArticleFactory(bylines=[editor.author])
    response = post_photo(editor_client, article, image_bytes() + b"<html><script>alert(1)</script></html>")
    assert response.status_code == 302
    article.refresh_from_db()
    stored = Path(media_root, article.hero_image.name).read_bytes()
    assert b"<script" not in stored and b"<html" not in stored
    assert Image.open(io.BytesIO(stored)).format == "JPEG"


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/cron.d/evil.jpg",
        "..\\..\\windows\\evil.jpg",
        "x" * 90 + ".jpg",
        "photo\x00.php.jpg",
        "line\nbreak\r\tand\x1bescape.jpg",
        "\u202egpj.exe",
        "invoice\u202ephp.jpg",
        ".htaccess",
        "photo.jpg.php",
    ],
    ids=["dot-dot", "backslashes", "very-long", "nul", "controls", "rtl-only", "rtl-middle", "dotfile", "php"],
)
def test_hostile_file_names_become_safe_server_made_names_inside_media(editor_client, editor, media_root, name):
    article = ArticleFactory(bylines=[editor.author])
    response = post_photo(editor_client, article, image_bytes(), name=name)
    assert response.status_code == 302, response.content.decode()[:500]
    article.refresh_from_db()
    stored = article.hero_image.name
    assert stored.startswith("photos/")
    final = stored.rsplit("/", 1)[-1]
    assert len(final) == len("0123456789abcdef0123456789abcdef.jpg") and final.endswith(".jpg")
    assert final[:-4].isalnum() and final[:-4].isascii()
    media = Path(media_root).resolve()
    for path in stored_files(media_root):
        assert path.resolve().is_relative_to(media)
    assert not any(part in stored for part in ("..", "etc", "php", "\u202e", "\x00", "htaccess"))


def has_gps(path):
    with Image.open(path) as image:
        exif = image.getexif()
        return bool(exif.get_ifd(ExifTags.IFD.GPSInfo)) or ExifTags.Base.Make in exif


def test_location_is_stripped_from_the_stored_photo_and_every_rendition(editor_client, editor, media_root):
    article = ArticleFactory(bylines=[editor.author])
    response = post_photo(editor_client, article, image_bytes(size=(1600, 1000), exif=gps_exif()))
    assert response.status_code == 302
    article.refresh_from_db()
    files = [article.hero_image, article.hero_400, article.hero_800, article.hero_1200]
    files += [article.hero_card, article.hero_card_1200, article.hero_social, article.hero_square]
    for image in files:
        path = Path(media_root, image.name)
        if not path.exists():
            image.generate()
        assert path.exists(), image.name
        assert not has_gps(path), image.name
    formats = {f.name: Image.open(Path(media_root, f.name)).format for f in files[1:]}
    assert formats.pop(article.hero_social.name) == "JPEG"  # what every social network reads
    assert set(formats.values()) == {"WEBP"}


def test_location_is_stripped_from_body_images_and_their_renditions(editor_client, editor, media_root):
    article = ArticleFactory(bylines=[editor.author])
    data = article_post_data(article)
    data.update(
        {
            "images-TOTAL_FORMS": "1",
            "images-0-image": SimpleUploadedFile("gps.jpg", image_bytes(size=(900, 600), exif=gps_exif())),
            "images-0-alt": "A bridge",
            "images-0-position": "0",
        }
    )
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    body_image = article.images.get()
    for image in (body_image.image, body_image.image_400, body_image.image_800, body_image.image_1200):
        path = Path(media_root, image.name)
        if not path.exists():
            image.generate()
        assert not has_gps(path), image.name


def test_author_photos_go_through_the_same_checks(admin_client_, media_root):
    response = admin_client_.post(
        reverse("admin:articles_author_add"),
        {"name": "Guest", "slug": "guest", "photo": SimpleUploadedFile("me.jpg", b"<svg onload=alert(1)>")},
    )
    assert response.status_code == 200
    assert "This file is not an image" in response.content.decode()


# Animations and the save's transaction


@pytest.mark.parametrize("kind", ANIMATION_BOMBS)
def test_animation_bombs_are_a_clear_form_error_and_nothing_is_stored(editor_client, editor, media_root, kind):
    article = ArticleFactory(bylines=[editor.author])
    before = stored_files(media_root)
    response = post_photo(editor_client, article, ANIMATION_BOMBS[kind](), name=f"party.{kind}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "megapixels in all" in page and "errorlist" in page
    article.refresh_from_db()
    assert not article.hero_image
    assert stored_files(media_root) == before


@pytest.mark.parametrize("kind", ["gif", "apng", "webp"])
def test_files_filled_to_the_byte_limit_with_frames_are_refused(editor_client, editor, settings, kind):
    """As an attacker would send them: as many 1000 × 1000 frames as fit under IMAGE_MAX_BYTES."""
    build = {"gif": gif_animation, "apng": apng_animation, "webp": webp_animation}[kind]
    per_frame = len(build(1000, 1000, 2)) - len(build(1000, 1000, 1))
    data = build(1000, 1000, settings.IMAGE_MAX_BYTES * 9 // 10 // per_frame)
    assert settings.IMAGE_MAX_BYTES * 0.8 < len(data) <= settings.IMAGE_MAX_BYTES
    article = ArticleFactory(bylines=[editor.author])
    response = post_photo(editor_client, article, data, name=f"long.{kind}")
    assert response.status_code == 200
    assert "This animation has more than" in response.content.decode()


@pytest.fixture
def decoding_log(monkeypatch):
    """Each clean_image call as (was a transaction open, the bytes it returned)."""
    calls, real = [], images.clean_image

    def spy(fileobj):
        cleaned = real(fileobj)
        calls.append((connection.in_atomic_block, cleaned.read()))
        cleaned.seek(0)
        return cleaned

    monkeypatch.setattr(images, "clean_image", spy)
    return calls


@pytest.mark.django_db(transaction=True)
def test_photos_are_decoded_before_the_save_transaction_and_the_save_stores_those_bytes(
    editor_client, editor, media_root, decoding_log
):
    """Decoding while the admin's transaction held SQLite's write lock made every other save wait."""
    article = ArticleFactory(bylines=[editor.author])
    data = article_post_data(article, hero_alt="A photo")
    data["hero_image"] = SimpleUploadedFile("hero.jpg", image_bytes(size=(900, 600)))
    data.update(
        {
            "images-TOTAL_FORMS": "1",
            "images-0-image": SimpleUploadedFile("body.png", image_bytes("PNG", size=(300, 200))),
            "images-0-alt": "A bridge",
            "images-0-position": "0",
        }
    )
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    assert [in_transaction for in_transaction, _ in decoding_log] == [False, False]
    article.refresh_from_db()
    stored = {
        Path(media_root, article.hero_image.name).read_bytes(),
        Path(media_root, article.images.get().image.name).read_bytes(),
    }
    assert stored == {cleaned for _, cleaned in decoding_log}


@pytest.mark.django_db(transaction=True)
def test_author_photos_are_decoded_before_the_save_transaction(admin_client_, decoding_log):
    response = admin_client_.post(
        reverse("admin:articles_author_add"),
        {"name": "Guest", "slug": "guest", "photo": SimpleUploadedFile("me.jpg", image_bytes())},
    )
    assert response.status_code == 302
    assert [in_transaction for in_transaction, _ in decoding_log] == [False]


@pytest.mark.django_db(transaction=True)
def test_a_refused_photo_is_decoded_once_and_outside_the_transaction(editor_client, editor, monkeypatch):
    calls, real = [], images._open

    def spy(fileobj):
        calls.append(connection.in_atomic_block)
        return real(fileobj)

    monkeypatch.setattr(images, "_open", spy)
    article = ArticleFactory(bylines=[editor.author])
    response = post_photo(editor_client, article, gif_animation(3000, 3000, 40), name="bomb.gif")
    assert response.status_code == 200 and "megapixels in all" in response.content.decode()
    assert calls == [False]


# Metadata in every stored file


def stored_and_renditions(media_root, files):
    for image in files:
        path = Path(media_root, image.name)
        if not path.exists():
            image.generate()
        yield path.read_bytes()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_comments_and_metadata_are_gone_from_the_stored_photo_and_every_rendition(
    editor_client, editor, media_root, fmt
):
    article = ArticleFactory(bylines=[editor.author])
    response = post_photo(editor_client, article, image_with_metadata(fmt), name=f"x.{fmt.lower()}")
    assert response.status_code == 302
    article.refresh_from_db()
    files = [article.hero_image, article.hero_400, article.hero_800, article.hero_1200]
    files += [article.hero_card, article.hero_card_1200, article.hero_social, article.hero_square]
    for data in stored_and_renditions(media_root, files):
        assert_no_metadata(data)


def test_comments_are_gone_from_body_images_social_images_and_author_photos(
    editor_client, editor, admin_client_, media_root
):
    article = ArticleFactory(bylines=[editor.author])
    data = article_post_data(article)
    data["social_image"] = SimpleUploadedFile("card.png", image_with_metadata("PNG"))
    data.update(
        {
            "images-TOTAL_FORMS": "1",
            "images-0-image": SimpleUploadedFile("body.jpg", image_with_metadata("JPEG")),
            "images-0-alt": "A bridge",
            "images-0-position": "0",
        }
    )
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    body = article.images.get()
    files = [article.social_image, body.image, body.image_400, body.image_800, body.image_1200]
    response = admin_client_.post(
        reverse("admin:articles_author_add"),
        {"name": "Guest", "slug": "guest", "photo": SimpleUploadedFile("me.gif", image_with_metadata("GIF"))},
    )
    assert response.status_code == 302
    author = Author.objects.get(slug="guest")
    files += [author.photo, author.photo_small]
    for data in stored_and_renditions(media_root, files):
        assert MARK not in data
        assert_no_metadata(data)
