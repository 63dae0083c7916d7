"""Exporting to Jekyll and importing the export back reproduces the archive; a fixed archive exports
exactly as the checked-in site in tests/fixtures/jekyll/expected-export/."""

import datetime
import os
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone
from taggit.models import Tag

from articles.jekyll.importer import import_paths
from articles.models import Article, ArticleImage, Author, Byline, Correction, Section

from .factories import ArticleFactory, AuthorFactory, SectionFactory, image_file

pytestmark = pytest.mark.django_db


def snapshot():
    articles = {}
    for article in Article.objects.order_by("headline"):
        articles[article.headline] = {
            "slug": article.slug,
            "standfirst": article.standfirst,
            "body": article.body,
            "status": article.status,
            "published_at": article.published_at,
            "revised_at": article.revised_at,
            "featured": article.featured,
            "hidden": article.hidden,
            "meta_description": article.meta_description,
            "canonical_url": article.canonical_url,
            "section": (article.section.name, article.section.slug, article.section.description)
            if article.section
            else None,
            "categories": sorted((c.name, c.slug) for c in article.extra_sections.all()),
            "tags": sorted(t.name for t in article.tags.all()),
            "bylines": [(a.name, a.email, a.twitter, a.bio, bool(a.photo)) for a in article.byline_authors],
            "hero": (bool(article.hero_image), article.hero_width, article.hero_alt, article.hero_caption),
            "images": [(i.ref, i.alt, i.caption, i.credit, i.width) for i in article.images.all()],
            "public": article.is_public,
            "scheduled": article.is_scheduled,
        }
    return articles


def empty_database():
    Correction.objects.all().delete()
    Article.objects.all().delete()
    for model in (Author, Section, Tag):
        model.objects.all().delete()


def test_export_then_import_into_an_empty_database_reproduces_the_articles(tmp_path):
    """Every field, body-image credits and sections' own slugs (not the ones their names would give) included."""
    local = SectionFactory(name="Local", slug="town", description="The town and the valley.")
    world = SectionFactory(name="World", slug="abroad")
    mara = AuthorFactory(name="Mara Okafor", email="mara@example.org", twitter="mara", bio="City hall.",
                         photo=image_file("mara.jpg"))  # fmt: skip
    wire = AuthorFactory(name="Wire staff")
    now = timezone.now().replace(microsecond=0)
    lead = ArticleFactory(
        headline="no", standfirst="A title YAML would read as false.", section=local, bylines=[mara, wire],
        tags=["Budget", "council"], featured=True, revised_at=now - datetime.timedelta(hours=2),
        published_at=now - datetime.timedelta(days=3), hero_image=image_file("hero.jpg"), hero_alt="The chamber",
        hero_caption="Late night", meta_description="Meta.", canonical_url="https://elsewhere.example/x",
        body="Intro with {{ page.title }} and {% raw %} shown as written.\n\n[[image:map]]\n\nEnd.",
        source_data={"front_matter": {"rating": 4.5}},
    )  # fmt: skip
    lead.extra_sections.add(world)
    ArticleImage.objects.create(article=lead, ref="map", image=image_file("map.png", fmt="PNG"), alt="A map",
                                caption='The "new" lanes', credit='Ann "Maps" O\'Neil')  # fmt: skip
    lead.rerender()
    ArticleFactory(headline="Hidden one", section=world, bylines=[mara], hidden=True, tags=[])
    ArticleFactory.scheduled(headline="Tomorrow's story", section=local, bylines=[wire])
    ArticleFactory.draft(headline="A draft", section=None, bylines=[mara])
    ArticleFactory.in_review(headline="In review", section=local, bylines=[wire])
    before = snapshot()

    call_command("export_jekyll", str(tmp_path / "out"))
    out = tmp_path / "out"
    config = yaml.safe_load((out / "_config.yml").read_text())
    assert config["authors"]["mara-okafor"]["display_name"] == "Mara Okafor"
    assert len(list((out / "_posts").glob("*.md"))) == 3 and len(list((out / "_drafts").glob("*.md"))) == 2
    assert list((out / "assets" / "images").rglob("map.png"))

    empty_database()
    report = import_paths([out])
    assert not report.failed and len(report.created) == 5, report.lines()
    after = snapshot()
    assert after == before
    assert Byline.objects.count() == 6


def test_an_exported_post_is_a_jekyll_post(tmp_path):
    article = ArticleFactory(headline="Bridge reopens", published_at=datetime.datetime(2025, 5, 5, tzinfo=datetime.UTC))
    call_command("export_jekyll", str(tmp_path))
    [post] = (tmp_path / "_posts").glob("*.md")
    assert post.name == f"2025-05-05-{article.slug}.md"
    front = yaml.safe_load(post.read_text().split("---\n")[1])
    assert front["title"] == "Bridge reopens" and front["permalink"] == article.get_absolute_url()
    assert front["date"] == "2025-05-05 01:00:00 +0100"
    stored = Article.objects.get(pk=article.pk).published_at
    assert datetime.datetime.strptime(front["date"], "%Y-%m-%d %H:%M:%S %z") == stored
    assert Path(tmp_path / "_config.yml").exists()


