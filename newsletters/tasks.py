"""Jobs run by the task worker (django-tasks): the confirmation mail, an article's alert fan-out, each alert.

An alert is recorded as a ``Delivery`` row per (reader, article) before it is queued, so fanning out twice
queues nothing new; a send marks its row sent, so running a send job twice sends once. A failed send is
queued again with a growing delay (1, 2, 4, 8 ... minutes) until ``NEWSLETTER_SEND_ATTEMPTS`` are used up.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from articles.models import Article

from . import mail
from .models import ArticleAlert, Delivery, Follow

logger = logging.getLogger("newsletters")

# What a send may fail with and be tried again: the mail server refusing or unreachable.
SEND_ERRORS = (smtplib.SMTPException, OSError)


def retry_delay(attempts):
    return timedelta(minutes=2 ** max(0, attempts - 1))


@task()
def send_confirmation(follow_id):
    follow = (
        Follow.objects.select_related("reader", "section", "tag", "author")
        .filter(pk=follow_id, status=Follow.Status.PENDING)
        .first()
    )
    if follow is None:
        return "gone"
    mail.confirmation_message(follow).send()
    return "sent"


@task()
def fan_out_alert(article_id):
    """Record and queue one alert per reader following the (still public, listed) article."""
    scheduled = Article.objects.scheduled().filter(pk=article_id).values_list("published_at", flat=True).first()
    if scheduled is not None:  # moved later since the job was queued: wait for it
        fan_out_alert.using(run_after=scheduled).enqueue(article_id)
        return 0
    article = Article.objects.listed().select_related("section").filter(pk=article_id).first()
    if article is None:
        return 0
    readers = set(Follow.objects.alerting_for(article).values_list("reader_id", flat=True))
    already = set(Delivery.objects.filter(article=article, reader__in=readers).values_list("reader_id", flat=True))
    new = Delivery.objects.bulk_create(
        [Delivery(reader_id=reader_id, article=article) for reader_id in sorted(readers - already)],
        ignore_conflicts=True,
    )
    created = Delivery.objects.filter(article=article, reader__in=[d.reader_id for d in new])
    for delivery_id in created.filter(status=Delivery.Status.QUEUED).values_list("pk", flat=True):
        send_alert.enqueue(delivery_id)
    ArticleAlert.objects.filter(article=article).update(recipients=len(readers))
    return len(new)


@task()
def send_alert(delivery_id):
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("reader", "article__section")
            .filter(pk=delivery_id, status=Delivery.Status.QUEUED)
            .first()
        )
        if delivery is None:
            return "done already"
        follows = list(
            Follow.objects.alerting_for(delivery.article)
            .filter(reader=delivery.reader)
            .select_related("section", "tag", "author")
        )
        if not follows or not delivery.article.is_public:
            delivery.status = Delivery.Status.SKIPPED
            delivery.save(update_fields=["status"])
            return "skipped"
        delivery.attempts += 1
        try:
            mail.alert_message(delivery.reader, delivery.article, follows).send()
        except SEND_ERRORS as error:
            delivery.last_error = f"{type(error).__name__}: {error}"[:500]
            retry = delivery.attempts < settings.NEWSLETTER_SEND_ATTEMPTS
            if not retry:
                delivery.status = Delivery.Status.FAILED
            delivery.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("Alert %s to reader %s failed: %s", delivery.pk, delivery.reader_id, delivery.last_error)
            if retry:  # queued in the same transaction as the failure it follows (the database backend)
                send_alert.using(run_after=timezone.now() + retry_delay(delivery.attempts)).enqueue(delivery_id)
            return "retrying" if retry else "failed"
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    return "sent"


def queue_alert(article):
    """Start the article's alert once, when it is first seen live or scheduled, unless it is old news.

    Called whenever a published article is saved: corrections and later edits do not alert again, and an
    article published long ago (an import, an edit to an old story) never alerts at all.
    """
    if article.published_at is None or article.published_at < timezone.now() - settings.NEWSLETTER_ALERT_MAX_AGE:
        return
    _, created = ArticleAlert.objects.get_or_create(article=article)
    if not created:
        return
    job = fan_out_alert
    if article.published_at > timezone.now():
        job = fan_out_alert.using(run_after=article.published_at)  # a scheduled story alerts when it goes live
    article_id = article.pk
    transaction.on_commit(lambda: job.enqueue(article_id))
