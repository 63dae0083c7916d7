"""Shared by the live coverage tests: a story switched to live, and updates posted on it."""

from datetime import timedelta

from django.utils import timezone

from articles.models import LiveUpdate

from .factories import ArticleFactory


def live_story(**kwargs):
    return ArticleFactory(live_started_at=timezone.now() - timedelta(minutes=30), **kwargs)


def post(article, body="Polls have closed.", minutes_ago=0, **fields):
    return LiveUpdate.objects.create(
        article=article, body=body, published_at=timezone.now() - timedelta(minutes=minutes_ago), **fields
    )
