"""R-MON-2's rule, exactly: "above the threshold for a duration" counts sample time, recovers
with hysteresis, forgets a breach across a gap, and opens/closes at most once per episode."""

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from yingji.monitoring.choices import Phase
from yingji.monitoring.rules import FIRE, RESOLVE, STALE, Spec, State, step

T0 = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
CPU = Spec(">", 90, for_seconds=300, recover_threshold=80, recover_seconds=60)


def feed(spec: Spec, values: Sequence[float], every: int = 15, state: State | None = None):
    state, events = state or State(), []
    for i, value in enumerate(values):
        at = T0 + timedelta(seconds=every * i)
        state, event = step(spec, state, at, value)
        if event:
            events.append((event, (at - T0).total_seconds()))
    return state, events


class SustainedDuration(SimpleTestCase):
    def test_fires_at_the_first_sample_five_minutes_after_the_breach_began(self):
        state, events = feed(CPU, [95] * 21)  # samples at 0, 15, ..., 300 s
        self.assertEqual(events, [(FIRE, 300)])
        self.assertEqual(state.phase, Phase.FIRING)

    def test_one_sample_short_of_the_duration_does_not_fire(self):
        state, events = feed(CPU, [95] * 20)  # the last sample is at 285 s
        self.assertEqual((state.phase, events), (Phase.PENDING, []))

    def test_a_dip_restarts_the_duration(self):
        _state, events = feed(CPU, [95] * 10 + [85] + [95] * 21)
        self.assertEqual(events, [(FIRE, 165 + 300)])

    def test_a_gap_longer_than_the_staleness_window_forgets_the_breach(self):
        state, _ = feed(CPU, [95, 95])
        later = T0 + timedelta(seconds=15) + STALE + timedelta(seconds=1)
        state, event = step(CPU, state, later, 95)
        self.assertEqual((state.phase, state.since, event), (Phase.PENDING, later, None))

    def test_zero_duration_fires_on_the_first_breaching_sample(self):
        _state, events = feed(Spec(">=", 1), [0, 0, 1])
        self.assertEqual(events, [(FIRE, 30)])


class Hysteresis(SimpleTestCase):
    def test_recovers_only_below_the_recovery_threshold_held_for_its_time(self):
        fired, _ = feed(CPU, [95] * 21)
        # 85 is under the threshold but above the recovery threshold: still firing
        state, events = feed(CPU, [85] * 10, state=fired)
        self.assertEqual((state.phase, events), (Phase.FIRING, []))
        state, events = feed(CPU, [70] * 5, state=fired)  # 0..60 s below 80
        self.assertEqual(events, [(RESOLVE, 60)])
        self.assertEqual(state.phase, Phase.OK)

    def test_a_relapse_while_recovering_keeps_it_firing_without_a_new_alert(self):
        fired, _ = feed(CPU, [95] * 21)
        state, events = feed(CPU, [70, 70, 95, 70], state=fired)
        self.assertEqual((state.phase, events), (Phase.RECOVERING, []))


@given(st.lists(st.floats(min_value=0, max_value=100), max_size=200))
def test_alerts_alternate_fire_resolve_whatever_the_values(values):
    """Flapping never produces two fires or two resolves in a row."""
    _state, events = feed(CPU, values)
    kinds = [kind for kind, _at in events]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))
    assert not kinds or kinds[0] == FIRE


@given(st.integers(min_value=1, max_value=40), st.integers(min_value=1, max_value=60))
def test_fires_exactly_when_the_breach_has_lasted_the_duration(count, every):
    """With samples every `every` s, all breaching, it fires iff the last is >= 300 s in."""
    _state, events = feed(Spec(">", 90, for_seconds=300), [99] * count, every=every)
    lasted = (count - 1) * every
    gaps_ok = every <= STALE.total_seconds()
    expected = [(FIRE, (300 + every - 1) // every * every)] if lasted >= 300 and gaps_ok else []
    assert events == expected


class MOfN(SimpleTestCase):
    SPEC = Spec(">", 90, m_of_n=(3, 5))

    def test_fires_when_three_of_the_last_five_breach_and_recovers_below_three(self):
        _state, events = feed(self.SPEC, [95, 50, 95, 50, 95, 50, 50, 50])
        self.assertEqual(events, [(FIRE, 60), (RESOLVE, 75)])  # 2 of the last 5 at 75 s

    def test_two_of_five_never_fires(self):
        _state, events = feed(self.SPEC, [95, 50, 50, 95, 50] * 4)
        self.assertEqual(events, [])


class ActiveHours(SimpleTestCase):
    """T0 is 10:00 in Shanghai; a rule active only at night opens nothing by day."""

    def test_outside_its_hours_a_rule_opens_nothing_inside_it_does(self):
        night = Spec(">", 90, active_hours=(time(22, 0), time(6, 0)))
        _state, events = feed(night, [95] * 10)
        self.assertEqual(events, [])
        day = Spec(">", 90, active_hours=(time(9, 0), time(18, 0)))
        _state, events = feed(day, [95] * 10)
        self.assertEqual(events, [(FIRE, 0)])

    def test_an_open_alert_stays_open_after_its_hours_until_the_value_recovers(self):
        day = Spec(">", 90, active_hours=(time(9, 0), time(10, 1)))
        fired, events = feed(day, [95] * 3)
        self.assertEqual(events, [(FIRE, 0)])
        later = T0 + timedelta(hours=2)
        state, event = step(day, fired, later, 95)
        self.assertEqual((state.phase, event), (Phase.FIRING, None))
        state, event = step(day, state, later + timedelta(seconds=15), 50)
        self.assertEqual((state.phase, event), (Phase.OK, RESOLVE))
