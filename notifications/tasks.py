"""Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from celery import shared_task

from notifications import services


@shared_task(acks_late=True)
def event_fan_out(event_id: int) -> int:
    delivery_ids = services.event_fan_out(event_id=event_id)
    for delivery_id in delivery_ids:
        services.enqueue(delivery_send, delivery_id)
    return len(delivery_ids)


@shared_task(acks_late=True)
def outbox_drain() -> int:
    delivery_ids = services.outbox_drain()
    for delivery_id in delivery_ids:
        services.enqueue(delivery_send, delivery_id)
    return len(delivery_ids)


@shared_task(acks_late=True)
def delivery_send(delivery_id: int) -> str:
    return services.delivery_attempt(delivery_id=delivery_id)


@shared_task(acks_late=True)
def outbox_relay() -> dict:
    return services.outbox_relay()


@shared_task(acks_late=True)
def reminders_send() -> int:
    return services.reminders_send()
