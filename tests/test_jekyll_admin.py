"""The admin upload path of the Jekyll import, and the safety of unpacking uploaded archives."""

import io
import stat
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.jekyll.archive import ArchiveError, extract_zip
from articles.models import Article

SITE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "jekyll-site"
URL = "/admin/articles/article/import-jekyll/"

pytestmark = pytest.mark.django_db


def zipped(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            if isinstance(name, zipfile.ZipInfo):
                archive.writestr(name, data)
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


def site_zip():
    return zipped(
        {f"courier/{path.relative_to(SITE)}": path.read_bytes() for path in SITE.rglob("*") if path.is_file()}
    )


def test_the_import_page_is_at_its_named_url():
    assert reverse("admin:articles_import_jekyll") == URL


def test_a_writer_cannot_open_the_import_page(writer_client):
    assert writer_client.get(URL).status_code == 403
    upload = SimpleUploadedFile("post.md", b"---\ntitle: Sneaky\n---\nx\n")
    assert writer_client.post(URL, {"files": [upload]}).status_code == 403
    assert not Article.objects.exists()


@pytest.mark.skipif(not SITE.is_dir(), reason="shared samples not present")
def test_an_editor_uploads_a_zipped_site_and_sees_the_report(editor_client, editor):
    page = editor_client.get(URL)
    assert page.status_code == 200
    upload = SimpleUploadedFile("site.zip", site_zip(), content_type="application/zip")
    response = editor_client.post(URL, {"files": [upload]})
    assert response.status_code == 200
    report = response.context["report"]
    assert len(report.created) == 6
    assert Article.objects.filter(source_file="_posts/2025-05-05-bridge-reopens.md").exists()
    assert Article.objects.get(slug="bridge-reopens").created_by == editor
    html = response.content.decode()
    assert "6</strong> created" in html
    assert "does-not-exist.jpg" in html


def test_an_editor_uploads_loose_post_files_with_a_dry_run(editor_client):
    good = SimpleUploadedFile("2025-01-01-hello.md", b"---\ntitle: Hello\n---\nHi.\n")
    bad = SimpleUploadedFile("broken.md", b"no front matter here\n")
    response = editor_client.post(URL, {"files": [good, bad], "dry_run": "on"})
    report = response.context["report"]
    assert report.dry_run and len(report.created) == 1 and len(report.failed) == 1
    assert not Article.objects.exists()
    assert "Dry run" in response.content.decode()


def test_a_site_admin_may_import(admin_client_):
    upload = SimpleUploadedFile("2025-01-01-hello.md", b"---\ntitle: Hello\n---\nHi.\n")
    response = admin_client_.post(URL, {"files": [upload]})
    assert len(response.context["report"].created) == 1


def test_archive_entries_cannot_escape_the_folder(tmp_path):
    link = zipfile.ZipInfo("site/evil-link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = zipped({"../../outside.md": b"x", "/etc/absolute.md": b"x", link: b"/etc/passwd", "site/ok.md": b"ok"})
    warnings = extract_zip(io.BytesIO(data), tmp_path / "out")
    assert (tmp_path / "out" / "site" / "ok.md").read_bytes() == b"ok"
    assert not (tmp_path / "outside.md").exists() and not (tmp_path / "out" / "site" / "evil-link").exists()
    assert len(warnings) == 3


def test_a_zip_bomb_is_refused(tmp_path):
    data = zipped({"bomb.md": b"0" * (20 * 1024 * 1024)})
    with pytest.raises(ArchiveError, match="zip bomb"):
        extract_zip(io.BytesIO(data), tmp_path)


def test_an_archive_with_too_many_files_is_refused(tmp_path, settings):
    settings.JEKYLL_MAX_ZIP_ENTRIES = 3
    with pytest.raises(ArchiveError, match="holds 4 files"):
        extract_zip(io.BytesIO(zipped({f"{n}.md": b"x" for n in range(4)})), tmp_path)


def test_a_file_that_is_not_a_zip_is_reported(editor_client):
    upload = SimpleUploadedFile("site.zip", b"not a zip at all")
    report = editor_client.post(URL, {"files": [upload]}).context["report"]
    assert "not a readable .zip" in report.failed[0].reason


def test_the_import_form_sets_labels_beside_fields_as_the_admin_does(editor_client):
    html = editor_client.get(URL).content.decode()
    assert '<fieldset class="module aligned">' in html
    for name in ("files", "dry_run", "force", "as_drafts"):
        assert f'class="form-row field-{name}' in html
    assert '<div class="flex-container checkbox-row"><input type="checkbox" name="as_drafts"' in html


def test_an_editor_imports_as_drafts_and_every_new_article_waits_in_review(editor_client):
    upload = SimpleUploadedFile("2025-01-01-hello.md", b"---\ntitle: Hello\n---\nHi [there](/about/).\n")
    response = editor_client.post(URL, {"files": [upload], "as_drafts": "on"})
    report = response.context["report"]
    article = Article.objects.get()
    assert article.status == Article.Status.REVIEW
    assert [result.headline for result in report.in_review] == ["Hello"] and not report.live
    html = response.content.decode()
    assert "Imported as drafts" in html and "<h3>In review (1)</h3>" in html
    assert "<strong>1</strong> warning." in html and "<h4>Links (1 warning)</h4>" in html
