"""The project served over real HTTP on 127.0.0.1 (port 0) inside an ordinary test
transaction: the server thread shares the test's database connection, so fakes can call
our IPN endpoints without flushing the database (no TransactionTestCase)."""

import contextlib
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.test.testcases import _MediaFilesHandler


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _committing(app, connection):
    """Runs, when a request ends, the on-commit callbacks it registered, as the commit of
    its transaction would in production (the test's own transaction never commits): the
    outbox's mails then go while the browser is still on the page."""

    def wrapped(environ, start_response):
        before = len(connection.run_on_commit)
        result = app(environ, start_response)
        pending = connection.run_on_commit[before:]
        del connection.run_on_commit[before:]
        for _sids, func, _robust in pending:
            func()
        return result

    return wrapped


@contextlib.contextmanager
def serve_project(media=False, wrap=None, commit_hooks=False):
    """`media=True` also serves MEDIA_URL from MEDIA_ROOT (players' files), as the
    live server does; `wrap` wraps the WSGI handler (tests/accessibility/ranges.py);
    `commit_hooks=True` runs each request's on-commit callbacks when it ends."""
    connection = connections["default"]
    connection.inc_thread_sharing()
    # Django closes "old" connections at request boundaries; in the test's transaction
    # that would close the shared one (the test client reconnects that signal, so
    # disconnecting it is not enough).
    connection.close_if_unusable_or_obsolete = lambda: None
    handler = _MediaFilesHandler(WSGIHandler()) if media else WSGIHandler()
    handler = wrap(handler) if wrap else handler
    handler = _committing(handler, connection) if commit_hooks else handler
    server = make_server(
        "127.0.0.1", 0, handler, server_class=WSGIServer, handler_class=QuietHandler
    )

    def run():
        connections["default"] = connection
        server.serve_forever(poll_interval=0.05)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        del connection.close_if_unusable_or_obsolete
        connection.dec_thread_sharing()
