"""Evaluating a rule: each matching series' new samples are fed through the state machine
(rules.py) in time order; "no data" is judged against the clock (R-MON-2)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction

from yingji.monitoring.choices import AlertKind, AlertStatus
from yingji.monitoring.models import Alert, Rule, RuleState, Sample, Series
from yingji.monitoring.rules import FIRE, RESOLVE, STALE, Spec, State, step
from yingji.monitoring.services.alerts import alert_close, alert_open

MAX_SAMPLES = 5000  # per series and evaluation; the rest wait for the next one
CHUNK = 500  # series per transaction
STATE_COLUMNS = ("phase", "since", "last_sample_at", "last_value", "window")


def spec_of(rule: Rule) -> Spec:
    m_of_n = (rule.m, rule.n) if rule.m and rule.n else None
    hours = (
        (rule.active_from, rule.active_until) if rule.active_from and rule.active_until else None
    )
    return Spec(
        rule.operator,
        rule.threshold,
        rule.for_seconds,
        rule.recover_threshold,
        rule.recover_seconds,
        m_of_n,
        hours,
    )


def matching_series(rule: Rule) -> list[Series]:
    found = Series.objects.filter(metric=rule.metric, asset__active=True)
    if rule.asset_id:
        found = found.filter(asset_id=rule.asset_id)
    wanted = rule.labels.items()
    return [s for s in found if all(s.labels.get(k) == v for k, v in wanted)]


def rule_evaluate(*, rule: Rule, now: datetime) -> int:
    """Alerts opened or closed. The series go in chunks, each chunk one short transaction
    with one query for its new samples and one write for the states that moved, so 10,000
    series cost a few dozen queries, not tens of thousands."""
    spec, changes = spec_of(rule), 0
    states = {s.series_id: s for s in RuleState.objects.filter(rule=rule)}
    silent = set(
        Alert.objects.filter(
            rule=rule, kind=AlertKind.NO_DATA, status=AlertStatus.FIRING
        ).values_list("series_id", flat=True)
    )
    series = matching_series(rule)
    for first in range(0, len(series), CHUNK):
        with transaction.atomic():
            changes += _evaluate_chunk(
                rule, spec, series[first : first + CHUNK], states, silent, now
            )
    return changes


def _evaluate_chunk(
    rule: Rule,
    spec: Spec,
    chunk: list[Series],
    states: dict[int, RuleState],
    silent: set[int],
    now: datetime,
) -> int:
    rows = {s.pk: states.get(s.pk) or RuleState(rule=rule, series=s) for s in chunk}
    # a new state looks back one staleness window
    starts = {pk: row.last_sample_at or now - STALE for pk, row in rows.items()}
    samples: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    found = (
        Sample.objects.filter(series_id__in=list(rows), at__gt=min(starts.values()), at__lte=now)
        .order_by("series_id", "at")
        .values_list("series_id", "at", "value")
    )
    for series_id, at, value in found.iterator(chunk_size=5000):
        if at > starts[series_id] and len(samples[series_id]) < MAX_SAMPLES:
            samples[series_id].append((at, value))
    changes, moved = 0, []
    for series in chunk:
        row = rows[series.pk]
        before = (row.phase, row.since, row.last_sample_at, row.window)
        changes += _feed(rule, spec, series, row, samples[series.pk], now)
        if rule.no_data_seconds is not None:
            changes += _no_data(rule, series, series.pk in silent, now)
        if row.pk is None or before != (row.phase, row.since, row.last_sample_at, row.window):
            moved.append(row)
    _save_states(moved)
    return changes


def _feed(
    rule: Rule,
    spec: Spec,
    series: Series,
    row: RuleState,
    samples: list[tuple[datetime, float]],
    now: datetime,
) -> int:
    state, changes = State(row.phase, row.since, row.last_sample_at, row.window), 0
    for at, value in samples:
        state, event = step(spec, state, at, value)
        if event == FIRE:
            changes += bool(
                alert_open(
                    rule=rule, series=series, kind=AlertKind.THRESHOLD, at=at, value=value, now=now
                )
            )
        elif event == RESOLVE:
            changes += bool(
                alert_close(
                    rule=rule, series=series, kind=AlertKind.THRESHOLD, at=at, value=value, now=now
                )
            )
        row.last_value = value
    row.phase, row.since, row.last_sample_at, row.window = (
        state.phase,
        state.since,
        state.last_at,
        state.window,
    )
    return changes


def _save_states(rows: list[RuleState]) -> None:
    """New states in one insert; moved ones in one prepared UPDATE over parameter rows."""
    RuleState.objects.bulk_create([r for r in rows if r.pk is None])
    moved = [r for r in rows if r.pk is not None]
    if not moved:
        return
    adapt, quote = connection.ops.adapt_datetimefield_value, connection.ops.quote_name
    columns = ", ".join(f"{quote(c)} = %s" for c in STATE_COLUMNS)  # "window" is a keyword
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(RuleState._meta.db_table)} SET {columns} WHERE id = %s",  # noqa: S608
            [
                (r.phase, adapt(r.since), adapt(r.last_sample_at), r.last_value, r.window, r.pk)
                for r in moved
            ],
        )


def _no_data(rule: Rule, series: Series, already: bool, now: datetime) -> int:
    assert rule.no_data_seconds is not None
    silent_since = series.last_at
    quiet = silent_since is None or now - silent_since >= timedelta(seconds=rule.no_data_seconds)
    if quiet and not already:
        return bool(
            alert_open(
                rule=rule,
                series=series,
                kind=AlertKind.NO_DATA,
                at=silent_since or now,
                value=None,
                now=now,
            )
        )
    if not quiet and already:
        return bool(
            alert_close(
                rule=rule,
                series=series,
                kind=AlertKind.NO_DATA,
                at=silent_since or now,
                value=None,
                now=now,
            )
        )
    return 0


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
        samples = (
            Sample.objects.filter(series=series, at__gt=since, at__lte=now)
            .order_by("at")
            .values_list("at", "value")
        )
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
