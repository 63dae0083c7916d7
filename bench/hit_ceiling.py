# ruff: noqa: S310, S603 - a local tool that starts its own processes and talks only to 127.0.0.1
"""A page-cache hit against the static ceiling, side by side in one run (docs/performance.md).

Uses the harness of bench/run.py (a 1,000-article SQLite archive, gunicorn with production settings, wrk on
loopback) in the shape of issue 12: 4 sync workers, ``wrk -t2 -c32``. The three servers run side by side and
the rows are measured in interleaved rounds, so a machine whose load changes does not favour one row. Rows:

- static, Django stack: the article's HTML bytes as a file served by whitenoise's middleware with the page
  cache off (the ceiling ``make bench`` uses);
- static, whitenoise alone: the same bytes from a WSGI app that is only whitenoise (no Django at all);
- cached article: the article page, a page-cache hit answered by the WSGI layer in front of Django;
- 304: the same with its ETag in ``If-None-Match``.

    .venv/bin/python bench/hit_ceiling.py             # 5 interleaved rounds of 4 s, on ports 8146-8148
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.request
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


def measure(port, path, duration, connections, headers=None):
    extra = "".join(f", [{json.dumps(k)}] = {json.dumps(v)}" for k, v in (headers or {}).items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"path": json.dumps(path), "extra": extra})
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", script.name, f"http://127.0.0.1:{port}"],
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


def start(port, env, workers, app="newsroom.wsgi", chdir=None):
    command = [str(run.GUNICORN), app, "-b", f"127.0.0.1:{port}", "-w", str(workers), "--worker-class", "sync",
               "--log-level", "warning", "--preload"]  # fmt: skip
    if chdir:
        command += ["--chdir", str(chdir)]
    process = subprocess.Popen(command, cwd=run.ROOT, env=env, stderr=subprocess.DEVNULL, start_new_session=True)
    run.wait_for_port(port)
    return process


def fetch(port, path, **headers):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Encoding": "gzip", **headers})
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(response.headers), response.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=4, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the four rows, interleaved")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8146, help="the first of three consecutive ports")
    args = parser.parse_args()
    run.DATA.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(run.PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=run.ROOT,
                   env=run.base_env("sqlite:///" + str(run.DATA / "collect.sqlite3")), check=True)  # fmt: skip
    url = run.prepare_database("sqlite", 1000, regenerate=False)
    article = json.loads(
        subprocess.run(
            [str(run.PYTHON), "manage.py", "shell", "-c",
             "from articles.models import Article; import json; "
             "print(json.dumps(Article.objects.listed().select_related('section').first().get_absolute_url()))"],
            cwd=run.ROOT, env=run.base_env(url), capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]
    )  # fmt: skip
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    app_dir = Path(tempfile.mkdtemp(prefix="bench-app-"))
    (app_dir / "static_app.py").write_text(STATIC_APP)
    cached_port, django_port, bare_port = args.port, args.port + 1, args.port + 2
    processes = []
    try:
        processes.append(start(cached_port, run.base_env(url, static_root, cache=True), args.workers))
        fetch(cached_port, article)
        headers, html = fetch(cached_port, article, **{"Accept-Encoding": "identity"})
        (static_root / "bench-article.html").write_bytes(html)  # before the static servers index the folder
        processes.append(start(django_port, run.base_env(url, static_root, cache=False), args.workers))
        bare_env = {**os.environ, "BENCH_STATIC_ROOT": str(static_root)}
        processes.append(start(bare_port, bare_env, args.workers, "static_app:application", app_dir))
        for _ in range(args.workers * 4):
            headers, _ = fetch(cached_port, article)
        assert headers.get("X-Cache") == "HIT", headers
        rows = {
            "static, Django stack": (django_port, "/bench-article.html", None),
            "static, whitenoise alone": (bare_port, "/bench-article.html", None),
            "cached article (hit)": (cached_port, article, None),
            "cached article, 304": (cached_port, article, {"If-None-Match": headers["ETag"]}),
        }
        samples = {name: [] for name in rows}
        loads = []
        for _ in range(args.rounds):
            for name, (port, path, extra) in rows.items():
                samples[name].append(measure(port, path, args.duration, args.connections, extra))
            loads.append(Path("/proc/loadavg").read_text().split()[0])
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
    median = {name: sorted(values, key=lambda row: row["rps"])[len(values) // 2] for name, values in samples.items()}
    ceiling, bare = median["static, Django stack"]["rps"], median["static, whitenoise alone"]["rps"]
    print(
        f"\n{args.workers} sync workers, wrk -t2 -c{args.connections}, {args.rounds} interleaved rounds of "
        f"{args.duration} s (median round shown); 1-minute load average after each round: {', '.join(loads)}"
    )
    print("| row | req/s | × static (Django stack) | × whitenoise alone | p50 ms | p99 ms | every round, req/s |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, row in median.items():
        every = ", ".join(f"{value['rps']:,}" for value in samples[name])
        print(f"| {name} | {row['rps']:,} | {row['rps'] / ceiling:.2f} | {row['rps'] / bare:.2f} "
              f"| {row['p50_ms']} | {row['p99_ms']} | {every} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
