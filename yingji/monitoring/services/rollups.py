"""Hourly rollups: each complete hour of each series summed up once (count, min, max, sum),
so charts over days read 24 rows a day instead of 5,760, and the figures outlive the raw
samples' retention (R-MON-1)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Min, Sum

from yingji.monitoring.models import Sample, SampleRollup

HOUR = timedelta(hours=1)
MAX_HOURS = 24  # per run; a backlog is worked off over a few runs


def floor_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def rollups_due(*, now: datetime) -> int:
    """Hours summed up. Idempotent: an hour already summed is never summed again, and the
    next hour to do is the one after the newest rollup (or the oldest sample's)."""
    start = _next_hour()
    if start is None:
        return 0
    end, done = floor_hour(now), 0  # the hour `now` is in is not complete yet
    while start < end and done < MAX_HOURS:
        rows = list(
            Sample.objects.filter(at__gte=start, at__lt=start + HOUR)
            .values("series_id")
            .annotate(n=Count("id"), low=Min("value"), high=Max("value"), total=Sum("value"))
        )
        if not rows:  # a quiet stretch: jump to the next hour that has samples
            following = Sample.objects.filter(at__gte=start).aggregate(first=Min("at"))["first"]
            if following is None:
                break
            start = floor_hour(following)
            continue
        with transaction.atomic():
            SampleRollup.objects.bulk_create(
                [
                    SampleRollup(
                        series_id=r["series_id"],
                        hour=start,
                        count=r["n"],
                        minimum=r["low"],
                        maximum=r["high"],
                        total=r["total"],
                    )
                    for r in rows
                ],
                ignore_conflicts=True,
                batch_size=1000,
            )
        start, done = start + HOUR, done + 1
    return done


def _next_hour() -> datetime | None:
    newest = SampleRollup.objects.aggregate(last=Max("hour"))["last"]
    if newest is not None:
        return newest + HOUR
    oldest = Sample.objects.aggregate(first=Min("at"))["first"]
    return floor_hour(oldest) if oldest is not None else None
