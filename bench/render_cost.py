"""What one render of a reader page costs the app, for an anonymous reader (run by hand,
never in tests): SQL queries, Redis round trips and wall/CPU time per page, with the page
cache in front of the app bypassed (the request goes through every middleware, as in
gunicorn). Home, section and story pages (text, radio, TV), on the demo content.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_pagebench \\
    REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python bench/render_cost.py [--runs 200] [--profile story] [--json out.json]

The database is created, migrated and given the demo if missing (as bench/reader_pages.py
does). Runs in-process under config.settings.test (DEBUG off, Redis cache, the project's
middleware) so that Django's CaptureQueriesContext and cProfile can see inside; the first
render of each page (cold fragments) is reported apart from the warm ones. `--profile
PAGE` prints cProfile's top functions by cumulative time for that page.
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BROWSER_UA = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36"
)


def setup_database() -> None:
    from reader_pages import database_ensure

    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            raise SystemExit(f"{name} must be set (PostgreSQL and Redis, as in production).")
    database_ensure(os.environ["DATABASE_URL"])
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from wagtail.models import Page

    call_command("migrate", verbosity=0)
    if not Page.objects.filter(depth__gt=2).exists():
        print("loading the demo content (once)")
        call_command("load_initial_data", verbosity=0)


def pages() -> dict:
    from newsroom.models import SectionPage, StoryPage

    stories = StoryPage.objects.live().order_by("pk")
    text = stories.filter(
        primary_format="text", access_level="free", video__isnull=True, audio__isnull=True
    ).first()
    home = text.get_site().root_page
    section = SectionPage.objects.live().child_of(home).order_by("pk").first()
    found = {"home": home, "section": section, "story": text}
    found["radio_story"] = stories.filter(audio__isnull=False, access_level="free").first()
    found["tv_story"] = stories.filter(video__isnull=False, access_level="free").first()
    return {
        name: {"host": page.get_site().hostname, "path": page.get_url_parts()[2]}
        for name, page in found.items()
        if page is not None
    }


class RedisCalls:
    """Counts commands sent to Redis (django-redis) during a block."""

    def __enter__(self):
        from redis.client import Redis

        self.count = 0
        self._original = Redis.execute_command
        outer = self

        def counted(client, *args, **kwargs):
            outer.count += 1
            return outer._original(client, *args, **kwargs)

        Redis.execute_command = counted
        return self

    def __exit__(self, *exc):
        from redis.client import Redis

        Redis.execute_command = self._original


def measure(client, where: dict, runs: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(where["path"], HTTP_HOST=where["host"])
        assert response.status_code == 200, (where, response.status_code)
        return response

    def counted():
        # Counted at once: Django empties the query log when the next request starts.
        reset_queries()
        with CaptureQueriesContext(connection) as queries, RedisCalls() as redis:
            get()
        return [q["sql"][:160] for q in queries.captured_queries], redis.count

    cold_sql, cold_redis = counted()
    warm_sql, warm_redis = counted()
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        get()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return {
        "queries_cold": len(cold_sql),
        "queries": len(warm_sql),
        "redis_cold": cold_redis,
        "redis": warm_redis,
        "ms_median": round(statistics.median(wall) * 1000, 2),
        "cpu_ms_median": round(statistics.median(cpu) * 1000, 2),
        "sql": warm_sql,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--profile", help="a page name: print its cProfile top functions")
    parser.add_argument("--filter", default="", help="with --profile: only functions matching")
    parser.add_argument("--sql", action="store_true", help="print each page's warm queries")
    parser.add_argument("--json", help="write the figures there")
    args = parser.parse_args()
    setup_database()
    from django.test import Client

    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    results = {}
    for name, where in pages().items():
        results[name] = measure(client, where, args.runs)
        r = results[name]
        print(
            f"{name:12} {where['path'][:40]:40} queries {r['queries_cold']:3} cold "
            f"{r['queries']:3} warm  redis {r['redis_cold']:3}/{r['redis']:3}  "
            f"{r['ms_median']:7.2f} ms  cpu {r['cpu_ms_median']:7.2f} ms"
        )
        if args.sql:
            print("\n".join("    " + q for q in r["sql"]))
    if args.profile:
        where = pages()[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            client.get(where["path"], HTTP_HOST=where["host"])
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(*([args.filter] if args.filter else []), 45)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
