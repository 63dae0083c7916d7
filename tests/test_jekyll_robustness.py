"""Hostile Jekyll input fails the file, site or archive it is in, with a reason, and the rest of the import goes on.

Deeply nested YAML (in a post, ``_config.yml`` or ``_data/authors.yml``) used to raise RecursionError: a 500
on the admin page and the whole import aborted. A 1.2 MB zip of 1,023 zero-filled 1 MiB entries slipped
under the per-entry ratio check and wrote 1 GB to disk. Each case goes through the command line
(``import_jekyll``) and the admin upload.
"""

import io
import random
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from articles.jekyll.archive import ArchiveError, extract_zip
from articles.jekyll.frontmatter import FrontMatterError, load_yaml
from articles.models import Article, Author

from .factories import ArticleFactory

URL = "/admin/articles/article/import-jekyll/"
DEPTH = 5_000
DEEP_YAML = {
    "flow-sequence": "[" * DEPTH + "]" * DEPTH,
    "flow-mapping": "{a: " * DEPTH + "1" + "}" * DEPTH,
    "block-and-flow": "\n  b:\n    - " + "[" * DEPTH + "]" * DEPTH,
}
GOOD_POST = "---\ntitle: Still imported\n---\nThe rest of the import goes on.\n"


def deep_post(form="flow-sequence"):
    return f"---\ntitle: Deep\nnested: {DEEP_YAML[form]}\n---\nBody.\n"


def write_site(root, config="title: Site\n", posts=None, authors=None):
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(config)
    (root / "_posts").mkdir(exist_ok=True)
    for name, text in (posts or {"2025-01-01-still-imported.md": GOOD_POST}).items():
        (root / "_posts" / name).write_text(text)
    if authors is not None:
        (root / "_data").mkdir(exist_ok=True)
        (root / "_data" / "authors.yml").write_text(authors)
    return root


