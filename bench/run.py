"""The performance benchmark behind `make bench`.

For each database (SQLite, and PostgreSQL when reachable) and each archive size (1,000 and 100,000 published
articles by default) it generates the archive, starts gunicorn with production settings, and drives load with
wrk from a separate process on loopback: every page type uncached and cached, plus the same HTML bytes of an
article page served as a static file by whitenoise under the same gunicorn configuration (the ceiling of this
stack). It writes bench/results/latest.json and a Markdown report, and refreshes docs/performance.md.

    .venv/bin/python bench/run.py                     # the full run (about 15 minutes on 2 cores)
    .venv/bin/python bench/run.py --sizes 1000 --databases sqlite --duration 3   # a quick look
"""

import argparse
import gzip
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"
PORT = int(os.environ.get("BENCH_PORT", 8190))  # another port when several checkouts are benchmarked
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
PAGE_TYPES = [
    "home", "article", "section", "section_deep", "tag", "author", "archive", "search", "feed",
    "sitemap_index", "sitemap_page",
]  # fmt: skip

LUA = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Accept-Encoding"] = "gzip"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.bytes))
end
"""


def log(message):
    print(message, flush=True)


def base_env(database_url, static_root=None, cache=True):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "SITE_URL": f"http://127.0.0.1:{PORT}",
        "PAGE_CACHE_ENABLED": "1" if cache else "0",
        "PAGE_CACHE_STAMP_FILE": str(DATA / "pagecache-stamp"),
    }
    env.pop("REDIS_URL", None)
    if static_root:
        env["WHITENOISE_ROOT"] = str(static_root)
    return env


def manage(env, *args):
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare_database(kind, size, regenerate):
    if kind == "sqlite":
        path = DATA / f"bench-{size}.sqlite3"
        url = f"sqlite:///{path}"
        exists = path.exists()
    else:
        name = f"newsroom_bench_{size}"
        url = PG_URL.format(name=name)
        exists = (
            subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-tAc",
                    f"SELECT 1 FROM pg_database WHERE datname='{name}'",
                ],
                capture_output=True,
                text=True,
            ).stdout.strip()
            == "1"
        )
        if not exists:
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    env = base_env(url)
    if regenerate or not exists or not _has_size(env, size):
        log(f"-- generating {size:,} articles on {kind}")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "generate_bench_data", "--articles", str(size), "--yes")
    else:
        manage(env, "migrate", "--noinput", "-v0")
    return url


def _has_size(env, size):
    code = (
        "from articles.models import Article; import sys; "
        f"sys.exit(0 if Article.objects.published().count() == {size} else 1)"
    )
    return subprocess.run([str(PYTHON), "manage.py", "shell", "-c", code], cwd=ROOT, env=env).returncode == 0


def wait_for_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start on port {port}")


class Gunicorn:
    def __init__(self, env, workers):
        self.env, self.workers = env, workers

    def __enter__(self):
        self.process = subprocess.Popen(
            [str(GUNICORN), "newsroom.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(self.workers),
             "--worker-class", "sync", "--access-logfile", "-", "--log-level", "warning", "--preload"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )  # fmt: skip
        wait_for_port(PORT)
        return self

    def worker_rss_mb(self):
        rss = []
        for child in Path("/proc").iterdir():
            if not child.name.isdigit():
                continue
            try:
                status = (child / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", status, re.M):
                match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
                if match:
                    rss.append(int(match.group(1)) / 1024)
        return rss

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def fetch(path, encoding="gzip"):
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
        return response.status, dict(response.headers), response.read()


def wrk(paths, duration, connections, threads=1):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "-s", script.name,
         f"http://127.0.0.1:{PORT}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(script.name)
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    requests, micros, p50, p95, p99, errors, nbytes = map(int, match.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": round(requests / (micros / 1e6), 1),
        "p50_ms": round(p50 / 1000, 2),
        "p95_ms": round(p95 / 1000, 2),
        "p99_ms": round(p99 / 1000, 2),
        "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
        "requests": requests,
    }


def query_counts(env):
    """Queries per request for the first URL of each page type, uncached and on a cache hit (in-process)."""
    code = r"""
