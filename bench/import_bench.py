"""Import benchmark: generate a Jekyll site of N posts and import it into an empty database.

    .venv/bin/python bench/import_bench.py --count 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom .venv/bin/python bench/import_bench.py --count 10000

The database is a fresh test database (created and dropped by Django's test machinery: a temporary SQLite
file, or ``test_<name>`` on PostgreSQL); media go to a temporary folder. Prints posts per second.
"""

import argparse
import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    "council", "budget", "river", "flood", "school", "hospital", "housing", "transport", "bus", "rail", "bridge",
    "market", "brewery", "library", "theatre", "festival", "election", "mayor", "police", "court", "weather",
    "storm", "harvest", "factory", "jobs", "wages", "rent", "shops", "museum",
]  # fmt: skip


def paragraph(rng, words=60):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def generate(folder, count, image_every, seed=4):
    from PIL import Image

    rng = random.Random(seed)
    (folder / "_posts").mkdir(parents=True)
    (folder / "assets" / "images").mkdir(parents=True)
    (folder / "_config.yml").write_text(
        "title: Bench\nurl: https://bench.example.org\ntimezone: Europe/London\n"
        "permalink: /:categories/:year/:month/:day/:title:output_ext\nauthors:\n"
        + "".join(f"  writer{n}:\n    display_name: Writer {n}\n    email: w{n}@example.org\n" for n in range(20))
    )
    for number in range(count):
        date = f"{2015 + number % 10}-{1 + number % 12:02d}-{1 + number % 28:02d}"
        image = ""
        if image_every and number % image_every == 0:
            name = f"photo-{number}.jpg"
            buffer = io.BytesIO()
            Image.new("RGB", (800, 500), (number % 256, (number // 256) % 256, 90)).save(buffer, "JPEG")
            (folder / "assets" / "images" / name).write_bytes(buffer.getvalue())
            image = f"image: assets/images/{name}\n"
        body = "\n\n".join(paragraph(rng) for _ in range(6))
        (folder / "_posts" / f"{date}-story-{number}.md").write_text(
            f"---\ntitle: Story {number} about the {rng.choice(WORDS)}\nauthor: writer{number % 20}\n"
            f"categories: [{rng.choice(['Local', 'Politics', 'Business', 'Sport', 'Weather'])}]\n"
            f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n{image}---\n"
            f"{body}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="posts to generate (default 10000)")
    parser.add_argument("--image-every", type=int, default=20, help="one post in N has its own photo (0: none)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings.base")
    os.environ["DJANGO_MEDIA_ROOT"] = str(work / "media")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(work / "bench.sqlite3")
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from articles.jekyll.importer import import_paths
        from articles.models import Article

        site = work / "site"
        generate(site, args.count, args.image_every)
        started = time.perf_counter()
        report = import_paths([site])
        elapsed = time.perf_counter() - started
        assert Article.objects.count() == args.count, report.lines()[:5]
        print(
            f"{connection.vendor}: imported {len(report.created)} posts "
            f"({args.count // args.image_every if args.image_every else 0} with their own photo) in {elapsed:.1f} s: "
            f"{len(report.created) / elapsed:.0f} posts/s"
        )
        started = time.perf_counter()
        again = import_paths([site])
        elapsed = time.perf_counter() - started
        print(f"{connection.vendor}: re-import, {len(again.unchanged)} unchanged: {args.count / elapsed:.0f} posts/s")
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
