"""The nginx page-cache refresh on publish is merged per host: publishes made while a
pass is already waiting add their pages to it instead of queueing passes one behind the
other; the pass asks for the union once (both encodings); a pass whose nginx does not
answer gives its pages back for its retry. Against a stand-in nginx on 127.0.0.1 that
records what it is asked for."""

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from django.test import override_settings

from newsroom.models import StoryPage
from newsroom.page_refresh import PENDING_KEY, QUEUED_KEY, _redis, paths_showing
from newsroom.tasks import refresh_page_cache

pytestmark = pytest.mark.django_db
KEY = "refresh-key-of-this-test"


@pytest.fixture
def nginx():
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.headers.get("X-Hoitu-Cache-Refresh") == KEY:
                encoding = self.headers.get("Accept-Encoding")
                asked.append((self.headers["Host"], unquote(self.path), encoding))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, asked
    server.shutdown()
    server.server_close()


def test_publishes_while_a_pass_waits_are_merged_into_it(
    demo, nginx, django_capture_on_commit_callbacks
):
    server, asked = nginx
    redis = _redis()
    if redis is None:
        pytest.skip(
            "merging needs the Redis cache (REDIS_URL); without it each publish has its pass"
        )
    stories = list(StoryPage.objects.live().filter(url_path__startswith="/baothanhhoa/")[:3])
    host = paths_showing(stories[0])[0]
    redis.delete(PENDING_KEY.format(host=host))
    redis.set(QUEUED_KEY.format(host=host), "1", ex=60)  # a pass is queued, not yet taken
    settings = {
        "HOITU_PAGE_CACHE_REFRESH_URLS": [f"http://127.0.0.1:{server.server_port}"],
        "HOITU_PAGE_CACHE_REFRESH_KEY": KEY,
    }
    try:
        with override_settings(**settings):
            for story in stories:
                with django_capture_on_commit_callbacks(execute=True):
                    story.save_revision().publish()
            assert asked == []  # each publish joined the waiting pass (eager Celery: else at once)
            union = sorted({p for s in stories for p in paths_showing(s)[1]})
            assert len(union) < sum(len(paths_showing(s)[1]) for s in stories)  # home, section…
            refresh_page_cache(host, [])  # the waiting pass
            # Each page of the union once per encoding (nginx keeps one copy per encoding).
            expected = [(host, p, e) for p in union for e in ("gzip", "identity")]
            assert Counter(asked) == Counter(expected)
            assert not redis.exists(QUEUED_KEY.format(host=host))

            # nginx away: the pass fails and its pages wait for the retry, nothing lost.
            server.shutdown()
            server.server_close()
            with override_settings(HOITU_PAGE_CACHE_REFRESH_TIMEOUT=2):
                with pytest.raises(RuntimeError):
                    refresh_page_cache.run(host, ["/mot-trang/"])
            assert redis.smembers(PENDING_KEY.format(host=host)) == {b"/mot-trang/"}
    finally:
        redis.delete(PENDING_KEY.format(host=host), QUEUED_KEY.format(host=host))
