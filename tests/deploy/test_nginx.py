"""deploy/nginx/hoitu.conf: `nginx -t` on the shipped file, then a real nginx on 127.0.0.1
in front of a gunicorn on the test database (deploy/gunicorn.conf.py): the page cache for
anonymous readers (HIT, BYPASS for personal cookies, private answers never stored, one
copy whatever the browser's language, an update and a takedown there at once through the
refresh on publish, the stale page while the app is down), loopback-only
/metrics and /readyz, the analytics beacon on its own server (granian, config/asgi.py)
with gunicorn as its fallback, and the limits that must stay equal to the settings."""

import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from wagtail.models import Site

from paywall.services import METER_COOKIE

from .conftest import REFRESH_KEY, ROOT, SITE, Nginx, free_port, wait_for_port


def test_upload_limit_equals_the_media_upload_limit():
    (value,) = re.findall(r"client_max_body_size\s+(\d+)m;", SITE.read_text())
    assert int(value) * 1024 * 1024 == settings.HOITU_MEDIA_MAX_UPLOAD_SIZE


def test_personal_cookies_are_the_settings_cookies():
    (names,) = re.findall(r'"~\*\(\^\|;\)\\s\*\(([^)]*)\)=" 1;', SITE.read_text())
    assert set(names.split("|")) == {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        METER_COOKIE,
        "messages",  # django.contrib.messages' CookieStorage.cookie_name
        settings.LANGUAGE_COOKIE_NAME,
    }


def test_shipped_site_passes_nginx_check(nginx_site):
    result = nginx_site.check()
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def request(port, path, host, headers=None, source="127.0.0.1"):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection(
        "127.0.0.1", port, context=context, timeout=20, source_address=(source, 0)
    )
    try:
        conn.request(
            "GET",
            path,
            headers={"Host": host, "User-Agent": "Mozilla/5.0 Firefox/130", **(headers or {})},
        )
        response = conn.getresponse()
        return (
            response.status,
            dict(response.getheaders()),
            response.read().decode(errors="replace"),
        )
    finally:
        conn.close()


@pytest.fixture
def gunicorn(transactional_db, demo, tmp_path):
    """gunicorn with the shipped config, one worker, on the (committed) test database."""
    db = connection.settings_dict
    port = free_port()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        HOITU_GUNICORN_BIND=f"127.0.0.1:{port}",
        HOITU_GUNICORN_WORKERS="1",
        TRUSTED_PROXIES="127.0.0.1/32",
        # The outlets' hosts only, as in production: a request nginx forwards without the
        # reader's Host header is refused.
        DJANGO_ALLOWED_HOSTS=",".join(Site.objects.values_list("hostname", flat=True)),
        # Past 1 s of stale-while-revalidate only nginx's proxy_cache_use_stale serves the
        # stale page when the app is down: the test waits that long.
        HOITU_PAGE_CACHE_STALE_SECONDS="1",
        # The same cache keys as this process: a publish here retires gunicorn's fragments.
        HOITU_TEST_CACHE_PREFIX=settings.CACHES["default"].get("KEY_PREFIX", ""),
    )
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("tests/deploy need PostgreSQL (DATABASE_URL): gunicorn runs in another process")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
    )
    wait_for_port(port, process, "gunicorn", seconds=60)
    process.port, process.env = port, env
    yield process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)


def test_page_cache_in_front_of_gunicorn(gunicorn, tmp_path, stories):
    site = Nginx(tmp_path / "nginx", gunicorn.port)
    site.start()
    try:
        run_page_cache_checks(site, gunicorn, stories)
    finally:
        site.stop()


