"""Celery tasks of the push app. Every one may run twice (a redelivered message, a
retry): the delivery rows make that harmless (services.batch_send)."""

from celery import shared_task


def _fan_out(delivery_ids: list[int]) -> None:
    from .services import batches

    for batch in batches(delivery_ids):
        send_batch.delay(batch)


@shared_task(acks_late=True)
def send_alert(alert_id: int) -> int:
    """Starts an alert (one delivery row per subscription of its outlet) and queues the
    copies in batches of PUSH_BATCH_SIZE; an alert with nobody to reach is finished."""
    from .services import alert_finish_if_done, alert_start

    pending = alert_start(alert_id)
    if not pending:
        alert_finish_if_done(alert_id)
    _fan_out(pending)
    return len(pending)


@shared_task(acks_late=True)
def send_batch(delivery_ids: list[int]) -> dict:
    from .services import batch_send

    return batch_send(delivery_ids)


@shared_task
def sweep() -> dict:
    """Beat, every minute: copies whose retry is due (5xx, 429, timeouts, with backoff)
    sent again; alerts whose start task was lost started."""
    from .services import sweep as find_due

    due = find_due()
    for alert_id in due["alerts"]:
        send_alert.delay(alert_id)
    _fan_out(due["retry"])
    return {"alerts": len(due["alerts"]), "retry": len(due["retry"])}
