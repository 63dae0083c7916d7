"""Importing Jekyll archives: the shared sample site against what Jekyll itself computed, and messier input."""

import datetime
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import ExifTags, Image
from taggit.models import Tag

from articles.jekyll.importer import import_paths
from articles.models import Article, ArticleImage, ArticleRedirect, Author, Byline, Section

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
SITE = SAMPLES / "jekyll-site"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "jekyll"

needs_samples = pytest.mark.skipif(not SITE.is_dir(), reason="shared samples (../shared/samples) not present")
pytestmark = pytest.mark.django_db


def oracle():
    return json.loads((SAMPLES / "jekyll-oracle" / "jekyll-4.3.1-build.json").read_text())


def import_samples(**options):
    return import_paths([SITE, SAMPLES / "broken", SAMPLES / "loose"], site_root=SITE, **options)


def write(folder, name, text):
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Article, Author, Section, Tag, Byline, ArticleImage, ArticleRedirect)
    }


def media_files(settings):
    return sorted(str(path) for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())


@needs_samples
def test_every_sample_post_agrees_with_what_jekyll_built():
    """Dates, old URLs, slugs, sections, tags and authors match Jekyll 4.3.1's own build of the site."""
    report = import_samples()
    assert len(report.created) == 7
    for expected in oracle():
        article = Article.objects.get(source_file=expected["path"])
        assert article.headline == expected["title"]
        assert article.slug == expected["slug"]
        names = [article.section.name, *sorted(c.name for c in article.extra_sections.all())]
        assert names[0] == expected["categories"][0]
        assert sorted(names) == sorted(expected["categories"])
        expected_tags = list(dict.fromkeys(tag.lower() for tag in expected["tags"]))
        assert sorted(tag.name.lower() for tag in article.tags.all()) == sorted(expected_tags)
        authors = expected["author"] if isinstance(expected["author"], list) else [expected["author"]]
        assert len(article.byline_authors) == len(authors)
        if expected["draft"]:
            assert article.status == Article.Status.DRAFT
            assert article.published_at is None
            assert not article.redirects.exists()
            continue
        assert article.status == Article.Status.PUBLISHED
        assert article.published_at == datetime.datetime.fromisoformat(expected["date"])
        assert list(article.redirects.values_list("old_path", flat=True)) == [expected["url"]]
        assert article.source_url == "https://courier.example.org" + expected["url"]
        if expected["last_modified_at"]:
            stamp = datetime.datetime.strptime(expected["last_modified_at"], "%Y-%m-%d %H:%M:%S %z")
            assert article.revised_at == stamp
        else:
            assert article.revised_at is None


@needs_samples
def test_broken_files_each_fail_alone_with_a_clear_reason():
    report = import_samples()
    reasons = {Path(result.path).name: result.reason for result in report.failed}
    assert set(reasons) == {"bad-yaml.md", "bad-date.md", "no-title.md", "no-front-matter.md", "binary.md"}
    assert "not valid YAML" in reasons["bad-yaml.md"]
    assert "2025-02-30" in reasons["bad-date.md"] and "not a real date" in reasons["bad-date.md"]
    assert "no title" in reasons["no-title.md"]
    assert "no front matter" in reasons["no-front-matter.md"]
    assert "binary" in reasons["binary.md"]
    assert not report.ok


@needs_samples
def test_the_command_reports_each_file_and_exits_non_zero_when_a_file_failed():
    out = io.StringIO()
    with pytest.raises(CommandError, match="5 file"):
        call_command("import_jekyll", str(SITE), str(SAMPLES / "broken"), stdout=out)
    text = out.getvalue()
    assert "[1/11]" in text and "created" in text
    assert "Skipped:" in text and "bad-date.md" in text
    assert "Warnings:" in text and "does-not-exist.jpg" in text


@needs_samples
def test_the_command_exits_cleanly_when_every_file_imports():
    out = io.StringIO()
    call_command("import_jekyll", str(SITE), stdout=out)
    assert "6 created" in out.getvalue()


