# ruff: noqa: S310, S603 - a local tool that starts its own processes and talks only to 127.0.0.1
"""A page-cache hit against the static ceiling, side by side in one run (docs/performance.md).

Uses the harness of bench/run.py (a 1,000-article SQLite archive, gunicorn with production settings, wrk on
loopback) in the shape of issue 12: 4 sync workers, ``wrk -t2 -c32``. Four rows:

- static, Django stack: the article's HTML bytes as a file served by whitenoise's middleware with the page
  cache off (the ceiling ``make bench`` uses);
- static, whitenoise alone: the same bytes from a WSGI app that is only whitenoise (no Django at all);
- cached article: the article page, a page-cache hit answered by the WSGI layer in front of Django;
- 304: the same with its ETag in ``If-None-Match``.

    .venv/bin/python bench/hit_ceiling.py --duration 10
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import run  # bench/run.py

LUA = """
request = function()
  return wrk.format("GET", %(path)s, {["Accept-Encoding"] = "gzip"%(extra)s})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
"""

STATIC_APP = """
import os
from whitenoise import WhiteNoise

def not_found(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]

application = WhiteNoise(not_found, root=os.environ["BENCH_STATIC_ROOT"])
"""


def measure(path, duration, connections, headers=None):
    extra = "".join(f", [{json.dumps(k)}] = {json.dumps(v)}" for k, v in (headers or {}).items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"path": json.dumps(path), "extra": extra})
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", script.name, f"http://127.0.0.1:{run.PORT}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(script.name)
    requests, micros, p50, p99 = map(int, re.search(r"RESULT (\d+) (\d+) (\d+) (\d+)", out).groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": round(requests / (micros / 1e6)),
        "p50_ms": round(p50 / 1000, 2),
        "p99_ms": round(p99 / 1000, 2),
        "non_2xx_3xx": int(non2xx.group(1)) if non2xx else 0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=run.PORT)
    args = parser.parse_args()
    run.PORT = args.port
    run.DATA.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(run.PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=run.ROOT,
                   env=run.base_env("sqlite:///" + str(run.DATA / "collect.sqlite3")), check=True)  # fmt: skip
    url = run.prepare_database("sqlite", 1000, regenerate=False)
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    rows = {}
    with run.Gunicorn(run.base_env(url, static_root, cache=True), args.workers):
        article = json.loads(
            subprocess.run(
                [str(run.PYTHON), "manage.py", "shell", "-c",
                 "from articles.models import Article; import json; "
                 "print(json.dumps(Article.objects.listed().select_related('section').first().get_absolute_url()))"],
                cwd=run.ROOT, env=run.base_env(url), capture_output=True, text=True, check=True,
            ).stdout.strip().splitlines()[-1]
        )  # fmt: skip
        _, headers, html = run.fetch(article, "identity")
        (static_root / "bench-article.html").write_bytes(html)
    with run.Gunicorn(run.base_env(url, static_root, cache=False), args.workers):
        run.fetch("/bench-article.html")
        rows["static, Django stack"] = measure("/bench-article.html", args.duration, args.connections)
    app_dir = Path(tempfile.mkdtemp(prefix="bench-app-"))
    (app_dir / "static_app.py").write_text(STATIC_APP)
    process = subprocess.Popen(
        [str(run.GUNICORN), "static_app:application", "-b", f"127.0.0.1:{run.PORT}", "-w", str(args.workers),
         "--worker-class", "sync", "--log-level", "warning", "--chdir", str(app_dir)],
        env={**os.environ, "BENCH_STATIC_ROOT": str(static_root)}, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        run.wait_for_port(run.PORT)
        run.fetch("/bench-article.html")
        rows["static, whitenoise alone"] = measure("/bench-article.html", args.duration, args.connections)
    finally:
        process.terminate()
        process.wait(timeout=15)
    time.sleep(1)
    with run.Gunicorn(run.base_env(url, static_root, cache=True), args.workers):
        for _ in range(args.workers * 4):
            _, headers, _ = run.fetch(article)
        assert headers.get("X-Cache") == "HIT", headers
        rows["cached article (hit)"] = measure(article, args.duration, args.connections)
        conditional = {"If-None-Match": headers["ETag"]}
        rows["cached article, 304"] = measure(article, args.duration, args.connections, conditional)
    load = Path("/proc/loadavg").read_text().split()[:3]
    ceiling, bare = rows["static, Django stack"]["rps"], rows["static, whitenoise alone"]["rps"]
    print(f"\n{args.workers} sync workers, wrk -t2 -c{args.connections} -d{args.duration}s; load average after: {load}")
    print("| row | req/s | × static (Django stack) | × whitenoise alone | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        print(f"| {name} | {row['rps']:,} | {row['rps'] / ceiling:.2f} | {row['rps'] / bare:.2f} "
              f"| {row['p50_ms']} | {row['p99_ms']} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
