"""Security round 2, accounts and the admin: lockouts that staff cannot reset for each other, addresses and tags
of unpublished work kept from other writers, the tag merge page, and the Permissions-Policy header."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from articles.models import Article, Byline

from .factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
RIGHT = "correct horse battery"
OFFICE = "203.0.113.40"


# Login lockout: per address and per username; a success clears only that username's failures from that address


def log_in(username, address, password="wrong password"):  # noqa: S107
    return Client().post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def test_guessing_between_a_writers_good_logins_ends_locked_out(site_admin, writer, settings):
    """The attack run's sequence: 9 wrong admin passwords, then a good writer login, five times over."""
    answers = []
    for _ in range(5):
        answers += [log_in("ada", OFFICE).status_code for _ in range(settings.AXES_FAILURE_LIMIT - 1)]
        answers.append(log_in("wendy", OFFICE, RIGHT).status_code)
    assert 429 in answers
    assert answers.index(429) == settings.AXES_FAILURE_LIMIT  # the tenth guess, whatever came between
    assert log_in("ada", OFFICE, RIGHT).status_code == 429
    assert log_in("ada", "198.51.100.77", RIGHT).status_code == 429  # the username is locked wherever it comes from


def test_a_writers_own_success_does_not_clear_the_admin_usernames_failures(site_admin, writer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in("ada", OFFICE)
    assert log_in("wendy", "198.51.100.5", RIGHT).status_code == 302
    assert log_in("wendy", OFFICE, RIGHT).status_code == 302
    assert log_in("ada", "198.51.100.6").status_code == 429  # the tenth failure for "ada", from a new address
    assert log_in("ada", "198.51.100.7", RIGHT).status_code == 429


def test_a_success_clears_that_users_own_failures_from_that_address(writer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in("wendy", OFFICE)
    assert log_in("wendy", OFFICE, RIGHT).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in("wendy", OFFICE).status_code == 200
    assert log_in("wendy", OFFICE, RIGHT).status_code == 302


def test_one_address_guessing_many_usernames_is_locked_out(writer, settings):
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(f"nobody{number}", OFFICE).status_code == 200
    assert log_in("somebody", OFFICE).status_code == 429
    assert log_in("wendy", OFFICE, RIGHT).status_code == 429


def test_a_locked_out_user_sees_the_styled_lockout_page(site_admin, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("ada", OFFICE)
    response = log_in("ada", "198.51.100.8", RIGHT)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    html = response.content.decode()
    assert "Account locked" in html
    assert "15 minutes" in html
    assert 'href="/static/admin/css/base.css"' in html  # the admin's own look, as on the login page
    assert "<title>Account locked | Newsroom admin</title>" in html


# Admin URLs that reveal an object by id: the view-on-site redirect, autocomplete, history, preview, delete


@pytest.fixture
def others_work(other_writer):
    """Oscar's unpublished articles (draft, in review, scheduled) and his published one."""
    section = SectionFactory(name="News", slug="news")
    made = {
        "draft": ArticleFactory.draft(headline="Oscar draft quokka", slug="oscar-draft-quokka"),
        "review": ArticleFactory.in_review(headline="Oscar review quokka", slug="oscar-review-quokka"),
        "scheduled": ArticleFactory.scheduled(headline="Oscar scheduled quokka", slug="oscar-scheduled-quokka"),
        "published": ArticleFactory(headline="Oscar published quokka", slug="oscar-published-quokka"),
    }
    for article in made.values():
        article.section = section
        article.created_by = other_writer
        article.save()
        Byline.objects.create(article=article, author=other_writer.author)
    return made


def view_on_site_url(obj):
    return reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


@pytest.mark.parametrize("state", ["draft", "review", "scheduled"])
def test_the_view_on_site_redirect_hides_unpublished_addresses_from_other_writers(client_for, others_work, state):
    article = others_work[state]
    response = client_for("writer").get(view_on_site_url(article))
    assert response.status_code == 404
    assert article.slug not in response.content.decode()
    for role in ("other_writer", "editor", "admin"):
        response = client_for(role).get(view_on_site_url(article))
        assert response.status_code == 302, role
        assert response["Location"].endswith(article.get_absolute_url())


def test_the_view_on_site_redirect_still_leads_anyone_on_the_staff_to_a_public_article(client_for, others_work):
    article = others_work["published"]
    for role in ("writer", "other_writer", "editor", "admin"):
        response = client_for(role).get(view_on_site_url(article))
        assert response.status_code == 302, role
        assert response["Location"].endswith(article.get_absolute_url())
    assert "/admin/login/" in client_for("anonymous").get(view_on_site_url(article))["Location"]


def test_walking_view_on_site_ids_tells_a_writer_nothing_an_unknown_id_does_not(client_for, others_work):
    """A draft of someone else's answers exactly like an id that does not exist."""
    writer = client_for("writer")
    content_type = ContentType.objects.get_for_model(Article).pk
    missing = writer.get(reverse("admin:view_on_site", args=[content_type, 999999]))
    hidden = writer.get(view_on_site_url(others_work["draft"]))
    assert missing.status_code == hidden.status_code == 404


def test_view_on_site_for_sections_and_authors_is_unchanged(client_for, others_work, other_writer):
    for obj in (others_work["draft"].section, other_writer.author):
        response = client_for("writer").get(view_on_site_url(obj))
        assert response.status_code == 302
        assert response["Location"].endswith(obj.get_absolute_url())


def test_the_redirect_admins_article_autocomplete_shows_a_writer_only_their_own_articles(
    client_for, others_work, writer
):
    own = ArticleFactory.draft(headline="Wendy draft quokka", bylines=[writer.author])
    url = reverse("admin:autocomplete")
    query = {"app_label": "articles", "model_name": "articleredirect", "field_name": "article", "term": "quokka"}
    response = client_for("writer").get(url, query)
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(own.pk)]
    editor_ids = {r["id"] for r in client_for("editor").get(url, query).json()["results"]}
    assert editor_ids == {str(a.pk) for a in [own, *others_work.values()]}


@pytest.mark.parametrize("name", ["change", "delete", "history", "preview"])
def test_other_admin_pages_by_id_answer_a_writer_as_for_an_id_that_does_not_exist(client_for, others_work, name):
    writer = client_for("writer")
    hidden = writer.get(reverse(f"admin:articles_article_{name}", args=[others_work["draft"].pk]), follow=True)
    missing = writer.get(reverse(f"admin:articles_article_{name}", args=[999999]), follow=True)
    assert hidden.status_code == missing.status_code
    assert others_work["draft"].slug not in hidden.content.decode()
    assert "quokka" not in hidden.content.decode()
