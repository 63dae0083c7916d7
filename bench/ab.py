"""Compare the reader pages of two checkouts in-process, request by request: where each page's time goes.

Each checkout runs in its own worker process with production settings (debug off, page cache off) against
its own copy of the benchmark archive (``manage.py generate_bench_data`` makes the same archive from the same
seed in both). The driver asks the two workers in turn, alternating which goes first, so a loaded machine
slows both alike; medians over many rounds are reported. Per page type it gives:

- CPU and wall time per request, split into time inside the database driver (``execute``) and the rest;
- the SQL alone: each captured statement run again through the raw cursor, median over repetitions;
- deterministic counts from one profiled request: Python function calls, ``reverse()`` calls, templates
  rendered, template variables resolved.

    .venv/bin/python bench/ab.py --old ../old-checkout          # the old checkout against this one
    .venv/bin/python bench/ab.py --old ../old-checkout --pages section,tag --rounds 30

Both checkouts need bench/data/bench-1000.sqlite3 or a ``--database`` URL each (``--old-database``), e.g. two
PostgreSQL databases. Make the archives with the same hash seed, so that tags get the same keys in both:

    PYTHONHASHSEED=0 DATABASE_URL=sqlite:///$PWD/bench/data/bench-1000.sqlite3 DJANGO_DEBUG=0 \
        .venv/bin/python manage.py generate_bench_data --articles 1000 --yes     # in each checkout

Time is CPU time of the worker process (``time.process_time``), which a busy machine disturbs far less than
wall time; the SQL columns are wall time, since PostgreSQL works in another process.
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
PAGES = ["home", "section", "section_deep", "tag", "author", "archive", "article", "search", "feed"]
COUNTED = {
    "reverse": ("django/urls/base.py", "reverse"),
    "templates rendered": ("django/template/base.py", "_render"),
    "variables resolved": ("django/template/base.py", "_resolve_lookup"),
    "queryset clones": ("django/db/models/query.py", "_chain"),
    "SQL compiled": ("django/db/models/sql/compiler.py", "as_sql"),
}


# The worker: one process per checkout, commands and answers as JSON lines.


def worker(root, database):
    os.chdir(root)
    sys.path[:0] = [str(root), str(root / "bench")]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DATABASE_URL=database,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="ab-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        PAGE_CACHE_ENABLED="0",
    )
    os.environ.pop("REDIS_URL", None)
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything Django prints goes to stderr, not into the answers

    import django

    django.setup()
    from django.core.handlers.base import BaseHandler
    from django.core.signals import request_finished
    from django.db import close_old_connections, connection
    from django.template.response import SimpleTemplateResponse
    from django.test import Client
    from urlset import page_urls

    request_finished.disconnect(close_old_connections)
    client = Client()
    sql = {"seconds": 0.0, "statements": []}

    def timed(execute, statement, params, many, context):
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql["seconds"] += time.perf_counter() - started
            sql["statements"].append((statement, params))

    phase = {"view": 0.0, "template": 0.0}

    def timed_phase(name, function):
        def timed_call(*args, **kwargs):
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                phase[name] += time.process_time() - started

        return timed_call

    make_view_atomic = BaseHandler.make_view_atomic
    BaseHandler.make_view_atomic = lambda self, view: timed_phase("view", make_view_atomic(self, view))
    SimpleTemplateResponse.render = timed_phase("template", SimpleTemplateResponse.render)

    def get(path):
        sql["seconds"], sql["statements"] = 0.0, []
        phase["view"] = phase["template"] = 0.0
        with connection.execute_wrapper(timed):
            cpu, wall = time.process_time(), time.perf_counter()
            response = client.get(path)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return {"wall": wall, "cpu": cpu, "sql": sql["seconds"], "queries": len(sql["statements"]), **phase}

    def profile(path):
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler).stats
        counts = {"function calls": sum(calls for _, calls, *_ in stats.values())}
        for name, (file, function) in COUNTED.items():
            counts[name] = sum(v[1] for (f, _, fn), v in stats.items() if f.endswith(file) and fn == function)
        return counts

    def sql_alone(path, repeat):
        get(path)
        statements = list(sql["statements"])
        per_statement = []
        with connection.cursor() as cursor:
            for statement, params in statements:
                runs = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    cursor.execute(statement, params)
                    cursor.fetchall()
                    runs.append(time.perf_counter() - started)
                per_statement.append(statistics.median(runs))
        return {"total": sum(per_statement), "statements": per_statement, "sql": [s for s, _ in statements]}

    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "urls":
            answer = page_urls()
        elif op == "get":
            answer = [get(path) for path in command["paths"]]
        elif op == "profile":
            answer = profile(command["path"])
        elif op == "sql":
            answer = sql_alone(command["path"], command["repeat"])
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


# The driver.


class Worker:
    def __init__(self, name, root, database):
        self.name = name
        self.process = subprocess.Popen(
            [str(root / ".venv" / "bin" / "python"), str(HERE), "--worker", str(root), "--database", database],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root,
        )  # fmt: skip

    def ask(self, **command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker stopped")
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def median_ms(samples, key):
    return statistics.median(s[key] for s in samples) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, help="the checkout to compare this one with")
    parser.add_argument("--new", type=Path, default=ROOT)
    parser.add_argument("--database", help="this checkout's database URL (default: its bench-1000 SQLite file)")
    parser.add_argument("--old-database", help="the old checkout's database URL")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--rounds", type=int, default=15, help="requests per URL per checkout")
    parser.add_argument("--sql-repeat", type=int, default=50, help="runs of each statement for the SQL alone")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker.resolve(), args.database)

    def sqlite(root):
        return f"sqlite:///{root.resolve() / 'bench' / 'data' / 'bench-1000.sqlite3'}"

    trees = {"new": (args.new.resolve(), args.database or sqlite(args.new))}
    if args.old:
        trees = {"old": (args.old.resolve(), args.old_database or sqlite(args.old)), **trees}
    workers = {name: Worker(name, root, database) for name, (root, database) in trees.items()}
    try:
        urls = {name: w.ask(op="urls") for name, w in workers.items()}
        reference = urls["new"]
        for name, theirs in urls.items():
            differ = sorted(page for page in reference if theirs.get(page) != reference[page])
            if differ:
                print(f"warning: the {name} archive gives other URLs for {', '.join(differ)}; using the new one's")
        pages = [p for p in args.pages.split(",") if p in reference]
        samples = {name: {page: [] for page in pages} for name in workers}
        for w in workers.values():  # warm up: templates compiled, caches filled
            for page in pages:
                w.ask(op="get", paths=reference[page])
        order = list(workers)
        for _ in range(args.rounds):
            for page in pages:
                for name in order:
                    samples[name][page] += workers[name].ask(op="get", paths=reference[page])
            order.reverse()
        report = {}
        for page in pages:
            path = reference[page][0]
            report[page] = {}
            for name, w in workers.items():
                s = samples[name][page]
                alone = w.ask(op="sql", path=path, repeat=args.sql_repeat)
                report[page][name] = {
                    "cpu_ms": median_ms(s, "cpu"),
                    "wall_ms": median_ms(s, "wall"),
                    "sql_ms": median_ms(s, "sql"),
                    "python_ms": statistics.median(x["wall"] - x["sql"] for x in s) * 1000,
                    "view_ms": median_ms(s, "view"),
                    "template_ms": median_ms(s, "template"),
                    "rest_ms": statistics.median(x["cpu"] - x["view"] - x["template"] for x in s) * 1000,
                    "queries": s[0]["queries"],
                    "sql_alone_ms": alone["total"] * 1000,
                    "sql_alone_per_statement_ms": [round(t * 1000, 3) for t in alone["statements"]],
                    "statements": alone["sql"],
                    **w.ask(op="profile", path=path),
                }
    finally:
        for w in workers.values():
            w.close()
    print_report(report, list(workers), args.rounds)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def print_report(report, names, rounds):
    print(f"\nMedians over {rounds} rounds of every URL of each page type; counts from one profiled request.\n")
    columns = ["cpu_ms", "wall_ms", "sql_ms", "python_ms", "view_ms", "template_ms", "rest_ms", "sql_alone_ms",
               "queries", "function calls", *COUNTED]  # fmt: skip
    print("| page | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for page, by_name in report.items():
        cells = []
        for column in columns:
            values = [by_name[name][column] for name in names]
            text = " → ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in values)
            cells.append(text)
        print(f"| {page} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
