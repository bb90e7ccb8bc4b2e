"""What offline reading costs a reader (run by hand, never in tests): the size of the
service worker and of offline.js, and the bytes a first visit of an outlet's home page
costs with and without the worker (which then keeps the home page's latest stories and
their phone-size images for offline reading).

Prepares its database first (created if missing, migrated, demo loaded once). Serves the
project in-process (wsgiref on 127.0.0.1, `config.settings.test`: WhiteNoise
serves the static files, GZip as in production) on a database that has the demo loaded,
counts every byte of every response body the server sends, and drives Debian's Chromium
(Playwright, phone viewport 390x844 at DPR 2, gzip accepted) through a first visit of
the home page: once with service workers blocked (the page alone), once with the worker
until it has kept the home page's list.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_offlinebench \\
    REDIS_URL=redis://127.0.0.1:6379/12 TEST_MEDIA_ROOT=/tmp/hoitu-media-d \\
        .venv/bin/python bench/offline_first_visit.py [--host truyenhinh.localhost]
"""

import argparse
import gzip
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36"
)


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def counting(app, log):
    def wrapped(environ, start_response):
        status = []

        def start(code, headers, exc_info=None):
            status.append(code.split()[0])
            return start_response(code, headers, exc_info)

        body = app(environ, start)
        size = 0
        try:
            for chunk in body:
                size += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
            log.append((environ["PATH_INFO"], size))
            if status and status[0] >= "400" and environ["PATH_INFO"] != "/favicon.ico":
                print(f"  {status[0]} {environ['PATH_INFO']}", file=sys.stderr)

    return wrapped


def kind(path):
    if path == "/sw.js":
        return "worker"
    if path.startswith("/static/"):
        return "static"
    if path.startswith("/media/images/"):
        return "image"
    if path.startswith("/ngoai-tuyen/danh-sach/"):
        return "list json"
    if path.startswith(("/media/", "/tep-media/")):
        return "media"
    if path.startswith("/a/"):
        return "beacon"
    return "html"


def visit(browser, base, log, *, worker):
    log.clear()
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=PHONE_UA,
        locale="vi-VN",
        service_workers="allow" if worker else "block",
    )
    page = context.new_page()
    page.goto(base + "/")
    page.wait_for_load_state("networkidle")
    if worker:
        for _ in range(600):
            if page.evaluate("document.documentElement.dataset.offlineWorker") == "ready":
                break
            time.sleep(0.1)
        page.wait_for_load_state("networkidle")
        kept = page.evaluate("caches.open('hoitu-meta').then(c => c.keys()).then(k => k.length)")
    else:
        kept = 0
    time.sleep(0.5)
    context.close()
    sizes, counts = Counter(), Counter()
    for path, size in log:
        sizes[kind(path)] += size
        counts[kind(path)] += 1
    return sizes, counts, kept


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="localhost", help="the outlet's host name")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    from deploykit import database_ensure

    database_ensure(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from newsroom.models import Outlet

    call_command("migrate", verbosity=0)
    if not Outlet.objects.exists():
        call_command("load_initial_data", verbosity=0)
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client
    from django.test.testcases import _MediaFilesHandler
    from playwright.sync_api import sync_playwright

    client = Client(HTTP_HOST=args.host)
    body = client.get("/sw.js").content
    print(f"/sw.js: {len(body)} B, {len(gzip.compress(body, 6))} B gzipped")
    js = (ROOT / "offline/static/offline/offline.js").read_bytes()
    print(f"offline.js: {len(js)} B, {len(gzip.compress(js, 6))} B gzipped")

    log = []
    server = make_server(
        "127.0.0.1",
        0,
        counting(_MediaFilesHandler(WSGIHandler()), log),
        server_class=WSGIServer,
        handler_class=Quiet,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://{args.host}:{server.server_address[1]}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        alone, alone_n, _ = visit(browser, base, log, worker=False)
        withw, withw_n, kept = visit(browser, base, log, worker=True)
        browser.close()
    server.shutdown()

    print(f"\nFirst visit of {args.host}/ (bytes sent by the server, bodies as sent):")
    print(f"{'kind':<10} {'page alone':>12} {'with worker':>12} {'requests':>10}")
    for k in sorted(set(alone) | set(withw)):
        print(f"{k:<10} {alone[k]:>12} {withw[k]:>12} {alone_n[k]:>4} → {withw_n[k]:<4}")
    total_a, total_w = sum(alone.values()), sum(withw.values())
    print(f"{'total':<10} {total_a:>12} {total_w:>12}")
    print(
        f"worker's extra: {total_w - total_a} B ({(total_w - total_a) / 1024:.0f} KiB), "
        f"{kept} records kept (list pages and stories)"
    )


if __name__ == "__main__":
    main()
