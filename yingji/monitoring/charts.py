"""Charts on an asset's page: the last hour of each series, averaged per minute by the
database (one query for all of the asset's series, at most 60 rows each), drawn as inline
SVG by the server, so there is no chart library, no CDN and nothing for the CSP to allow."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg
from django.db.models.functions import TruncMinute

from yingji.monitoring.models import Rule, Sample, Series

WINDOW = timedelta(hours=1)
WIDTH, HEIGHT = 300, 60


@dataclass(frozen=True)
class Chart:
    series: Series
    points: str  # SVG polyline points
    low: float
    high: float
    threshold_y: float | None  # where a rule's threshold falls, if it is in range


def asset_charts(series: list[Series], now: datetime) -> list[Chart]:
    since = now - WINDOW
    rows = (
        Sample.objects.filter(series__in=series, at__gte=since, at__lte=now)
        .annotate(minute=TruncMinute("at"))
        .values("series_id", "minute")
        .annotate(value=Avg("value"))
        .order_by("series_id", "minute")
    )
    by_series: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for row in rows:
        by_series[row["series_id"]].append((row["minute"], row["value"]))
    thresholds = _thresholds({s.metric for s in series})
    return [
        _chart(s, by_series[s.pk], since, thresholds.get(s.metric))
        for s in series
        if len(by_series[s.pk]) >= 2
    ]


def _thresholds(metrics: set[str]) -> dict[str, float]:
    found: dict[str, float] = {}
    for rule in Rule.objects.filter(metric__in=metrics, enabled=True).order_by("pk"):
        found.setdefault(rule.metric, rule.threshold)
    return found


def _chart(series: Series, points: list[tuple[datetime, float]], since: datetime,
           threshold: float | None) -> Chart:  # fmt: skip
    values = [v for _at, v in points]
    low, high = min(values), max(values)
    if threshold is not None and high >= threshold * 0.5:
        high = max(high, threshold)
    span = (high - low) or 1.0

    def y(value: float) -> float:
        return round(HEIGHT - 2 - (value - low) / span * (HEIGHT - 4), 1)

    seconds = WINDOW.total_seconds()
    drawn = " ".join(
        f"{round((at - since).total_seconds() / seconds * WIDTH, 1)},{y(v)}" for at, v in points
    )
    threshold_y = y(threshold) if threshold is not None and low <= threshold <= high else None
    return Chart(series, drawn, low, max(values), threshold_y)
