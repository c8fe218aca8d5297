"""Who sees which duty rosters: the organisation all of them, a vendor the ones they are on."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from yingji.core.access import one_of
from yingji.monitoring.queries import can_read, require_manager
from yingji.oncall.models import EscalationPolicy, HolidayCalendar, Layer, Override, Roster
from yingji.org.roles import roles_of


def can_read_rosters(user: Any) -> bool:
    roles = roles_of(user)
    return can_read(user) or roles.active_person


def visible_rosters(user: Any) -> QuerySet[Roster]:
    """Inside the organisation every roster; a vendor or external expert only the rosters
    they take shifts on (R-SCOPE-2). Layers list their members as ids in JSON, which no index
    answers, so the few layers are read once."""
    if can_read(user):
        return Roster.objects.all()
    roles = roles_of(user)
    if not roles.active_person:
        return Roster.objects.none()
    person = roles.person.pk
    on_layers = {
        roster
        for roster, members in Layer.objects.values_list("roster_id", "members")
        if person in (members or [])
    }
    overrides = set(Override.objects.filter(person_id=person).values_list("roster_id", flat=True))
    return Roster.objects.filter(pk__in=on_layers | overrides)


def get_roster_for(user: Any, pk: Any, *, write: bool = False) -> Roster:
    roster = one_of(visible_rosters(user).select_related("calendar"), pk)
    if write:
        require_manager(user)
    return roster


def visible_policies(user: Any) -> QuerySet[EscalationPolicy]:
    """Escalation policies: read inside the organisation, not by vendors (R-SCOPE-2)."""
    return EscalationPolicy.objects.all() if can_read(user) else EscalationPolicy.objects.none()


def get_policy_for(user: Any, pk: Any, *, write: bool = False) -> EscalationPolicy:
    policy = one_of(visible_policies(user), pk)
    if write:
        require_manager(user)
    return policy


def visible_calendars(user: Any) -> QuerySet[HolidayCalendar]:
    return HolidayCalendar.objects.all() if can_read(user) else HolidayCalendar.objects.none()


def get_calendar_for(user: Any, pk: Any, *, write: bool = False) -> HolidayCalendar:
    calendar = one_of(visible_calendars(user), pk)
    if write:
        require_manager(user)
    return calendar