def run_page_cache_checks(site, gunicorn, stories):
    port = site.https_port
    story = stories["free"]
    host = story.get_site().hostname
    path = story.get_url_parts()[2]

    # Anonymous reader: the first answer fills the cache, the second comes from it.
    status, headers, body = request(port, path, host)
    assert status == 200 and story.title in body
    assert headers["X-Cache-Status"] == "MISS"
    assert "public" in headers["Cache-Control"] and "s-maxage=5" in headers["Cache-Control"]
    status, headers, again = request(port, path, host)
    assert (status, headers["X-Cache-Status"]) == (200, "HIT")
    assert again == body

    # A session (or CSRF, meter...) cookie: straight to the app, and nothing stored.
    fresh = f"{path}?v={uuid.uuid4().hex}"
    for cookie in ("sessionid=abc", "csrftoken=x; theme=dark", f"{METER_COOKIE}=y"):
        status, headers, _ = request(port, fresh, host, {"Cookie": cookie})
        assert (status, headers["X-Cache-Status"]) == (200, "BYPASS"), cookie
    status, headers, _ = request(port, fresh, host)
    assert headers["X-Cache-Status"] == "MISS"  # the bypassed answers were not stored
    status, headers, _ = request(port, path, host, {"Authorization": "Bearer t"})
    assert headers["X-Cache-Status"] == "BYPASS"

    # A private answer (an anonymous reader's metered story sets the meter cookie) is
    # never stored: the next anonymous reader goes to the app again.
    metered = stories["metered"][0]
    for _ in range(2):
        status, headers, _ = request(port, metered.get_url_parts()[2], host)
        assert status == 200 and "private" in headers["Cache-Control"]
        assert headers["X-Cache-Status"] == "MISS"

    # One cached copy for every browser language and Accept-Encoding spelling: the app
    # does not vary reader pages on Accept-Language, nginx keys on gzip or not.
    for headers_sent in (
        {"Accept-Language": "en-US,en;q=0.9"},
        {"Accept-Language": "fr", "Accept-Encoding": "identity"},
        {"Accept-Language": "vi-VN,vi;q=0.9", "Accept-Encoding": "deflate"},
    ):
        status, headers, _ = request(port, path, host, headers_sent)
        assert (status, headers["X-Cache-Status"]) == (200, "HIT"), headers_sent
        assert "accept-language" not in headers.get("Vary", "").lower()
    # gzip: its own copy, compressed, then a hit for any browser that takes gzip.
    zipped = {"Accept-Encoding": "gzip, deflate, br"}
    assert request(port, path, host, zipped)[1]["X-Cache-Status"] == "MISS"
    status, headers, _ = request(port, path, host, {"Accept-Encoding": "br, gzip"})
    assert (headers["X-Cache-Status"], headers.get("Content-Encoding")) == ("HIT", "gzip")

    # The refresh header does nothing with a wrong key or from another address.
    refresh = {"X-Hoitu-Cache-Refresh": REFRESH_KEY}
    assert request(port, path, host, refresh, source="127.0.0.2")[1]["X-Cache-Status"] == "HIT"
    wrong = {"X-Hoitu-Cache-Refresh": "guess"}
    assert request(port, path, host, wrong)[1]["X-Cache-Status"] == "HIT"

    # An update (a correction is one too) is there for readers at once: the publish asks
    # nginx to fetch the story, its section and the home page again (both encodings).
    refresh_settings = {
        "HOITU_PAGE_CACHE_REFRESH_URLS": [f"https://127.0.0.1:{port}"],
        "HOITU_PAGE_CACHE_REFRESH_KEY": REFRESH_KEY,
        "HOITU_PAGE_CACHE_REFRESH_VERIFY": False,
    }
    home_path, section_path = "/", story.get_parent().get_url_parts()[2]
    listing = {}  # the listings that show the story before the update
    for page_path in (home_path, section_path):
        request(port, page_path, host)
        status, headers, body = request(port, page_path, host)
        assert headers["X-Cache-Status"] == "HIT"
        listing[page_path] = story.title in body
    assert listing[section_path], "the section lists the story"
    new_title = f"Cập nhật bão số 3 {uuid.uuid4().hex[:6]}"
    story.title = new_title
    with override_settings(**refresh_settings):
        story.save_revision().publish()
    # Served from the cache (HIT, or STALE while nginx updates an entry that expired since
    # the refresh: this machine is slow) and new: without the refresh the cached copy
    # would still hold the old title.
    for page_path, encoding in [(path, ""), (path, "gzip"), (home_path, ""), (section_path, "")]:
        status, headers, body = request(port, page_path, host, {"Accept-Encoding": encoding})
        assert status == 200 and headers["X-Cache-Status"] in ("HIT", "STALE"), page_path
        if not encoding and listing.get(page_path, True):
            assert new_title in body, page_path

    # A takedown: the story's address answers 404 through nginx at once.
    taken = stories["premium"]
    taken_path = taken.get_url_parts()[2]
    request(port, taken_path, host)
    status, headers, _ = request(port, taken_path, host)
    assert (status, headers["X-Cache-Status"]) == (200, "HIT")
    with override_settings(**refresh_settings):
        taken.unpublish()
    # Without the refresh nginx would hand out the stored story (STALE) meanwhile.
    status, headers, body = request(port, taken_path, host)
    assert status == 404 and headers["X-Cache-Status"] != "BYPASS"
    assert taken.title not in request(port, section_path, host)[2]

    # Readiness and metrics: loopback only (127.0.0.2 stands for any other address).
    for probe in ("/metrics", "/readyz"):
        assert request(port, probe, host, source="127.0.0.2")[0] == 403, probe
    status, _, text = request(port, "/metrics", host)
    assert status == 200 and "hoitu_http_request_duration_seconds" in text

    # Static files come from nginx itself; plain HTTP is sent to HTTPS.
    (site.tmp / "srv" / "static-collected" / "probe.txt").write_text("tinh")
    assert request(port, "/static/probe.txt", host)[0:3:2] == (200, "tinh")
    # A file of a free cut: nginx asks the app's media gate (auth_request) first, then
    # serves it from disk.
    cut = site.tmp / "srv" / "media" / "media" / "probe-cut.txt"
    cut.parent.mkdir(parents=True, exist_ok=True)
    cut.write_text("ban tin")
    assert request(port, "/media/media/probe-cut.txt", host)[0:3:2] == (200, "ban tin")
    plain = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=10)
    plain.request("GET", path, headers={"Host": host})
    answer = plain.getresponse()
    assert answer.status == 301 and answer.getheader("Location") == f"https://{host}{path}"
    plain.close()

    # The app stops: readers still get the last good page, marked stale.
    gunicorn.terminate()
    gunicorn.wait(timeout=30)
    time.sleep(settings.HOITU_PAGE_CACHE_SECONDS + 2)
    status, headers, body = request(port, path, host)
    assert (status, headers["X-Cache-Status"]) == (200, "STALE")
    assert new_title in body
    # Nothing cached for a personal request: the reader logged in sees the outage.
    assert request(port, path, host, {"Cookie": "sessionid=abc"})[0] == 502


