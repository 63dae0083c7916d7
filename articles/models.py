from html import unescape

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from imagekit.models import ImageSpecField
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .images import SafeImageField, UploadPath
from .querysets import ArticleQuerySet
from .rendering import render_body, render_plain

# First path segments the site itself uses; a section cannot take them as its slug.
RESERVED_SLUGS = {
    "admin", "archive", "author", "authors", "corrections", "feed", "feeds", "health", "media", "preview",
    "robots.txt", "search", "section", "sections", "sitemap.xml", "sitemaps", "static", "tag", "tags",
}  # fmt: skip


def validate_section_slug(value):
    if value in RESERVED_SLUGS or value.isdigit():
        raise ValidationError("“%(slug)s” is used by the site itself; choose another slug.", params={"slug": value})


def unique_slug(model, text, *, exclude_pk=None, max_length=200, taken=None):
    """A slug for ``text`` no other row has, numbered -2, -3, ... if needed. ``taken`` (a set of slugs in
    use, for planning many rows in memory) is checked instead of the database and gets the slug added."""
    base = slugify(text)[: max_length - 8].strip("-") or "untitled"
    candidate, number = base, 1
    others = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while candidate in taken if taken is not None else others.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    if taken is not None:
        taken.add(candidate)
    return candidate


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        validators=[validate_section_slug],
        help_text="Used in the web address of the section and of its articles. Changing it keeps old links working.",
    )
    description = models.TextField(blank=True, help_text="Shown on the section page and in search results.")
    nav_order = models.PositiveSmallIntegerField(
        "navigation order", default=100, help_text="Sections are listed in the menu and on the home page in this order."
    )
    show_in_nav = models.BooleanField("show in navigation", default=True)

    class Meta:
        ordering = ["nav_order", "name"]
        verbose_name = "section"
        verbose_name_plural = "sections"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Section, self.name, exclude_pk=self.pk, max_length=100)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Author(models.Model):
    name = models.CharField("display name", max_length=150)
    slug = models.SlugField(max_length=150, unique=True, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    bio = models.TextField(blank=True, help_text="A short biography in Markdown, shown on the author page.")
    bio_html = models.TextField(editable=False, blank=True)
    photo = SafeImageField(upload_to=UploadPath("authors"), blank=True)
    photo_small = ImageSpecField(source="photo", id="newsroom:portrait")
    website = models.URLField(blank=True)
    social_url = models.URLField(
        "social profile", blank=True, help_text="A full address, such as https://bsky.app/profile/..."
    )
    twitter = models.CharField("X/Twitter handle", max_length=50, blank=True)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The login account that writes as this author. Leave empty for guest and wire bylines.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Author, self.name, exclude_pk=self.pk, max_length=150)
        self.twitter = self.twitter.strip().lstrip("@")
        self.bio_html = render_plain(self.bio)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")]


