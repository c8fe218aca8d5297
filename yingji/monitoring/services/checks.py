"""A check's result becomes samples like any agent's, and the check is due again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from yingji.core.errors import DomainError
from yingji.monitoring.models import Check, Series
from yingji.monitoring.probes import ProbeResult
from yingji.monitoring.services.ingest import SampleRow, labels_key, parse_one, samples_ingest


@transaction.atomic
def check_record(*, check: Check, result: ProbeResult, now: datetime) -> int:
    """Store what the probe measured (labelled with the check's name) and schedule the next
    run. A scraped sample Yingji cannot keep (NaN, an over-long label) is left out, not the
    whole scrape."""
    rows: list[SampleRow] = []
    for metric, labels, value in result.samples + _rates(check, result, now):
        item = {"metric": metric, "labels": {**labels, "check": check.name}, "value": value}
        try:
            rows.append(parse_one(len(rows), item, now))
        except DomainError:
            continue
    stored = samples_ingest(asset=check.asset, rows=rows) if rows else 0
    Check.objects.filter(pk=check.pk, claim_token=check.claim_token).update(
        claim_token="",
        lease_until=None,
        last_run_at=now,
        last_ok=result.ok,
        last_error=result.error[:500],
        next_run_at=now + timedelta(seconds=check.interval_seconds),
    )
    return stored


def _rates(check: Check, result: ProbeResult, now: datetime) -> list[tuple[str, dict, float]]:
    """Counters (`…_octets_total`) become bytes per second since the previous run; a counter
    that went down (a device restart, a wrap) gives no rate this time."""
    counters = [(m, labels, v) for m, labels, v in result.samples if m.endswith("_octets_total")]
    if not counters:
        return []
    previous = {
        (s.metric, s.labels_key): s
        for s in Series.objects.filter(asset=check.asset, metric__in={m for m, _l, _v in counters})
    }
    rates = []
    for metric, labels, value in counters:
        key = labels_key({**labels, "check": check.name})
        before = previous.get((metric, key))
        if before is None or before.last_at is None or before.last_value is None:
            continue
        seconds = (now - before.last_at).total_seconds()
        if seconds <= 0 or value < before.last_value:
            continue
        name = metric.removesuffix("_octets_total") + "_bytes_per_second"
        rates.append((name, labels, (value - before.last_value) / seconds))
    return rates
