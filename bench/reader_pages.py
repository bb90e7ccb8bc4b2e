"""Reader pages on a slow phone link (run by hand, never in tests).

Sets up its own database (created if missing, migrated, demo loaded once with the demo
radio/TV media transcoded), collects the static files, and serves the project with
production settings (`config.settings.production`: DEBUG off, WhiteNoise with compressed
hashed static files) under gunicorn, behind Debian's nginx on 127.0.0.1 that serves
/media/ from disk and proxies everything else (nginx adds no compression of its own: what
is compressed is what the project compresses). Then, for each reader page type, drives
Debian's Chromium through Playwright on a phone viewport (360x740, DPR 2) with CDP network
emulation (400 kbit/s down, 400 kbit/s up, 400 ms RTT) and 4x CPU throttling, once with a
cold cache and once more with a warm one, and reports transferred bytes (total and by
kind), requests, TTFB, FCP, LCP and the load event. It checks that no audio/video byte is
fetched before play, and lists what it finds cheap to fix (static files without a
far-future Cache-Control, text sent uncompressed, images without width/height, lazy
images in the first screen, render-blocking scripts, images much larger than shown).
Finally wrk (2 threads, 32 connections, 20 s) measures requests/s and p99 of a free text
story page for an anonymous reader, straight against gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_pagebench \\
    REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python bench/reader_pages.py [--json bench/results/pages.json]

Needs gunicorn (`pip install -e '.[bench]'`), Playwright's Python package (test extra;
it never downloads a browser here), Debian's chromium, nginx and wrk. Media go to
media-bench/ (MEDIA_ROOT), static files to static-collected/. `--skip-wrk` leaves out the
server-side part; `--pages home,story` measures only some pages.
"""

import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from benchkit import free_port, load_arguments, stop, wait_port, wrk
from deploykit import PAGES_CODE, database_ensure, django_env, manage

ROOT = Path(__file__).resolve().parent.parent

PY = sys.executable
CHROMIUM = "/usr/bin/chromium"
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Mobile Safari/537.36"
)
# Slow 3G as a commune in the mountains gets it: 400 kbit/s each way, 400 ms round trip.
NETWORK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
CPU_SLOWDOWN = 4
KINDS = ("html", "css", "js", "image", "font", "media", "other")
MEDIA_SUFFIXES = (".mp4", ".m4a", ".aac", ".mp3", ".m3u8", ".ts", ".m4s", ".wav", ".webm")

METRICS_JS = """
() => new Promise(resolve => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  let lcp = null;
  new PerformanceObserver(list => {
    const e = list.getEntries(); if (e.length) lcp = e[e.length - 1];
  }).observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => resolve({
    ttfb: nav.responseStart - nav.startTime,
    html: nav.responseEnd - nav.startTime,
    fcp: fcp ? fcp.startTime : null,
    lcp: lcp ? lcp.startTime : null,
    lcp_element: lcp && lcp.element ? lcp.element.tagName.toLowerCase() : null,
    load: nav.loadEventEnd - nav.startTime,
  }), 50);
})
"""

# Markup facts a cheap fix can change; measured in the rendered page.
AUDIT_JS = """
() => {
  const fold = window.innerHeight;
  const out = {no_size: [], lazy_above_fold: [], eager_below_fold: [], oversized: [],
               blocking_scripts: [], autoplay_or_preload: []};
  for (const img of document.images) {
    const r = img.getBoundingClientRect();
    const name = (img.currentSrc || img.src).split('/').pop();
    if (!img.getAttribute('width') || !img.getAttribute('height')) out.no_size.push(name);
    if (img.loading === 'lazy' && r.top < fold && r.width > 0) out.lazy_above_fold.push(name);
    if (img.loading !== 'lazy' && r.top >= fold) out.eager_below_fold.push(name);
    if (img.naturalWidth && r.width &&
        img.naturalWidth > 1.5 * r.width * window.devicePixelRatio)
      out.oversized.push(`${name} ${img.naturalWidth}px shown ${Math.round(r.width)}px`);
  }
  for (const s of document.head.querySelectorAll('script[src]'))
    if (!s.defer && !s.async && s.type !== 'module') out.blocking_scripts.push(s.src);
  for (const m of document.querySelectorAll('audio, video'))
    if (m.autoplay || (m.getAttribute('preload') || 'auto') !== 'none')
      out.autoplay_or_preload.push(m.outerHTML.slice(0, 80));
  return out;
}
"""


