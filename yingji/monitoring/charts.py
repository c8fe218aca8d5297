"""Charts on an asset's page, drawn as inline SVG by the server, so there is no chart
library, no CDN and nothing for the CSP to allow. The last hour is averaged per minute by
the database from the raw samples (at most 60 rows a series); a day or a week is read from
the hourly rollups (24 or 168 rows a series). One query for all of the asset's series."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg
from django.db.models.functions import TruncMinute

from yingji.monitoring.models import Rule, Sample, SampleRollup, Series

WINDOW = timedelta(hours=1)
WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
WIDTH, HEIGHT = 300, 60


@dataclass(frozen=True)
class Chart:
    series: Series
    points: str  # SVG polyline points
    low: float
    high: float
    threshold_y: float | None  # where a rule's threshold falls, if it is in range


def asset_charts(series: list[Series], now: datetime, window: str = "1h") -> list[Chart]:
    span = WINDOWS.get(window, WINDOW)
    since = now - span
    by_series: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    if span <= WINDOW:
        minutes = (
            Sample.objects.filter(series__in=series, at__gte=since, at__lte=now)
            .annotate(minute=TruncMinute("at"))
            .values("series_id", "minute")
            .annotate(value=Avg("value"))
            .order_by("series_id", "minute")
        )
        for row in minutes:
            by_series[row["series_id"]].append((row["minute"], row["value"]))
    else:
        hours = SampleRollup.objects.filter(series__in=series, hour__gte=since).order_by(
            "series_id", "hour"
        )
        for rollup in hours.only("series_id", "hour", "total", "count"):
            by_series[rollup.series_id].append((rollup.hour, rollup.average))
    thresholds = _thresholds({s.metric for s in series})
    return [
        _chart(s, by_series[s.pk], since, span, thresholds.get(s.metric))
        for s in series
        if len(by_series[s.pk]) >= 2
    ]


def _thresholds(metrics: set[str]) -> dict[str, float]:
    found: dict[str, float] = {}
    for rule in Rule.objects.filter(metric__in=metrics, enabled=True).order_by("pk"):
        found.setdefault(rule.metric, rule.threshold)
    return found


def _chart(
    series: Series,
    points: list[tuple[datetime, float]],
    since: datetime,
    span: timedelta,
    threshold: float | None,
) -> Chart:
    values = [v for _at, v in points]
    low, high = min(values), max(values)
    if threshold is not None and high >= threshold * 0.5:
        high = max(high, threshold)
    spread = (high - low) or 1.0

    def y(value: float) -> float:
        return round(HEIGHT - 2 - (value - low) / spread * (HEIGHT - 4), 1)

    seconds = span.total_seconds()
    drawn = " ".join(
        f"{round((at - since).total_seconds() / seconds * WIDTH, 1)},{y(v)}" for at, v in points
    )
    threshold_y = y(threshold) if threshold is not None and low <= threshold <= high else None
    return Chart(series, drawn, low, max(values), threshold_y)
