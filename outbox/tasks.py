from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def deliver(message_id: int) -> bool:
    return services.message_deliver(message_id)


@shared_task(ignore_result=True)
def sweep() -> int:
    return services.messages_sweep()
