"""Enqueue a Celery task through the outbox, publish it, run it once, sweep what the
broker never got."""

import datetime
import logging
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> OutboxMessage:
    """Instead of `task.delay(*args, **kwargs)`: the row is written in the current
    transaction (so it exists exactly when the change that asked for it does) and the
    task is published after commit. If the broker is away then, the caller notices
    nothing: beat's `outbox.tasks.sweep` publishes it later. Arguments must be JSON."""
    message = OutboxMessage.objects.create(task_name=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(partial(message_publish, message.pk), robust=True)
    return message


def message_publish(message_id: int, connection=None) -> bool:
    """Hands the message to the broker once, without Celery's retries (the sweep is the
    retry): a reader's request never waits for a broker that does not answer (a refused
    connection fails at once; one that hangs, after broker_connection_timeout)."""
    from .tasks import deliver

    try:
        if current_app.conf.task_always_eager:
            deliver.apply_async(args=[message_id])
        elif connection is not None:
            deliver.apply_async(args=[message_id], connection=connection, retry=False)
        else:
            # A pooled connection (no new one per request); kombu's default would retry.
            with current_app.pool.acquire(block=True) as conn:
                conn.ensure_connection(max_retries=0)
                deliver.apply_async(args=[message_id], connection=conn, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure: the sweep sends it later
        logger.warning("Outbox message %s not published (broker away?): %r", message_id, exc)
        return False
    OutboxMessage.objects.filter(pk=message_id).update(
        published_at=timezone.now(), publish_count=F("publish_count") + 1
    )
    return True


def message_deliver(message_id: int) -> bool:
    """Runs the message's task in this worker, once: the row is locked, and marked done
    in the transaction that ran the task, so a second copy of the message (published
    again by the sweep, redelivered by the broker) finds it done and does nothing. A
    failing task is counted and left for the sweep; after OUTBOX_MAX_FAILURES it is
    given up (logged as an error, the row stays for an operator)."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.done_at or message.given_up:
            return False
        task = current_app.tasks.get(message.task_name)
        try:
            if task is None:
                raise LookupError(f"no Celery task named {message.task_name}")
            with transaction.atomic():
                task(*message.args, **message.kwargs)
        except Exception as exc:  # noqa: BLE001 - recorded on the row, retried by the sweep
            message.failures += 1
            message.last_error = repr(exc)[:2000]
            message.given_up = message.failures >= settings.OUTBOX_MAX_FAILURES
            message.save(update_fields=["failures", "last_error", "given_up"])
            log = logger.error if message.given_up else logger.warning
            log("Outbox message %s (%s) failed: %r", message.pk, message.task_name, exc)
            return False
        # What a task was asked (a mail's body with its links) is not kept once done.
        message.done_at = timezone.now()
        message.args, message.kwargs = [], {}
        message.save(update_fields=["done_at", "args", "kwargs"])
    return True


def messages_due(now=None):
    """Not done, and either never published and older than OUTBOX_PUBLISH_AFTER_SECONDS
    (its after-commit publish had its chance), or published more than
    OUTBOX_REPUBLISH_AFTER_SECONDS ago and still not run (lost with a broker, or a task
    that failed)."""
    now = now or timezone.now()
    fresh = now - datetime.timedelta(seconds=settings.OUTBOX_PUBLISH_AFTER_SECONDS)
    stale = now - datetime.timedelta(seconds=settings.OUTBOX_REPUBLISH_AFTER_SECONDS)
    return (
        OutboxMessage.objects.filter(done_at__isnull=True, given_up=False)
        .filter(Q(published_at__isnull=True, created_at__lte=fresh) | Q(published_at__lte=stale))
        .order_by("created_at")
        .values_list("pk", flat=True)
    )


def messages_sweep() -> int:
    """Beat: publishes what is due, oldest first; stops at the first refusal (the broker
    is still away, the next sweep tries again). Also forgets done messages older than
    OUTBOX_KEEP_DAYS. Returns how many were published."""
    sent = 0
    due = list(messages_due()[: settings.OUTBOX_SWEEP_BATCH])
    if due:
        try:
            with current_app.connection_for_write() as conn:
                if not current_app.conf.task_always_eager:
                    conn.ensure_connection(max_retries=0)
                for pk in due:
                    if not message_publish(pk, connection=conn):
                        break
                    sent += 1
        except Exception as exc:  # noqa: BLE001 - the broker is still away: next sweep
            logger.warning("Outbox sweep: broker away, %s message(s) wait: %r", len(due), exc)
    keep = timezone.now() - datetime.timedelta(days=settings.OUTBOX_KEEP_DAYS)
    OutboxMessage.objects.filter(done_at__lt=keep).delete()
    if sent:
        logger.info("Outbox sweep published %s message(s)", sent)
    return sent
