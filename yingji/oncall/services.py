"""Duty rosters (值班表): written by the office, the experts and administrators, read by
everyone inside; who is on duty is answered from the roster's data (schedule.py)."""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import Actor, is_system
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.moments import checked_moment
from yingji.monitoring.queries import can_manage, require_manager
from yingji.notify.models import Channel
from yingji.oncall.choices import ROTATION_DAYS, DayFilter, DayKind, Urgency
from yingji.oncall.models import (
    DUTY_GROUPS,
    CalendarDay,
    ContactRule,
    HolidayCalendar,
    Layer,
    Override,
    Roster,
)
from yingji.oncall.schedule import (
    LayerSpec,
    OverrideSpec,
    RosterSpec,
    Segment,
    on_duty,
    timeline,
)
from yingji.org.models import Person
from yingji.org.roles import roles_of

MAX_OVERRIDE = timedelta(days=92)
MAX_WINDOW = timedelta(days=366)


def _user(actor: Actor) -> Any:
    return None if is_system(actor) else actor


def _zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            _("%(zone)s is not a known time zone.") % {"zone": name}, field="time_zone"
        ) from None
    return name


@transaction.atomic
def roster_create(
    *,
    actor: Actor,
    name: str,
    time_zone: str = "Asia/Shanghai",
    calendar: HolidayCalendar | None = None,
    description: str = "",
    duty_for: str = "",
) -> Roster:
    """`duty_for`: the leadership or expert group whose duty roster this is (its person on
    duty is paged when a report is escalated, oncall.duty)."""
    require_manager(actor)
    if duty_for not in {"", *(kind for kind, _label in DUTY_GROUPS)}:
        raise DomainError(_("Choose the leadership or the expert group."), field="duty_for")
    name = name.strip()
    if not name or len(name) > 120:
        raise DomainError(_("Give the roster a name (at most 120 characters)."), field="name")
    if Roster.objects.filter(name=name).exists():
        raise DomainError(_("A roster with this name exists."), field="name")
    roster = Roster.objects.create(
        name=name,
        time_zone=_zone(time_zone),
        calendar=calendar,
        description=description.strip(),
        duty_for=duty_for,
    )
    audit_record(
        actor=actor,
        action="oncall.roster.create",
        obj=roster,
        after={"name": name, "time_zone": time_zone, "duty_for": duty_for},
    )
    return roster


def _members(people: Sequence[Any]) -> list[int]:
    ids = [p.pk if isinstance(p, Person) else int(p) for p in people]
    if not ids:
        raise DomainError(_("A rotation needs at least one participant."), field="members")
    if len(set(ids)) != len(ids):
        raise DomainError(_("Each participant appears once in a rotation."), field="members")
    active = set(Person.objects.filter(pk__in=ids, status="active").values_list("pk", flat=True))
    if active != set(ids):
        raise DomainError(_("Participants must be active people."), field="members")
    return ids


@transaction.atomic
def layer_add(
    *,
    actor: Actor,
    roster: Roster,
    name: str,
    rotation: str,
    handoff: time,
    start_date: date,
    members: Sequence[Any],
    days: str = DayFilter.ALL,
    priority: int = 1,
) -> Layer:
    """A rotation: participants in order, handing over at `handoff` (the roster's local
    time) every day or week from `start_date`."""
    require_manager(actor)
    if not name.strip():
        raise DomainError(_("Give the rotation a name."), field="name")
    if rotation not in ROTATION_DAYS:
        raise DomainError(_("A rotation is daily or weekly."), field="rotation")
    if days not in DayFilter.values:
        raise DomainError(_("Choose the days it applies on."), field="days")
    if days != DayFilter.ALL and roster.calendar is None:
        raise DomainError(
            _("Give the roster a holiday calendar to tell working days from rest days."),
            field="days",
        )
    if not 0 <= priority <= 100:
        raise DomainError(_("The priority is 0 to 100."), field="priority")
    layer = Layer.objects.create(
        roster=roster,
        name=name.strip()[:120],
        rotation=rotation,
        handoff=handoff,
        start_date=start_date,
        days=days,
        priority=priority,
        members=_members(members),
    )
    audit_record(
        actor=actor,
        action="oncall.layer.create",
        obj=roster,
        after={"layer": layer.name, "members": layer.members},
    )
    return layer


