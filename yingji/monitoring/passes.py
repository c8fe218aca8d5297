"""Monitoring on the clock: due checks run (network I/O outside any transaction), due rules
are evaluated, unacknowledged alerts are repeated, old samples are dropped."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from yingji.engine.claims import claim_due, requeue_expired
from yingji.engine.queries import pass_lag
from yingji.engine.registry import PASSES, oldest_due, register_pass
from yingji.monitoring import probes, services
from yingji.monitoring.agent import HostFigures
from yingji.monitoring.choices import AlertStatus, AssetKind
from yingji.monitoring.models import Alert, Asset, Check, Rule, Sample, SampleRollup
from yingji.monitoring.services.rollups import rollups_due

CHECK_BATCH, RULE_BATCH, ALERT_BATCH = 32, 50, 200
LEASE = timedelta(minutes=2)


def _oldest_check() -> datetime | None:
    return oldest_due(Check.objects.filter(enabled=True, claim_token=""), "next_run_at")


def _oldest_rule() -> datetime | None:
    return oldest_due(Rule.objects.filter(enabled=True, claim_token=""), "next_eval_at")


@register_pass("monitoring.checks", oldest_due=_oldest_check)
def run_due_checks(cycle: Any) -> int:
    ids = claim_due(
        Check,
        due=Q(enabled=True, claim_token="", next_run_at__lte=cycle.now, asset__active=True),
        order_by=("next_run_at",),
        claim={"lease_until": cycle.now + LEASE},
        batch=CHECK_BATCH,
    )
    checks = list(Check.objects.filter(pk__in=ids).select_related("asset"))
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="yingji-check") as pool:
        results = list(pool.map(_probe, checks))
    for check, result in zip(checks, results, strict=True):
        services.check_record(check=check, result=result, now=timezone.now())
    return len(checks)


def _probe(check: Check) -> probes.ProbeResult:
    return probes.run(check.kind, check.target, check.config, check.timeout_seconds)


@register_pass("monitoring.rules", oldest_due=_oldest_rule)
def evaluate_due_rules(cycle: Any) -> int:
    ids = claim_due(
        Rule,
        due=Q(enabled=True, claim_token="", next_eval_at__lte=cycle.now),
        order_by=("next_eval_at",),
        claim={"lease_until": cycle.now + LEASE},
        batch=RULE_BATCH,
    )
    for rule in Rule.objects.filter(pk__in=ids):
        if cycle.stopping:
            break
        services.rule_evaluate(rule=rule, now=cycle.now)
        Rule.objects.filter(pk=rule.pk, claim_token=rule.claim_token).update(
            claim_token="",
            lease_until=None,
            next_eval_at=cycle.now + timedelta(seconds=rule.eval_seconds),
        )
    return len(ids)


@register_pass(
    "monitoring.repeats",
    oldest_due=lambda: oldest_due(Alert.objects.filter(status="firing"), "next_notify_at"),
)
def repeat_due_alerts(cycle: Any) -> int:
    due = Alert.objects.filter(status=AlertStatus.FIRING, next_notify_at__lte=cycle.now)
    sent = 0
    for alert in due.select_related("rule", "asset", "series").order_by("next_notify_at")[
        :ALERT_BATCH
    ]:
        sent += services.alert_repeat(alert=alert, now=cycle.now)
    return sent


@register_pass("monitoring.reaper", every=timedelta(minutes=1))
def requeue_abandoned(cycle: Any) -> int:
    """A worker that died mid-check or mid-evaluation leaves a claim; it runs again."""
    expired = Q(lease_until__lt=cycle.now) & ~Q(claim_token="")
    return requeue_expired(Check, expired=expired, reset={"lease_until": None}) + requeue_expired(
        Rule, expired=expired, reset={"lease_until": None}
    )


@register_pass("monitoring.rollups", every=timedelta(minutes=5))
def sum_up_hours(cycle: Any) -> int:
    return rollups_due(now=cycle.now)


@register_pass("monitoring.retention", every=timedelta(hours=1))
def drop_old_samples(cycle: Any) -> int:
    """Raw samples are kept YINGJI_SAMPLE_RETENTION_DAYS, hourly rollups
    YINGJI_ROLLUP_RETENTION_DAYS; deleted in bounded chunks."""
    dropped = 0
    kept: list[tuple[Any, str, int]] = [
        (Sample, "at", settings.SAMPLE_RETENTION_DAYS),
        (SampleRollup, "hour", settings.ROLLUP_RETENTION_DAYS),
    ]
    for model, column, days in kept:
        cutoff = cycle.now - timedelta(days=days)
        old = model.objects.filter(**{f"{column}__lt": cutoff}).order_by(column)
        ids = list(old.values_list("pk", flat=True)[:50_000])
        dropped += model.objects.filter(pk__in=ids).delete()[0] if ids else 0
    return dropped


@functools.cache
def _this_host() -> HostFigures:
    return HostFigures()


@register_pass("monitoring.self", every=timedelta(seconds=15))
def watch_yingji_itself(cycle: Any) -> int:
    """Self-monitoring: the machine Yingji runs on and Yingji's own backlog are figures of
    the assets of kind "Yingji itself", so the same rules and alerts apply to them."""
    assets = list(Asset.objects.filter(kind=AssetKind.YINGJI, active=True))
    if not assets:
        return 0
    figures = _this_host().collect() + [
        {
            "metric": "yingji_checks_overdue",
            "value": Check.objects.filter(enabled=True, next_run_at__lt=cycle.now - LEASE).count(),
        },
        {
            "metric": "yingji_engine_lag_seconds",
            "value": max((pass_lag(p, cycle.now) for p in PASSES.values()), default=0.0),
        },
    ]
    rows = services.parse_samples({"samples": figures}, cycle.now)
    for asset in assets:
        services.samples_ingest(asset=asset, rows=rows)
    return 0  # periodic: nothing "due" was handled
