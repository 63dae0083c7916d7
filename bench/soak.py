# ruff: noqa: S310, S603, S607 - a local tool that starts its own processes and talks only to 127.0.0.1
"""The soak test behind `make soak`: the site under sustained load, with editors working and Redis failing.

It builds a throwaway archive (SQLite, 2,000 published articles) and starts its own Redis on 127.0.0.1:6391
and gunicorn with production settings on 127.0.0.1:8102 (DJANGO_DEBUG=0, a generated secret key,
DJANGO_SECURE_SSL_REDIRECT=0 because there is no TLS proxy in front). Then three phases:

1. steady, the baseline: wrk drives 64 readers' connections for 60 seconds over a mix of pages (home,
   articles, sections, tags, authors, search, feeds, sitemaps) while an editor, logged in through the admin
   like a person, publishes a new article every ``--publish-every`` seconds (10 by default; each publish
   purges the pages that show the new story), and a reader polls the section page until the story is on it;
2. cache-busting: the same, while a script sends ``--attack-rate`` requests a second (300 by default, on its
   own schedule, whatever the answers take) that try to bypass or flood the page cache: the readers' pages
   with random query strings, random addresses that do not exist, and made-up session cookies;
3. redis-stopped-midway: the steady phase again, with Redis stopped halfway through.

It reports requests, p50/p99 latency, the share of readers' requests answered from the page cache, 5xx
responses (from wrk, the editor and the script), how long each story took to reach its section page, the
load average, and the resident memory of each gunicorn worker after warm-up and at the end. It fails
(exit 1) on any 5xx, on a failed publish, when a worker grows by more than the bound below, when a story
takes over a second to appear (Redis up), when the steady phase misses its goals (p99 within
``STEADY_P99_GOAL_MS``, hit rate at least ``HIT_RATE_GOAL``), or when the readers' p99 under cache busting
is more than ``BUSTING_P99_BOUND`` times the baseline's. ``--port`` and ``--redis-port`` move it off the
default ports.

    .venv/bin/python bench/soak.py                  # the full soak, about 4 minutes
    .venv/bin/python bench/soak.py --duration 10    # a quick look
"""

import argparse
import asyncio
import collections
import functools
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)  # the virtualenv's python that runs this script
GUNICORN = PYTHON.parent / "gunicorn"
HOST = "127.0.0.1"
PORT = 8102
REDIS_PORT = 6391
CONNECTIONS = 64
WORKER_GROWTH_BOUND_MB = 64
BUSTING_P99_BOUND = 2.0  # readers' p99 under cache busting, at most this many times the steady phase's
STEADY_P99_GOAL_MS = 100  # readers' p99 while an editor publishes
HIT_RATE_GOAL = 0.95  # share of readers' requests answered from the page cache while an editor publishes
SEARCHES = ("council", "river budget", "school", "flood", "otter")
EDITOR_PASSWORD = "soak-" + secrets.token_urlsafe(12)

LUA = """
local paths = {%(paths)s}
local counter = 0
local threads = {}
setup = function(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
init = function(args)
  fivexx = 0
  hits = 0
  counter = 0
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[((counter * 7 + id) %% #paths) + 1], {["Accept-Encoding"] = "gzip"})
end
response = function(status, headers, body)
  if status >= 500 then fivexx = fivexx + 1 end
  local cache = headers["X-Cache"]
  if cache == "HIT" or cache == "STALE" then hits = hits + 1 end
end
done = function(summary, latency, requests)
  local total, cached = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("fivexx")
    cached = cached + thread:get("hits")
  end
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, cached))
end
"""

SETUP_EDITOR = """
from django.contrib.auth.models import Group, User
from articles.models import Author, Section, Article
from taggit.models import Tag
import json
user = User.objects.create_user("soak-editor", password=%(password)r, is_staff=True)
user.groups.add(Group.objects.get(name="Editors"))
Author.objects.create(name="Soak Editor", user=user)
articles = [a.get_absolute_url() for a in Article.objects.listed().select_related("section").order_by("?")[:300]]
sections = [c.get_absolute_url() for c in Section.objects.all()]
tags = ["/tag/%%s/" %% t for t in Tag.objects.order_by("?").values_list("slug", flat=True)[:60]]
authors = [a.get_absolute_url() for a in Author.objects.order_by("?")[:60]]
first = Section.objects.order_by("pk").first()
print(json.dumps({"articles": articles, "sections": sections, "tags": tags, "authors": authors,
                  "section_id": first.pk, "section_url": first.get_absolute_url()}))
"""


def log(message):
    print(message, flush=True)


def environment(workdir):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{HOST}:{PORT}",
        SITE_URL=f"http://{HOST}:{PORT}",
        DATABASE_URL=f"sqlite:///{workdir / 'soak.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
        PAGE_CACHE_STAMP_FILE=str(workdir / "pagecache-stamp"),
        REDIS_URL=f"redis://{HOST}:{REDIS_PORT}/0",
        AXES_FAILURE_LIMIT="1000",
    )
    return env


