import contextlib

import pytest

from tests.newsletters.conftest import mailbox, smtp_server  # noqa: F401 - the real SMTP server
from tests.support import _use_broker

# Nothing listens on port 1 of this machine: a publish there is refused at once.
UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture
def outage(settings):
    """Celery as in production (tasks go to a broker, not run in the caller), with a
    broker that cannot be reached from the start of the test. `with outage.over():` ends
    it: the broker is the local Redis again, with a real Celery worker on it
    (tests.support.running_worker), for the length of the block."""
    from config.celery import app
    from tests.support import running_worker

    saved = app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    _use_broker(app, UNREACHABLE)

    class Outage:
        @staticmethod
        @contextlib.contextmanager
        def over():
            _use_broker(app, saved)
            with running_worker(settings) as worker:
                yield worker

    try:
        yield Outage
    finally:
        app.conf.task_always_eager = True
        _use_broker(app, saved)


@pytest.fixture
def hub():
    """A WebSub hub on 127.0.0.1 (W3C WebSub: publishers POST hub.mode=publish and
    hub.url, the hub answers 2xx); holds the hub.url values it received."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs

    received = []

    class Hub(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            form = parse_qs(self.rfile.read(length).decode())
            if form.get("hub.mode") == ["publish"]:
                received.extend(form.get("hub.url", []))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", received
    finally:
        server.shutdown()
        server.server_close()
