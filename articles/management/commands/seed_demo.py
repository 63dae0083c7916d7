"""Demo content so a newcomer sees a living site: sections, authors, articles with photos, notes."""

import io
import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from articles.images import clean_image
from articles.models import Article, ArticleImage, Author, Byline, Correction, Section

SECTIONS = [
    ("News", "news", "What is happening in Riverside and the valley today."),
    ("Politics", "politics", "The council, the county and the people who run them."),
    ("Environment", "environment", "Rivers, weather, wildlife and the fight over the green belt."),
    ("Business", "business", "Shops, jobs, housing and the local economy."),
    ("Culture", "culture", "Theatre, music, books and the people who make them."),
    ("Sport", "sport", "From the Riverside Rovers to the Sunday league."),
]

AUTHORS = [
    (
        "Mara Jones",
        "Local government reporter",
        "Mara has covered Riverside council since 2019. Tips: *mara@example.org*.",
    ),
    ("Priya Shah", "Environment editor", "Priya writes about rivers, weather and climate in the valley."),
    ("Tom Okafor", "Business reporter", "Tom follows the money: shops, jobs and housing."),
    ("Staff Reporter", "", ""),
    ("Agencies", "", "Reporting from news agencies."),
]

PALETTES = [("#1d3557", "#457b9d"), ("#264653", "#2a9d8f"), ("#6d597a", "#e56b6f"), ("#3d405b", "#81b29a"),
            ("#22333b", "#c6ac8f"), ("#003049", "#f77f00")]  # fmt: skip

STORIES = [
    (
        "news",
        "Council approves riverside budget after late-night session",
        "Councillors voted 23 to 19 for a £4.2m plan to rebuild the flood wall and reopen the towpath.",
        ["council", "budget", "flooding"],
        ["Mara Jones"],
        True,
    ),
    (
        "environment",
        "Amber warning for heavy rain as river levels rise",
        "Forecasters expect up to 60mm of rain on high ground by Saturday morning.",
        ["weather", "flooding"],
        ["Priya Shah"],
        False,
    ),
    (
        "business",
        "Brewery to create 40 jobs with new canning line",
        "The family firm says demand from supermarkets has doubled in two years.",
        ["jobs", "brewing"],
        ["Tom Okafor"],
        False,
    ),
    (
        "politics",
        "Bus lanes plan splits opinion at packed public meeting",
        "More than 200 people came to hear the county's proposals for the high street.",
        ["transport", "council"],
        ["Mara Jones", "Staff Reporter"],
        False,
    ),
    (
        "culture",
        "Riverside Playhouse marks its centenary with a season of new writing",
        "Five new plays by writers from the valley open in the spring.",
        ["theatre", "arts"],
        ["Staff Reporter"],
        False,
    ),
    (
        "sport",
        "Rovers hold on for first away win of the season",
        "A second-half penalty was enough at a rain-soaked Mill Lane.",
        ["football", "rovers"],
        ["Agencies"],
        False,
    ),
    (
        "environment",
        "Volunteers count record number of otters on the upper river",
        "The annual survey found signs of otters at 31 of 40 sites.",
        ["wildlife", "river"],
        ["Priya Shah"],
        False,
    ),
    (
        "business",
        "High street vacancy rate falls for the first time in five years",
        "Independent cafés and repair shops are filling units left by chain stores.",
        ["high street", "shops"],
        ["Tom Okafor"],
        False,
    ),
    (
        "news",
        "Library opening hours to be extended after petition",
        "Three branches will open on Sunday afternoons from next month.",
        ["libraries", "council"],
        ["Mara Jones"],
        False,
    ),
    (
        "politics",
        "How the new ward boundaries will change the next election",
        "Two wards merge and one is split in the boundary commission's final report.",
        ["elections", "council"],
        ["Mara Jones"],
        False,
    ),
    (
        "culture",
        "Community choir brings 300 voices to the cathedral",
        "Singers aged eight to 91 performed a new piece about the valley's mills.",
        ["music", "arts"],
        ["Staff Reporter"],
        False,
    ),
    (
        "sport",
        "Sunday league pitches reopen after drainage work",
        "The £180,000 scheme means fewer cancelled matches this winter.",
        ["football", "parks"],
        ["Agencies"],
        False,
    ),
]

PARAGRAPHS = [
    "The decision came after months of consultation in which residents, businesses and campaigners set out "
    "competing visions for the area. Supporters said the plan was overdue; critics said it was rushed.",
    "“We have listened to people on every side of this,” said one councillor after the vote. “Nobody gets "
    "everything they wanted, but this is a plan that can actually be delivered.”",
    "Officers told the meeting that the work would be phased over three years, with the first contracts "
    "signed before the summer. A progress report will come back to the committee in the autumn.",
    "Opposition members questioned the costings and asked for an independent review. Their amendment was "
    "defeated, but the council agreed to publish quarterly figures on its website.",
    "Residents who want to comment can write to the council or attend the next public meeting, which will be "
    "held at the town hall and streamed online.",
]

