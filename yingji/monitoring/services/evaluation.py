"""Evaluating a rule: each matching series' new samples are fed through the state machine
(rules.py) in time order; "no data" is judged against the clock (R-MON-2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from yingji.monitoring.choices import AlertKind
from yingji.monitoring.models import Rule, RuleState, Sample, Series
from yingji.monitoring.rules import FIRE, RESOLVE, STALE, Spec, State, step
from yingji.monitoring.services.alerts import alert_close, alert_open

MAX_SAMPLES = 5000  # per series and evaluation; the rest wait for the next one


def spec_of(rule: Rule) -> Spec:
    m_of_n = (rule.m, rule.n) if rule.m and rule.n else None
    hours = (rule.active_from, rule.active_until) if rule.active_from and rule.active_until \
        else None  # fmt: skip
    return Spec(rule.operator, rule.threshold, rule.for_seconds, rule.recover_threshold,
                rule.recover_seconds, m_of_n, hours)  # fmt: skip


def matching_series(rule: Rule) -> list[Series]:
    found = Series.objects.filter(metric=rule.metric, asset__active=True)
    if rule.asset_id:
        found = found.filter(asset_id=rule.asset_id)
    wanted = rule.labels.items()
    return [s for s in found if all(s.labels.get(k) == v for k, v in wanted)]


def rule_evaluate(*, rule: Rule, now: datetime) -> int:
    """Alerts opened or closed; each series in its own short transaction."""
    spec, changes = spec_of(rule), 0
    states = {s.series_id: s for s in RuleState.objects.filter(rule=rule)}
    for series in matching_series(rule):
        with transaction.atomic():
            changes += _evaluate_series(rule, spec, series, states.get(series.pk), now)
    return changes


def _evaluate_series(rule: Rule, spec: Spec, series: Series, row: RuleState | None,
                     now: datetime) -> int:  # fmt: skip
    row = row or RuleState(rule=rule, series=series)
    start = row.last_sample_at or now - STALE  # a new rule looks back one staleness window
    samples = (Sample.objects.filter(series=series, at__gt=start, at__lte=now)
               .order_by("at").values_list("at", "value")[:MAX_SAMPLES])  # fmt: skip
    state, changes = State(row.phase, row.since, row.last_sample_at, row.window), 0
    for at, value in samples:
        state, event = step(spec, state, at, value)
        if event == FIRE:
            changes += bool(alert_open(rule=rule, series=series, kind=AlertKind.THRESHOLD,
                                       at=at, value=value, now=now))  # fmt: skip
        elif event == RESOLVE:
            changes += bool(alert_close(rule=rule, series=series, kind=AlertKind.THRESHOLD,
                                        at=at, value=value, now=now))  # fmt: skip
        row.last_value = value
    changes += _no_data(rule, series, now)
    now_state = (state.phase, state.since, state.last_at, state.window)
    if now_state != (row.phase, row.since, row.last_sample_at, row.window) or row.pk is None:
        row.phase, row.since, row.last_sample_at, row.window = now_state
        row.save()
    return changes


def _no_data(rule: Rule, series: Series, now: datetime) -> int:
    if rule.no_data_seconds is None:
        return 0
    silent_since = series.last_at
    if silent_since is None or now - silent_since >= timedelta(seconds=rule.no_data_seconds):
        at = silent_since or now
        return bool(alert_open(rule=rule, series=series, kind=AlertKind.NO_DATA, at=at,
                               value=None, now=now))  # fmt: skip
    return bool(alert_close(rule=rule, series=series, kind=AlertKind.NO_DATA,
                            at=series.last_at or now, value=None, now=now))  # fmt: skip


@dataclass(frozen=True)
class Firing:
    series: Series
    started_at: datetime
    resolved_at: datetime | None
    peak: float


PREVIEW_WINDOW = timedelta(hours=24)
PREVIEW_SERIES = 50


def rule_preview(*, rule: Rule, now: datetime) -> list[Firing]:
    """What the rule would have done over the last 24 hours of stored samples: each firing,
    when it resolved and its worst value. Nothing is written and nobody is told, so a rule
    can be tuned before it wakes anyone (R-MON-2)."""
    spec, since = spec_of(rule), now - PREVIEW_WINDOW
    firings: list[Firing] = []
    for series in matching_series(rule)[:PREVIEW_SERIES]:
        samples = (Sample.objects.filter(series=series, at__gt=since, at__lte=now)
                   .order_by("at").values_list("at", "value"))  # fmt: skip
        state, opened, peak = State(), None, 0.0
        for at, value in samples.iterator(chunk_size=2000):
            state, event = step(spec, state, at, value)
            if event == FIRE:
                opened, peak = at, value
            elif opened is not None:
                peak = max(peak, value) if spec.operator in (">", ">=") else min(peak, value)
            if event == RESOLVE and opened is not None:
                firings.append(Firing(series, opened, at, peak))
                opened = None
        if opened is not None:
            firings.append(Firing(series, opened, None, peak))
    return sorted(firings, key=lambda f: f.started_at)