@transaction.atomic
def layer_remove(*, actor: Actor, layer: Layer) -> None:
    require_manager(actor)
    audit_record(
        actor=actor,
        action="oncall.layer.delete",
        obj=layer.roster,
        before={"layer": layer.name, "members": layer.members},
    )
    layer.delete()


@transaction.atomic
def override_add(
    *,
    actor: Actor,
    roster: Roster,
    person: Person,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
) -> Override:
    """Someone takes the duty for a while (leave, sickness, a swap): above every layer."""
    require_manager(actor)
    if not reason.strip():
        raise DomainError(_("Say why (leave, a swap, …)."), field="reason")
    # plausible years first: year 0001 overflows when compared
    checked_moment(starts_at, "starts_at")
    checked_moment(ends_at, "ends_at")
    if not starts_at < ends_at <= starts_at + MAX_OVERRIDE:
        raise DomainError(
            _("An override ends after it starts and lasts at most 92 days."), field="ends_at"
        )
    if person.status != "active":
        raise DomainError(_("Participants must be active people."), field="person")
    override = Override.objects.create(
        roster=roster,
        person=person,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip()[:300],
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="oncall.override.create",
        obj=roster,
        reason=reason,
        after={"person": person.pk, "from": starts_at.isoformat(), "until": ends_at.isoformat()},
    )
    return override


SHIFT_SEARCH = timedelta(days=8)  # longer than a weekly shift


def shift_at(roster: Roster, at: datetime) -> Segment | None:
    """The shift (a stretch of one person's duty) that `at` falls in."""
    segments = roster_timeline(roster, at - SHIFT_SEARCH, at + SHIFT_SEARCH)
    return next((s for s in segments if s.starts_at <= at < s.ends_at), None)


@transaction.atomic
def shift_swap(
    *, actor: Actor, roster: Roster, first: datetime, second: datetime, reason: str = ""
) -> tuple[Override, Override]:
    """Two people trade shifts (换班): each takes the other's, as two overrides made
    together, so there is never a moment with only one half of the swap."""
    require_manager(actor)
    shifts = [shift_at(roster, first), shift_at(roster, second)]
    a, b = shifts
    if a is None or b is None or a.person is None or b.person is None:
        raise DomainError(_("Choose two shifts that someone is on duty for."), field="first")
    if a.person == b.person:
        raise DomainError(_("Both shifts are the same person's: choose another's."), field="second")
    if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
        raise DomainError(_("The shifts overlap: choose two different shifts."), field="second")
    if min(a.ends_at, b.ends_at) <= timezone.now():
        raise DomainError(_("Only shifts that have not ended can be swapped."), field="first")
    people = {p.pk: p for p in Person.objects.filter(pk__in=[a.person, b.person])}
    names = f"{people[a.person].full_name} ↔ {people[b.person].full_name}"
    why = _("Swap: %(names)s") % {"names": names} + (
        f" · {reason.strip()}" if reason.strip() else ""
    )
    return (
        override_add(
            actor=actor,
            roster=roster,
            person=people[b.person],
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            reason=why,
        ),
        override_add(
            actor=actor,
            roster=roster,
            person=people[a.person],
            starts_at=b.starts_at,
            ends_at=b.ends_at,
            reason=why,
        ),
    )


@transaction.atomic
def override_remove(*, actor: Actor, override: Override) -> None:
    require_manager(actor)
    audit_record(
        actor=actor,
        action="oncall.override.delete",
        obj=override.roster,
        before={"person": override.person_id, "from": override.starts_at.isoformat()},
    )
    override.delete()


# ---- holiday calendars: data, entered from the State Council's notice each year ----


