"""The benchmark archive is one an editor could have made, so cache figures measured on it hold."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.models import Article, Section, validate_section_slug

pytestmark = pytest.mark.django_db(transaction=True)


def test_generated_sections_have_slugs_an_editor_could_choose_and_every_story_is_cacheable():
    options = ["--articles", "40", "--authors", "5", "--tags", "10", "--yes"]
    call_command("generate_bench_data", *options, stdout=StringIO())
    for slug in Section.objects.values_list("slug", flat=True):
        validate_section_slug(slug)  # "health" was one: its stories lived under the health check's /health/
    for article in Article.objects.published().select_related("section"):
        assert not article.get_absolute_url().startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES)