@needs_samples
def test_front_matter_fields_become_article_fields(settings):
    report = import_samples()
    council = Article.objects.get(slug="council-approves-riverside-budget")
    assert council.featured and not council.hidden
    assert council.standfirst.startswith("Councillors voted 31 to 12")
    assert council.byline_authors[0].name == "Mara Okafor"
    assert council.hero_image
    photo = Image.open(Path(settings.MEDIA_ROOT) / council.hero_image.name)
    assert not photo.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    [body_image] = council.images.all()
    assert body_image.alt == "Map of the planned bus lanes"
    assert f"[[image:{body_image.ref}]]" in council.body
    assert body_image.image.url in council.body_html
    assert "<table>" in council.body_html and "<blockquote>" in council.body_html

    amber = Article.objects.get(slug="amber-warning-for-heavy-rain")
    assert amber.standfirst.startswith("Forecasters have issued an amber warning")
    assert not amber.hero_image
    warnings = dict(report.warnings)
    assert any("does-not-exist.jpg" in w and "not found" in w for p, w in report.warnings if "amber" in p)

    methods = Article.objects.get(slug="how-we-checked-the-numbers")
    assert '<p class="lead">' in methods.body_html
    assert "```python\nimport statistics" in methods.body
    assert 'class="footnote"' in methods.body_html
    assert "{{ page.title }}" in methods.body and "{% raw %}" not in methods.body
    assert "{% include" not in methods.body and "<figcaption>Median waits by ward</figcaption>" in methods.body
    assert "<figcaption>Median waits by ward</figcaption>" in methods.body_html
    assert any("chart.png" in w and "not found" in w for p, w in report.warnings if "how-we-checked" in p)

    cafe = Article.objects.get(slug="zurich-cafe-owners-count-the-cost")
    assert [a.name for a in cafe.byline_authors] == ["Priya Raman", "Wire staff"]
    assert cafe.hero_alt == "Empty tables on a café terrace beside the Limmat"
    assert cafe.meta_description == "Takings fell by a fifth in July as temperatures passed 35°C."
    priya = Author.objects.get(name="Priya Raman")
    assert priya.twitter == "priyawrites" and priya.photo and priya.bio.startswith("Priya writes")

    bridge = Article.objects.get(slug="bridge-reopens")
    assert bridge.hidden
    assert bridge.source_data["front_matter"]["rating"] == 4.5
    assert bridge.source_data["front_matter"]["layout"] == "post"

    loose = Article.objects.get(source_file="press-release-0412.txt")
    assert loose.slug == "millford-brewery-to-add-40-jobs-with-new-canning-line"
    assert loose.published_at == datetime.datetime(2025, 4, 12, 9, 30, tzinfo=datetime.UTC)
    assert loose.byline_authors[0].name == "newsdesk"
    assert loose.standfirst == "The family-owned brewery says the expansion will double its output."
    assert loose.hero_image and not loose.tags.exists()
    assert warnings  # the report names files and paths


@needs_samples
def test_authors_are_matched_not_duplicated():
    Author.objects.create(name="Mara Okafor", bio="Kept as the editor wrote it.")
    import_samples()
    import_samples()
    assert Author.objects.filter(name="Mara Okafor").count() == 1
    assert Author.objects.get(name="Mara Okafor").bio == "Kept as the editor wrote it."
    assert Author.objects.filter(name="Wire staff").count() == 1


@needs_samples
def test_a_dry_run_reports_the_same_and_writes_nothing(settings):
    before, files = counts(), media_files(settings)
    dry = import_samples(dry_run=True)
    assert counts() == before
    assert media_files(settings) == files
    real = import_samples()
    assert dry.counts() == real.counts()
    assert [(r.path, r.outcome) for r in dry.results] == [(r.path, r.outcome) for r in real.results]


@needs_samples
def test_importing_again_changes_nothing_and_duplicates_nothing(settings):
    import_samples()
    before, files = counts(), media_files(settings)
    report = import_samples()
    assert len(report.unchanged) == 7 and not report.created and not report.updated
    assert counts() == before
    assert media_files(settings) == files


@needs_samples
def test_an_interrupted_import_completes_when_run_again():
    import_paths([SITE / "_posts" / "2025-03-14-council-approves-riverside-budget.md"])
    report = import_paths([SITE])
    assert len(report.created) == 5 and len(report.unchanged) == 1
    assert Article.objects.count() == 6
    assert Article.objects.filter(source_file="_posts/2025-03-14-council-approves-riverside-budget.md").count() == 1


