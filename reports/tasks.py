"""Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from celery import shared_task

from reports import services


@shared_task(acks_late=True)
def report_build(report_id: int) -> str:
    return services.report_build(report_id=report_id)


@shared_task(acks_late=True)
def reports_relay() -> int:
    return services.reports_relay()
