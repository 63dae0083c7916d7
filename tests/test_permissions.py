"""Who may do what, asked of articles.permissions directly (the admin and the workflow ask the same)."""

import pytest

from articles import permissions
from articles.models import Article

from .factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_admin_user(db):
    return UserFactory(username="root", is_superuser=True)


def own(user, **kwargs):
    article = ArticleFactory.draft(bylines=[user.author], **kwargs)
    article.created_by = user
    article.save()
    return article


def test_only_editors_and_site_admins_publish_edit_any_and_feature(writer, editor, site_admin_user):
    for predicate in (permissions.can_publish, permissions.can_edit_any, permissions.can_feature):
        assert (predicate(writer), predicate(editor), predicate(site_admin_user)) == (False, True, True)


def test_an_article_is_ones_own_by_creating_it_or_by_a_byline(writer, other_writer):
    created = ArticleFactory.draft(bylines=[])
    created.created_by = writer
    created.save()
    bylined = ArticleFactory.draft(bylines=[writer.author])
    assert permissions.is_own(writer, created) and permissions.is_own(writer, bylined)
    assert not permissions.is_own(other_writer, created) and not permissions.is_own(other_writer, bylined)


def test_writers_edit_and_delete_their_own_articles_until_published(writer, other_writer):
    draft = own(writer)
    assert permissions.can_edit(writer, draft) and permissions.can_delete(writer, draft)
    assert not permissions.can_edit(other_writer, draft) and not permissions.can_delete(other_writer, draft)
    published = ArticleFactory(bylines=[writer.author])
    assert not permissions.can_edit(writer, published) and not permissions.can_delete(writer, published)


def test_editors_edit_and_delete_any_article(editor, writer):
    for article in (own(writer), ArticleFactory()):
        assert permissions.can_edit(editor, article) and permissions.can_delete(editor, article)


def test_writers_read_the_history_of_their_own_articles_only(writer, other_writer, editor):
    published = ArticleFactory(bylines=[writer.author])
    assert permissions.can_read_history(writer, published)
    assert not permissions.can_read_history(other_writer, published)
    assert permissions.can_read_history(editor, published)


@pytest.mark.parametrize(
    ("start", "to", "writer_may", "editor_may"),
    [
        (Article.Status.DRAFT, Article.Status.REVIEW, True, True),
        (Article.Status.REVIEW, Article.Status.DRAFT, True, True),
        (Article.Status.DRAFT, Article.Status.PUBLISHED, False, True),
        (Article.Status.PUBLISHED, Article.Status.DRAFT, False, True),
    ],
)
def test_status_changes_by_role(writer, editor, start, to, writer_may, editor_may):
    article = ArticleFactory(status=start, bylines=[writer.author])
    assert permissions.can_transition(writer, article, to) is writer_may
    assert permissions.can_transition(editor, article, to) is editor_may


def test_a_user_without_the_change_permission_edits_nothing(writer):
    outsider = UserFactory(username="visitor")
    article = own(writer)
    article.created_by = outsider
    assert not permissions.can_edit(outsider, article)
    assert not permissions.can_transition(outsider, article, Article.Status.REVIEW)