@needs_samples
def test_a_changed_file_updates_its_article(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    import_paths([site])
    post = site / "_posts" / "2025-05-05-bridge-reopens.md"
    post.write_text(post.read_text().replace("three weeks earlier", "a month earlier"))
    report = import_paths([site])
    assert [Path(r.path).name for r in report.updated] == [post.name]
    bridge = Article.objects.get(slug="bridge-reopens")
    assert "a month earlier" in bridge.body
    assert bridge.redirects.count() == 1


@needs_samples
def test_an_editors_change_is_reported_as_a_conflict_not_overwritten(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    import_paths([site])
    bridge = Article.objects.get(slug="bridge-reopens")
    bridge.headline = "Old Mill bridge reopens (corrected)"
    bridge.save()
    post = site / "_posts" / "2025-05-05-bridge-reopens.md"
    post.write_text(post.read_text().replace("three weeks earlier", "a month earlier"))
    report = import_paths([site])
    [conflict] = report.conflicts
    assert "changed in Newsroom" in conflict.reason
    bridge.refresh_from_db()
    assert bridge.headline == "Old Mill bridge reopens (corrected)"
    assert "three weeks earlier" in bridge.body

    forced = import_paths([site], force=True)
    assert len(forced.updated) == 1
    bridge.refresh_from_db()
    assert bridge.headline == "Old Mill bridge reopens to traffic after repairs"
    assert "a month earlier" in bridge.body


@needs_samples
def test_old_jekyll_addresses_redirect_permanently_to_the_new_ones(client):
    import_samples()
    for expected in oracle():
        if expected["draft"]:
            continue
        article = Article.objects.get(source_file=expected["path"])
        response = client.get(expected["url"])
        assert response.status_code == 301, expected["url"]
        assert response["Location"] == article.get_absolute_url()
        assert client.get(response["Location"]).status_code == 200
    response = client.get("/feed.xml")
    assert response.status_code == 301 and response["Location"] == "/feed/"


def test_a_messy_site_imports_as_jekyll_would_build_it():
    """BOM and CRLF, a baseurl, the pretty permalink, folder categories, ``title: no``, ``tag`` over ``tags``."""
    site = FIXTURES / "messy-site"
    report = import_paths([site])
    assert not report.failed, report.lines()
    leap = Article.objects.get(source_file="news/_posts/2024-02-29-leap-day.md")
    assert leap.headline == "no"
    assert leap.slug == "leap-day-floods"
    assert leap.published_at == datetime.datetime(2024, 2, 29, 6, 0, tzinfo=datetime.UTC)
    assert leap.section.name == "news"
    assert sorted(leap.tags.names()) == ["Weather", "floods"]
    assert list(leap.redirects.values_list("old_path", flat=True)) == ["/archive/news/2024/02/29/leap-day-floods/"]

    first = Article.objects.get(source_file="_posts/2020-01-01-budget.md")
    second = Article.objects.get(source_file="_posts/2021-01-01-budget.md")
    assert first.headline == "1984"
    assert first.published_at == datetime.datetime(2020, 1, 1, 14, 0, tzinfo=datetime.UTC)
    assert first.get_absolute_url() in leap.body
    assert first.slug == "budget" and second.slug == "budget-2"
    assert first.get_absolute_url() != second.get_absolute_url()
    assert second.status == Article.Status.DRAFT
    assert list(second.tags.names()) == ["One Tag"]
    assert list(first.redirects.values_list("old_path", flat=True)) == ["/archive/local/2020/01/01/budget/"]

    warnings = [warning for path, warning in report.warnings if "leap-day" in path]
    assert any("../../etc/passwd" in w and "outside the site" in w for w in warnings)
    assert "https://images.example.com/a.jpg" in leap.body
    assert not leap.images.exists()


def test_a_file_with_unsafe_yaml_fails_alone(tmp_path):
    write(tmp_path, "2025-01-01-python.md", "---\ntitle: !!python/object/apply:os.system ['true']\n---\nx\n")
    bomb = "---\ntitle: Bomb\na: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    write(tmp_path, "2025-01-02-bomb.md", bomb + "---\nx\n")
    write(tmp_path, "2025-01-03-fine.md", "---\ntitle: Fine\n---\nA fine post.\n")
    report = import_paths([tmp_path])
    reasons = {Path(r.path).name: r.reason for r in report.failed}
    assert "not allowed" in reasons["2025-01-01-python.md"]
    assert "aliases" in reasons["2025-01-02-bomb.md"]
    assert [Path(r.path).name for r in report.created] == ["2025-01-03-fine.md"]


def test_an_oversized_file_is_refused(tmp_path, settings):
    settings.JEKYLL_MAX_FILE_BYTES = 1024
    write(tmp_path, "2025-01-01-big.md", "---\ntitle: Big\n---\n" + "word " * 1000)
    [result] = import_paths([tmp_path]).failed
    assert "at most 1 KB" in result.reason


def test_a_title_comes_from_a_dated_file_name_when_missing(tmp_path):
    write(tmp_path, "2025-01-01-river-festival-returns.md", "---\nlayout: post\n---\nBody.\n")
    import_paths([tmp_path])
    assert Article.objects.get().headline == "River Festival Returns"


def test_a_future_date_schedules_the_article(tmp_path):
    write(tmp_path, "2999-01-01-far-future.md", "---\ntitle: Far future\n---\nBody.\n")
    import_paths([tmp_path])
    assert Article.objects.get().is_scheduled


def test_imported_text_is_never_run_as_a_django_template(tmp_path):
    write(tmp_path, "2025-01-01-t.md", "---\ntitle: T\n---\n{% load static %}{{ settings.SECRET_KEY }}\n")
    import_paths([tmp_path])
    assert "{% load static %}{{ settings.SECRET_KEY }}" in Article.objects.get().body_html