class VersionRecord(models.Model):
    """What each entry of an article's history keeps besides the article's own fields (``articles.versions``)."""

    related = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="Tags, body images and corrections as they were in this version; empty if not recorded.",
    )

    class Meta:
        abstract = True


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="The last part of the web address. Made from the headline when left empty. "
        "Once the article is published, changing it keeps the old address working as a redirect.",
    )
    standfirst = models.TextField(
        blank=True, help_text="One or two sentences under the headline; also used as the summary in lists and feeds."
    )
    body = models.TextField(
        blank=True,
        help_text="Markdown. Place an uploaded body image on a line of its own as [[image:REF]], "
        "using the reference shown beside the image below.",
    )
    body_html = models.TextField(editable=False, blank=True)

    hero_image = SafeImageField(
        "photo",
        upload_to=UploadPath("photos"),
        blank=True,
        width_field="hero_width",
        height_field="hero_height",
        help_text="JPEG, PNG, WebP or GIF. Location data is removed when it is stored.",
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_alt = models.CharField(
        "photo alt text", max_length=300, blank=True, help_text="What the photo shows, for readers who cannot see it."
    )
    hero_caption = models.CharField("photo caption", max_length=500, blank=True)
    hero_credit = models.CharField("photo credit", max_length=200, blank=True)
    hero_400 = ImageSpecField(source="hero_image", id="newsroom:webp400")
    hero_800 = ImageSpecField(source="hero_image", id="newsroom:webp800")
    hero_1200 = ImageSpecField(source="hero_image", id="newsroom:webp1200")
    focal_x = models.FloatField(
        "focal point across",
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Where the photo's point of interest is, from 0 (left edge) to 1 (right edge); "
        "cropped renditions (cards, social cards, squares) keep it in view.",
    )
    focal_y = models.FloatField(
        "focal point down",
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="From 0 (top edge) to 1 (bottom edge).",
    )
    hero_card = ImageSpecField(source="hero_image", id="newsroom:card")
    hero_card_1200 = ImageSpecField(source="hero_image", id="newsroom:card1200")
    hero_social = ImageSpecField(source="hero_image", id="newsroom:social")
    hero_square = ImageSpecField(source="hero_image", id="newsroom:square")

    authors = models.ManyToManyField(Author, through="Byline", related_name="articles", blank=True)
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        help_text="The primary section: it appears in the article's address and breadcrumb.",
    )
    extra_sections = models.ManyToManyField(
        Section, blank=True, related_name="extra_articles", verbose_name="other sections"
    )
    tags = TaggableManager(through=TaggedArticle, blank=True)

    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="When readers first see the article. A time in the future schedules it: "
        "it appears by itself at that moment. Left empty, publishing uses the current time.",
    )
    revised_at = models.DateTimeField(
        "updated time",
        null=True,
        blank=True,
        help_text="Set when a published story is substantially updated; shown to readers as “Updated”.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    featured = models.BooleanField(default=False, help_text="The most recent featured article leads the home page.")
    hidden = models.BooleanField(
        default=False, help_text="Keep out of the home page, section lists and feeds; still reachable by its address."
    )

    meta_description = models.CharField(
        max_length=300, blank=True, help_text="For search engines and social cards; the standfirst is used if empty."
    )
    social_image = SafeImageField(
        upload_to=UploadPath("social"), blank=True, help_text="For social cards; the photo is used if empty."
    )
    canonical_url = models.URLField(
        "canonical URL", max_length=500, blank=True, help_text="For syndicated pieces: the original's address."
    )

    source_url = models.CharField(
        "original URL", max_length=500, blank=True, help_text="Where an imported article lived."
    )
    source_file = models.CharField(max_length=500, blank=True, help_text="The file an imported article came from.")
    source_data = models.JSONField(default=dict, blank=True, help_text="Other fields kept from the imported file.")
    revision = models.PositiveIntegerField(default=1, editable=False)
    live_started_at = models.DateTimeField(
        "live coverage started",
        null=True,
        blank=True,
        help_text="Set when an editor starts live coverage: the story shows a “Live” label and a stream of "
        "timestamped updates. Editors only.",
    )
    live_ended_at = models.DateTimeField(
        "live coverage ended",
        null=True,
        blank=True,
        help_text="Set when an editor ends live coverage: the label goes, the updates stay. Editors only.",
    )
    live_writers_may_post = models.BooleanField(
        "writers may post updates",
        default=False,
        help_text="Let writers post live updates on this story; editors always may.",
    )
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["body_html", "updated_at", "revision", "search_vector"], bases=[VersionRecord]
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles"),
            ("edit_any_article", "Can edit any article"),
            ("feature_article", "Can feature articles"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="article_status_published"),
            models.Index(fields=["section", "status", "-published_at", "-id"], name="article_section_published"),
            models.Index(fields=["featured", "status", "-published_at"], name="article_featured"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_file"], condition=~Q(source_file=""), name="unique_article_source_file"
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Article, self.headline, exclude_pk=self.pk)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.body_html = render_body(self.body, self.images.all() if self.pk else ())
        if self.pk:
            self._keep_old_address()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        section = self.section.slug if self.section_id else "news"
        return reverse("articles:article", kwargs={"section": section, "slug": self.slug})

    def clean(self):
        errors = {}
        if self.hero_image and not self.hero_alt.strip():
            errors["hero_alt"] = "A photo needs alt text describing it."
        if self.status == self.Status.PUBLISHED:
            if not self.headline.strip():
                errors["headline"] = "An article needs a headline before it is published."
            if not self.body.strip():
                errors["body"] = "An article needs a body before it is published."
            if self.section_id is None:
                errors["section"] = "An article needs a section before it is published."
        if errors:
            raise ValidationError(errors)

    def _keep_old_address(self):
        """Record a redirect when a published article's address changes."""
        old = Article.objects.filter(pk=self.pk).select_related("section").first()
        if old is None or old.status != self.Status.PUBLISHED:
            return
        old_path = old.get_absolute_url()
        if old_path != self.get_absolute_url():
            ArticleRedirect.objects.update_or_create(old_path=old_path, defaults={"article": self})

    def transition(self, *, to, by, note=""):
        """Change the status on behalf of ``by``, save, and return what readers now see (see ``workflow``)."""
        from .workflow import transition

        return transition(self, to=to, by=by, note=note)

    def save_revision(self, *, by, note=""):
        """Save an edit that is not a status change as a new revision by ``by`` (see ``workflow``)."""
        from .workflow import save_revision

        save_revision(self, by=by, note=note)

    def rerender(self):
        """Render the body again, for when its images change."""
        self.body_html = render_body(self.body, self.images.all())
        Article.objects.filter(pk=self.pk).update(body_html=self.body_html)

    def make_crops_on_commit(self):
        """Cut the photo's crops around its focal point once the save commits, outside the write lock."""
        if self.hero_image:
            for rendition in (self.hero_card, self.hero_card_1200, self.hero_social, self.hero_square):
                transaction.on_commit(rendition.generate)

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_live(self):
        """Live coverage is running: the story shows the "Live" label and readers' pages poll for updates."""
        return self.live_started_at is not None and self.live_ended_at is None

    @property
    def has_live_updates(self):
        """The story has (or had) live coverage, so its page shows the stream of updates."""
        return self.live_started_at is not None

    @property
    def summary(self):
        return self.standfirst or self.meta_description

    @property
    def byline_authors(self):
        return [byline.author for byline in self.bylines.all()]

    @property
    def word_count(self):
        return len(self.body.split())

    @property
    def reading_minutes(self):
        return max(1, round(self.word_count / 230))


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_byline")]

    def __str__(self):
        return f"{self.author} on {self.article}"


class Correction(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=12, choices=Kind, default=Kind.CORRECTION)
    note = models.TextField(help_text="What was wrong and what is right now, or what was updated. Markdown.")
    note_html = models.TextField(editable=False, blank=True)
    noted_at = models.DateTimeField("date", default=timezone.now)

    class Meta:
        ordering = ["noted_at", "pk"]
        indexes = [models.Index(fields=["kind", "-noted_at"], name="correction_kind_noted")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.article}, {self.noted_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self.note_html = render_plain(self.note)
        super().save(*args, **kwargs)


class ArticleImage(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    ref = models.SlugField(
        "reference",
        max_length=40,
        blank=True,
        help_text="Put [[image:REFERENCE]] on a line of its own in the body to show this image there.",
    )
    image = SafeImageField(upload_to=UploadPath("photos"), width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt = models.CharField("alt text", max_length=300, help_text="What the image shows, for readers who cannot see it.")
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    image_400 = ImageSpecField(source="image", id="newsroom:webp400")
    image_800 = ImageSpecField(source="image", id="newsroom:webp800")
    image_1200 = ImageSpecField(source="image", id="newsroom:webp1200")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "ref"], name="unique_image_ref")]

    def __str__(self):
        return f"[[image:{self.ref}]]"

    def save(self, *args, **kwargs):
        if not self.ref:
            taken = set(ArticleImage.objects.filter(article_id=self.article_id).values_list("ref", flat=True))
            number = 1
            while str(number) in taken:
                number += 1
            self.ref = str(number)
        super().save(*args, **kwargs)


class ArticleRedirect(models.Model):
    """An old address of an article (a changed slug or section, or an imported site's URL)."""

    old_path = models.CharField(max_length=500, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.old_path} → {self.article}"


class ArticleDraft(models.Model):
    """Text autosaved from the change form while someone types: kept apart from the article itself.

    An autosave never touches the article row, so it cannot publish anything, change what readers of a live
    story see, or add to the history. It is offered back when the same person opens the form again, and
    removed when they save the article. ``article`` is empty for a story not yet saved once.
    """

    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    revision = models.PositiveIntegerField(
        null=True, blank=True, help_text="The article's revision the text was typed over."
    )
    headline = models.CharField(max_length=200, blank=True)
    standfirst = models.TextField(blank=True)
    body = models.TextField(blank=True)
    new_images = models.JSONField(
        default=dict, blank=True, help_text="For a new article: the images dropped into it (pending upload tokens)."
    )
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="unique_article_draft"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(article__isnull=True), name="unique_new_article_draft"
            ),
        ]

    def __str__(self):
        return f"Autosaved text of {self.article or 'a new article'} by {self.user}"


