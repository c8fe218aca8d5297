"""Samples from agents, checks and anything that can POST JSON: checked as a whole before
anything is stored (a bad sample refuses its batch and names itself; a valid batch is kept
whole), then written with one bulk insert per batch."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from yingji.core.errors import DomainError
from yingji.monitoring.models import Asset, Sample, Series
from yingji.monitoring.rules import STALE
from yingji.monitoring.services.assets import METRIC_NAME

MAX_BATCH = 10_000
MAX_LABELS = 20
FUTURE = timedelta(minutes=5)  # clock skew we accept from a pushing host
PAST = timedelta(days=7)


@dataclass(frozen=True)
class SampleRow:
    metric: str
    labels_key: str
    labels: tuple[tuple[str, str], ...]
    at: datetime
    value: float


def labels_key(labels: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def parse_samples(payload: Any, now: datetime) -> list[SampleRow]:
    """{"samples": [{"metric", "value", "labels"?, "at"?}]}; `at` is ISO 8601 or Unix
    seconds, defaulting to now."""
    raw = payload.get("samples") if isinstance(payload, dict) else None
    if not isinstance(raw, list) or not raw:
        raise DomainError(_('Send {"samples": [...]} with at least one sample.'), field="samples")
    if len(raw) > MAX_BATCH:
        raise DomainError(
            _("At most %(n)d samples in one batch.") % {"n": MAX_BATCH}, field="samples"
        )
    return [parse_one(i, item, now) for i, item in enumerate(raw)]


def _bad(index: int, message: str) -> DomainError:
    return DomainError(_("Sample %(i)d: %(why)s") % {"i": index, "why": message}, field="samples")


def parse_one(index: int, item: Any, now: datetime) -> SampleRow:
    if not isinstance(item, dict):
        raise _bad(index, _("a sample is an object."))
    metric = item.get("metric")
    if not isinstance(metric, str) or not METRIC_NAME.match(metric):
        raise _bad(index, _("%(m)r is not a metric name.") % {"m": metric})
    value = item.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(index, _("the value must be a finite number."))
    labels = item.get("labels") or {}
    if (
        not isinstance(labels, dict)
        or len(labels) > MAX_LABELS
        or not all(
            isinstance(k, str)
            and METRIC_NAME.match(k)
            and isinstance(v, str)
            and len(v) <= 100
            and "\x00" not in v  # PostgreSQL text holds no NUL
            for k, v in labels.items()
        )
    ):
        raise _bad(index, _("labels are at most 20 names with text values."))
    at = _time(item.get("at"), now)
    if at is None or not now - PAST <= at <= now + FUTURE:
        raise _bad(index, _("the time is missing, unreadable or too far from now."))
    key = labels_key(labels)
    if len(key) > 500:
        raise _bad(index, _("labels are at most 20 names with text values."))
    return SampleRow(metric, key, tuple(sorted(labels.items())), at, float(value))


def _time(raw: Any, now: datetime) -> datetime | None:
    if raw is None:
        return now
    if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
        try:
            return datetime.fromtimestamp(raw, tz=timezone.get_fixed_timezone(0))
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(raw, str):
        try:
            parsed = parse_datetime(raw)
        except ValueError:
            return None
        if parsed is not None and timezone.is_naive(parsed):
            return None  # a time without a zone is ambiguous
        return parsed
    return None


def late_samples(asset: Asset, rows: Iterable[SampleRow], now: datetime) -> int:
    """How many rows no rule will evaluate (call before storing them): rules read each
    series forward from its newest sample, and a series new to Yingji from one staleness
    window back. Such samples are kept for the charts; the sender is told (R-MON-2)."""
    rows = list(rows)
    newest = {
        (metric, key): last_at
        for metric, key, last_at in Series.objects.filter(
            asset=asset, metric__in={r.metric for r in rows}
        ).values_list("metric", "labels_key", "last_at")
    }
    horizon = now - STALE
    return sum(1 for r in rows if r.at <= (newest.get((r.metric, r.labels_key)) or horizon))


@transaction.atomic
def samples_ingest(*, asset: Asset, rows: Iterable[SampleRow]) -> int:
    """Store the samples and move each series' latest value; all or nothing. Written with
    prepared statements over parameter rows rather than model instances: this is the hot
    path of every agent and check."""
    rows = list(rows)
    series = _series_for(asset, rows)
    adapt = connection.ops.adapt_datetimefield_value
    samples = connection.ops.quote_name(Sample._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {samples} (series_id, at, value) VALUES (%s, %s, %s)",  # noqa: S608
            [(series[(r.metric, r.labels_key)][0], adapt(r.at), r.value) for r in rows],
        )
    latest: dict[tuple[str, str], SampleRow] = {}
    for row in rows:
        key = (row.metric, row.labels_key)
        if key not in latest or row.at >= latest[key].at:
            latest[key] = row
    moved = [
        (adapt(row.at), row.value, series[key][0])
        for key, row in latest.items()
        if series[key][1] is None or row.at >= series[key][1]  # type: ignore[operator]
    ]
    if moved:
        table = connection.ops.quote_name(Series._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET last_at = %s, last_value = %s WHERE id = %s",  # noqa: S608
                moved,
            )
    return len(rows)


def _series_for(asset: Asset, rows: list[SampleRow]) -> dict[tuple[str, str], tuple[int, Any]]:
    """(id, last_at) of every series the rows name, created once (concurrent writers meet at
    the unique constraint and both read the winner's row)."""
    wanted = {(r.metric, r.labels_key): dict(r.labels) for r in rows}
    metrics = {metric for metric, _key in wanted}

    def known() -> dict[tuple[str, str], tuple[int, Any]]:
        found = Series.objects.filter(asset=asset, metric__in=metrics).values_list(
            "metric", "labels_key", "pk", "last_at"
        )
        return {(m, k): (pk, last) for m, k, pk, last in found}

    found = known()
    missing = [
        Series(asset=asset, metric=m, labels_key=k, labels=labels)
        for (m, k), labels in wanted.items()
        if (m, k) not in found
    ]
    if missing:
        Series.objects.bulk_create(missing, ignore_conflicts=True)
        found = known()
    return found