def nginx_conf(tmp: Path, port: int, app_port: int) -> str:
    media = ROOT / "media-bench"
    return f"""
worker_processes 1; pid {tmp}/nginx.pid; error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  access_log off; client_body_temp_path {tmp}; proxy_temp_path {tmp};
  fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
  gzip off;
  server {{
    listen 127.0.0.1:{port};
    location /media/ {{ alias {media}/; expires 30d; }}
    location / {{
      proxy_pass http://127.0.0.1:{app_port};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_http_version 1.1;
    }}
  }}
}}
"""


def kind_of(resource_type: str, mime: str, url: str) -> str:
    path = urlsplit(url).path
    if resource_type == "Document":
        return "html"
    if resource_type == "Stylesheet":
        return "css"
    if resource_type == "Script":
        return "js"
    if resource_type == "Image":
        return "image"
    if resource_type == "Font":
        return "font"
    if (
        resource_type == "Media"
        or path.endswith(MEDIA_SUFFIXES)
        or mime.startswith(("audio/", "video/"))
    ):
        return "media"
    return "other"


class Recorder:
    """Collects what the network did for one page load through CDP events."""

    def __init__(self, cdp):
        self.requests: dict[str, dict] = {}
        cdp.on("Network.requestWillBeSent", self.sent)
        cdp.on("Network.responseReceived", self.response)
        cdp.on("Network.loadingFinished", self.finished)
        cdp.on("Network.requestServedFromCache", self.from_cache)

    def sent(self, e):
        self.requests.setdefault(e["requestId"], {}).update(
            url=e["request"]["url"], type=e.get("type", "Other"), bytes=0, cache=False
        )

    def response(self, e):
        r = self.requests.setdefault(e["requestId"], {"url": e["response"]["url"], "bytes": 0})
        resp = e["response"]
        headers = {k.lower(): v for k, v in resp.get("headers", {}).items()}
        r.update(
            type=e.get("type", r.get("type", "Other")),
            mime=resp.get("mimeType", ""),
            status=resp.get("status"),
            cache=r.get("cache", False) or resp.get("fromDiskCache", False),
            encoding=headers.get("content-encoding", ""),
            cache_control=headers.get("cache-control", ""),
        )

    def finished(self, e):
        r = self.requests.get(e["requestId"])
        if r is not None:
            r["bytes"] = e.get("encodedDataLength", 0)
            r["done"] = True

    def from_cache(self, e):
        self.requests.setdefault(e["requestId"], {})["cache"] = True

    def summary(self) -> dict:
        split = dict.fromkeys(KINDS, 0)
        network = 0
        for r in self.requests.values():
            if not r.get("url", "").startswith("http"):
                continue
            r["kind"] = kind_of(r.get("type", ""), r.get("mime", ""), r["url"])
            split[r["kind"]] += r.get("bytes", 0)
            if r.get("bytes", 0) > 0:
                network += 1
        return {
            "bytes": sum(split.values()),
            "split": split,
            "requests": sum(
                1 for r in self.requests.values() if r.get("url", "").startswith("http")
            ),
            "network_requests": network,
        }


