"""Bug 4: a body that places an image the article does not have is a form error naming the reference."""

import pytest
from django.urls import reverse

from articles.models import ArticleImage

from .admin_forms import article_post_data, inline_management
from .factories import ArticleFactory, image_file

pytestmark = pytest.mark.usefixtures("no_page_cache")


def change(client, article, **fields):
    return client.post(
        reverse("admin:articles_article_change", args=[article.pk]), article_post_data(article, **fields)
    )


def image_forms(*images, new=()):
    """POST data for the body images inline: existing ``images`` as they are, plus ``new`` (ref, file) pairs."""
    data = inline_management("images", total=len(images) + len(new), initial=len(images))
    for index, image in enumerate(images):
        data.update(
            {
                f"images-{index}-id": str(image.pk),
                f"images-{index}-article": str(image.article_id),
                f"images-{index}-ref": image.ref,
                f"images-{index}-alt": image.alt,
                f"images-{index}-position": str(image.position),
            }
        )
    for offset, (ref, upload) in enumerate(new):
        index = len(images) + offset
        data.update({f"images-{index}-ref": ref, f"images-{index}-alt": "A photo", f"images-{index}-position": "0"})
        data[f"images-{index}-image"] = upload
    return data


def test_an_unknown_image_reference_is_a_form_error_naming_it(editor_client):
    article = ArticleFactory(body="Intro")
    response = change(editor_client, article, body="Intro\n\n[[image:5]]\n\nMore")
    assert response.status_code == 200
    assert "The body places [[image:5]], but the article has no body image with that reference" in (
        response.content.decode()
    )
    article.refresh_from_db()
    assert article.body == "Intro"


def test_a_reference_to_an_existing_image_saves(editor_client):
    article = ArticleFactory(body="Intro")
    image = ArticleImage.objects.create(article=article, image=image_file(), alt="Heron", ref="heron")
    data = article_post_data(article, body="Intro\n\n[[image:heron]]")
    data.update(image_forms(image))
    assert editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data).status_code == 302
    article.refresh_from_db()
    assert "<figure" in article.body_html


def test_an_image_uploaded_in_the_same_save_gets_the_numbered_reference_the_body_places(editor_client):
    article = ArticleFactory(body="Intro")
    data = article_post_data(article, body="Intro\n\n[[image:1]]")
    data.update(image_forms(new=[("", image_file())]))
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert "<figure" in article.body_html and "[[image" not in article.body_html


def test_deleting_an_image_the_body_still_places_is_a_form_error(editor_client):
    article = ArticleFactory(body="Intro\n\n[[image:1]]")
    image = ArticleImage.objects.create(article=article, image=image_file(), alt="Heron", ref="1")
    data = article_post_data(article)
    data.update(image_forms(image))
    data["images-0-DELETE"] = "on"
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 200
    assert "[[image:1]]" in response.content.decode()
    assert ArticleImage.objects.filter(pk=image.pk).exists()
