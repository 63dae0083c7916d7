"""The import report: what went live, what waits, what was created or matched, and warnings by kind."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.jekyll.importer import import_paths
from articles.jekyll.report import FileResult, ImportReport, warning
from articles.models import Article, Section
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


def write(folder, name, text):
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path):
    write(tmp_path, "_config.yml", "title: T\n")
    write(tmp_path, "_posts/2024-01-01-live.md", "---\ntitle: Live\nauthor: Ann Known\ncategories: [Local]\n"
          "tags: [river]\n---\nNow.\n")  # fmt: skip
    write(tmp_path, "_posts/2999-01-01-later.md", "---\ntitle: Later\nauthor: New Person\ntags: [River, new]\n---\nx\n")
    write(tmp_path, "_drafts/draft.md", "---\ntitle: A draft\n---\n![gone](/gone.jpg)\n")
    return tmp_path


def test_the_report_says_what_readers_see_and_what_was_created_or_matched(site):
    AuthorFactory(name="Ann Known")
    Section.objects.create(name="Local", slug="local")
    report = import_paths([site])
    assert [r.headline for r in report.live] == ["Live"]
    assert [r.headline for r in report.scheduled] == ["Later"]
    assert [r.headline for r in report.drafts] == ["A draft"]
    assert report.records("author", "created") == ["New Person"]
    assert report.records("author", "matched") == ["Ann Known"]
    assert report.records("section", "matched") == ["Local"]
    assert report.records("tag", "created") == ["river", "new"]
    assert report.redirects == [
        ("/local/2024/01/01/live.html", Article.objects.get(slug="live").get_absolute_url()),
        ("/2999/01/01/later.html", Article.objects.get(slug="later").get_absolute_url()),
    ]
    lines = report.lines()
    assert lines[0] == "Import finished: 3 created, 0 updated, 0 unchanged, 0 skipped, 1 warning."
    assert "Live now (1):" in lines and "Scheduled (1):" in lines and "Kept as drafts (1):" in lines
    assert "Authors: 1 created: New Person; 1 matched: Ann Known." in lines
    assert "Sections: 1 matched: Local." in lines
    assert "  Images (1 warning):" in lines


def test_as_drafts_puts_new_articles_in_review_and_leaves_imported_ones_alone(site):
    import_paths([site / "_posts" / "2024-01-01-live.md"])
    report = import_paths([site], as_drafts=True)
    statuses = dict(Article.objects.values_list("slug", "status"))
    assert statuses == {"live": "published", "later": "review", "draft": "review"}
    assert sorted(r.headline for r in report.in_review) == ["A draft", "Later"]
    assert "Imported as drafts: new articles wait in review for an editor." in report.lines()


def test_the_command_takes_as_drafts_and_prints_the_report(site):
    out = io.StringIO()
    call_command("import_jekyll", str(site), "--as-drafts", stdout=out)
    text = out.getvalue()
    assert "In review (3):" in text and "Live now" not in text
    assert not Article.objects.published().exists()


def test_warnings_are_grouped_by_kind_and_counted_in_words():
    report = ImportReport()
    report.add(FileResult("a.md", "created", warnings=[warning("Liquid", "x"), "photo “a.jpg”: not found"]))
    report.add(FileResult("b.md", "created", warnings=[warning("Liquid", "y")]))
    assert report.warning_groups == [
        ("Liquid", [("a.md", "x"), ("b.md", "y")]),
        ("Images", [("a.md", "photo “a.jpg”: not found")]),
    ]
    assert report.summary().endswith("3 warnings")
    assert ImportReport(results=[FileResult("c.md", "created", warnings=["z"])]).summary().endswith(", 1 warning")
