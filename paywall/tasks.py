from celery import shared_task

from . import services


@shared_task
def send_renewal_reminders() -> int:
    """Beat task: queue one reminder per subscription ending soon."""
    ids = list(services.reminders_due())
    for pk in ids:
        send_renewal_reminder.delay(pk)
    return len(ids)


@shared_task(acks_late=True)
def send_renewal_reminder(subscription_id: int) -> bool:
    # Idempotent: reminded_at is set in the same transaction as the send.
    return services.subscription_remind(subscription_id=subscription_id)


@shared_task
def expire_subscriptions() -> int:
    return services.subscriptions_expire()


@shared_task
def reconcile_pending_orders() -> int:
    """Beat task: queue one gateway query per pending order that is due."""
    from .reconciliation import orders_due

    ids = orders_due()
    for pk in ids:
        reconcile_order.delay(pk)
    return len(ids)


@shared_task(acks_late=True)
def reconcile_order(order_id: int) -> str:
    from .reconciliation import order_reconcile

    return order_reconcile(order_id=order_id)


@shared_task(acks_late=True)
def send_reader_mail(subject: str, message: str, recipient: str) -> None:
    """Account mail (sign-up, password reset, deletion) sent outside the request: the
    answer takes the same time, and cannot fail differently, whether or not the address
    belongs to an account."""
    from django.core.mail import send_mail

    send_mail(subject=subject, message=message, from_email=None, recipient_list=[recipient])