def run_command(*paths):
    """Run import_jekyll; returns (its output, the CommandError it ended with or None)."""
    out = io.StringIO()
    try:
        call_command("import_jekyll", *map(str, paths), stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def zipped(entries, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_of_site(root, prefix="site"):
    return zipped(
        {f"{prefix}/{path.relative_to(root)}": path.read_bytes() for path in root.rglob("*") if path.is_file()}
    )


def bytes_under(folder):
    return sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file())


# The YAML loader on its own


@pytest.mark.parametrize("form", DEEP_YAML)
def test_deeply_nested_yaml_is_refused_with_a_reason_not_a_recursion_error(form):
    with pytest.raises(FrontMatterError, match="too deeply nested"):
        load_yaml(f"key: {DEEP_YAML[form]}")


def test_the_reason_names_the_file_it_is_about():
    with pytest.raises(FrontMatterError, match=r"\A_config\.yml is too large or too deeply nested"):
        load_yaml(DEEP_YAML["flow-mapping"], what="_config.yml")


def test_nesting_a_real_site_uses_is_still_read():
    data = load_yaml("defaults:\n  - scope: {path: '', type: posts}\n    values: {layout: post, tags: [a, b]}\n")
    assert data["defaults"][0]["values"]["tags"] == ["a", "b"]
    nested = "[" * 25 + "1" + "]" * 25
    assert load_yaml(f"a: {nested}")["a"] is not None


# Through the command line


@pytest.mark.django_db
@pytest.mark.parametrize("form", DEEP_YAML)
def test_a_deeply_nested_post_fails_that_file_and_the_command_goes_on(tmp_path, form):
    site = write_site(
        tmp_path / "site",
        posts={"2025-01-01-still-imported.md": GOOD_POST, "2025-01-02-deep.md": deep_post(form)},
    )
    output, error = run_command(site)
    assert str(error) == "1 file(s) could not be imported."
    assert "2025-01-02-deep.md: front matter is too large or too deeply nested" in output
    assert list(Article.objects.values_list("headline", flat=True)) == ["Still imported"]


@pytest.mark.django_db
@pytest.mark.parametrize("bad_file", ["_config.yml", "_data/authors.yml"])
def test_a_deeply_nested_site_file_fails_that_site_and_other_sites_import(tmp_path, bad_file):
    broken = write_site(tmp_path / "broken", posts={"2025-01-01-lost.md": "---\ntitle: Lost\n---\nx\n"})
    (broken / bad_file).parent.mkdir(exist_ok=True)
    (broken / bad_file).write_text(f"authors: {DEEP_YAML['flow-mapping']}\n")
    healthy = write_site(tmp_path / "healthy")
    output, error = run_command(broken, healthy)
    assert error is not None
    assert f"{bad_file} is too large or too deeply nested" in str(error)
    assert f"Problem: {broken}: {bad_file} is too large or too deeply nested and was refused" in output
    assert list(Article.objects.values_list("headline", flat=True)) == ["Still imported"]


@pytest.mark.django_db
def test_a_post_whose_body_nests_too_deeply_for_markdown_is_still_imported(tmp_path):
    """Python-Markdown recurses on nested emphasis and lists; the body is then shown as plain text."""
    deep_body = "*" * DEPTH + "x" + "*" * DEPTH
    site = write_site(
        tmp_path / "site",
        posts={
            "2025-01-01-still-imported.md": GOOD_POST,
            "2025-01-02-deep.md": f"---\ntitle: Deep body\n---\n{deep_body}\n",
        },
    )
    output, error = run_command(site)
    assert error is None, output
    article = Article.objects.get(headline="Deep body")
    assert article.body_html.startswith("<p>***") and "<em>" not in article.body_html


# Through the admin upload


@pytest.mark.django_db
def test_an_uploaded_deeply_nested_post_fails_that_file_with_a_reason(editor_client):
    good = SimpleUploadedFile("2025-01-01-still-imported.md", GOOD_POST.encode())
    deep = SimpleUploadedFile("2025-01-02-deep.md", deep_post().encode())
    response = editor_client.post(URL, {"files": [good, deep]})
    assert response.status_code == 200
    report = response.context["report"]
    assert len(report.created) == 1 and len(report.failed) == 1
    assert "too deeply nested" in report.failed[0].reason
    assert "too deeply nested" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("bad_file", ["_config.yml", "_data/authors.yml"])
def test_an_uploaded_site_with_a_deeply_nested_site_file_fails_with_a_reason(editor_client, tmp_path, bad_file):
    site = write_site(tmp_path / "site", authors="")
    (site / bad_file).write_text(f"x: {DEEP_YAML['flow-sequence']}\n")
    upload = SimpleUploadedFile("site.zip", zip_of_site(site), content_type="application/zip")
    response = editor_client.post(URL, {"files": [upload]})
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.ok and not Article.objects.exists()
    assert any(f"{Path(bad_file).name} is too large or too deeply nested" in problem for problem in report.problems)
    assert "too deeply nested" in response.content.decode()


@pytest.mark.django_db
def test_an_uploaded_post_whose_body_nests_too_deeply_for_markdown_is_imported(editor_client):
    body = "".join("    " * level + "- x\n" for level in range(250))
    upload = SimpleUploadedFile("2025-01-01-deep-list.md", f"---\ntitle: Deep list\n---\n{body}".encode())
    response = editor_client.post(URL, {"files": [upload]})
    assert response.status_code == 200
    assert len(response.context["report"].created) == 1


@pytest.mark.django_db
def test_a_body_or_bio_too_deep_for_markdown_is_saved_as_plain_text():
    article = ArticleFactory(headline="Deep", body="*" * DEPTH + "x" + "*" * DEPTH)
    assert "<em>" not in article.body_html and article.body_html.startswith("<p>*")
    author = Author.objects.create(name="Deep bio", bio="*" * DEPTH + "x" + "*" * DEPTH)
    assert author.bio_html.startswith("<p>*")


# Zip bombs: the whole archive is measured before anything is written


ZERO_MIB = bytes(1024 * 1024)


def many_small_zeros(count=1_023):
    return zipped({f"site/assets/zero-{number}.bin": ZERO_MIB for number in range(count)})


def test_an_archive_of_many_entries_each_under_the_entry_check_is_refused_before_writing(tmp_path):
    archive = many_small_zeros()
    assert len(archive) < 1_300_000  # 1.2 MB that would unpack to 1 GB
    with pytest.raises(ArchiveError, match="compressed suspiciously well"):
        extract_zip(io.BytesIO(archive), tmp_path)
    assert bytes_under(tmp_path) == 0


def test_the_total_unpacked_size_is_capped(tmp_path, settings):
    settings.JEKYLL_MAX_ZIP_BYTES = 3 * 1024 * 1024
    entries = {f"site/assets/photo-{number}.bin": (bytes([number]) * 7 + b"x") * 131_072 for number in range(4)}
    archive = zipped(entries, compression=zipfile.ZIP_STORED)
    with pytest.raises(ArchiveError, match="more than the size limit"):
        extract_zip(io.BytesIO(archive), tmp_path)
    assert bytes_under(tmp_path) == 0


def test_the_whole_archive_ratio_is_a_setting(tmp_path, settings):
    settings.JEKYLL_MAX_ZIP_RATIO = 10_000
    extract_zip(io.BytesIO(zipped({f"site/zero-{n}.bin": ZERO_MIB for n in range(20)})), tmp_path)
    assert bytes_under(tmp_path) == 20 * len(ZERO_MIB)


def test_left_out_entries_do_not_count_against_the_archive(tmp_path):
    """Build output and editor debris are never unpacked, so they cannot make an archive a bomb."""
    entries = {f"site/_site/zero-{n}.bin": ZERO_MIB for n in range(40)}
    entries["site/_posts/2025-01-01-a.md"] = GOOD_POST.encode()
    extract_zip(io.BytesIO(zipped(entries)), tmp_path)
    assert [path.name for path in tmp_path.rglob("*") if path.is_file()] == ["2025-01-01-a.md"]


def test_an_ordinary_site_with_text_and_photos_unpacks(tmp_path):
    text = "".join(f"Paragraph {n}: the council met on Tuesday and voted on the budget.\n\n" for n in range(2_000))
    photo = random.Random(7).randbytes(1024 * 1024)  # like a JPEG, deflate cannot shrink it
    entries = {f"site/_posts/2025-01-{n:02d}-post.md": f"---\ntitle: P{n}\n---\n{text}".encode() for n in range(1, 29)}
    entries |= {f"site/assets/photo-{n}.jpg": photo for n in range(5)}
    extract_zip(io.BytesIO(zipped(entries)), tmp_path)
    assert len([path for path in tmp_path.rglob("*") if path.is_file()]) == 33


@pytest.mark.django_db
def test_an_uploaded_zip_bomb_of_small_entries_fails_with_a_reason_and_writes_nothing(editor_client, monkeypatch):
    written = []
    real_open = open

    def watching_open(file, mode="r", *args, **kwargs):
        if "w" in str(mode):
            written.append(file)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching_open)
    upload = SimpleUploadedFile("site.zip", many_small_zeros(), content_type="application/zip")
    response = editor_client.post(URL, {"files": [upload]})
    assert response.status_code == 200
    report = response.context["report"]
    assert [result.path for result in report.failed] == ["site.zip"]
    assert "compressed suspiciously well" in report.failed[0].reason
    assert not [path for path in written if "jekyll-import-" in str(path)]
    assert "compressed suspiciously well" in response.content.decode()


