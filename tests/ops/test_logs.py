"""Structured logs (issue 12): every record of a request is one JSON line carrying the
request's id (echoed in X-Request-ID), method, path, status and client; a forged id is
replaced; a Celery task's lines carry its task id; production writes JSON on stdout."""

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from config.celery import app
from config.logging import ContextFilter, JsonFormatter
from tests.support import production_env

ROOT = Path(__file__).resolve().parents[2]


# Tests allow every host; the site's own hosts make a forged Host header a logged refusal
# (django.security.DisallowedHost, with its exception), as in production.
pytestmark = pytest.mark.django_db
only_our_host = override_settings(ALLOWED_HOSTS=["bao.example.vn"])


@pytest.fixture
def json_lines():
    """The console handler of settings.LOGGING, writing JSON into a buffer for the test."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ContextFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous_stream, previous_formatter = handler.setStream(stream), handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        handler.setStream(previous_stream)
        handler.setFormatter(previous_formatter)


@only_our_host
def test_a_refused_request_logs_one_json_line_with_its_request_id(json_lines):
    client = Client(HTTP_HOST="ke-gia-mao.example", REMOTE_ADDR="203.0.113.9")
    response = client.get("/tin-tuc/", HTTP_X_REQUEST_ID="nginx-7f3a9c")
    assert response.status_code == 400
    assert response["X-Request-ID"] == "nginx-7f3a9c"
    (line,) = [r for r in json_lines() if r["logger"] == "django.security.DisallowedHost"]
    assert line["request_id"] == "nginx-7f3a9c"
    assert line["level"] == "ERROR" and line["status"] == 400
    assert line["method"] == "GET" and line["path"] == "/tin-tuc/"
    assert line["client"] == "203.0.113.9" and line["process"] > 0 and line["module"]
    assert line["time"].endswith("+00:00")
    assert line["exception"]["type"] == "django.core.exceptions.DisallowedHost"
    assert "Traceback (most recent call last)" in line["exception"]["traceback"]


def test_a_signed_in_reader_s_request_logs_their_user_id(json_lines, django_user_model):
    reader = django_user_model.objects.create_user("ban-doc-log", password="mat-khau-dai-1")
    client = Client()
    client.force_login(reader)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    (line,) = [r for r in json_lines() if r["logger"] == "django.request"]
    assert line["user_id"] == str(reader.pk) and line["status"] == 404
    assert line["request_id"] == response["X-Request-ID"]


@only_our_host
@pytest.mark.parametrize(
    "forged",
    ["abc\nERROR forged line", 'x" "level": "CRITICAL', "a" * 65, "", "-leading-dash"],
)
def test_a_forged_request_id_is_replaced(json_lines, forged):
    client = Client(HTTP_HOST="ke-gia-mao.example")
    response = client.get("/", HTTP_X_REQUEST_ID=forged)
    request_id = response["X-Request-ID"]
    assert request_id != forged and len(request_id) == 32 and request_id.isalnum()
    assert {r["request_id"] for r in json_lines()} == {request_id}


@only_our_host
def test_each_request_gets_its_own_id(json_lines):
    client = Client(HTTP_HOST="ke-gia-mao.example")
    ids = {client.get("/")["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3
    assert {r["request_id"] for r in json_lines()} == ids


@app.task(name="tests.ops.log_something")
def log_something():
    logging.getLogger("hoitu.test").warning("inside the task")


def test_a_celery_task_logs_with_its_task_id(json_lines):
    result = log_something.delay()
    (line,) = [r for r in json_lines() if r["logger"] == "hoitu.test"]
    assert line["request_id"] == result.id and line["task"] == "tests.ops.log_something"
    logging.getLogger("hoitu.test").warning("after the task")
    assert "request_id" not in json_lines()[-1]  # the task's id ends with the task


def run_production(code, **env):
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


REFUSED_REQUEST = (
    "from django.test import Client\n"
    "Client(HTTP_HOST='ke-gia-mao.example').get('/', HTTP_X_REQUEST_ID='req-42')\n"
)


def test_production_logs_json_on_stdout():
    out = run_production(REFUSED_REQUEST)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    (refused,) = [r for r in lines if r["logger"] == "django.security.DisallowedHost"]
    assert refused["request_id"] == "req-42" and refused["status"] == 400
    assert refused["exception"]["type"] == "django.core.exceptions.DisallowedHost"


def test_production_logs_text_when_asked():
    out = run_production(REFUSED_REQUEST, HOITU_LOG_FORMAT="text")
    assert out.returncode == 0, out.stderr
    assert "ERROR django.security.DisallowedHost [req-42]: Invalid HTTP_HOST header" in out.stdout


def test_an_unknown_log_format_is_refused():
    out = run_production("", HOITU_LOG_FORMAT="xml")
    assert out.returncode != 0
    assert "HOITU_LOG_FORMAT must be text or json, not 'xml'" in out.stderr
