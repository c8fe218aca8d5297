"""A check's result becomes samples like any agent's, and the check is due again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from yingji.core.errors import DomainError
from yingji.monitoring.models import Check
from yingji.monitoring.probes import ProbeResult
from yingji.monitoring.services.ingest import SampleRow, parse_one, samples_ingest


@transaction.atomic
def check_record(*, check: Check, result: ProbeResult, now: datetime) -> int:
    """Store what the probe measured (labelled with the check's name) and schedule the next
    run. A scraped sample Yingji cannot keep (NaN, an over-long label) is left out, not the
    whole scrape."""
    rows: list[SampleRow] = []
    for metric, labels, value in result.samples:
        item = {"metric": metric, "labels": {**labels, "check": check.name}, "value": value}
        try:
            rows.append(parse_one(len(rows), item, now))
        except DomainError:
            continue
    stored = samples_ingest(asset=check.asset, rows=rows) if rows else 0
    Check.objects.filter(pk=check.pk, claim_token=check.claim_token).update(
        claim_token="", lease_until=None, last_run_at=now, last_ok=result.ok,
        last_error=result.error[:500], next_run_at=now + timedelta(seconds=check.interval_seconds),
    )  # fmt: skip
    return stored
