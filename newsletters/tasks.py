"""Celery tasks of the newsletters app. Every one may run twice (a redelivered message,
a retry): the delivery rows make that harmless (services.batch_send)."""

from celery import shared_task


@shared_task(acks_late=True)
def send_edition(edition_id: int) -> int:
    """Starts an edition and queues its copies in batches of NEWSLETTER_BATCH_SIZE."""
    from . import services

    ids = services.edition_start(edition_id)
    for batch in services.batches(ids):
        send_batch.delay(batch)
    if not ids:
        services.edition_finish_if_done(edition_id)
    return len(ids)


@shared_task(acks_late=True)
def send_batch(delivery_ids: list[int]) -> dict:
    from . import services

    return services.batch_send(delivery_ids)


@shared_task
def sweep() -> dict:
    """Beat, every minute: today's editions built when due, scheduled editions started,
    copies whose retry is due sent again."""
    from . import services

    found = services.sweep()
    for edition_id in found["editions"]:
        send_edition.delay(edition_id)
    for batch in services.batches(found["retry"]):
        send_batch.delay(batch)
    return {
        "built": found["built"],
        "editions": len(found["editions"]),
        "retry": len(found["retry"]),
    }


@shared_task(acks_late=True)
def send_confirmation(subscriber_id: int, link: str) -> bool:
    """The double opt-in mail, sent outside the request: the page answers the same,
    and as fast, whether or not the address was known."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    from newsroom.models import Outlet

    from .models import Subscriber, SubscriberStatus
    from .services import _from_email

    subscriber = Subscriber.objects.select_related("site").filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status == SubscriberStatus.BOUNCED:
        return False
    outlet = Outlet.objects.filter(site=subscriber.site).first()
    context = {
        "link": link,
        "outlet_name": outlet.name if outlet else subscriber.site.site_name,
        "lists": list(_requested(subscriber)) if subscriber.requested else [],
    }
    message = EmailMultiAlternatives(
        subject=f"Xác nhận đăng ký nhận bản tin {context['outlet_name']}",
        body=render_to_string("newsletters/email/confirm.txt", context),
        from_email=_from_email(subscriber.site),
        to=[subscriber.email],
    )
    message.attach_alternative(
        render_to_string("newsletters/email/confirm.html", context), "text/html"
    )
    message.send()
    return True


def _requested(subscriber):
    from .models import Newsletter

    return Newsletter.objects.filter(pk__in=subscriber.requested).values_list("title", flat=True)
