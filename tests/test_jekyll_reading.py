"""Reading Jekyll files into Post records, the first stage of an import, which needs no database.

None of these tests may touch the database (pytest-django refuses any query without the django_db mark),
so they also show that reading a site makes no query.
"""

import datetime
import json
from pathlib import Path

import pytest

from articles.jekyll.frontmatter import FrontMatterError
from articles.jekyll.reading import PostError, Reader, read_post

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
SITE = SAMPLES / "jekyll-site"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "jekyll"

needs_samples = pytest.mark.skipif(not SITE.is_dir(), reason="shared samples (../shared/samples) not present")


def read(path, site_root=None):
    [entry] = Reader(site_root=site_root).discover([path])
    return read_post(entry)


def write(folder, name, text):
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@needs_samples
def test_a_sample_post_reads_as_jekyll_built_it():
    post = read(SITE / "_posts" / "2024-11-02-amber-warning-for-heavy-rain.markdown")
    assert post.key == "_posts/2024-11-02-amber-warning-for-heavy-rain.markdown"
    assert post.title == "Amber warning issued as heavy rain heads for the valley"
    assert post.date == datetime.datetime(2024, 11, 2, 7, 15, tzinfo=datetime.UTC)
    assert post.status == "published"
    assert post.categories == ["Weather", "News"]
    assert post.tags == ["rain", "flooding", "warnings"]
    assert post.authors == ["jonas"]
    assert post.excerpt is None and post.excerpt_separator == "<!--more-->"
    assert post.old_paths == ["/weather/news/2024/11/02/amber-warning-for-heavy-rain.html"]
    assert post.source_url == "https://courier.example.org/weather/news/2024/11/02/amber-warning-for-heavy-rain.html"
    assert post.image["path"] == "assets/images/does-not-exist.jpg"
    assert post.extra == {"layout": "post"}


@needs_samples
def test_every_sample_post_reads_as_jekyll_built_it():
    """Titles, dates, categories, tags, authors and old addresses match Jekyll 4.3.1's own build."""
    oracle = json.loads((SAMPLES / "jekyll-oracle" / "jekyll-4.3.1-build.json").read_text())
    entries = Reader().discover([SITE])
    posts = {entry.key: read_post(entry) for entry in entries}
    assert set(posts) == {expected["path"] for expected in oracle}
    for expected in oracle:
        post = posts[expected["path"]]
        assert post.title == expected["title"]
        assert post.categories == expected["categories"]
        assert post.tags == expected["tags"]
        authors = expected["author"] if isinstance(expected["author"], list) else [expected["author"]]
        assert post.authors == authors
        if expected["draft"]:
            assert post.status == "draft" and post.date is None and post.old_paths == []
        else:
            assert post.date == datetime.datetime.fromisoformat(expected["date"])
            assert post.old_paths == [expected["url"]]


@needs_samples
def test_an_excerpt_in_the_front_matter_is_kept_as_written():
    post = read(SAMPLES / "loose" / "press-release-0412.txt", site_root=SITE)
    assert post.key == "press-release-0412.txt"
    assert post.excerpt == "The family-owned brewery says the expansion will double its output."
    assert post.slug_source == "Millford brewery to add 40 jobs with new canning line"
    assert post.authors == ["newsdesk"] and post.categories == ["Business"] and post.tags == []


def test_a_messy_post_reads_with_its_folder_category_and_the_sites_baseurl():
    post = read(FIXTURES / "messy-site" / "news" / "_posts" / "2024-02-29-leap-day.md")
    assert post.key == "news/_posts/2024-02-29-leap-day.md"
    assert post.title == "no"
    assert post.jekyll_slug == "leap-day-floods"
    assert post.date == datetime.datetime(2024, 2, 29, 6, 0, tzinfo=datetime.UTC)
    assert post.categories == ["news"]
    assert sorted(post.tags) == ["Weather", "floods"]
    assert post.old_paths == ["/archive/news/2024/02/29/leap-day-floods/"]


def test_a_post_without_a_title_or_a_dated_name_cannot_be_read(tmp_path):
    path = write(tmp_path, "notes.md", "---\nlayout: post\n---\nBody.\n")
    with pytest.raises(PostError, match="no title"):
        read(path)


def test_a_post_over_the_size_limit_is_refused_before_it_is_read(tmp_path, settings):
    settings.JEKYLL_MAX_FILE_BYTES = 1024
    path = write(tmp_path, "2025-01-01-big.md", "---\ntitle: Big\n---\n" + "word " * 1000)
    with pytest.raises(FrontMatterError, match="at most 1 KB"):
        read(path)


def test_an_undated_post_is_read_as_a_draft_with_a_warning(tmp_path):
    post = read(write(tmp_path, "notes.md", "---\ntitle: Notes\n---\nBody.\n"))
    assert post.status == "draft" and post.date is None
    assert any("no date" in warning for warning in post.warnings)


def test_posts_are_found_in_posts_and_drafts_but_not_in_build_or_dependency_folders(tmp_path):
    write(tmp_path, "_config.yml", "title: Site\n")
    write(tmp_path, "_posts/2025-01-01-one.md", "---\ntitle: One\n---\n")
    write(tmp_path, "_drafts/two.md", "---\ntitle: Two\n---\n")
    write(tmp_path, "_posts/photo.jpg", "not a post")
    for skipped in ("_site", "node_modules", "vendor"):
        write(tmp_path, f"{skipped}/_posts/2025-01-01-copy.md", "---\ntitle: Copy\n---\n")
    missing = []
    entries = Reader().discover([tmp_path, tmp_path / "nowhere"], missing=missing.append)
    assert [(entry.key, entry.draft) for entry in entries] == [
        ("_drafts/two.md", True),
        ("_posts/2025-01-01-one.md", False),
    ]
    assert missing == [tmp_path / "nowhere"]


def test_a_post_gives_liquid_its_page_and_site_variables():
    """What ``page`` and ``site`` hold in Liquid: the front matter and Jekyll's own values, baseurl apart."""
    post = read(FIXTURES / "messy-site" / "news" / "_posts" / "2024-02-29-leap-day.md")
    assert post.page["title"] == "no" and post.page["categories"] == ["news"]
    assert post.page["date"] == post.date and post.page["date"].tzinfo == post.site.timezone
    assert post.page["url"] == post.site.site_path(post.old_paths[0]) == "/news/2024/02/29/leap-day-floods/"
    assert post.page["path"] == post.key
    assert post.site.config["baseurl"] == "/archive" == post.site.baseurl
