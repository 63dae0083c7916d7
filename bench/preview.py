"""The writing desk's live preview: the server's round trip for a 2,000-word body, at p50 and p95.

    .venv/bin/python bench/preview.py               # 200 previews of a 2,000-word body
    .venv/bin/python bench/preview.py --words 5000 --runs 100

Each preview is a POST to the admin's preview endpoint through the whole middleware stack (sessions,
authentication, CSP, the admin's login check), as an editor's browser sends it while typing, on a throwaway
SQLite test database. The article has two body images and an embedded video, so image placement,
rendering and sanitizing are all measured; the network and the browser's own drawing are not.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings.test")

PARAGRAPH = (
    "The council's planning committee met on Tuesday to weigh the _revised_ proposal for the old mill, "
    "which campaigners say would bring **forty new homes** to the river path. "
    "Residents [who spoke at the meeting](https://example.org/minutes) asked for a second crossing."
)


def body_of(words):
    """Markdown of about ``words`` words: paragraphs, headings, a list, a quote, two images and an embed."""
    blocks, count, section = [], 0, 0
    while count < words:
        if count and count % 400 < 40:
            section += 1
            blocks.append(f"## Part {section} of the story")
        blocks.append(PARAGRAPH)
        count += len(PARAGRAPH.split())
        if len(blocks) == 6:
            blocks += ["[[image:1]]", "- one point\n- another point\n- a third", "> A quote from the mayor."]
        if len(blocks) == 20:
            blocks += ["[[image:2]]", '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"></iframe>']
    return "\n\n".join(blocks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from articles.models import ArticleImage
    from tests.conftest import user_for
    from tests.factories import ArticleFactory, image_file

    editor = user_for("editor")
    article = ArticleFactory.draft()
    for _ in range(2):
        ArticleImage.objects.create(article=article, image=image_file(size=(1600, 1000)), alt="A photo")
    body = body_of(args.words)
    client = Client()
    client.force_login(editor)
    url = reverse("admin:articles_desk_preview")
    data = {"article": article.pk, "headline": "A headline", "standfirst": "A standfirst.", "body": body}

    for _ in range(5):  # warm the Markdown converters and the template cache
        client.post(url, data)
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        response = client.post(url, data)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:200]
    reply = response.json()
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    print(f"preview of {reply['words']} words ({len(body):,} characters of Markdown, {len(reply['html']):,} of HTML)")
    print(f"{args.runs} runs: p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms")


if __name__ == "__main__":
    main()
