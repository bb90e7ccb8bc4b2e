"""/metrics: Prometheus text that parses, with the request latency histogram, the Celery
queue depth read from the broker, failed deliveries counted from the database; refused to
callers outside HOITU_METRICS_ALLOWED_IPS without the token."""

import uuid

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from distribution.models import Delivery, DeliveryAction, DeliveryState, Platform, PlatformKind
from newsroom.models import Agency, StoryPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("redis_required")]


def scrape(client=None, **extra) -> dict:
    response = (client or Client()).get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def test_latency_histogram_by_route_name_after_a_request(demo):
    assert Client().get("/tim-kiem/?q=lũ").status_code == 200
    samples = scrape()
    labels = {"view": "search:page", "method": "GET", "status": "2xx"}
    assert value(samples, "hoitu_http_request_duration_seconds_count", **labels) >= 1
    assert value(samples, "hoitu_http_request_duration_seconds_bucket", le="+Inf", **labels) >= 1
    # Bounded labels: the raw path (or its query) never becomes one.
    assert not any("tim-kiem" in str(key) for key in samples)


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # goes to Redis
def test_queue_depth_is_the_number_of_messages_on_the_broker(settings):
    from config.celery import app

    queue = f"ops-test-{uuid.uuid4().hex[:8]}"
    settings.HOITU_METRICS_CELERY_QUEUES = [queue, "media"]
    for n in range(7):
        app.send_task("ops.never_run", args=[n], queue=queue)
    try:
        samples = scrape()
        assert value(samples, "hoitu_celery_queue_messages", queue=queue) == 7
        assert value(samples, "hoitu_collector_up", collector="celery_queues") == 1
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
    assert value(scrape(), "hoitu_celery_queue_messages", queue=queue) == 0


def test_failed_deliveries_are_counted_by_platform_kind(demo):
    agency = Agency.objects.get(slug="baothanhhoa")
    story = StoryPage.objects.live().first()
    zalo = Platform.objects.create(agency=agency, name="Zalo ops", kind=PlatformKind.ZALO_OA)
    push = Platform.objects.create(agency=agency, name="Push ops", kind=PlatformKind.HTTP_PUSH)
    before = scrape()

    def add(platform, state, n):
        for _ in range(n):
            Delivery.objects.create(
                story=story,
                platform=platform,
                action=DeliveryAction.PUBLISH,
                state=state,
                idempotency_key=uuid.uuid4().hex,
            )

    add(zalo, DeliveryState.FAILED, 3)
    add(zalo, DeliveryState.RETRYING, 2)
    add(push, DeliveryState.FAILED, 1)
    add(push, DeliveryState.DELIVERED, 4)  # delivered ones are no alarm
    after = scrape()

    def delta(kind, state):
        name = "hoitu_distribution_deliveries"
        labels = {"platform_kind": kind, "state": state}
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("zalo_oa", "failed") == 3
    assert delta("zalo_oa", "retrying") == 2
    assert delta("http_push", "failed") == 1
    assert delta("http_push", "retrying") == 0


def test_transcoding_backlog_and_beacon_buffer_are_reported():
    from analytics import buffer

    samples = scrape()
    for status in ("pending", "processing", "failed"):
        assert value(samples, "hoitu_media_assets", status=status) is not None
    before = value(samples, "hoitu_analytics_buffer_events")
    for n in range(5):
        buffer.push(f'{{"n": {n}}}')
    try:
        assert value(scrape(), "hoitu_analytics_buffer_events") == before + 5
    finally:
        buffer.client().ltrim(buffer.keys()[0], 5, -1)


def test_metrics_refused_outside_the_allowed_networks(settings):
    outside = Client(REMOTE_ADDR="203.0.113.7")
    assert outside.get("/metrics").status_code == 404
    # Through a proxy nobody declared (TRUSTED_PROXIES empty) 127.0.0.1 is not the caller.
    settings.TRUSTED_PROXIES = []
    assert Client().get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 404
    settings.HOITU_METRICS_TOKEN = "s3cret-scraper-token"
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    scrape(outside, HTTP_AUTHORIZATION="Bearer s3cret-scraper-token")
    settings.HOITU_METRICS_ALLOWED_IPS = ["203.0.113.0/24"]
    scrape(outside)


def test_a_dead_source_does_not_break_the_scrape(closed_port):
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port}/0"
    try:
        samples = scrape()
    finally:
        app.conf.broker_url = original
    assert value(samples, "hoitu_collector_up", collector="celery_queues") == 0
    assert value(samples, "hoitu_collector_up", collector="distribution") == 1


WORKER = """
import django
django.setup()
from django.test import RequestFactory
from django.urls import resolve
from config import metrics
request = RequestFactory().get("/tim-kiem/")
request.resolver_match = resolve("/tim-kiem/")
metrics.observe(request, 200, 0.03)
"""


def test_multiprocess_mode_adds_up_every_gunicorn_worker(tmp_path, monkeypatch):
    """With PROMETHEUS_MULTIPROC_DIR each worker process writes its own histogram there
    and the scrape, answered by whichever worker, reports all of them, with those of the
    beacon server's directory (HOITU_METRICS_EXTRA_DIRS, hoitu-beacon.service)."""
    import os
    import subprocess
    import sys

    web, beacon = tmp_path / "web", tmp_path / "beacon"
    for directory in (web, beacon):
        directory.mkdir()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "PROMETHEUS_MULTIPROC_DIR": str(directory),
        }
        subprocess.run([sys.executable, "-c", WORKER], env=env, check=True, timeout=120)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(web))
    monkeypatch.setenv("HOITU_METRICS_EXTRA_DIRS", str(beacon))
    samples = scrape()
    labels = {"view": "search:page", "method": "GET", "status": "2xx"}
    assert value(samples, "hoitu_http_request_duration_seconds_count", **labels) == 2
    assert value(samples, "hoitu_http_request_duration_seconds_bucket", le="0.05", **labels) == 2


def test_a_malformed_allowed_network_stops_start_up(settings):
    from django.core.exceptions import ImproperlyConfigured

    from config.ops import OpsMiddleware

    settings.HOITU_METRICS_ALLOWED_IPS = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="HOITU_METRICS_ALLOWED_IPS"):
        OpsMiddleware(lambda request: None)
