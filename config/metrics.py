"""Prometheus metrics of the site (docs/operations.md), with prometheus-client.

Request latency is observed by config.ops.OpsMiddleware per route name (never the raw
path: a story's URL is not a label), method and status class. Everything else is read at
scrape time with cheap queries: Celery queue depth from the broker, distribution
deliveries failed or waiting to retry per platform kind, the media transcoding backlog,
and the analytics beacon buffer in Redis. A collector whose source is down reports
hoitu_collector_up 0 instead of failing the scrape.

Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR (an empty directory,
emptied at each start): the workers write their histograms there and every scrape
aggregates all of them, and those of HOITU_METRICS_EXTRA_DIRS (the beacon server's)."""

import glob
import logging
import os

from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUEST_LATENCY = Histogram(
    "hoitu_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by route name.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def route_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"  # 404 before any view, or a middleware answered
    return match.view_name or match.route or "<unnamed>"


def observe(request, status: int, seconds: float) -> None:
    method = request.method if request.method in METHODS else "other"
    REQUEST_LATENCY.labels(route_label(request), method, f"{status // 100}xx").observe(seconds)


def celery_queues() -> list[str]:
    """The queues whose depth is reported: the setting, or Celery's default queue, its
    declared queues and routes, and the media queue."""
    if settings.HOITU_METRICS_CELERY_QUEUES:
        return list(settings.HOITU_METRICS_CELERY_QUEUES)
    from config.celery import app

    names = {app.conf.task_default_queue or "celery", "media"}
    names.update(queue.name for queue in app.conf.task_queues or ())
    routes = app.conf.task_routes
    if isinstance(routes, dict):
        names.update(r["queue"] for r in routes.values() if isinstance(r, dict) and "queue" in r)
    return sorted(names)


def queue_depths(names=None) -> dict[str, int]:
    """Messages waiting in each queue (`names`, else celery_queues()): a passive declare
    answers the count on RabbitMQ and on Redis (kombu sums the priority lists); a queue
    that does not exist holds none."""
    from kombu.exceptions import ChannelError, OperationalError

    from config.celery import app

    timeout = settings.HOITU_READINESS_TIMEOUT
    depths = {}
    with app.connection_for_read(connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=0, timeout=timeout)  # no 2 s back-off
        for name in names or celery_queues():
            channel = conn.channel()
            try:
                depths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except (ChannelError, OperationalError) as exc:
                if "NOT_FOUND" not in str(exc) and getattr(exc, "code", None) != 404:
                    raise
                depths[name] = 0
            finally:
                try:
                    channel.close()
                except Exception:  # an AMQP 404 has already closed it
                    pass
    return depths


class SiteCollector:
    """Gauges read from the broker, PostgreSQL and Redis at each scrape."""

    def collect(self):
        up = GaugeMetricFamily(
            "hoitu_collector_up",
            "1 when the collector could read its source.",
            labels=["collector"],
        )
        for name, method in (
            ("celery_queues", self._queues),
            ("distribution", self._deliveries),
            ("media", self._media),
            ("analytics_buffer", self._beacon),
        ):
            try:
                yield from method()
            except Exception:
                logger.warning("Metrics collector %s failed", name, exc_info=True)
                up.add_metric([name], 0)
            else:
                up.add_metric([name], 1)
        yield up

    def _queues(self):
        gauge = GaugeMetricFamily(
            "hoitu_celery_queue_messages",
            "Messages waiting in a Celery queue (ready, not yet taken by a worker).",
            labels=["queue"],
        )
        for name, depth in queue_depths().items():
            gauge.add_metric([name], depth)
        return [gauge]

    def _deliveries(self):
        from django.db.models import Count

        from distribution.models import Delivery, DeliveryState, PlatformKind

        states = [DeliveryState.FAILED, DeliveryState.RETRYING]
        rows = (
            Delivery.objects.filter(state__in=states)
            .values_list("platform__kind", "state")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts = {(kind, state): n for kind, state, n in rows}
        gauge = GaugeMetricFamily(
            "hoitu_distribution_deliveries",
            "Deliveries to outside platforms that failed or wait to be retried.",
            labels=["platform_kind", "state"],
        )
        for kind in PlatformKind.values:
            for state in states:
                gauge.add_metric([kind, state.value], counts.get((kind, state.value), 0))
        return [gauge]

    def _media(self):
        from django.db.models import Count

        from newsroom.models.media import MediaAsset, ProcessingStatus

        statuses = [ProcessingStatus.PENDING, ProcessingStatus.PROCESSING, ProcessingStatus.FAILED]
        counts = dict(
            MediaAsset.objects.filter(processing_status__in=statuses)
            .values_list("processing_status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        gauge = GaugeMetricFamily(
            "hoitu_media_assets",
            "Audio and video assets waiting for, in or failed at transcoding.",
            labels=["status"],
        )
        for status in statuses:
            gauge.add_metric([status.value], counts.get(status.value, 0))
        return [gauge]

    def _beacon(self):
        from analytics import buffer

        if not buffer.enabled():
            return []  # `make run`: events are written as they arrive, nothing waits
        waiting = GaugeMetricFamily(
            "hoitu_analytics_buffer_events",
            "Accepted beacon events waiting in Redis to be written to PostgreSQL.",
        )
        waiting.add_metric([], buffer.length())
        in_flight = GaugeMetricFamily(
            "hoitu_analytics_buffer_in_flight_events",
            "Beacon events taken by a writer and not yet committed.",
        )
        in_flight.add_metric([], buffer.in_flight())
        return [waiting, in_flight]


class _Directories:
    """MultiProcessCollector over PROMETHEUS_MULTIPROC_DIR and HOITU_METRICS_EXTRA_DIRS
    (comma-separated: the beacon server's, deploy/systemd/hoitu-beacon.service), merged,
    so the same series from several services add up into one."""

    def collect(self):
        paths = [os.environ["PROMETHEUS_MULTIPROC_DIR"]]
        paths += [p for p in os.environ.get("HOITU_METRICS_EXTRA_DIRS", "").split(",") if p]
        files = [f for path in paths for f in sorted(glob.glob(os.path.join(path, "*.db")))]
        return MultiProcessCollector.merge(files, accumulate=True)


def exposition() -> bytes:
    """The text exposition of every metric: this process's (or, in multiprocess mode,
    every worker's) request histograms, then the site gauges read now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        base = CollectorRegistry()
        base.register(_Directories())
    else:
        base = REGISTRY
    site = CollectorRegistry(auto_describe=False)
    site.register(SiteCollector())
    return generate_latest(base) + generate_latest(site)
