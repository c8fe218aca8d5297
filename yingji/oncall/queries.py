"""Who sees which duty rosters: the organisation all of them, a vendor the ones they are on."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from yingji.monitoring.queries import may_read
from yingji.oncall.models import Layer, Override, Roster
from yingji.org.roles import roles_of


def may_read_rosters(user: Any) -> bool:
    roles = roles_of(user)
    return may_read(user) or roles.active_person


def visible_rosters(user: Any) -> QuerySet[Roster]:
    """Inside the organisation every roster; a vendor or external expert only the rosters
    they take shifts on (R-SCOPE-2). Layers list their members as ids in JSON, which no index
    answers, so the few layers are read once."""
    if may_read(user):
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


def get_roster_for(user: Any, pk: Any) -> Roster:
    try:
        return visible_rosters(user).select_related("calendar").get(pk=int(pk))
    except (Roster.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None
