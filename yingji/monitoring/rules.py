"""The threshold rule as a pure state machine over one series' samples (R-MON-2), with the
semantics users know from Prometheus and Nightingale:

- breaching for `for_seconds` of samples → firing (0 = at the first breaching sample);
- a firing alert recovers only once the value is past the recovery threshold (hysteresis;
  the threshold itself when none is set), held for `recover_seconds`;
- a gap in the samples longer than STALE ends a pending breach: we cannot say it held;
- or, in "M of N" mode (Zabbix' count(), Nightingale's 次数), fire when at least M of the
  last N samples breach, recover when fewer than M do;
- outside the rule's active hours (local time) a sample never counts as breaching, so the
  rule opens nothing then, while an alert already open can still recover.

Each step sees one sample; the caller feeds samples in time order, so the result does not
depend on when, or how often, the engine evaluates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from django.utils import timezone

from yingji.monitoring.choices import COMPARE, Phase

STALE = timedelta(minutes=5)  # Prometheus' staleness window


@dataclass(frozen=True)
class Spec:
    operator: str
    threshold: float
    for_seconds: int = 0
    recover_threshold: float | None = None
    recover_seconds: int = 0
    m_of_n: tuple[int, int] | None = None
    active_hours: tuple[time, time] | None = None  # local; until < from spans midnight

    def breaching(self, value: float, at: datetime | None = None) -> bool:
        if at is not None and not self.active(at):
            return False
        return COMPARE[self.operator](value, self.threshold)

    def active(self, at: datetime) -> bool:
        if self.active_hours is None:
            return True
        start, until = self.active_hours
        now = timezone.localtime(at).time()
        return start <= now < until if start < until else now >= start or now < until

    def recovered(self, value: float) -> bool:
        limit = self.threshold if self.recover_threshold is None else self.recover_threshold
        return not COMPARE[self.operator](value, limit)


@dataclass(frozen=True)
class State:
    phase: str = Phase.OK
    since: datetime | None = None
    last_at: datetime | None = None
    window: str = ""  # M of N: the last N samples, "1" breaching, "0" not


FIRE, RESOLVE = "fire", "resolve"


def step(spec: Spec, state: State, at: datetime, value: float) -> tuple[State, str | None]:
    """The state after one sample, and "fire" / "resolve" when the alert opens or closes."""
    if spec.m_of_n is not None:
        return _m_of_n(spec, spec.m_of_n, state, at, value)
    stale = state.last_at is not None and at - state.last_at > STALE
    state = replace(state, last_at=at)
    if state.phase == Phase.PENDING and stale:
        state = replace(state, phase=Phase.OK, since=None)
    if state.phase == Phase.OK:
        return _from_ok(spec, state, at, value)
    if state.phase == Phase.PENDING:
        return _from_pending(spec, state, at, value)
    if state.phase == Phase.FIRING:
        return _from_firing(spec, state, at, value)
    return _from_recovering(spec, state, at, value)


def _held(since: datetime | None, at: datetime, seconds: int) -> bool:
    return since is not None and (at - since).total_seconds() >= seconds


def _m_of_n(
    spec: Spec, m_n: tuple[int, int], state: State, at: datetime, value: float
) -> tuple[State, str | None]:
    m, n = m_n
    window = (state.window + ("1" if spec.breaching(value, at) else "0"))[-n:]
    state = replace(state, last_at=at, window=window)
    hits = window.count("1")
    if state.phase == Phase.OK and hits >= m:
        return replace(state, phase=Phase.FIRING, since=at), FIRE
    if state.phase == Phase.FIRING and hits < m:
        return replace(state, phase=Phase.OK, since=None), RESOLVE
    return state, None


def _from_ok(spec: Spec, state: State, at: datetime, value: float) -> tuple[State, str | None]:
    if not spec.breaching(value, at):
        return state, None
    if spec.for_seconds == 0:
        return replace(state, phase=Phase.FIRING, since=at), FIRE
    return replace(state, phase=Phase.PENDING, since=at), None


def _from_pending(spec: Spec, state: State, at: datetime, value: float) -> tuple[State, str | None]:
    if not spec.breaching(value, at):
        return replace(state, phase=Phase.OK, since=None), None
    if _held(state.since, at, spec.for_seconds):
        return replace(state, phase=Phase.FIRING, since=at), FIRE
    return state, None


def _from_firing(spec: Spec, state: State, at: datetime, value: float) -> tuple[State, str | None]:
    if not spec.recovered(value):
        return state, None
    if spec.recover_seconds == 0:
        return replace(state, phase=Phase.OK, since=None), RESOLVE
    return replace(state, phase=Phase.RECOVERING, since=at), None


def _from_recovering(
    spec: Spec, state: State, at: datetime, value: float
) -> tuple[State, str | None]:
    if not spec.recovered(value):
        return replace(state, phase=Phase.FIRING), None
    if _held(state.since, at, spec.recover_seconds):
        return replace(state, phase=Phase.OK, since=None), RESOLVE
    return state, None