@transaction.atomic
def calendar_create(*, actor: Actor, name: str) -> HolidayCalendar:
    require_manager(actor)
    name = name.strip()
    if not name or HolidayCalendar.objects.filter(name=name).exists():
        raise DomainError(_("Give the calendar a name of its own."), field="name")
    calendar = HolidayCalendar.objects.create(name=name[:120])
    audit_record(actor=actor, action="oncall.calendar.create", obj=calendar)
    return calendar


def read_calendar_csv(content: bytes) -> list[tuple[date, str, str]]:
    """Rows of `date,kind,name`: 2026-10-01,holiday,国庆节 / 2026-10-10,workday,国庆调休.
    A bad row stops the import with its row number."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_("Save the file as UTF-8 CSV."), field="file") from None
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or (number == 1 and row[0].strip() == "date"):
            continue
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError:
            raise DomainError(
                _("Row %(n)d: the date is YYYY-MM-DD.") % {"n": number}, field="file", row=number
            ) from None
        kind = row[1].strip() if len(row) > 1 else ""
        if kind not in DayKind.values:
            raise DomainError(
                _("Row %(n)d: the kind is holiday or workday.") % {"n": number},
                field="file",
                row=number,
            )
        rows.append((day, kind, (row[2].strip() if len(row) > 2 else "")[:60]))
    if not rows:
        raise DomainError(_("The file holds no days."), field="file")
    return rows


@transaction.atomic
def calendar_days_set(
    *, actor: Actor, calendar: HolidayCalendar, days: Iterable[tuple[date, str, str]]
) -> int:
    """Set the kind of each day given (a day given again is replaced); all or nothing."""
    require_manager(actor)
    days = list(days)
    dates = [d for d, _k, _n in days]
    if len(set(dates)) != len(dates):
        raise DomainError(_("A date appears twice."), field="file")
    CalendarDay.objects.filter(calendar=calendar, date__in=dates).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar=calendar, date=d, kind=k, name=n) for d, k, n in days]
    )
    audit_record(
        actor=actor, action="oncall.calendar.days", obj=calendar, after={"days": len(days)}
    )
    return len(days)


# ---- reading a roster ----


def roster_spec(roster: Roster, start: datetime, end: datetime) -> RosterSpec:
    """The roster's data for the window (three queries whatever its size)."""
    return roster_specs([roster], start, end)[roster.pk]


def roster_specs(
    rosters: Sequence[Roster], start: datetime, end: datetime
) -> dict[int, RosterSpec]:
    """Several rosters' data for one window in three queries, however many rosters (the
    roster list shows each one's shift now and next)."""
    ids = [roster.pk for roster in rosters]
    layers: dict[int, list[LayerSpec]] = {pk: [] for pk in ids}
    for layer in Layer.objects.filter(roster_id__in=ids).order_by("-priority", "pk"):
        layers[layer.roster_id].append(
            LayerSpec(
                layer.name,
                ROTATION_DAYS[layer.rotation],
                layer.handoff,
                layer.start_date,
                layer.days,
                tuple(layer.members),
            )
        )
    overrides: dict[int, list[OverrideSpec]] = {pk: [] for pk in ids}
    window = Override.objects.filter(roster_id__in=ids, ends_at__gt=start, starts_at__lt=end)
    for o in window.order_by("pk"):
        overrides[o.roster_id].append(OverrideSpec(o.starts_at, o.ends_at, o.person_id))
    days = _calendar_days({r.calendar_id for r in rosters if r.calendar_id}, start, end)
    return {
        roster.pk: RosterSpec(
            zoneinfo.ZoneInfo(roster.time_zone),
            tuple(layers[roster.pk]),
            tuple(overrides[roster.pk]),
            frozenset(
                day for day, kind in days.get(roster.calendar_id, ()) if kind == DayKind.HOLIDAY
            ),
            frozenset(
                day for day, kind in days.get(roster.calendar_id, ()) if kind != DayKind.HOLIDAY
            ),
        )
        for roster in rosters
    }


