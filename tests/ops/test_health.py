"""/healthz answers from the process alone; /readyz names the dependency that is down,
quickly, and tells the error text only to trusted callers."""

import time

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")  # any Host header
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_ok_with_everything_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "storage"}
    for check in body["checks"].values():
        assert check["status"] == "ok" and check["latency_ms"] >= 0
    assert response["Cache-Control"] == "no-store"


def test_readyz_names_the_cache_when_redis_is_down(client, settings, closed_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
    }
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 2.5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["failing"] == ["cache"]
    assert body["checks"]["cache"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"
    # From 127.0.0.1 (the test client's address) the cause is shown, port included.
    assert str(closed_port) in body["checks"]["cache"]["error"]


def test_readyz_names_the_broker_when_it_is_unreachable(closed_port):
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port}/0"
    try:
        started = time.monotonic()
        response = Client(REMOTE_ADDR="203.0.113.7").get("/readyz")
        assert time.monotonic() - started < 1.0  # a refused connection is named at once
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    # A caller from outside learns which check failed, not the host or port behind it.
    assert "error" not in body["checks"]["broker"]
    assert str(closed_port) not in response.content.decode()


def test_readyz_gives_up_on_a_hanging_dependency_within_the_timeout(settings, closed_port):
    """A broker that accepts the connection and never answers (a black hole) is named
    after HOITU_READINESS_TIMEOUT instead of holding the probe."""
    import socket

    from config.celery import app

    settings.HOITU_READINESS_TIMEOUT = 1.0
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        original = app.conf.broker_url
        app.conf.broker_url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        try:
            started = time.monotonic()
            response = Client().get("/readyz")
            elapsed = time.monotonic() - started
        finally:
            app.conf.broker_url = original
    assert response.status_code == 503 and response.json()["failing"] == ["broker"]
    assert elapsed < 2.0


def test_readyz_names_the_storage_when_media_cannot_be_written(client, settings, tmp_path):
    not_a_directory = tmp_path / "media"
    not_a_directory.write_text("a file where the media directory should be")
    settings.MEDIA_ROOT = not_a_directory
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]
