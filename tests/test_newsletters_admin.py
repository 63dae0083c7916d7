"""Readers in the admin: site admins look them up; writers and editors never see readers' addresses."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from newsletters.models import Delivery, Follow, Reader

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def make_readers(count, prefix="reader"):
    article = ArticleFactory(tags=["floods"])
    tag = Tag.objects.get(slug="floods")
    for n in range(count):
        reader = Reader.objects.create(email=f"{prefix}{n}@example.net")
        Follow.objects.create(reader=reader, tag=tag, status=Follow.Status.CONFIRMED)
        Delivery.objects.create(reader=reader, article=article)


@pytest.mark.parametrize(
    "url", ["/admin/newsletters/reader/", "/admin/newsletters/follow/", "/admin/newsletters/delivery/"]
)
def test_site_admins_list_readers_follows_and_deliveries_in_constant_queries(client_for, url):
    client = client_for("admin")
    make_readers(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    make_readers(10, prefix="more")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert b"more9@example.net" in response.content
    assert len(large) == len(small)


def test_a_reader_page_shows_follows_and_consent_without_edit_controls(client_for):
    make_readers(1)
    reader = Reader.objects.get()
    response = client_for("admin").get(f"/admin/newsletters/reader/{reader.pk}/change/")
    assert response.status_code == 200
    assert b"floods" in response.content
    assert b'name="_save"' not in response.content


@pytest.mark.parametrize("role", ["writer", "editor"])
def test_writers_and_editors_do_not_see_readers(client_for, role):
    make_readers(1)
    client = client_for(role)
    assert client.get("/admin/newsletters/reader/").status_code == 403
    assert b"newsletters/reader" not in client.get("/admin/").content


def test_generating_bench_data_clears_readers_follows_and_alerts_of_the_old_content():
    """The generator empties content with plain SQL; rows of other apps pointing at it go first."""
    make_readers(2)
    call_command(
        "generate_bench_data", "--articles=5", "--authors=2", "--sections=2", "--tags=5", "--yes", stdout=StringIO()
    )
    connection.check_constraints()
    assert not Follow.objects.exists() and not Delivery.objects.exists()
    assert Reader.objects.count() == 2
