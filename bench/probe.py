"""Time each page type in-process against the configured database and print queries per request."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("PAGE_CACHE_ENABLED", "0")

import django  # noqa: E402

django.setup()

from django.core.signals import request_finished  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from urlset import page_urls  # noqa: E402

request_finished.disconnect(close_old_connections)
client = Client(HTTP_HOST="localhost")
only = [a for a in sys.argv[1:] if not a.startswith("-")]
for name, urls in page_urls().items():
    if only and name not in only:
        continue
    url = urls[0]
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    started = time.perf_counter()
    for _ in range(5):
        client.get(url)
    elapsed = (time.perf_counter() - started) / 5 * 1000
    print(f"{name:16} {response.status_code} {len(queries.captured_queries):3d} queries {elapsed:8.1f} ms  {url}")
    if "-v" in sys.argv:
        for query in queries.captured_queries:
            print("     ", query["time"], query["sql"][:300])
