"""Who is on duty, as pure functions of a roster's data and an instant, so the rule can be
property-tested without a database. Shifts hand over at a local wall-clock time in the
roster's own zone; the answer for an instant never depends on the reader's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OVERRIDE = "override"


@dataclass(frozen=True)
class LayerSpec:
    name: str
    rotation_days: int  # 1 daily, 7 weekly
    handoff: time
    start_date: date
    days: str  # "all", "workdays", "restdays"
    members: tuple[int, ...]


@dataclass(frozen=True)
class OverrideSpec:
    starts_at: datetime
    ends_at: datetime
    person: int


@dataclass(frozen=True)
class RosterSpec:
    zone: ZoneInfo
    layers: tuple[LayerSpec, ...]  # highest priority first
    overrides: tuple[OverrideSpec, ...] = ()  # the later one wins where two overlap
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()  # make-up working days (调休)


@dataclass(frozen=True)
class Segment:
    starts_at: datetime
    ends_at: datetime
    person: int | None
    source: str  # the layer's name, "override", or "" when nobody is on duty


def is_workday(spec: RosterSpec, day: date) -> bool:
    if day in spec.workdays:
        return True
    return day.weekday() < 5 and day not in spec.holidays


def local_handoff(spec: RosterSpec, day: date, at: time) -> datetime:
    """The instant a shift starting on `day` at local time `at` begins, in UTC."""
    return datetime.combine(day, at, tzinfo=spec.zone).astimezone(UTC)


def duty_day(spec: RosterSpec, layer: LayerSpec, at: datetime) -> date:
    """The local date whose shift covers `at`: before the handoff it is still yesterday's."""
    local = at.astimezone(spec.zone)
    day = local.date()
    return day - timedelta(days=1) if at < local_handoff(spec, day, layer.handoff) else day


def layer_person(spec: RosterSpec, layer: LayerSpec, at: datetime) -> int | None:
    if not layer.members:
        return None
    day = duty_day(spec, layer, at)
    if day < layer.start_date:
        return None
    if layer.days != "all" and is_workday(spec, day) != (layer.days == "workdays"):
        return None
    shift = (day - layer.start_date).days // layer.rotation_days
    return layer.members[shift % len(layer.members)]


def on_duty(spec: RosterSpec, at: datetime) -> tuple[int | None, str]:
    """(person, source) at an instant: the latest override covering it, else the first
    layer (by priority) that has someone then."""
    for override in reversed(spec.overrides):
        if override.starts_at <= at < override.ends_at:
            return override.person, OVERRIDE
    for layer in spec.layers:
        person = layer_person(spec, layer, at)
        if person is not None:
            return person, layer.name
    return None, ""


def _boundaries(spec: RosterSpec, start: datetime, end: datetime) -> list[datetime]:
    points = {start, end}
    first, last = start.astimezone(spec.zone).date(), end.astimezone(spec.zone).date()
    for layer in spec.layers:
        day = first - timedelta(days=1)
        while day <= last + timedelta(days=1):
            points.add(local_handoff(spec, day, layer.handoff))
            day += timedelta(days=1)
    for override in spec.overrides:
        points.update((override.starts_at, override.ends_at))
    return sorted(p for p in points if start <= p <= end)


def timeline(spec: RosterSpec, start: datetime, end: datetime) -> list[Segment]:
    """Who is on duty from `start` to `end`, as segments; neighbours with the same person
    and source are one segment."""
    segments: list[Segment] = []
    points = _boundaries(spec, start, end)
    for begin, finish in zip(points, points[1:], strict=False):
        if begin == finish:
            continue
        person, source = on_duty(spec, begin)
        last = segments[-1] if segments else None
        if last and (last.person, last.source) == (person, source):
            segments[-1] = Segment(last.starts_at, finish, person, source)
        else:
            segments.append(Segment(begin, finish, person, source))
    return segments