class LiveUpdate(models.Model):
    """One timestamped entry in a live story's stream (``Article.live_started_at``)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_updates")
    published_at = models.DateTimeField("time", default=timezone.now)
    headline = models.CharField(max_length=200, blank=True, help_text="Optional; a few words in bold above the text.")
    body = models.TextField(help_text="Markdown, as in an article body: links, quotes, embeds, [[image:REF]].")
    body_html = models.TextField(editable=False, blank=True)
    author = models.ForeignKey(
        Author,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_updates",
        help_text="The byline; the person posting when left empty.",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    key_point = models.BooleanField("key point", default=False, help_text="Also listed in the summary box on top.")
    pinned = models.BooleanField(default=False, help_text="Stays first in the stream, above newer updates.")
    correction = models.BooleanField(default=False, help_text="Marked to readers as a correction.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["body_html", "updated_at"])

    class Meta:
        ordering = ["-pinned", "-published_at", "-pk"]
        indexes = [models.Index(fields=["article", "-published_at", "-id"], name="liveupdate_article_published")]

    def __str__(self):
        return self.headline or f"Update on {self.article}"

    def save(self, *args, **kwargs):
        self.body_html = render_body(self.body, self.article.images.all() if self.article_id else ())
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#update-{self.pk}"

    def get_permalink(self):
        """The update's own page (``get_absolute_url`` is its place in the story)."""
        return f"{self.article.get_absolute_url()}updates/{self.pk}/"

    @property
    def text(self):
        """The body's words as plain text, for structured data and feed titles."""
        return " ".join(unescape(strip_tags(self.body_html)).split())