# Addresses from an archive meet the rule the admin's URL fields use before they reach an href

HOSTILE_ADDRESSES = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
    r"https:\\evil.example\x",
    "https://exa mple.org/x",
    "https://",
    "ftp://files.example.org/x",
    "http://<script>/x",
]


@pytest.mark.django_db
@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_imported_canonical_urls_and_author_websites_must_be_web_addresses(tmp_path, address):
    quoted = address.replace("\\", "\\\\").replace('"', '\\"')
    post = f'---\ntitle: Syndicated\nauthor: mara\ncanonical_url: "{quoted}"\n---\nBody.\n'
    site = write_site(
        tmp_path / "site",
        posts={"2025-01-01-syndicated.md": post},
        authors=f'mara:\n  name: Mara Okafor\n  website: "{quoted}"\n  email: "mara@example.org?cc=x"\n',
    )
    output, error = run_command(site)
    assert error is None, output
    article = Article.objects.get()
    assert article.canonical_url == ""
    assert "is not a full web address" in output
    author = article.byline_authors[0]
    assert (author.name, author.website, author.email) == ("Mara Okafor", "", "")


@pytest.mark.django_db
def test_imported_web_addresses_that_the_admin_would_accept_are_kept(tmp_path):
    post = "---\ntitle: Syndicated\nauthor: mara\ncanonical_url: https://elsewhere.example/story?id=1\n---\nB.\n"
    site = write_site(
        tmp_path / "site",
        posts={"2025-01-01-syndicated.md": post},
        authors="mara:\n  name: Mara Okafor\n  website: https://mara.example.org/\n  email: mara@example.org\n",
    )
    run_command(site)
    article = Article.objects.get()
    assert article.canonical_url == "https://elsewhere.example/story?id=1"
    author = article.byline_authors[0]
    assert (author.website, author.email) == ("https://mara.example.org/", "mara@example.org")