def _calendar_days(
    calendars: set[int], start: datetime, end: datetime
) -> dict[int | None, list[tuple[date, str]]]:
    found: dict[int | None, list[tuple[date, str]]] = {}
    if not calendars:
        return found
    window = (start.date() - timedelta(days=9), end.date() + timedelta(days=9))
    rows = CalendarDay.objects.filter(calendar_id__in=calendars, date__range=window)
    for calendar, day, kind in rows.values_list("calendar_id", "date", "kind"):
        found.setdefault(calendar, []).append((day, kind))
    return found


def roster_timeline(roster: Roster, start: datetime, end: datetime) -> list[Segment]:
    if not start < end <= start + MAX_WINDOW:
        raise DomainError(_("Ask for at most a year at a time."), field="end")
    return timeline(roster_spec(roster, start, end), start, end)


def on_duty_person(roster: Roster, at: datetime) -> Person | None:
    """Who the roster says is on duty at `at` (escalation steps ask this when they fire)."""
    person_id, _source = on_duty(roster_spec(roster, at, at + timedelta(seconds=1)), at)
    return Person.objects.filter(pk=person_id).first() if person_id else None


def now_and_next(roster: Roster, now: datetime) -> tuple[Segment | None, Segment | None]:
    """The current shift and the next one with someone else, within the coming 60 days."""
    return now_and_next_of([roster], now)[roster.pk]


def now_and_next_of(
    rosters: Sequence[Roster], now: datetime
) -> dict[int, tuple[Segment | None, Segment | None]]:
    """now_and_next for several rosters, in the same three queries."""
    end = now + timedelta(days=60)
    specs = roster_specs(rosters, now, end)
    return {pk: _current_and_following(timeline(spec, now, end)) for pk, spec in specs.items()}


def _current_and_following(segments: list[Segment]) -> tuple[Segment | None, Segment | None]:
    current = segments[0] if segments else None
    following = next(
        (s for s in segments[1:] if current is None or s.person != current.person), None
    )
    return current, following


# ---- a person's own contact rules ----


MAX_THEN_MINUTES = 60


@transaction.atomic
def contact_rules_set(
    *,
    actor: Actor,
    person: Person,
    rules: dict[str, Sequence[Channel]],
    then: dict[str, tuple[Sequence[Channel], int]] | None = None,
) -> None:
    """For each severity, the personal channels that page this person at once (none given:
    every personal channel), and optionally those that page them next when the alert is
    still unacknowledged some minutes later (SMS after the app, say). People set their own;
    the office may set anyone's."""
    own = getattr(roles_of(actor), "person", None)
    if not can_manage(actor) and (own is None or own.pk != person.pk):
        raise AccessDenied(_("You may set only your own contact rules."))
    then = then or {}
    unknown = (set(rules) | set(then)) - set(Urgency.values)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise DomainError(_("Unknown severities: %(names)s") % {"names": names}, field="rules")
    for urgency in set(rules) | set(then):
        chosen = _personal(list(rules.get(urgency, ())), urgency)
        later, minutes = then.get(urgency, ((), 0))
        later = _personal(list(later), urgency)
        if later and not 1 <= minutes <= MAX_THEN_MINUTES:
            raise DomainError(
                _("The next channels page 1 to 60 minutes later."), field=f"{urgency}_after"
            )
        rule, _created = ContactRule.objects.get_or_create(person=person, urgency=urgency)
        if urgency in rules:
            rule.channels.set(chosen)
        if urgency in then:
            rule.then_channels.set(later)
            rule.then_minutes = minutes if later else 0
            rule.save(update_fields=["then_minutes"])
    after: dict[str, Any] = {u: [c.pk for c in cs] for u, cs in rules.items()}
    after.update({f"{u} then": [[c.pk for c in cs], m] for u, (cs, m) in then.items()})
    audit_record(actor=actor, action="oncall.contact_rules", obj=person, after=after)


def _personal(channels: list[Channel], urgency: str) -> list[Channel]:
    if any(not (c.personal and c.enabled) for c in channels):
        raise DomainError(_("Only enabled personal channels can page a person."), field=urgency)
    return channels