def test_service_worker_and_beacon_have_locations_of_their_own(
    gunicorn, beacon_server, tmp_path, stories
):
    """/sw.js (offline/, docs/offline.md) goes to the app every time, with its headers;
    POST /a/collect goes to the beacon server, then to gunicorn (run_beacon_checks)."""
    site = Nginx(tmp_path / "nginx", gunicorn.port, beacon_port=beacon_server.port)
    site.start()
    try:
        host = Site.objects.get(is_default_site=True).hostname
        for _ in range(2):
            status, headers, body = request(site.https_port, "/sw.js", host)
            assert status == 200 and "importScripts" in body
            assert headers.get("X-Cache-Status", "") == ""  # no cache on this location
            assert headers["Service-Worker-Allowed"] == "/"
            assert "no-cache" in headers["Cache-Control"]
            assert headers["Content-Type"].startswith("text/javascript")
        # A page next to it is still kept (the page cache is untouched).
        request(site.https_port, "/", host)
        assert request(site.https_port, "/", host)[1]["X-Cache-Status"] == "HIT"
        run_beacon_checks(site, gunicorn, beacon_server, stories["free"])
    finally:
        site.stop()


def post(port, path, host, body: bytes, headers=None):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={"Host": host, "Content-Type": "text/plain", **(headers or {})},
        )
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


@pytest.fixture
def beacon_server(gunicorn, tmp_path):
    """The beacon server as hoitu-beacon.service runs it (granian, config.asgi), with the
    gunicorn's environment, its access log in a file."""
    port = free_port()
    log = open(tmp_path / "granian.log", "wb")  # noqa: SIM115 - closed below
    env = dict(gunicorn.env, GRANIAN_HOST="127.0.0.1", GRANIAN_PORT=str(port), GRANIAN_WORKERS="1")
    (command,) = [
        line.split("=", 1)[1]
        for line in (ROOT / "deploy" / "systemd" / "hoitu-beacon.service").read_text().splitlines()
        if line.startswith("ExecStart=")
    ]
    argv = [sys.executable, "-m", "granian", *command.split()[1:], "--access-log"]
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, "granian", seconds=60)
        process.port, process.log = port, tmp_path / "granian.log"
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        log.close()


def run_beacon_checks(site, gunicorn, beacon_server, story):
    """POST /a/collect through the shipped site reaches the beacon server; with it down,
    gunicorn answers it (same decision); with both down, a 502, never a 204. Every 204 is
    one stored event, placed by the reader's address behind nginx."""
    from analytics import buffer, services
    from analytics.models import Event

    host = story.get_site().hostname
    body = json.dumps({"k": "pageview", "p": story.pk, "s": story.get_site().pk}).encode()
    reader = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130"}
    Event.objects.all().delete()
    if buffer.enabled():
        buffer.client().delete(buffer.keys()[0])  # what other tests' servers buffered
    assert post(site.https_port, "/a/collect", host, body, reader) == (204, "")
    assert post(site.https_port, "/a/collect", host, b"{}", reader)[0] == 400
    assert post(site.https_port, "/a/collect", "evil.example", body, reader)[0] == 400
    assert "POST /a/collect" in beacon_server.log.read_text()  # its server answered
    beacon_server.terminate()
    beacon_server.wait(timeout=30)
    assert post(site.https_port, "/a/collect", host, body, reader) == (204, "")
    gunicorn.terminate()
    gunicorn.wait(timeout=30)
    assert post(site.https_port, "/a/collect", host, body, reader)[0] == 502
    if buffer.enabled():
        services.events_flush()
    events = list(Event.objects.values_list("page_id", "visitor"))
    assert len(events) == 2 and events[0] == events[1] and events[0][0] == story.pk