def visit(context, url: str) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    recorder = Recorder(cdp)
    response = page.goto(url, wait_until="load", timeout=300_000)
    if response is None or response.status != 200:
        raise SystemExit(f"{url} answered {response and response.status}")
    # The beacon and late lazy images: let the network settle before counting.
    try:
        page.wait_for_load_state("networkidle", timeout=30_000)
    except Exception:  # noqa: BLE001 - a page that never idles is reported as it is
        pass
    metrics = page.evaluate(METRICS_JS)
    audit = page.evaluate(AUDIT_JS)
    result = {**metrics, **recorder.summary(), "audit": audit}
    result["resources"] = [
        {k: r.get(k) for k in ("url", "kind", "bytes", "encoding", "cache_control", "cache")}
        for r in recorder.requests.values()
        if r.get("url", "").startswith("http")
    ]
    result["html_headers"] = {
        k: v
        for k, v in response.headers.items()
        if k in ("cache-control", "content-encoding", "vary", "content-length")
    }
    page.close()
    return result


def browse(urls: dict[str, str]) -> dict:
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            # Once over every page at full speed first: renditions are made on the first
            # view, which a reader of a live site never pays for.
            warmup = browser.new_context()
            for url in urls.values():
                warmup.new_page().goto(url, wait_until="load")
            warmup.close()
            for name, url in urls.items():
                context = browser.new_context(
                    viewport={"width": 360, "height": 740},
                    device_scale_factor=2,
                    is_mobile=True,
                    has_touch=True,
                    user_agent=PHONE_UA,
                    locale="vi-VN",
                )
                cold = visit(context, url)
                warm = visit(context, url)
                context.close()
                results[name] = {"url": url, "cold": cold, "warm": warm}
                print(
                    f"  {name:12} cold {cold['bytes'] / 1024:7.1f} KiB {cold['requests']:3} req"
                    f"  LCP {cold['lcp'] or 0:6.0f} ms | warm {warm['bytes'] / 1024:6.1f} KiB"
                    f"  LCP {warm['lcp'] or 0:6.0f} ms",
                    flush=True,
                )
        finally:
            browser.close()
    return results


def findings(results: dict) -> list[str]:
    """What a cheap fix could change, from the cold visits."""
    out = []
    seen = set()
    for name, r in results.items():
        cold = r["cold"]
        media = [
            x["url"] for x in cold["resources"] + r["warm"]["resources"] if x["kind"] == "media"
        ]
        if media:
            out.append(f"{name}: media fetched before play: {media}")
        for x in cold["resources"]:
            path = urlsplit(x["url"]).path
            if path.startswith("/static/") and path not in seen:
                seen.add(path)
                cc = x["cache_control"] or ""
                age = re.search(r"max-age=(\d+)", cc)
                if not age or int(age.group(1)) < 365 * 86400 or "immutable" not in cc:
                    out.append(f"static without far-future immutable cache: {path} ({cc!r})")
            if (
                x["kind"] in ("html", "css", "js")
                and not x["encoding"]
                and (x["bytes"] or 0) > 1024
                and ("html", path) not in seen
            ):
                seen.add(("html", path))
                out.append(f"{name}: {x['kind']} sent uncompressed: {path} ({x['bytes']} B)")
        for key, items in cold["audit"].items():
            if items:
                out.append(f"{name}: {key}: {', '.join(items[:4])}{' …' if len(items) > 4 else ''}")
    return out


def run_wrk(url: str, host: str, seconds: int, connections: int, threads: int) -> dict:
    headers = [f"Host: {host}", "Accept-Encoding: gzip, deflate, br", f"User-Agent: {PHONE_UA}"]
    figures, _ = wrk(
        url,
        seconds=seconds,
        connections=connections,
        threads=threads,
        extra=[arg for h in headers for arg in ("-H", h)],
    )
    return figures