def test_an_exported_date_keeps_its_microseconds_through_the_database(tmp_path):
    """SQLite stores text and PostgreSQL a timestamp: either way the instant read back is exported whole."""
    moment = datetime.datetime(2025, 1, 31, 23, 59, 58, 250000, tzinfo=datetime.UTC)
    article = ArticleFactory(headline="Late count", published_at=moment)
    call_command("export_jekyll", str(tmp_path))
    [post] = (tmp_path / "_posts").glob("*.md")
    front = yaml.safe_load(post.read_text().split("---\n")[1])
    assert front["date"] == "2025-01-31 23:59:58.250000 +0000"
    assert Article.objects.get(pk=article.pk).published_at == moment


EXPECTED = Path(__file__).parent / "fixtures" / "jekyll" / "expected-export"
AT = datetime.datetime(2024, 7, 14, 9, 30, tzinfo=datetime.UTC)


def fixed_archive():
    """A small archive with every kind of field the export writes, its dates, slugs and bylines fixed."""
    local, world = SectionFactory(name="Local", slug="local"), SectionFactory(name="World", slug="world")
    mara = AuthorFactory(name="Mara Okafor", email="mara@example.org", twitter="mara", bio="Covers **city hall**.",
                         website="https://mara.example.org", photo=image_file("mara.jpg"))  # fmt: skip
    wire = AuthorFactory(name="Wire Staff")
    lead = ArticleFactory(
        headline="no", slug="council-budget", standfirst="A title YAML would read as false: yes.",
        section=local, bylines=[mara, wire], tags=["Budget", "council", "Élection"], featured=True,
        published_at=AT, revised_at=AT + datetime.timedelta(days=1, hours=2, microseconds=500),
        hero_image=image_file("hero.jpg"), hero_alt="The chamber", hero_caption="Late night",
        hero_credit="Photo desk", meta_description="Meta: with a colon.", canonical_url="https://elsewhere.example/x",
        body="Intro with {{ page.title }} and {% raw %} shown as written.\n\n[[image:map]]\n\nEnd.",
        source_data={"front_matter": {"rating": 4.5, "title": "not this one"}},
    )  # fmt: skip
    lead.extra_sections.add(world)
    ArticleImage.objects.create(article=lead, ref="map", image=image_file("map.png", fmt="PNG"), alt="A [big] map",
                                caption='The "new" lanes')  # fmt: skip
    lead.rerender()
    ArticleFactory(headline="Quiet one", slug="quiet-one", section=world, bylines=[mara], hidden=True,
                   published_at=datetime.datetime(2023, 12, 31, 23, 30, tzinfo=datetime.UTC), standfirst="",
                   body="Just text.")  # fmt: skip
    ArticleFactory.draft(headline="A draft", slug="a-draft", section=None, bylines=[wire], standfirst="",
                         body="Not yet.\n")  # fmt: skip
    ArticleFactory.in_review(headline="In review", slug="in-review", section=local, bylines=[mara, wire],
                             tags=["council"], body="Waiting for an editor.")  # fmt: skip


def text_files(folder):
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in {".md", ".yml"}
    }


def test_a_fixed_archive_exports_exactly_as_the_checked_in_site(tmp_path, settings):
    """Byte for byte, so a change in what the export writes shows as a diff to review. After an intended
    change, run with NEWSROOM_UPDATE_EXPECTED_EXPORT=1 to rewrite the expected site, and read the diff."""
    settings.SITE_NAME, settings.SITE_URL = "The Riverside Courier", "https://news.example.org"
    settings.SITE_DESCRIPTION, settings.TIME_ZONE = "Independent local news.", "Europe/London"
    fixed_archive()
    call_command("export_jekyll", str(tmp_path))
    written = text_files(tmp_path)
    if os.environ.get("NEWSROOM_UPDATE_EXPECTED_EXPORT"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for name, content in written.items():
            (EXPECTED / name).parent.mkdir(parents=True, exist_ok=True)
            (EXPECTED / name).write_bytes(content)
        pytest.fail(f"{EXPECTED} rewritten: review the diff and run again without the variable")
    expected = text_files(EXPECTED)
    assert sorted(written) == sorted(expected)
    for name, content in expected.items():
        assert written[name].decode() == content.decode(), name
    images = sorted(
        path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.suffix in {".jpg", ".png"}
    )
    assert images == ["assets/images/authors/mara-okafor.jpg", "assets/images/council-budget/hero.jpg",
                      "assets/images/council-budget/map.png"]  # fmt: skip
