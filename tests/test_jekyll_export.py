"""Exporting to Jekyll and importing the export back reproduces the archive."""

import datetime
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
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
            "section": article.section.name if article.section else None,
            "categories": sorted(c.name for c in article.extra_sections.all()),
            "tags": sorted(t.name for t in article.tags.all()),
            "bylines": [(a.name, a.email, a.twitter, a.bio, bool(a.photo)) for a in article.byline_authors],
            "hero": (bool(article.hero_image), article.hero_width, article.hero_alt, article.hero_caption),
            "images": [(i.ref, i.alt, i.caption, i.width) for i in article.images.all()],
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
    local, world = SectionFactory(name="Local", slug="local"), SectionFactory(name="World", slug="world")
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
                                caption='The "new" lanes')  # fmt: skip
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
    assert connection.vendor in {"sqlite", "postgresql"}
    assert Path(tmp_path / "_config.yml").exists()