def table(results: dict) -> str:
    def kib(n):
        return f"{n / 1024:.1f}"

    def ms(v):
        return "–" if v is None else f"{v / 1000:.1f}"

    head = (
        "| page | visit | KiB total | HTML | CSS | JS | img | font | media | requests "
        "| server ms | HTML s | FCP s | LCP s | load s |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    rows = []
    for name, r in results.items():
        for visit_name in ("cold", "warm"):
            v = r[visit_name]
            s = v["split"]
            rows.append(
                f"| {name} | {visit_name} | {kib(v['bytes'])} | {kib(s['html'])} | {kib(s['css'])} "
                f"| {kib(s['js'])} | {kib(s['image'])} | {kib(s['font'])} | {kib(s['media'])} "
                f"| {v['requests']} ({v['network_requests']} on the wire) | {v['ttfb']:.0f} | {ms(v['html'])} "
                f"| {ms(v['fcp'])} | {ms(v['lcp'])} | {ms(v['load'])} |"
            )
    return "\n".join([head, *rows])


def main():
    parser = load_arguments(__doc__.splitlines()[0])
    parser.add_argument("--skip-wrk", action="store_true")
    parser.add_argument("--pages", default="", help="comma-separated subset of page names")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    for tool in (nginx, "wrk", CHROMIUM):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed (apt-get install nginx wrk chromium)")
    env = django_env()
    database_ensure(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_initial_data", "--once", "--allow-production", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    places = json.loads(
        manage(env, "shell", "-c", PAGES_CODE, capture=True).stdout.splitlines()[-1]
    )
    if args.pages:
        places = {k: v for k, v in places.items() if k in args.pages.split(",")}
    tmp = Path(tempfile.mkdtemp(prefix="hoitu-pages-"))
    procs = []
    out = {"network": NETWORK, "cpu_slowdown": CPU_SLOWDOWN}
    try:
        port, app_port = free_port(), free_port()
        (tmp / "nginx.conf").write_text(nginx_conf(tmp, port, app_port))
        procs.append(subprocess.Popen([nginx, "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"]))
        procs.append(
            subprocess.Popen(
                [PY, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{app_port}"]
                + ["-w", str(args.workers), "--log-level", "warning"],
                cwd=ROOT,
                env=env,
            )
        )
        wait_port(port)
        wait_port(app_port)
        urls = {k: f"http://{v['host']}:{port}{v['path']}" for k, v in places.items()}
        print("browser (phone, 400 kbit/s, 400 ms RTT, CPU 4x):", flush=True)
        out["pages"] = browse(urls)
        if not args.skip_wrk:
            story = (
                places.get("story")
                or json.loads(
                    manage(env, "shell", "-c", PAGES_CODE, capture=True).stdout.splitlines()[-1]
                )["story"]
            )
            out["wrk"] = run_wrk(
                f"http://127.0.0.1:{app_port}{story['path']}",
                story["host"],
                args.seconds,
                args.connections,
                args.threads,
            )
    finally:
        stop(procs)
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(table(out["pages"]))
    if "wrk" in out:
        w = out["wrk"]
        print(
            f"\nwrk story page (anonymous, gunicorn {args.workers} workers, {args.threads} threads"
            f"/{args.connections} connections, {args.seconds} s): {w['rps']:.0f} req/s, "
            f"p50 {w['p50']}, p99 {w['p99']}, non-2xx {w['non2xx']} {w['errors']}"
        )
    out["findings"] = findings(out["pages"])
    print("\nfindings:" if out["findings"] else "\nfindings: none")
    for line in out["findings"]:
        print(" -", line)
    media_ok = not any(
        f.startswith(tuple(out["pages"])) and "before play" in f for f in out["findings"]
    )
    print(
        "players: "
        + ("no audio/video byte before play" if media_ok else "MEDIA FETCHED BEFORE PLAY")
    )
    lcps = [r["cold"]["lcp"] for r in out["pages"].values() if r["cold"]["lcp"]]
    if lcps:
        print(f"median cold LCP: {statistics.median(lcps) / 1000:.1f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False))
    return 0 if media_ok else 1


if __name__ == "__main__":
    sys.exit(main())
