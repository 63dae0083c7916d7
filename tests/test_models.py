from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, ArticleImage, ArticleRedirect, Author, Section

from .factories import ArticleFactory, AuthorFactory, SectionFactory, image_file

pytestmark = pytest.mark.django_db


def test_slug_is_made_from_the_headline_and_kept_unique():
    first = ArticleFactory(headline="Zürich café owners count the cost")
    second = ArticleFactory(headline="Zürich café owners count the cost")
    assert first.slug == "zurich-cafe-owners-count-the-cost"
    assert second.slug == "zurich-cafe-owners-count-the-cost-2"


def test_published_queryset_holds_only_what_readers_may_see():
    live = ArticleFactory()
    ArticleFactory.draft()
    ArticleFactory.in_review()
    ArticleFactory.scheduled()
    assert list(Article.objects.published()) == [live]


def test_a_scheduled_article_appears_at_its_publish_time_without_anyone_saving_it():
    article = ArticleFactory.scheduled()
    assert article.is_scheduled
    assert not Article.objects.published().filter(pk=article.pk).exists()
    with time_machine.travel(article.published_at + timedelta(seconds=1)):
        assert Article.objects.published().filter(pk=article.pk).exists()


def test_publishing_without_a_time_uses_now():
    article = ArticleFactory.draft()
    article.status = Article.Status.PUBLISHED
    moment = timezone.now() - timedelta(minutes=3)
    with time_machine.travel(moment, tick=False):
        article.save()
    assert article.published_at == moment
    article.refresh_from_db()
    assert article.published_at == moment


def test_publishing_keeps_a_time_the_editor_chose():
    chosen = timezone.now() - timedelta(days=2)
    article = ArticleFactory.draft()
    article.status, article.published_at = Article.Status.PUBLISHED, chosen
    article.save()
    article.refresh_from_db()
    assert article.published_at == chosen


def test_nothing_publishes_without_headline_body_and_section():
    article = Article(headline=" ", body="", status=Article.Status.PUBLISHED)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert {"headline", "body", "section"} <= set(error.value.message_dict)


def test_a_photo_needs_alt_text():
    article = ArticleFactory.draft()
    article.hero_image = image_file()
    with pytest.raises(ValidationError) as error:
        article.clean()
    assert "hero_alt" in error.value.message_dict


def test_tags_are_case_insensitive():
    one = ArticleFactory(tags=["Russia"])
    two = ArticleFactory(tags=["russia"])
    assert Tag.objects.filter(name__iexact="russia").count() == 1
    assert one.tags.get() == two.tags.get()


def test_bylines_keep_their_order_and_allow_guest_authors():
    staff = AuthorFactory(name="Staff Reporter")
    agencies = AuthorFactory(name="Agencies")
    article = ArticleFactory(bylines=[agencies, staff])
    assert [a.name for a in article.byline_authors] == ["Agencies", "Staff Reporter"]
    assert staff.user is None


def test_body_is_rendered_on_save_with_news_markdown():
    article = ArticleFactory(
        body='# Heading\n\n"Quoted" text[^1].\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: A footnote.'
    )
    html = article.body_html
    assert '<h2 id="heading">Heading</h2>' in html
    assert "“Quoted”" in html
    assert "<table>" in html
    assert 'class="footnote"' in html


def test_body_images_are_placed_by_reference():
    article = ArticleFactory(body="Before.\n\n[[image:1]]\n\nAfter.")
    ArticleImage.objects.create(article=article, image=image_file(), alt="The town hall", caption="Caption here")
    article.rerender()
    article.refresh_from_db()
    assert '<figure class="body-image">' in article.body_html
    assert 'alt="The town hall"' in article.body_html
    assert "Caption here" in article.body_html
    assert "[[image:1]]" not in article.body_html


def test_an_unknown_image_reference_is_never_shown_to_readers_as_text():
    """The admin refuses such a save (tests/test_desk_history.py); an import or an old body shows nothing."""
    article = ArticleFactory(body="Before.\n\n[[image:missing]]\n\nAfter.")
    assert "[[image" not in article.body_html
    assert "Before." in article.body_html and "After." in article.body_html


def test_changing_a_published_slug_or_section_records_a_redirect():
    article = ArticleFactory(headline="Old headline")
    old_path = article.get_absolute_url()
    article.slug = "new-headline"
    article.save()
    sport = SectionFactory(name="Sport", slug="sport")
    moved_path = article.get_absolute_url()
    article.section = sport
    article.save()
    assert set(ArticleRedirect.objects.values_list("old_path", flat=True)) == {old_path, moved_path}


def test_changing_a_draft_slug_records_no_redirect():
    article = ArticleFactory.draft()
    article.slug = "another"
    article.save()
    assert not ArticleRedirect.objects.exists()


def test_a_section_cannot_take_a_slug_the_site_uses():
    with pytest.raises(ValidationError):
        Section(name="Search", slug="search").full_clean()


def test_author_and_section_slugs_are_generated():
    assert Author.objects.create(name="Staff Reporter").slug == "staff-reporter"
    assert Section.objects.create(name="Local News").slug == "local-news"


def test_corrections_render_their_note_safely():
    article = ArticleFactory()
    note = article.corrections.create(note="Fixed <script>alert(1)</script> the **date**.")
    assert "<strong>date</strong>" in note.note_html
    assert "<script" not in note.note_html


def test_tags_get_ascii_slugs_even_from_non_latin_names():
    article = ArticleFactory(tags=["Zürich", "東京"])
    slugs = sorted(tag.slug for tag in article.tags.all())
    assert slugs[1] == "zurich"
    assert slugs[0].startswith("tag-")
    for slug in slugs:
        assert slug.isascii()
