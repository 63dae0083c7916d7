"""Security round 2, accounts and the admin: lockouts that staff cannot reset for each other, addresses and tags
of unpublished work kept from other writers, the tag merge page, and the Permissions-Policy header."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Byline

from .conftest import user_for
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


# Tags of others' unpublished work


@pytest.fixture
def tagged(others_work, writer):
    """Tags on public work, on the writer's own draft, and one only on another writer's unpublished work."""
    others_work["published"].tags.add("quokka-public", "quokka-shared")
    others_work["draft"].tags.add("quokka-secret", "quokka-shared")
    others_work["scheduled"].tags.add("quokka-secret")
    own = ArticleFactory.draft(headline="Wendy draft", bylines=[writer.author])
    own.tags.add("quokka-mine")
    return Tag.objects.get(name="quokka-secret")


VISIBLE_TO_WRITER = {"quokka-public", "quokka-shared", "quokka-mine"}
EVERY_TAG = VISIBLE_TO_WRITER | {"quokka-secret"}


def test_tag_suggestions_offer_a_writer_only_public_tags_and_their_own(client_for, tagged):
    url = reverse("admin:articles_tag_suggestions")
    assert set(client_for("writer").get(url, {"q": "quokka"}).json()["results"]) == VISIBLE_TO_WRITER
    assert set(client_for("editor").get(url, {"q": "quokka"}).json()["results"]) == EVERY_TAG


def test_the_article_lists_tag_filter_shows_a_writer_no_tag_of_others_unpublished_work(client_for, tagged):
    html = client_for("writer").get(reverse("admin:articles_article_changelist")).content.decode()
    assert "quokka-mine" in html
    assert "quokka-secret" not in html
    html = client_for("editor").get(reverse("admin:articles_article_changelist")).content.decode()
    assert "quokka-secret" in html


def test_the_tag_admin_shows_a_writer_only_public_tags_and_their_own(client_for, tagged):
    writer, editor = client_for("writer"), client_for("editor")
    changelist = reverse("admin:taggit_tag_changelist")
    for query in ({}, {"q": "quokka"}):
        html = writer.get(changelist, query).content.decode()
        assert all(name in html for name in VISIBLE_TO_WRITER)
        assert "quokka-secret" not in html
        assert "quokka-secret" in editor.get(changelist, query).content.decode()
    hidden = writer.get(reverse("admin:taggit_tag_change", args=[tagged.pk]), follow=True)
    missing = writer.get(reverse("admin:taggit_tag_change", args=[999999]), follow=True)
    assert hidden.redirect_chain == [(reverse("admin:index"), 302)] == missing.redirect_chain
    assert "quokka-secret" not in hidden.content.decode()
    assert editor.get(reverse("admin:taggit_tag_change", args=[tagged.pk])).status_code == 200


def test_a_tag_becomes_visible_to_writers_once_an_article_with_it_is_published(client_for, tagged, others_work):
    others_work["review"].tags.add("quokka-secret")
    others_work["review"].transition(to=Article.Status.PUBLISHED, by=user_for("editor"))
    url = reverse("admin:articles_tag_suggestions")
    assert "quokka-secret" in client_for("writer").get(url, {"q": "quokka"}).json()["results"]


# django-taggit's merge-tags page

MERGE = reverse("admin:taggit_tag_merge_tags")


def test_a_writer_can_neither_open_nor_post_the_merge_tags_page(client_for, tagged):
    writer = client_for("writer")
    count = Tag.objects.count()
    assert writer.get(MERGE).status_code == 403
    assert writer.post(MERGE, {"new_tag_name": "made-by-a-writer"}).status_code == 403
    assert Tag.objects.count() == count
    assert not Tag.objects.filter(name="made-by-a-writer").exists()


def test_the_merge_action_is_offered_to_editors_only(client_for, tagged):
    changelist = reverse("admin:taggit_tag_changelist")
    assert "render_tag_form" not in client_for("writer").get(changelist).content.decode()
    assert "render_tag_form" in client_for("editor").get(changelist).content.decode()
    response = client_for("writer").post(
        changelist, {"action": "render_tag_form", "_selected_action": [tagged.pk]}, follow=True
    )
    assert "selected_tag_ids" not in client_for("writer").session
    assert response.status_code == 200


def test_merging_with_no_tags_selected_is_a_form_error_not_a_crash(client_for, tagged):
    count = Tag.objects.count()
    response = client_for("editor").post(MERGE, {"new_tag_name": "merged"})
    assert response.status_code == 200
    assert "Select the tags to merge" in response.content.decode()
    assert Tag.objects.count() == count


def test_merging_tags_moves_every_article_onto_the_new_tag(client_for, tagged, others_work):
    editor = client_for("editor")
    public, shared = Tag.objects.get(name="quokka-public"), Tag.objects.get(name="quokka-shared")
    chosen = {"action": "render_tag_form", "_selected_action": [tagged.pk, public.pk, shared.pk]}
    response = editor.post(reverse("admin:taggit_tag_changelist") + "?q=quokka", chosen)
    assert response.status_code == 302
    assert response["Location"] == MERGE
    page = editor.get(MERGE)
    assert page.status_code == 200
    assert all(name in page.content.decode() for name in ("quokka-secret", "quokka-public", "quokka-shared"))
    response = editor.post(MERGE, {"new_tag_name": "Quokkas"})
    assert response.status_code == 302
    for article in (others_work["published"], others_work["draft"], others_work["scheduled"]):
        assert [tag.name for tag in article.tags.all()] == ["Quokkas"]
    assert [a.slug for a in Article.objects.published().tagged(Tag.objects.get(name="Quokkas"))] == [
        "oscar-published-quokka"
    ]
    assert Article.objects.filter(tags__name="quokka-mine").count() == 1  # not selected, not touched


def test_merging_into_an_existing_tag_keeps_one_tag_per_article(client_for, tagged, others_work):
    editor = client_for("editor")
    shared = Tag.objects.get(name="quokka-shared")
    editor.post(reverse("admin:taggit_tag_changelist"), {"action": "render_tag_form", "_selected_action": [tagged.pk]})
    response = editor.post(MERGE, {"new_tag_name": "QUOKKA-SHARED"})  # names are case-insensitive
    assert response.status_code == 302
    assert [tag.pk for tag in others_work["draft"].tags.all()] == [shared.pk]
    assert [tag.pk for tag in others_work["scheduled"].tags.all()] == [shared.pk]
    assert not Tag.objects.filter(name="QUOKKA-SHARED").exists()


# Permissions-Policy: features the site never uses are off on every response

NEVER_USED = ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics", "interest-cohort"]


def assert_permissions_policy(response):
    policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    for feature in NEVER_USED:
        assert policy[feature] == "()", feature
    for feature in ("fullscreen", "picture-in-picture", "encrypted-media", "autoplay"):
        assert feature not in policy  # video embeds may still use these


def test_public_pages_carry_the_permissions_policy_from_the_page_cache_too(client):
    article = ArticleFactory()
    for path in ("/", article.get_absolute_url(), "/feed/", "/sitemap.xml", "/robots.txt"):
        first, second = client.get(path), client.get(path)
        assert (first.status_code, second.status_code) == (200, 200), path
        assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT"), path
        assert_permissions_policy(first)
        assert_permissions_policy(second)


def test_admin_pages_carry_the_permissions_policy(client_for):
    assert_permissions_policy(client_for("anonymous").get(LOGIN))
    assert_permissions_policy(client_for("editor").get(reverse("admin:articles_article_add")))
    assert_permissions_policy(client_for("writer").get(reverse("admin:articles_tag_suggestions"), {"q": "a"}))


def test_error_pages_carry_the_permissions_policy(client, settings, monkeypatch):
    settings.DEBUG = False
    assert_permissions_policy(client.get("/no/such/page/"))
    assert_permissions_policy(client.get("/", HTTP_HOST="evil.example"))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("articles.views.HomeView.get_queryset", broken)
    crashed = Client(raise_request_exception=False).get("/")
    assert crashed.status_code == 500
    assert_permissions_policy(crashed)


def test_the_database_outage_page_and_the_lockout_page_carry_the_permissions_policy(site_admin, settings):
    from .test_security_faults import database_down

    with database_down():
        unavailable = Client().get("/section/nowhere/")
    assert unavailable.status_code == 503
    assert_permissions_policy(unavailable)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = log_in("ada", OFFICE)
    assert locked.status_code == 429
    assert_permissions_policy(locked)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chromium_applies_the_permissions_policy_without_complaint(live_server, page):
    """Every feature name is one the browser knows (an unknown one is a console error), and the policy holds."""
    article = ArticleFactory(body="A story.\n\n<iframe src='https://www.youtube-nocookie.com/embed/x'></iframe>")
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    for path in ("/", article.get_absolute_url(), LOGIN):
        page.goto(live_server.url + path)
        assert page.evaluate("document.featurePolicy.allowsFeature('camera')") is False
        assert page.evaluate("document.featurePolicy.allowsFeature('geolocation')") is False
        assert page.evaluate("document.featurePolicy.allowsFeature('fullscreen')") is True
    assert not [text for text in messages if "Permissions-Policy" in text]
