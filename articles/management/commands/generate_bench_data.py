"""Bulk-generate a large archive for benchmarks and load tests (minutes for 100,000 articles, not hours)."""

import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles import search
from articles.models import (
    Article,
    ArticleImage,
    ArticleRedirect,
    Author,
    Byline,
    Correction,
    Section,
    TaggedArticle,
)
from articles.rendering import render_body

WORDS = [
    "council",
    "budget",
    "river",
    "flood",
    "school",
    "hospital",
    "housing",
    "transport",
    "bus",
    "rail",
    "bridge",
    "market",
    "brewery",
    "library",
    "theatre",
    "festival",
    "election",
    "mayor",
    "police",
    "court",
    "fire",
    "weather",
    "storm",
    "heat",
    "drought",
    "farm",
    "harvest",
    "factory",
    "jobs",
    "wages",
    "rent",
    "shops",
    "café",
    "museum",
    "park",
    "garden",
    "otter",
    "salmon",
    "canal",
    "towpath",
    "cycling",
    "football",
    "cricket",
    "rugby",
    "marathon",
    "choir",
    "orchestra",
    "gallery",
    "archive",
    "planning",
    "permit",
    "tax",
    "levy",
    "grant",
    "charity",
    "volunteer",
    "hospice",
    "clinic",
    "teacher",
    "nurse",
    "doctor",
    "pupils",
    "exam",
    "university",
    "student",
    "startup",
    "investment",
    "pension",
    "energy",
    "solar",
    "wind",
    "heating",
    "water",
    "sewage",
    "pollution",
    "wildlife",
    "trees",
    "woodland",
    "hills",
    "valley",
    "estate",
    "tower",
    "square",
    "station",
    "airport",
    "harbour",
]

PARAGRAPH = (
    "The {a} plan was discussed at length by residents and officials, who raised questions about the {b} and "
    "the effect on the {c}. Supporters argued that the {a} would bring lasting benefits, while critics said "
    "the {b} had been overlooked and asked for more time to study the {c} figures before any decision."
)


def clear_rows_pointing_at(models):
    """Delete, through the ORM, rows of other apps' models that point at the content about to be emptied
    (readers' follows and alerts, for one), so that emptying it with plain SQL breaks no foreign key."""
    for model in models:
        for relation in model._meta.get_fields(include_hidden=True):
            reverse_key = (
                relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)
            )
            if reverse_key and relation.related_model not in models:
                field = relation.field.name
                relation.related_model._base_manager.filter(**{f"{field}__isnull": False}).delete()


