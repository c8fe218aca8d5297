"""The duty rule, property-tested across time zones: the answer for an instant does not
depend on the reader's zone, shifts hand over exactly at the local handoff time (also on
daylight-saving days), everyone in a daily rotation takes one shift in every run of N days,
overrides win only inside their window, and the holiday calendar decides working days."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from yingji.oncall.schedule import (
    LayerSpec,
    OverrideSpec,
    RosterSpec,
    local_handoff,
    on_duty,
    timeline,
)

ZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Europe/London",
    "America/New_York",
    "UTC",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
]
zones = st.sampled_from(ZONES).map(ZoneInfo)
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
handoffs = st.times(min_value=time(0, 0), max_value=time(23, 59)).map(
    lambda t: t.replace(second=0, microsecond=0)
)
members = st.lists(st.integers(1, 50), min_size=1, max_size=6, unique=True).map(tuple)


def daily(
    handoff: time,
    people: tuple[int, ...],
    days: str = "all",
    name: str = "daily",
    start: date = date(2025, 12, 1),
    rotation_days: int = 1,
) -> LayerSpec:
    return LayerSpec(name, rotation_days, handoff, start, days, people)


@given(zone=zones, other=zones, handoff=handoffs, people=members, at=instants, weekly=st.booleans())
def test_the_answer_for_an_instant_is_the_same_in_every_readers_zone(
    zone, other, handoff, people, at, weekly
):
    spec = RosterSpec(zone, (daily(handoff, people, rotation_days=7 if weekly else 1),))
    assert on_duty(spec, at) == on_duty(spec, at.astimezone(other))


@given(
    zone=zones,
    handoff=handoffs,
    people=members.filter(lambda m: len(m) > 1),
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
)
def test_the_duty_changes_hands_exactly_at_the_local_handoff(zone, handoff, people, day):
    spec = RosterSpec(zone, (daily(handoff, people),))
    moment = local_handoff(spec, day, handoff)
    before, _ = on_duty(spec, moment - timedelta(microseconds=1))
    after, _ = on_duty(spec, moment)
    assert before != after
    assert after == people[(day - date(2025, 12, 1)).days % len(people)]


@given(
    zone=zones,
    handoff=handoffs,
    people=members,
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 1)),
)
def test_in_a_daily_rotation_everyone_takes_one_shift_in_every_run_of_n_days(
    zone, handoff, people, day
):
    spec = RosterSpec(zone, (daily(handoff, people),))
    on_shift = [
        on_duty(spec, local_handoff(spec, day + timedelta(days=i), handoff))[0]
        for i in range(len(people))
    ]
    assert sorted(p or 0 for p in on_shift) == sorted(people)


@given(
    zone=zones,
    handoff=handoffs,
    people=members,
    at=instants,
    hours=st.integers(1, 72),
    person=st.integers(100, 110),
)
def test_an_override_wins_inside_its_window_only(zone, handoff, people, at, hours, person):
    window = OverrideSpec(at, at + timedelta(hours=hours), person)
    plain = RosterSpec(zone, (daily(handoff, people),))
    spec = RosterSpec(zone, plain.layers, (window,))
    assert on_duty(spec, at) == (person, "override")
    assert on_duty(spec, window.ends_at) == on_duty(plain, window.ends_at)
    assert on_duty(spec, at - timedelta(microseconds=1)) == on_duty(
        plain, at - timedelta(microseconds=1)
    )


@given(zone=zones, handoff=handoffs, people=members, at=instants, length=st.integers(1, 24 * 10))
def test_the_timeline_agrees_with_the_instant_rule_and_covers_the_window(
    zone, handoff, people, at, length
):
    window = OverrideSpec(at + timedelta(hours=3), at + timedelta(hours=5), 99)
    spec = RosterSpec(
        zone,
        (
            daily(handoff, people, days="workdays", name="weekday"),
            daily(handoff, people[::-1], name="all"),
        ),
        (window,),
    )
    end = at + timedelta(hours=length)
    segments = timeline(spec, at, end)
    assert segments[0].starts_at == at and segments[-1].ends_at == end
    for first, second in zip(segments, segments[1:], strict=False):
        assert first.ends_at == second.starts_at
        assert (first.person, first.source) != (second.person, second.source)
    for segment in segments:
        middle = segment.starts_at + (segment.ends_at - segment.starts_at) / 2
        assert on_duty(spec, segment.starts_at) == (segment.person, segment.source)
        assert on_duty(spec, middle) == (segment.person, segment.source)


def test_holidays_and_make_up_working_days_are_read_from_the_calendar():
    shanghai = ZoneInfo("Asia/Shanghai")
    spec = RosterSpec(
        shanghai,
        (
            daily(time(9), (1,), days="workdays", name="工作日"),
            daily(time(9), (2,), days="restdays", name="节假日"),
        ),
        holidays=frozenset({date(2026, 10, 1), date(2026, 10, 2)}),  # Thursday, Friday
        workdays=frozenset({date(2026, 10, 10)}),  # a Saturday worked (调休)
    )

    def at(day: date, hour: int) -> tuple:
        return on_duty(spec, datetime.combine(day, time(hour), tzinfo=shanghai))

    assert at(date(2026, 9, 30), 10) == (1, "工作日")  # Wednesday
    assert at(date(2026, 10, 1), 10) == (2, "节假日")  # a holiday on a Thursday
    assert at(date(2026, 10, 1), 8) == (1, "工作日")  # before 09:00: still Wednesday's shift
    assert at(date(2026, 10, 10), 10) == (1, "工作日")  # the Saturday worked
    assert at(date(2026, 10, 11), 10) == (2, "节假日")  # Sunday


def test_a_handoff_on_a_daylight_saving_day_is_at_the_local_time():
    new_york = ZoneInfo("America/New_York")
    spec = RosterSpec(new_york, (daily(time(9), (1, 2)),))
    # 2026-03-08 is the spring-forward day: 09:00 local is 13:00 UTC, the day before 14:00 UTC
    assert local_handoff(spec, date(2026, 3, 8), time(9)) == datetime(2026, 3, 8, 13, tzinfo=UTC)
    assert local_handoff(spec, date(2026, 3, 7), time(9)) == datetime(2026, 3, 7, 14, tzinfo=UTC)
    first, _ = on_duty(spec, datetime(2026, 3, 8, 12, 59, tzinfo=UTC))
    second, _ = on_duty(spec, datetime(2026, 3, 8, 13, 0, tzinfo=UTC))
    assert first != second
