"""Year-report benchmark (run by hand, never in tests): N events spread over a year are
loaded with PostgreSQL COPY, rolled up day by day through the same service the Celery
task runs, then the province's report (all indicators) is computed and exported as XLSX
and PDF. The report reads rollups only, so its time should not grow with N.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_bench REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/analytics_year_report.py --events 10000000 --year 2024

Use a database of its own: it adds the events (and their rollups) for that year.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CODE = r"""
import datetime, random, time, uuid
from django.db import connection
from django.utils import timezone
from analytics import services
from analytics.models import Event, Granularity, PendingRollup
from analytics.reports import render
from analytics.selectors import year_report
from newsroom.models import Place, StoryPage

N, YEAR = {events}, {year}
rng = random.Random(10)
stories = [(s.pk, s.get_site().pk, s.get_parent().pk, s.primary_format)
           for s in StoryPage.objects.live()]
codes = [None, 0] + list(Place.objects.values_list("code", flat=True))
start = timezone.make_aware(datetime.datetime(YEAR, 1, 1))
seconds_in_year = 365 * 86400
kinds = ["pageview"] * 5 + ["heartbeat"] * 4 + ["media_play"]
t0 = time.perf_counter()
with connection.cursor() as cursor:
    with cursor.cursor.copy(
        "COPY analytics_event (event_id, occurred_at, kind, site_id, page_id, section_id, "
        "story_format, visitor, place_code, channel, platform, seconds, media) FROM STDIN"
    ) as copy:
        for i in range(N):
            pk, site, section, fmt = stories[i % len(stories)]
            kind = kinds[i % 10]
            copy.write_row((
                uuid.uuid4(),
                start + datetime.timedelta(seconds=rng.randrange(seconds_in_year)),
                kind, site, pk, section, fmt, "%032x" % rng.randrange(200_000),
                codes[i % len(codes)], ("direct", "search", "social")[i % 3],
                ("mobile", "desktop")[i % 2], 15 if kind == "heartbeat" else 0,
                "video" if kind == "media_play" else "",
            ))
t1 = time.perf_counter()
print(f"loaded {{N:,}} events with COPY in {{t1 - t0:.1f}} s")
PendingRollup.objects.all().delete()
day = start
while day.year == YEAR:
    services.rollup_compute(granularity=Granularity.DAY, bucket=day)
    day = timezone.make_aware(datetime.datetime.combine(
        (timezone.localtime(day) + datetime.timedelta(days=1)).date(), datetime.time()))
t2 = time.perf_counter()
print(f"daily rollups for the year in {{t2 - t1:.1f}} s ({{N / (t2 - t1):,.0f}} events/s)")
report = year_report(year=YEAR)
t3 = time.perf_counter()
print(f"province report (all indicators, 3 agencies) in {{t3 - t2:.2f}} s")
for fmt in ("xlsx", "pdf"):
    t = time.perf_counter(); data = render(report, fmt)
    print(f"  {{fmt}} export: {{len(data):,}} bytes in {{time.perf_counter() - t:.2f}} s")
print("indicator 1:", report.results[0].value_label)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("DATABASE_URL must point to PostgreSQL (COPY).")
    env["DJANGO_SETTINGS_MODULE"] = "analytics_bench_settings"
    env["PYTHONPATH"] = f"{ROOT / 'bench'}:{ROOT}"
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [py, "manage.py", "load_initial_data", "--once", "-v0"], cwd=ROOT, env=env, check=True
    )
    code = CODE.format(events=args.events, year=args.year)
    subprocess.run([py, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    main()