def manage(env, *args, capture=False):
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )
    return result.stdout


def wait_for_port(port, timeout=30):
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listening on {HOST}:{port} after {timeout}s")


def worker_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Editor(threading.Thread):
    """Logs in through the admin and publishes an article every `interval` seconds until stopped.

    It speaks as a browser behind the TLS proxy would (X-Forwarded-Proto: https), so the production
    settings' secure cookies and strict CSRF origin checks apply to it as they would to a real editor.
    """

    VISIBLE_WITHIN = 1.0  # seconds from the editor's save to the story on its section page

    def __init__(self, section_id, interval=2.0, section_url="/"):
        super().__init__(daemon=True)
        self.section_id, self.interval, self.section_url = section_id, interval, section_url
        self.stop = threading.Event()
        self.published, self.failures, self.fivexx = 0, [], 0
        self.visible_after = []  # seconds until a reader polling the section page saw each story
        self.cookies = {}
        self.opener = urllib.request.build_opener(NoRedirects)

    def request(self, path, data=None):
        """One request, no redirects followed; returns (status, location, body) and keeps the cookies."""
        origin = f"https://{HOST}:{PORT}"
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": origin,
            "Referer": origin + path,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(f"http://{HOST}:{PORT}{path}", data=body, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location", ""), response.read().decode(errors="replace")

    def login(self):
        self.request("/admin/login/")
        status, location, _ = self.request(
            "/admin/login/",
            {"username": "soak-editor", "password": EDITOR_PASSWORD, "next": "/admin/",
             "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")},
        )  # fmt: skip
        if status != 302 or location != "/admin/":
            raise RuntimeError(f"editor could not log in (status {status}, redirected to {location!r})")

    def publish(self, number):
        headline = f"Soak story {number} {secrets.token_hex(3)}"
        data = {
            "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            "headline": headline, "slug": "", "standfirst": "Filed under load.",
            "body": "A paragraph written while the site was busy.\n\nAnother one.", "section": str(self.section_id),
            "status": "published", "hero_alt": "", "hero_caption": "", "hero_credit": "", "tags": "soak",
            "meta_description": "", "canonical_url": "", "revision_seen": "", "_save": "Save",
        }  # fmt: skip
        for prefix in ("bylines", "images", "corrections"):
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                         f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})  # fmt: skip
        status, location, body = self.request("/admin/articles/article/add/", data)
        if status >= 500:
            self.fivexx += 1
        if status != 302 or location != "/admin/articles/article/":
            errors = re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', body, re.S)
            self.failures.append(f"{headline}: status {status}, redirected to {location!r}, {errors[:2]}")
        else:
            self.published += 1
            self.visible_after.append(self.seen_by_a_reader(headline, time.monotonic()))

    def seen_by_a_reader(self, headline, saved_at, timeout=10.0):
        """Poll the section page as an anonymous reader until the story is on it; the seconds that took."""
        while time.monotonic() - saved_at < timeout:
            body = urllib.request.urlopen(f"http://{HOST}:{PORT}{self.section_url}", timeout=10).read()
            if headline.encode() in body:
                return round(time.monotonic() - saved_at, 3)
            time.sleep(0.02)
        return None

    def run(self):
        try:
            self.login()
            number = 0
            while not self.stop.wait(self.interval):
                number += 1
                self.publish(number)
        except Exception as error:  # noqa: BLE001 - reported as a failure of the soak, not lost in a thread
            self.failures.append(f"editor stopped: {error!r}")


