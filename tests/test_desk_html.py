"""The desk's own pages (history, compare, restore, staff, overview) pass the Nu HTML Checker."""

import pytest
from django.urls import reverse

from .factories import ArticleFactory
from .test_html_validity import checker  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def test_the_desk_pages_are_valid_html(checker, editor_client, admin_client_, editor, tmp_path):  # noqa: F811
    ArticleFactory.scheduled(headline="Goes out tomorrow")
    ArticleFactory(headline="Went out an hour ago")
    article = ArticleFactory.in_review(headline="First <wording>", tags=["river"])
    article.headline, article.body = "Second wording", "A new body.\n\nWith two paragraphs."
    article.save_revision(by=editor, note="Reworded")
    first, second = article.history.order_by("history_date", "history_id")
    pages = {
        "history": editor_client.get(reverse("admin:articles_article_history", args=[article.pk])),
        "compare": editor_client.get(
            reverse("admin:articles_article_history_compare", args=[article.pk]),
            {"a": first.history_id, "b": second.history_id},
        ),
        "restore": editor_client.get(
            reverse("admin:articles_article_simple_history", args=[article.pk, first.history_id])
        ),
        "overview": editor_client.get(reverse("admin:index")),
        "add-staff": admin_client_.get(reverse("admin:auth_user_add_staff")),
        "staff-added": admin_client_.post(
            reverse("admin:auth_user_add_staff"),
            {"name": "Mara Jones", "email": "mara@example.org", "role": "writer", "byline": "new"},
        ),
        "users": admin_client_.get(reverse("admin:auth_user_changelist")),
    }
    paths = []
    for name, response in pages.items():
        assert response.status_code == 200, name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        paths.append(path)
    problems = checker(paths)
    assert problems == [], "\n".join(problems)