import json
from django.conf import settings
from django.core.signals import request_finished
from django.db import close_old_connections, connection
request_finished.disconnect(close_old_connections)
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
import sys; sys.path.insert(0, "bench")
from urlset import page_urls
out = {}
urls = page_urls()
for cached in (False, True):
    with override_settings(PAGE_CACHE_ENABLED=cached, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        client = Client()
        for name, paths in urls.items():
            client.get(paths[0])
            with CaptureQueriesContext(connection) as queries:
                client.get(paths[0])
            out.setdefault(name, {})["cached" if cached else "uncached"] = len(queries.captured_queries)
out["_urls"] = urls
print("JSON" + json.dumps(out))
"""
    result = subprocess.run(
        [str(PYTHON), "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.split("JSON", 1)[1])


def page_weight(article_path):
    status, headers, body = fetch(article_path, "gzip")
    html_gz = len(body)
    html = gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body
    assets = re.findall(rb'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"', html)
    total = html_gz
    detail = {"html_gzip": html_gz}
    for asset in assets:
        _, asset_headers, asset_body = fetch(asset.decode(), "br, gzip")
        detail[asset.decode()] = {"bytes": len(asset_body), "encoding": asset_headers.get("Content-Encoding", "none"),
                                  "cache_control": asset_headers.get("Cache-Control", "")}  # fmt: skip
        total += len(asset_body)
    detail["total_bytes"] = total
    return html, detail


def run_one(kind, size, args):
    url = prepare_database(kind, size, args.regenerate)
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    result = {"database": kind, "size": size, "pages": {}}
    result["queries"] = query_counts(base_env(url))
    urls = result["queries"].pop("_urls")
    env_uncached = base_env(url, static_root, cache=False)
    with Gunicorn(env_uncached, args.workers):
        # whitenoise indexes WHITENOISE_ROOT when it starts, so the page is saved before the measured run.
        html, weight = page_weight(urls["article"][0])
        (static_root / "bench-article.html").write_bytes(html)
        result["page_weight"] = weight
    with Gunicorn(env_uncached, args.workers) as server:
        fetch("/bench-article.html")
        log(f"-- {kind} {size:,}: static ceiling")
        result["static"] = wrk(["/bench-article.html"], args.duration, args.connections)
        for name in PAGE_TYPES:
            if name not in urls:
                continue
            for path in urls[name][:3]:
                fetch(path)
            log(f"-- {kind} {size:,}: {name} uncached")
            result["pages"].setdefault(name, {})["uncached"] = wrk(urls[name], args.duration, args.connections)
        result["worker_rss_mb_uncached"] = server.worker_rss_mb()
    with Gunicorn(base_env(url, static_root, cache=True), args.workers) as server:
        for name in PAGE_TYPES:
            if name not in urls:
                continue
            for _ in range(args.workers * 2):
                for path in urls[name]:
                    fetch(path)
            log(f"-- {kind} {size:,}: {name} cached")
            result["pages"][name]["cached"] = wrk(urls[name], args.duration, args.connections)
        result["worker_rss_mb_cached"] = server.worker_rss_mb()
        status, headers, _ = fetch(urls["article"][0])
        etag = headers.get("ETag")
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{urls['article'][0]}", headers={"If-None-Match": etag, "Accept-Encoding": "gzip"}
        )
        try:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310
            result["conditional_get_status"] = 200
        except urllib.error.HTTPError as error:
            result["conditional_get_status"] = error.code
    shutil.rmtree(static_root, ignore_errors=True)
    ceiling = result["static"]["rps"]
    for stats in result["pages"].values():
        for mode in stats.values():
            mode["ratio"] = round(mode["rps"] / ceiling, 3) if ceiling else None
    return result


def markdown(results, meta):
    lines = [
        f"Run {meta['date']} on {meta['machine']}; gunicorn {meta['workers']} sync workers, wrk "
        f"{meta['connections']} connections × {meta['duration']} s per row. Ratios are requests per second "
        "over the static ceiling of the same run.",
        "",
    ]
    for result in results:
        static = result["static"]
        lines += [
            f"### {result['database']}, {result['size']:,} published articles",
            "",
            f"Static ceiling (article HTML via whitenoise): **{static['rps']:,} req/s**, p50 {static['p50_ms']} ms, "
            f"p99 {static['p99_ms']} ms. Worker RSS (MB): uncached "
            f"{', '.join(f'{m:.0f}' for m in result['worker_rss_mb_uncached'])}; cached "
            f"{', '.join(f'{m:.0f}' for m in result['worker_rss_mb_cached'])}. Article page weight on the wire "
            f"(HTML + CSS + JS, compressed): **{result['page_weight']['total_bytes'] / 1024:.1f} KB**. "
            f"Conditional GET with the ETag: HTTP {result['conditional_get_status']}.",
            "",
            "| page | queries | uncached req/s | ratio | p50 ms | p95 ms | p99 ms "
            "| cached req/s | ratio | cached p99 ms | queries on hit |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, stats in result["pages"].items():
            u, c = stats["uncached"], stats.get("cached", {})
            q = result["queries"].get(name, {})
            lines.append(
                f"| {name} | {q.get('uncached', '')} | {u['rps']:,} | {u['ratio']} | {u['p50_ms']} | {u['p95_ms']} | "
                f"{u['p99_ms']} | {c.get('rps', 0):,} | {c.get('ratio')} | {c.get('p99_ms')} | {q.get('cached', '')} |"
            )
        lines.append("")
    return "\n".join(lines)


def goals(results):
    """Check the issue's goals against the measured figures and say which hold."""
    checks = []
    by = {(r["database"], r["size"]): r for r in results}
    for r in results:
        tag = f"{r['database']} {r['size']:,}"
        cached_ratios = [s["cached"]["ratio"] for s in r["pages"].values() if "cached" in s]
        checks.append((f"{tag}: cached pages ≥ 0.7× static (min {min(cached_ratios)})", min(cached_ratios) >= 0.7))
        art = r["pages"]["article"]["uncached"]
        checks.append((f"{tag}: uncached article ≥ 0.07× static ({art['ratio']})", art["ratio"] >= 0.07))
        checks.append((f"{tag}: article ≤ 8 queries ({r['queries']['article']['uncached']})",
                       r["queries"]["article"]["uncached"] <= 8))  # fmt: skip
        hits = [q["cached"] for q in r["queries"].values()]
        checks.append((f"{tag}: zero queries on a cache hit (max {max(hits)})", max(hits) == 0))
        search = r["pages"]["search"]["uncached"]["p95_ms"]
        checks.append(
            (f"{tag}: search p95 ≤ 3× article p95 ({search} vs {art['p95_ms']} ms)", search <= 3 * art["p95_ms"])
        )
        if "section_deep" in r["pages"]:
            deep, first = r["pages"]["section_deep"]["uncached"]["p50_ms"], r["pages"]["section"]["uncached"]["p50_ms"]
            checks.append((f"{tag}: deep section page p50 ≤ 1.5× first ({deep} vs {first} ms)", deep <= 1.5 * first))
        checks.append((f"{tag}: article page ≤ 15 KB on the wire ({r['page_weight']['total_bytes']} B)",
                       r["page_weight"]["total_bytes"] <= 15 * 1024))  # fmt: skip
        checks.append((f"{tag}: conditional GET answers 304", r["conditional_get_status"] == 304))
        errors = sum(m["errors"] for s in r["pages"].values() for m in s.values())
        checks.append((f"{tag}: no errors under load ({errors})", errors == 0))
    for database in {r["database"] for r in results}:
        sizes = sorted(size for d, size in by if d == database)
        if len(sizes) < 2:
            continue
        small, large = by[(database, sizes[0])], by[(database, sizes[-1])]
        for name, stats in large["pages"].items():
            if name not in small["pages"]:
                continue
            a, b = small["pages"][name]["uncached"]["p50_ms"], stats["uncached"]["p50_ms"]
            checks.append(
                (f"{database}: {name} p50 at {sizes[-1]:,} ≤ 1.3× at {sizes[0]:,} ({b} vs {a} ms)", b <= 1.3 * a)
            )
            qa, qb = small["queries"][name]["uncached"], large["queries"][name]["uncached"]
            checks.append((f"{database}: {name} queries equal at both sizes ({qa}, {qb})", qa == qb))
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per row")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--regenerate", action="store_true", help="generate the archives even if present")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/performance.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    DATA.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases = [d for d in args.databases.split(",") if d]
    if "postgresql" in databases and subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode != 0:
        log("PostgreSQL is not reachable on 127.0.0.1:5432; skipping it")
        databases.remove("postgresql")
    subprocess.run([str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                   env=base_env("sqlite:///" + str(DATA / "collect.sqlite3")), check=True)  # fmt: skip
    started = time.monotonic()
    results = []
    for database in databases:
        for size in (int(s) for s in args.sizes.split(",")):
            results.append(run_one(database, size, args))
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "workers": args.workers,
        "connections": args.connections,
        "duration": args.duration,
    }
    checks = goals(results)
    (RESULTS / "latest.json").write_text(json.dumps({"meta": meta, "results": results, "goals": checks}, indent=2))
    table = markdown(results, meta)
    goal_lines = "\n".join(f"- {'✅' if ok else '❌'} {text}" for text, ok in checks)
    report = f"{table}\n#### Goals\n\n{goal_lines}\n"
    (RESULTS / "latest.md").write_text(report)
    if not args.no_docs:
        docs = ROOT / "docs" / "performance.md"
        text = docs.read_text() if docs.exists() else "<!-- bench:start -->\n<!-- bench:end -->\n"
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        if start in text and end in text:
            text = text.split(start)[0] + start + "\n" + report + "\n" + end + text.split(end, 1)[1]
            docs.write_text(text)
    log(report)
    passed = sum(ok for _, ok in checks)
    log(f"Benchmark finished in {time.monotonic() - started:.0f} s: {passed}/{len(checks)} goals met. "
        f"Results: {RESULTS / 'latest.json'}, {RESULTS / 'latest.md'}")  # fmt: skip


if __name__ == "__main__":
    main()
