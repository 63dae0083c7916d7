"""Following a tag end to end: the form on the tag page, the confirmation through a real SMTP server, an
alert when a story with the tag is published through the workflow, one-click unsubscribe, then silence."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from taggit.models import Tag

from articles.models import Article
from newsletters.models import ArticleAlert, Consent, Delivery, Follow, Reader
from newsletters.tasks import fan_out_alert

from .factories import ArticleFactory, AuthorFactory, SectionFactory
from .mailserver import html_part, link_in, run_worker, smtp_server, text_part  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

ORIGIN = {"HTTP_ORIGIN": "http://testserver"}
READER = "reader@example.net"


def follow_tag(client, slug, email=READER, **extra):
    return client.post(
        reverse("newsletters:follow", args=["tag", slug]), {"email": email, "website": ""}, **ORIGIN, **extra
    )


def publish_through_workflow(editor, writer, headline, tags):
    article = ArticleFactory.draft(headline=headline, bylines=[writer.author], tags=tags)
    article.transition(to=Article.Status.PUBLISHED, by=editor)
    return article


def test_a_reader_follows_a_tag_confirms_gets_an_alert_and_unsubscribes_in_one_click(
    smtp_server,  # noqa: F811
    editor,
    writer,
    django_capture_on_commit_callbacks,
):
    ArticleFactory(tags=["floods"], headline="The river rises")
    reader_client = Client(enforce_csrf_checks=True)

    page = reader_client.get(reverse("articles:tag", args=["floods"]))
    assert b'action="/newsletters/follow/tag/floods/"' in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = follow_tag(reader_client, "floods")
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    assert smtp_server.messages == []  # a job sends it, not the request

    run_worker()
    [confirmation] = smtp_server.to(READER)
    assert "floods" in confirmation["Subject"]
    assert "List-Unsubscribe" not in confirmation
    assert link_in(confirmation, "confirm") in html_part(confirmation)

    # Nothing but the confirmation before the reader confirms.
    with django_capture_on_commit_callbacks(execute=True):
        publish_through_workflow(editor, writer, "Before confirming", ["floods"])
    run_worker()
    assert len(smtp_server.messages) == 1

    confirm = link_in(confirmation, "confirm")
    assert b"Yes, follow floods" in reader_client.get(confirm).content
    assert Follow.objects.get().status == Follow.Status.PENDING  # opening the link is not confirming
    response = reader_client.post(confirm)
    assert response.status_code == 200
    assert b"You now follow floods" in response.content
    assert Follow.objects.get().status == Follow.Status.CONFIRMED

    with django_capture_on_commit_callbacks(execute=True):
        article = publish_through_workflow(editor, writer, "Flood barriers hold overnight", ["floods"])
    run_worker()
    [alert] = smtp_server.messages[1:]
    assert alert["Subject"] == "Flood barriers hold overnight"
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://news.example.org" + article.get_absolute_url() in text_part(alert)
    assert article.get_absolute_url() in html_part(alert)
    assert "<img" not in html_part(alert)  # no open-tracking pixel
    assert Delivery.objects.get(article=article).status == Delivery.Status.SENT

    # Fanning out again sends nothing twice.
    fan_out_alert.enqueue(article.pk)
    run_worker()
    assert len(smtp_server.messages) == 2

    # RFC 8058: the mail client posts to the List-Unsubscribe address, with no CSRF token.
    unsubscribe = alert["List-Unsubscribe"].strip().strip("<>").removeprefix("https://news.example.org")
    response = reader_client.post(
        unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Follow.objects.get().status == Follow.Status.UNSUBSCRIBED
    assert list(Consent.objects.values_list("action", flat=True)) == ["requested", "confirmed", "unsubscribed"]

    with django_capture_on_commit_callbacks(execute=True):
        publish_through_workflow(editor, writer, "After unsubscribing", ["floods"])
    run_worker()
    assert len(smtp_server.messages) == 2


def test_a_failed_send_is_retried_later_and_sent_once(smtp_server, settings, django_capture_on_commit_callbacks):  # noqa: F811
    follow = confirmed_follow_of_tag("floods")
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(tags=["floods"])
    run_worker()
    delivery = Delivery.objects.get(article=article, reader=follow.reader)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.QUEUED, 1)
    assert "Error" in delivery.last_error
    retry = DBTaskResult.objects.filter(task_path="newsletters.tasks.send_alert", status="READY").get()
    assert retry.run_after > timezone.now()  # later, not now

    settings.EMAIL_PORT = working_port
    run_worker()
    assert smtp_server.messages == []  # not yet due
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()
    assert len(smtp_server.to(follow.reader.email)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)


def test_a_send_that_keeps_failing_stops_after_the_last_attempt(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 1, False
    settings.NEWSLETTER_SEND_ATTEMPTS = 2
    confirmed_follow_of_tag("floods")
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(tags=["floods"])
    for _ in range(3):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 2)


def confirmed_follow_of_tag(slug, email=READER):
    """A reader who follows the tag already; the tag exists through an old story (too old to alert)."""
    ArticleFactory(tags=[slug], published_at=timezone.now() - timedelta(days=30))
    reader, _ = Reader.objects.get_or_create(email=email)
    return Follow.objects.create(reader=reader, tag=Tag.objects.get(slug=slug), status=Follow.Status.CONFIRMED)


def fan_out_jobs():
    return DBTaskResult.objects.filter(task_path="newsletters.tasks.fan_out_alert")


def test_an_article_is_alerted_once_whatever_is_saved_afterwards(editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(tags=["floods"])
    with django_capture_on_commit_callbacks(execute=True):
        article.headline = "Corrected headline"
        article.save_revision(by=editor)
    assert ArticleAlert.objects.filter(article=article).count() == 1
    assert fan_out_jobs().count() == 1


def test_an_old_story_saved_again_alerts_nobody(editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(published_at=timezone.now() - timedelta(days=3))
        article.save_revision(by=editor)
    assert not ArticleAlert.objects.exists()
    assert not fan_out_jobs().exists()


def test_a_draft_saved_alerts_nobody(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory.draft()
    assert not fan_out_jobs().exists()


def test_a_scheduled_story_alerts_when_it_goes_live(smtp_server, django_capture_on_commit_callbacks):  # noqa: F811
    confirmed_follow_of_tag("floods")
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory.scheduled(tags=["floods"])
    job = fan_out_jobs().get()
    assert job.run_after == article.published_at
    run_worker()
    assert smtp_server.messages == []
    with time_machine.travel(article.published_at + timedelta(minutes=1)):
        run_worker()
    assert len(smtp_server.messages) == 1


def test_a_hidden_story_alerts_nobody(smtp_server, django_capture_on_commit_callbacks):  # noqa: F811
    confirmed_follow_of_tag("floods")
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(tags=["floods"], hidden=True)
    run_worker()
    assert smtp_server.messages == []
    assert not Delivery.objects.exists()


def test_followers_of_the_section_and_the_author_get_one_alert_each(smtp_server, django_capture_on_commit_callbacks):  # noqa: F811
    reporter = AuthorFactory(name="Rita Reporter")
    section = SectionFactory(name="Environment", slug="environment")
    ArticleFactory(section=section, bylines=[reporter], published_at=timezone.now() - timedelta(days=30))
    both = Reader.objects.create(email="both@example.net")
    Follow.objects.create(reader=both, section=section, status=Follow.Status.CONFIRMED)
    Follow.objects.create(reader=both, author=reporter, status=Follow.Status.CONFIRMED)
    pending = Reader.objects.create(email="pending@example.net")
    Follow.objects.create(reader=pending, section=section)
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(section=section, bylines=[reporter])
    run_worker()
    assert [m.envelope_to for m in smtp_server.messages] == [["both@example.net"]]
    assert "Environment (section), Rita Reporter (author)" in text_part(smtp_server.messages[0])
