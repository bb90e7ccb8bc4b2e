"""Byte ranges on MEDIA_URL, as nginx serves media in production (docs/deploy.md): the
test server's media handler (Django's static serve) answers every request whole, and
Chromium cannot seek in a progressive file (an audio cut's AAC) served that way."""

import mimetypes
import os
import re

from django.conf import settings

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def with_byte_ranges(app):
    def handler(environ, start_response):
        path = environ.get("PATH_INFO", "")
        match = RANGE.match(environ.get("HTTP_RANGE", ""))
        if not path.startswith(settings.MEDIA_URL) or not match:
            return app(environ, start_response)
        root = os.path.realpath(settings.MEDIA_ROOT)
        name = os.path.realpath(os.path.join(root, path[len(settings.MEDIA_URL) :]))
        if not name.startswith(root + os.sep) or not os.path.isfile(name):
            return app(environ, start_response)
        size = os.path.getsize(name)
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last or size - 1), size - 1)
        else:  # bytes=-N: the last N bytes
            start, end = max(0, size - int(last or 0)), size - 1
        if start > end:
            start_response("416 Range Not Satisfiable", [("Content-Range", f"bytes */{size}")])
            return [b""]
        with open(name, "rb") as f:
            f.seek(start)
            body = f.read(end - start + 1)
        start_response(
            "206 Partial Content",
            [
                ("Content-Type", mimetypes.guess_type(name)[0] or "application/octet-stream"),
                ("Content-Length", str(len(body))),
                ("Content-Range", f"bytes {start}-{end}/{size}"),
                ("Accept-Ranges", "bytes"),
            ],
        )
        return [body]

    return handler
