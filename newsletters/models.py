"""Readers who follow a section, tag or author, the consent they gave, and the alerts sent to them."""

import secrets

from django.db import models
from django.db.models import Q
from taggit.models import Tag

from articles.models import Article, Author, Section


def new_token():
    return secrets.token_urlsafe(16)


class Reader(models.Model):
    """An email address that asked to follow something. No account and no password: a reader is reached by
    signed links carrying ``token``, which is replaced when the reader forgets every link sent so far."""

    email = models.EmailField(max_length=254, unique=True)
    token = models.CharField(max_length=32, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email


class FollowQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Follow.Status.CONFIRMED)

    def alerting_for(self, article):
        """Confirmed, immediate follows of the article's sections, tags or authors."""
        sections = [article.section_id, *article.extra_sections.values_list("pk", flat=True)]
        return self.confirmed().filter(
            Q(section__in=sections)
            | Q(tag__in=article.tags.through.objects.filter(content_object=article).values("tag"))
            | Q(author__in=article.authors.through.objects.filter(article=article).values("author")),
            frequency=Follow.Frequency.IMMEDIATELY,
        )


class Follow(models.Model):
    """One thing a reader follows: exactly one of a section, a tag or an author."""

    class Status(models.TextChoices):
        PENDING = "pending", "waiting for confirmation"
        CONFIRMED = "confirmed"
        UNSUBSCRIBED = "unsubscribed"

    class Frequency(models.TextChoices):
        IMMEDIATELY = "immediately", "an alert for each new story"

    reader = models.ForeignKey(Reader, on_delete=models.CASCADE, related_name="follows")
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    frequency = models.CharField(max_length=12, choices=Frequency, default=Frequency.IMMEDIATELY)
    # The confirmation link names this nonce; confirming replaces it, so a link works once.
    nonce = models.CharField(max_length=32, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(section__isnull=False, tag__isnull=True, author__isnull=True)
                    | Q(section__isnull=True, tag__isnull=False, author__isnull=True)
                    | Q(section__isnull=True, tag__isnull=True, author__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["reader", "section"], name="follow_unique_section"),
            models.UniqueConstraint(fields=["reader", "tag"], name="follow_unique_tag"),
            models.UniqueConstraint(fields=["reader", "author"], name="follow_unique_author"),
        ]
        indexes = [models.Index(fields=["status", "frequency"], name="follow_status_frequency")]

    def __str__(self):
        return f"{self.reader} follows {self.kind} {self.target}"

    @property
    def target(self):
        return self.section or self.tag or self.author

    @property
    def kind(self):
        return "section" if self.section_id else "tag" if self.tag_id else "author"


class Consent(models.Model):
    """What a reader agreed to (or withdrew), when, and from where. The address is kept only as a salted
    hash, enough to tell requests from one place apart, not to say where that was."""

    class Action(models.TextChoices):
        REQUESTED = "requested", "asked to follow"
        CONFIRMED = "confirmed", "confirmed by email"
        UNSUBSCRIBED = "unsubscribed"

    reader = models.ForeignKey(Reader, on_delete=models.CASCADE, related_name="consents")
    follow = models.ForeignKey(Follow, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents")
    action = models.CharField(max_length=12, choices=Action)
    subject = models.CharField(max_length=200, help_text="What the reader agreed to, as worded at the time.")
    source = models.CharField(max_length=200, blank=True, help_text="The page or link the request came from.")
    ip_hash = models.CharField("address hash", max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.reader}: {self.get_action_display()} {self.subject}"


class Delivery(models.Model):
    """One alert for one reader about one article: made once, sent at most once."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        FAILED = "failed", "failed for good"
        SKIPPED = "skipped", "skipped (no longer followed)"

    reader = models.ForeignKey(Reader, on_delete=models.CASCADE, related_name="deliveries")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["reader", "article"], name="delivery_once_per_reader")]

    def __str__(self):
        return f"{self.article} to {self.reader}"


class ArticleAlert(models.Model):
    """The fan-out of an article's alert, started once per article, whatever is saved afterwards."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self):
        return f"Alert for {self.article}"
