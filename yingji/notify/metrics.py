"""Notification metrics for /metrics, computed from the outbox at scrape time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Max
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from yingji.notify.choices import DeliveryStatus
from yingji.notify.models import Channel, Delivery


class NotifyCollector(Collector):
    def collect(self) -> Iterator[Any]:
        waiting = GaugeMetricFamily(
            "yingji_notify_waiting_deliveries",
            "Deliveries queued or being sent, by priority (0 targeted, 1 broadcast)",
            labels=["priority"],
        )
        counts = dict(
            Delivery.objects.filter(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING])
            .values_list("priority")
            .annotate(n=Count("pk"))
        )
        for priority in (0, 1):
            waiting.add_metric([str(priority)], counts.get(priority, 0))
        yield waiting
        yield GaugeMetricFamily(
            "yingji_notify_broken_channels",
            "Channels that stopped sending after a permanent error",
            Channel.objects.exclude(broken_reason="").count(),
        )
        last = Delivery.objects.filter(
            message__event="canary", status=DeliveryStatus.SENT
        ).aggregate(at=Max("sent_at"))["at"]
        yield GaugeMetricFamily(
            "yingji_notify_canary_last_sent_timestamp_seconds",
            "When a canary notice last went out (0: never)",
            last.timestamp() if last else 0,
        )
