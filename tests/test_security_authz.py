"""Who may do what, as a matrix: five kinds of visitor against every admin URL and action, and every public channel.

Extends tests/test_admin_roles.py (each role's rules one at a time) to the whole surface, so that a new
URL or a new role that forgets a check shows up as a cell that changed.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse

from articles.models import Article

from .admin_forms import article_post_data
from .factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "writer", "other_writer", "editor", "admin"]
LOGIN = "login"  # a redirect to the login page
GONE = "gone"  # the admin's "doesn't exist" redirect, or 404: the article is not theirs to see
SITE = "site"  # a redirect out of the admin, to the article's address


@pytest.fixture
def draft(writer):
    """The writer's own draft, with one earlier version."""
    article = ArticleFactory.draft(headline="Writer's draft", bylines=[writer.author])
    article.created_by = writer
    article.headline = "Writer's draft, second version"
    article.save()
    return article


def import_url():
    for name in ("admin:articles_import_jekyll", "admin:articles_article_import"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def admin_get_urls(article):
    version = article.history.earliest().history_id
    urls = {
        "changelist": reverse("admin:articles_article_changelist"),
        "add": reverse("admin:articles_article_add"),
        "change": reverse("admin:articles_article_change", args=[article.pk]),
        "delete": reverse("admin:articles_article_delete", args=[article.pk]),
        "history": reverse("admin:articles_article_history", args=[article.pk]),
        "history-version": reverse("admin:articles_article_simple_history", args=[article.pk, version]),
        "preview": reverse("admin:articles_article_preview", args=[article.pk]),
        "tag-suggestions": reverse("admin:articles_tag_suggestions") + "?q=riv",
        "view-on-site": reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(article).pk, article.pk]),
        "tag-merge": reverse("admin:taggit_tag_merge_tags"),
        "users": reverse("admin:auth_user_changelist"),
        "sections-add": reverse("admin:articles_section_add"),
    }
    if import_url():
        urls["import"] = import_url()
    return urls


# Expected outcome of a GET, per URL and role. 200 = allowed; 403 = refused; LOGIN; GONE.
EXPECTED_GET = {
    #                   anonymous writer other_writer editor admin
    "changelist": (LOGIN, 200, 200, 200, 200),
    "add": (LOGIN, 200, 200, 200, 200),
    "change": (LOGIN, 200, GONE, 200, 200),
    "delete": (LOGIN, 200, GONE, 200, 200),
    "history": (LOGIN, 200, GONE, 200, 200),
    "history-version": (LOGIN, 200, 403, 200, 200),
    "preview": (LOGIN, 200, GONE, 200, 200),
    "tag-suggestions": (LOGIN, 200, 200, 200, 200),
    "view-on-site": (LOGIN, SITE, GONE, SITE, SITE),
    "tag-merge": (LOGIN, 403, 403, 200, 200),
    "import": (LOGIN, 403, 403, 200, 200),
    "users": (LOGIN, 403, 403, 403, 200),
    "sections-add": (LOGIN, 403, 403, 403, 200),
}


def outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        if "/admin/login/" in location:
            return LOGIN
        if location.rstrip("/").endswith("/admin"):
            return GONE
        if "/admin/" not in location:
            return SITE
        return f"302 {location}"
    if response.status_code == 404:
        return GONE
    return response.status_code


def test_admin_get_matrix(client_for, draft):
    seen, wanted = {}, {}
    for name, url in admin_get_urls(draft).items():
        for role, expected in zip(ROLES, EXPECTED_GET[name], strict=True):
            seen[(name, role)] = outcome(client_for(role).get(url))
            wanted[(name, role)] = expected
    assert seen == wanted


def test_nobody_but_the_owner_and_editors_sees_the_draft_in_the_admin_list(client_for, draft):
    changelist = reverse("admin:articles_article_changelist")
    for role, listed in zip(ROLES[1:], (True, False, True, True), strict=True):
        assert ("second version" in client_for(role).get(changelist).content.decode()) is listed, role


# Writes: every action, as every role