class Command(BaseCommand):
    help = "Replace the database's content with a generated archive of the given size, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000, help="published articles (default 100,000)")
        parser.add_argument("--authors", type=int, default=300)
        parser.add_argument("--sections", type=int, default=20)
        parser.add_argument("--tags", type=int, default=5000)
        parser.add_argument("--years", type=float, default=8.0, help="the archive spans this many years")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--yes", action="store_true", help="do not ask before deleting existing content")

    def handle(self, *args, articles, authors, sections, tags, years, seed, yes, **options):
        if Article.objects.exists() and not yes:
            raise CommandError("The database already has articles; pass --yes to replace them.")
        rng = random.Random(seed)
        started = time.monotonic()
        with transaction.atomic():
            self.step("Clearing existing content")
            models = [TaggedArticle, Byline, Article.extra_sections.through, Article.history.model, ArticleImage,
                      Correction, ArticleRedirect, Article, Tag, Author, Section]  # fmt: skip
            clear_rows_pointing_at(models)
            with connection.cursor() as cursor:
                for model in models:  # plain SQL: no per-row signals for a wholesale replacement
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            section_ids = self.make_sections(sections)
            author_ids = self.make_authors(authors)
            tag_ids = self.make_tags(tags, rng)
            self.make_articles(articles, section_ids, author_ids, tag_ids, years, rng)
        self.step("Building the search index")
        self.rebuild_search()
        self.step("Updating planner statistics")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        total = Article.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {total:,} articles ({articles:,} published), {authors} authors, {sections} sections, "
                f"{tags:,} tags in {time.monotonic() - started:.0f} s."
            )
        )

    def step(self, message):
        self.stdout.write(f"  {message}…")
        self.stdout.flush()

    def make_sections(self, count):
        self.step(f"{count} sections")
        # Every slug is one an editor could choose (validate_section_slug): "health" is the health check's.
        names = ["News", "Politics", "Business", "Environment", "Culture", "Sport", "Education", "Health Care",
                 "Transport", "Housing", "Opinion", "Science", "Courts", "Food", "Travel", "Music", "Books",
                 "Schools", "Weather", "Obituaries"]  # fmt: skip
        names += [f"Section {n}" for n in range(len(names), count)]
        Section.objects.bulk_create(
            Section(name=name, slug=slugify(name), nav_order=index, show_in_nav=index < 8)
            for index, name in enumerate(names[:count])
        )
        return list(Section.objects.order_by("pk").values_list("pk", flat=True))

    def make_authors(self, count):
        self.step(f"{count} authors")
        Author.objects.bulk_create(
            Author(name=f"Reporter {n:03d}", slug=f"reporter-{n:03d}", bio=f"Reporter {n} covers the valley.")
            for n in range(count)
        )
        return list(Author.objects.order_by("pk").values_list("pk", flat=True))

    def make_tags(self, count, rng):
        self.step(f"{count:,} tags")
        names = set()
        while len(names) < count:
            names.add(f"{rng.choice(WORDS)} {rng.choice(WORDS)} {len(names)}")
        Tag.objects.bulk_create((Tag(name=name, slug=slugify(name)) for name in names), batch_size=2000)
        return list(Tag.objects.order_by("pk").values_list("pk", flat=True))

    def make_articles(self, count, section_ids, author_ids, tag_ids, years, rng):
        now = timezone.now()
        span = timedelta(days=365 * years)
        bodies = []
        for n in range(40):
            a, b, c = rng.sample(WORDS, 3)
            text = "\n\n".join(PARAGRAPH.format(a=a, b=b, c=c) for _ in range(6 + n % 5))
            bodies.append((text, render_body(text)))
        drafts, scheduled = max(1, count // 50), max(1, count // 100)
        total = count + drafts + scheduled
        batch = 5000
        self.step(f"{total:,} articles ({drafts:,} drafts, {scheduled:,} scheduled)")
        popular = tag_ids[: max(1, len(tag_ids) // 20)]
        for start in range(0, total, batch):
            rows = []
            for n in range(start, min(start + batch, total)):
                a, b, c = rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS)
                body, body_html = bodies[n % len(bodies)]
                if n < count:
                    status, moment = Article.Status.PUBLISHED, now - span * (n / count) - timedelta(minutes=5)
                elif n < count + drafts:
                    status, moment = Article.Status.DRAFT, None
                else:
                    status, moment = Article.Status.PUBLISHED, now + timedelta(hours=1 + n - count - drafts)
                rows.append(
                    Article(
                        headline=f"{a.title()} {b} row over {c} plan",
                        slug=f"{slugify(f'{a} {b} {c}')}-{n}",
                        standfirst=f"Residents question the {b} as the {a} plan for the {c} moves ahead.",
                        body=body,
                        body_html=body_html,
                        section_id=section_ids[n % len(section_ids)],
                        status=status,
                        published_at=moment,
                        featured=n % 500 == 0,
                    )
                )
            created = Article.objects.bulk_create(rows)
            bylines, tagged = [], []
            for article in created:
                for position, author_id in enumerate(rng.sample(author_ids, 1 + (article.pk % 4 == 0))):
                    bylines.append(Byline(article_id=article.pk, author_id=author_id, position=position))
                chosen = {rng.choice(popular)} | set(rng.sample(tag_ids, rng.randint(0, 3)))
                tagged += [TaggedArticle(content_object_id=article.pk, tag_id=tag_id) for tag_id in chosen]
            Byline.objects.bulk_create(bylines)
            TaggedArticle.objects.bulk_create(tagged)
            self.stdout.write(f"    {min(start + batch, total):,}/{total:,}")

    def rebuild_search(self):
        def progress(count):
            if count % 10_000 == 0:
                self.stdout.write(f"    {count:,}")

        with transaction.atomic():
            search.clear_index()
            search.rebuild_index(Article.objects.all(), progress=progress)
