"""Media on S3-compatible object storage: uploads and their renditions land in the bucket.

CI starts moto's S3 server and names it in S3_TEST_ENDPOINT; elsewhere the test starts one in-process.
"""

import contextlib
import os

import boto3
import pytest
from django.urls import reverse

from .admin_forms import article_post_data
from .factories import ArticleFactory, image_file

pytestmark = pytest.mark.django_db

BUCKET = "newsroom-media-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    endpoint = os.environ.get("S3_TEST_ENDPOINT")
    if endpoint:
        yield endpoint
        return
    server_module = pytest.importorskip("moto.server", reason="moto[server] is needed for the S3 tests")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings, monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


def test_an_uploaded_photo_and_its_renditions_are_stored_in_the_bucket(editor_client, editor, s3_storage):
    article = ArticleFactory(bylines=[editor.author])
    data = article_post_data(article, hero_alt="The bridge at dawn")
    data["hero_image"] = image_file(size=(1400, 900))
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.content
    article.refresh_from_db()
    keys = {item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert article.hero_image.name in keys
    for rendition in (article.hero_400, article.hero_800, article.hero_1200):
        assert rendition.name in keys
        assert rendition.url.startswith(s3_storage.meta.endpoint_url)
    head = s3_storage.head_object(Bucket=BUCKET, Key=article.hero_image.name)
    assert "immutable" in head["CacheControl"]
    assert head["ContentType"] == "image/jpeg"


def test_the_article_page_points_at_the_bucket(client, editor_client, editor, s3_storage):
    article = ArticleFactory(bylines=[editor.author])
    data = article_post_data(article, hero_alt="A heron")
    data["hero_image"] = image_file()
    editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    html = client.get(article.get_absolute_url()).content.decode()
    assert f"{s3_storage.meta.endpoint_url}/{BUCKET}/photos/" in html