def post_change(client, article, **fields):
    return client.post(
        reverse("admin:articles_article_change", args=[article.pk]), article_post_data(article, **fields)
    )


@pytest.mark.parametrize("role", ["anonymous", "other_writer"])
def test_outsiders_cannot_change_delete_or_revert_the_draft(client_for, draft, role):
    client = client_for(role)
    post_change(client, draft, headline="Hijacked")
    client.post(reverse("admin:articles_article_delete", args=[draft.pk]), {"post": "yes"})
    version = draft.history.earliest().history_id
    client.post(
        reverse("admin:articles_article_simple_history", args=[draft.pk, version]),
        article_post_data(draft, headline="Reverted by outsider"),
    )
    for action in ("submit_for_review", "publish_now", "unpublish", "feature", "delete_selected"):
        client.post(
            reverse("admin:articles_article_changelist"),
            {"action": action, "_selected_action": [draft.pk], "post": "yes"},
        )
    draft.refresh_from_db()
    assert draft.headline == "Writer's draft, second version"
    assert draft.status == Article.Status.DRAFT and not draft.featured


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("publish_now", "status", Article.Status.PUBLISHED),
        ("feature", "featured", True),
        ("submit_for_review", "status", Article.Status.REVIEW),
    ],
)
def test_bulk_actions_by_role(client_for, draft, action, field, value):
    allowed = {"writer": action == "submit_for_review", "editor": True, "admin": True}
    for role, may in allowed.items():
        article = ArticleFactory.draft(bylines=[draft.byline_authors[0]])
        article.created_by = draft.created_by
        article.save()
        client_for(role).post(
            reverse("admin:articles_article_changelist"), {"action": action, "_selected_action": [article.pk]}
        )
        article.refresh_from_db()
        assert (getattr(article, field) == value) is may, (role, action)


def test_a_writer_cannot_make_themself_a_superuser(client_for, writer):
    url = reverse("admin:auth_user_change", args=[writer.pk])
    data = {"username": writer.username, "is_superuser": "on", "is_staff": "on", "is_active": "on", "groups": []}
    assert client_for("writer").post(url, data).status_code == 403
    writer.refresh_from_db()
    assert not writer.is_superuser
    assert not writer.has_perm("articles.publish_article")


def test_a_writer_cannot_publish_through_a_crafted_status(client_for, draft):
    response = post_change(client_for("writer"), draft, status="published")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_a_writer_cannot_schedule_feature_hide_or_redirect_through_crafted_fields(client_for, draft):
    """A valid form that also carries the fields only editors set: the rest saves, those keep their values."""
    response = post_change(
        client_for("writer"),
        draft,
        headline="Writer's draft, third version",
        status="review",
        featured="on",
        hidden="on",
        published_at_0="2020-01-01",
        published_at_1="09:00:00",
        revised_at_0="2020-01-02",
        revised_at_1="09:00:00",
        canonical_url="https://evil.example/",
    )
    assert response.status_code == 302, response.content
    draft.refresh_from_db()
    assert draft.headline == "Writer's draft, third version"
    assert draft.status == Article.Status.REVIEW
    assert draft.featured is False
    assert draft.hidden is False
    assert draft.published_at is None
    assert draft.revised_at is None
    assert draft.canonical_url == ""


def test_a_writer_cannot_take_over_another_article_through_inline_ids(client_for, draft, other_writer):
    """Posting another article's byline id in one's own form must not move or change that byline."""
    theirs = ArticleFactory.draft(headline="Oscar's draft", bylines=[other_writer.author])
    theirs.created_by = other_writer
    theirs.save()
    their_byline = theirs.bylines.get()
    data = article_post_data(draft)
    data.update(
        {
            "bylines-TOTAL_FORMS": "2",
            "bylines-1-id": str(their_byline.pk),
            "bylines-1-article": str(theirs.pk),
            "bylines-1-author": str(draft.byline_authors[0].pk),
            "bylines-1-position": "1",
        }
    )
    client_for("writer").post(reverse("admin:articles_article_change", args=[draft.pk]), data)
    their_byline.refresh_from_db()
    assert their_byline.article_id == theirs.pk
    assert their_byline.author == other_writer.author
    assert client_for("writer").get(reverse("admin:articles_article_change", args=[theirs.pk])).status_code == 302