class CacheBuster(threading.Thread):
    """Sends ``rate`` requests a second, on its own schedule (it never waits for an answer to send the next),
    each trying to get past the page cache: a reader's page with a random query string, a random address that
    does not exist, or a reader's page with a made-up session cookie. Stops when told."""

    MAX_IN_FLIGHT = 256  # past this many unanswered requests it skips sends (and counts them)

    def __init__(self, paths, rate):
        super().__init__(daemon=True)
        self.paths, self.rate = [p for p in paths if not p.startswith("/health/")], rate
        self.stop = threading.Event()
        self.sent = self.skipped = self.failed = self.in_flight = 0
        self.statuses = collections.Counter()
        self.random = random.Random()

    def target(self, number):
        """The path and Cookie header of the ``number``th request."""
        token = secrets.token_hex(4)
        page = self.random.choice(self.paths)
        if number % 3 == 0:
            joiner = "&" if "?" in page else "?"
            return f"{page}{joiner}utm_source={token}&{secrets.token_hex(3)}={token}", ""
        if number % 3 == 1:
            return f"/{token}/{secrets.token_hex(6)}/", ""
        return page, f"sessionid={secrets.token_hex(16)}"

    async def fetch(self, path, cookie):
        path = urllib.parse.quote(path, safe="/?&=")
        request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n"
        request += f"Cookie: {cookie}\r\n\r\n" if cookie else "\r\n"
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, PORT), 10)
            writer.write(request.encode())
            status_line = await asyncio.wait_for(reader.readline(), 10)
            await asyncio.wait_for(reader.read(), 10)
            writer.close()
            self.statuses[int(status_line.split()[1])] += 1
        except (OSError, TimeoutError, ValueError, IndexError):
            self.failed += 1
        finally:
            self.in_flight -= 1

    async def attack(self):
        loop = asyncio.get_running_loop()
        start, number, tasks = loop.time(), 0, set()
        while not self.stop.is_set():
            wait = start + number / self.rate - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            number += 1
            if self.in_flight >= self.MAX_IN_FLIGHT:
                self.skipped += 1
                continue
            self.in_flight += 1
            self.sent += 1
            task = asyncio.create_task(self.fetch(*self.target(number)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)

    def run(self):
        asyncio.run(self.attack())

    def summary(self):
        return {
            "busting_sent": self.sent,
            "busting_skipped_as_too_many_in_flight": self.skipped,
            "busting_statuses": dict(sorted(self.statuses.items())),
            "busting_failed": self.failed,
        }


def run_wrk(paths, duration, workdir):
    script = workdir / "mix.lua"
    script.write_text(LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
    result = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
         f"http://{HOST}:{PORT}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    requests, micros, p50, p99, fivexx, socket_errors, hits = (int(v) for v in line.split()[1:])
    return {
        "requests": requests,
        "rps": round(requests / (micros / 1e6)),
        "p50_ms": round(p50 / 1000, 1),
        "p99_ms": round(p99 / 1000, 1),
        "5xx": fivexx,
        "socket_errors": socket_errors,
        "hit_rate": round(hits / requests, 4) if requests else 0.0,  # X-Cache HIT or STALE (health is never cached)
    }


def load_average():
    return Path("/proc/loadavg").read_text().split()[:3]


def phase(name, paths, duration, workdir, master, section_id, section_url, interval, halfway=None, attack_rate=0):
    also = f" and a script sends {attack_rate} cache-busting requests a second" if attack_rate else ""
    log(f"\n== {name}: {CONNECTIONS} connections for {duration}s while an editor publishes{also} ==")
    run_wrk(paths, max(5, duration // 6), workdir)  # warm-up: caches, imports, connection pools
    before = {pid: rss_mb(pid) for pid in worker_pids(master)}
    load_before = load_average()
    editor = Editor(section_id, interval, section_url)
    editor.start()
    buster = CacheBuster(paths, attack_rate) if attack_rate else None
    if buster:
        buster.start()
    timer = threading.Timer(duration / 2, halfway) if halfway else None
    if timer:
        timer.start()
    load = run_wrk(paths, duration, workdir)
    editor.stop.set()
    if buster:
        buster.stop.set()
        buster.join(timeout=30)
    editor.join(timeout=30)
    after = {pid: rss_mb(pid) for pid in worker_pids(master)}
    growth = {pid: round(after.get(pid, 0) - mb, 1) for pid, mb in before.items()}
    result = {
        "phase": name,
        **load,
        "editor_published": editor.published,
        "editor_failures": editor.failures,
        "editor_5xx": editor.fivexx,
        "publish_visible_after_s": editor.visible_after,
        "load_average_before_and_after": [load_before, load_average()],
        "worker_rss_mb_after_warmup": [round(v, 1) for v in before.values()],
        "worker_rss_mb_at_end": [round(after.get(pid, 0), 1) for pid in before],
        "worker_growth_mb": list(growth.values()),
        "workers_replaced": sorted(set(after) - set(before)),
        **(buster.summary() if buster else {}),
    }
    for key, value in result.items():
        log(f"  {key}: {value}")
    return result


def main():
    global PORT, REDIS_PORT  # noqa: PLW0603 - the whole script speaks to these, set from the options
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load in each phase (default 60)")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--publish-every", type=float, default=10.0, help="seconds between the editor's articles")
    parser.add_argument(
        "--attack-rate", type=int, default=300, help="cache-busting requests a second in that phase (default 300)"
    )
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--port", type=int, default=PORT, help=f"gunicorn's port (default {PORT})")
    parser.add_argument("--redis-port", type=int, default=REDIS_PORT, help=f"Redis's port (default {REDIS_PORT})")
    args = parser.parse_args()
    PORT, REDIS_PORT = args.port, args.redis_port
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install {tool}")

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-soak-"))
    env = environment(workdir)
    processes = []
    try:
        redis = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", HOST, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        processes.append(redis)
        wait_for_port(REDIS_PORT)
        log(f"Building a {args.articles}-article archive in {workdir}")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "generate_bench_data", "--articles", str(args.articles), "--tags", "300", "--yes", capture=True)
        output = manage(env, "shell", "-c", SETUP_EDITOR % {"password": EDITOR_PASSWORD}, capture=True)
        site = json.loads(output.strip().splitlines()[-1])
        paths = (
            ["/"] * 20 + site["articles"] + site["sections"] * 3 + site["tags"] + site["authors"]
            + [f"/search/?q={urllib.parse.quote_plus(q)}" for q in SEARCHES] * 4
            + ["/feed/", "/feed/atom/", "/sitemap.xml", "/sitemap-articles.xml", "/news-sitemap.xml",
               "/corrections/", "/archive/", "/health/"] * 3
        )  # fmt: skip
        gunicorn = subprocess.Popen(
            [str(GUNICORN), "newsroom.wsgi", "--bind", f"{HOST}:{PORT}", "--workers", str(args.workers),
             "--worker-class", "gthread", "--threads", "4", "--max-requests", "0",
             "--error-logfile", str(workdir / "gunicorn.log"), "--log-level", "warning"],
            cwd=ROOT, env=env, stderr=(workdir / "workers.log").open("w"),
        )  # fmt: skip
        processes.append(gunicorn)
        wait_for_port(PORT)
        time.sleep(1)

        run = functools.partial(
            phase,
            paths=paths,
            duration=args.duration,
            workdir=workdir,
            master=gunicorn.pid,
            section_id=site["section_id"],
            section_url=site["section_url"],
            interval=args.publish_every,
        )
        results = [
            run("steady"),
            run("cache-busting", attack_rate=args.attack_rate),
            run(
                "redis-stopped-midway",
                halfway=lambda: (log("  -- stopping Redis --"), redis.send_signal(signal.SIGTERM)),
            ),
        ]
        health = urllib.request.urlopen(f"http://{HOST}:{PORT}/health/", timeout=10).read().decode()
        log(f"\nHealth after the soak: {health}")
        cache_errors = (workdir / "workers.log").read_text().count("Cache unavailable")
        log(f"'Cache unavailable' lines logged by the workers: {cache_errors}")
        if args.json:
            meta = {"bound_mb": WORKER_GROWTH_BOUND_MB, "publish_every": args.publish_every, "workers": args.workers}
            Path(args.json).write_text(json.dumps({**meta, "results": results}, indent=2))
        problems = []
        for result in results:
            busting_5xx = sum(n for status, n in result.get("busting_statuses", {}).items() if status >= 500)
            if result["5xx"] or result["editor_5xx"] or busting_5xx:
                problems.append(
                    f"{result['phase']}: {result['5xx']} + {result['editor_5xx']} + {busting_5xx} responses were 5xx"
                )
            if result["editor_failures"] or not result["editor_published"]:
                problems.append(f"{result['phase']}: publishing failed: {result['editor_failures'][:3]}")
            if any(growth > WORKER_GROWTH_BOUND_MB for growth in result["worker_growth_mb"]):
                problems.append(f"{result['phase']}: a worker grew by more than {WORKER_GROWTH_BOUND_MB} MB")
        if not cache_errors:
            problems.append("Redis was stopped but no worker logged the cache failure")
        for result in results[:2]:  # with Redis up: the page cache's goals
            late = [s for s in result["publish_visible_after_s"] if s is None or s > Editor.VISIBLE_WITHIN]
            if late:
                problems.append(f"{result['phase']}: {len(late)} publishes not on the section page within 1 s: {late}")
        if results[0]["p99_ms"] > STEADY_P99_GOAL_MS:
            problems.append(f"steady: readers' p99 {results[0]['p99_ms']} ms is over {STEADY_P99_GOAL_MS} ms")
        if results[0]["hit_rate"] < HIT_RATE_GOAL:
            problems.append(f"steady: hit rate {results[0]['hit_rate']:.1%} is under {HIT_RATE_GOAL:.0%}")
        steady, busting = results[0]["p99_ms"], results[1]["p99_ms"]
        log(f"Readers' p99 under cache busting: {busting} ms, {busting / steady:.2f}x the steady phase's {steady} ms")
        if busting > BUSTING_P99_BOUND * steady:
            problems.append(f"cache-busting: readers' p99 is over {BUSTING_P99_BOUND}x the steady phase's")
        log("\n" + ("PASS: no 5xx, every publish went through, memory within bounds" if not problems else "FAIL"))
        for problem in problems:
            log(f"  {problem}")
        return 1 if problems else 0
    except BaseException:
        for log_file in ("workers.log", "gunicorn.log"):
            if (workdir / log_file).exists():
                log(
                    f"--- {log_file} (last lines) ---\n"
                    + "\n".join((workdir / log_file).read_text().splitlines()[-30:])
                )
        raise
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