BODY_TABLE = """
| Item | 2025 (£m) | 2026 (£m) |
|:-----|----------:|----------:|
| Flood wall | 1.8 | 2.4 |
| Towpath | 0.3 | 0.5 |
| Contingency | 0.2 | 0.2 |
"""


def demo_photo(seed, text, size=(1600, 1000)):
    """A generated landscape picture, so the demo needs no network and no stock photos."""
    rng = random.Random(seed)
    top, bottom = PALETTES[seed % len(PALETTES)]
    image = Image.new("RGB", size, top)
    draw = ImageDraw.Draw(image)
    width, height = size
    for y in range(height):
        mix = y / height
        a = tuple(int(top[i : i + 2], 16) for i in (1, 3, 5))
        b = tuple(int(bottom[i : i + 2], 16) for i in (1, 3, 5))
        draw.line([(0, y), (width, y)], fill=tuple(int(a[c] * (1 - mix) + b[c] * mix) for c in range(3)))
    for layer in range(3):
        base = int(height * (0.55 + layer * 0.12))
        points = [(0, height)]
        for x in range(0, width + 100, 100):
            points.append((x, base + rng.randint(-60, 60)))
        points.append((width, height))
        shade = 30 + layer * 25
        draw.polygon(points, fill=(shade, shade + 10, shade + 5))
    draw.ellipse([width * 0.7, height * 0.12, width * 0.7 + 140, height * 0.12 + 140], fill="#f4d35e")
    draw.text((40, height - 60), text[:60], fill="white", font_size=36)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return clean_image(SimpleUploadedFile("demo.jpg", buffer.getvalue(), content_type="image/jpeg"))


class Command(BaseCommand):
    help = "Load demo sections, authors and articles with photos. Does nothing if articles already exist."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Add the demo articles even if articles exist.")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if Article.objects.exists() and not force:
            self.stdout.write("Demo content: articles already exist, nothing to do.")
            return
        sections = {}
        for order, (name, slug, description) in enumerate(SECTIONS):
            sections[slug], _ = Section.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description, "nav_order": order * 10}
            )
        authors = {}
        for index, (name, title, bio) in enumerate(AUTHORS):
            author, created = Author.objects.get_or_create(name=name, defaults={"job_title": title, "bio": bio})
            if created and title:
                author.photo.save("portrait.jpg", demo_photo(100 + index, "", size=(480, 480)))
            authors[name] = author
        now = timezone.now()
        total = len(STORIES)
        for index, (section, headline, standfirst, tags, bylines, featured) in enumerate(STORIES):
            body = "\n\n".join(PARAGRAPHS[(index + i) % len(PARAGRAPHS)] for i in range(4))
            if index == 0:
                body = f"{PARAGRAPHS[0]}\n\n## Where the money goes\n\n{BODY_TABLE}\n\n[[image:1]]\n\n{PARAGRAPHS[2]}"
            article = Article.objects.create(
                headline=headline,
                standfirst=standfirst,
                body=body,
                section=sections[section],
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(hours=5 + index * 19),
                featured=featured,
                hero_alt=f"Illustration for: {headline}",
                hero_caption="A view over the valley.",
                hero_credit="Courier staff",
            )
            article.hero_image.save("photo.jpg", demo_photo(index, headline))
            for position, name in enumerate(bylines):
                Byline.objects.create(article=article, author=authors[name], position=position)
            article.tags.add(*tags)
            if index == 0:
                ArticleImage.objects.create(
                    article=article,
                    image=demo_photo(50, "Flood wall"),
                    alt="The old flood wall at low tide",
                    caption="The flood wall was built in 1962.",
                    credit="Courier staff",
                )
                article.rerender()
                Correction.objects.create(
                    article=article,
                    note="An earlier version of this article gave the vote as 23 to 18. It was 23 to 19.",
                    noted_at=article.published_at + timedelta(hours=2),
                )
            self.stdout.write(f"  [{index + 1}/{total}] {headline}")
        unpublished = [
            ("Preview: what to expect from next week's budget hearing", "Scheduled to appear by itself tomorrow "
             "morning.", PARAGRAPHS[1], "politics", Article.Status.PUBLISHED, now + timedelta(days=1), "Mara Jones"),
            ("Allotment waiting list reaches ten years", "Waiting for an editor's review.", PARAGRAPHS[3], "news",
             Article.Status.REVIEW, None, "Mara Jones"),
            ("Draft: notes on the river survey", "", "To be written.", None, Article.Status.DRAFT, None, "Priya Shah"),
        ]  # fmt: skip
        for headline, standfirst, body, section, status, published_at, author in unpublished:
            article = Article.objects.create(
                headline=headline,
                standfirst=standfirst,
                body=body,
                section=sections.get(section),
                status=status,
                published_at=published_at,
            )
            Byline.objects.create(article=article, author=authors[author])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(sections)} sections, {len(authors)} authors, {total} published articles, "
                "1 scheduled, 1 in review, 1 draft."
            )
        )