def test_a_writer_cannot_edit_another_article_by_adding_themself_as_a_byline_elsewhere(client_for, draft, other_writer):
    theirs = ArticleFactory.draft(headline="Oscar's draft", bylines=[other_writer.author])
    data = article_post_data(draft)
    data.update(
        {
            "bylines-TOTAL_FORMS": "2",
            "bylines-1-article": str(theirs.pk),
            "bylines-1-author": str(draft.byline_authors[0].pk),
            "bylines-1-position": "1",
        }
    )
    client_for("writer").post(reverse("admin:articles_article_change", args=[draft.pk]), data)
    assert not theirs.bylines.filter(author=draft.byline_authors[0]).exists()


def test_preview_links_cannot_be_guessed_or_reused_for_another_article(client_for, draft, other_writer):
    theirs = ArticleFactory.draft(headline="Oscar's secret draft", bylines=[other_writer.author])
    mine = reverse("admin:articles_article_preview", args=[draft.pk])
    assert client_for("writer").get(mine).status_code == 200
    for pk in (theirs.pk, theirs.pk + 1000, 0):
        response = client_for("writer").get(reverse("admin:articles_article_preview", args=[pk]))
        assert response.status_code == 404
        assert "Oscar" not in response.content.decode()
    shared = client_for("anonymous").get(mine)
    assert outcome(shared) == LOGIN
    assert "no-store" in client_for("writer").get(mine)["Cache-Control"]


# Public channels: nothing unpublished, ever


@pytest.fixture
def unpublished():
    section = SectionFactory(name="News", slug="news")
    reporter = AuthorFactory(name="Zara Reporter")  # has a public story, so her page and feed exist
    ArticleFactory(headline="Visible story zebra", section=section, tags=["zebra"], bylines=[reporter])
    hidden = [
        ArticleFactory.draft(headline="Secret draft zebra", section=section, tags=["zebra"], bylines=[reporter]),
        ArticleFactory.in_review(headline="Secret review zebra", section=section, tags=["zebra"], bylines=[reporter]),
        ArticleFactory.scheduled(
            headline="Secret scheduled zebra", section=section, tags=["zebra"], bylines=[reporter]
        ),
    ]
    for article in hidden:
        CorrectionFactory(article=article, note="Secret correction")
    return hidden


def public_channels(article):
    author = article.byline_authors[0]
    return [
        "/",
        "/section/news/",
        "/tag/zebra/",
        author.get_absolute_url(),
        "/search/?q=zebra",
        "/search/?q=secret",
        "/corrections/",
        f"/archive/{article.created_at.year}/",
        "/feed/",
        "/feed/atom/",
        "/section/news/feed/",
        "/tag/zebra/feed/",
        author.get_absolute_url() + "feed/",
        "/corrections/feed/",
        "/sitemap-articles.xml",
        "/sitemap-authors.xml",
        "/news-sitemap.xml",
    ]


def test_drafts_review_and_scheduled_articles_are_404_for_readers(client, unpublished):
    for article in unpublished:
        assert client.get(article.get_absolute_url()).status_code == 404
        assert client.get(f"/news/{article.slug}/").status_code == 404


def test_unpublished_articles_appear_in_no_public_channel(client, unpublished):
    for url in public_channels(unpublished[0]):
        response = client.get(url)
        assert response.status_code == 200, url  # every channel is a page that exists: a 404 would hide a leak
        body = response.content.decode()
        assert "Secret" not in body, url
        for article in unpublished:
            assert article.slug not in body, url
    assert "Visible story zebra" in client.get("/").content.decode()


def test_staff_sessions_do_not_see_drafts_on_the_public_site_either(client_for, unpublished):
    for role in ("editor", "admin"):
        for article in unpublished:
            assert client_for(role).get(article.get_absolute_url()).status_code == 404
