"""What every step of the response flow shares: the transition function (STYLE.md
convention 3), who may act, participants, the timeline and notices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import Actor, user_of
from yingji.core.errors import AccessDenied, DomainError
from yingji.engine.services import timer_cancel, timer_schedule
from yingji.incidents.access import acts_as
from yingji.incidents.choices import OPEN_STATUSES, TASK_OPEN, Who, transition_for
from yingji.incidents.models import Incident, Participant, TimelineEntry
from yingji.notify.services import notify, receipts_confirm
from yingji.org.models import Person
from yingji.org.roles import roles_of


@transaction.atomic
def incident_transition(
    *, actor: Actor, incident: Incident, action: str, text: str = "", **fields: Any
) -> Incident:
    """Apply one step of TRANSITIONS as a compare-and-swap: if someone else moved the incident
    first, nothing changes and the caller is told."""
    move = transition_for(action, incident.status)
    if move is None:
        raise DomainError(
            _("This step is not possible while the incident is %(status)s.")
            % {"status": incident.get_status_display()},
            code="conflict",
        )
    check_who(actor, incident, move.who)
    changed = Incident.objects.filter(pk=incident.pk, status=incident.status).update(
        status=move.target, **fields
    )
    if changed != 1:
        raise DomainError(_("Someone else has just changed this incident."), code="conflict")
    before = incident.status
    incident.refresh_from_db()
    acknowledge(actor, incident)
    timeline(incident, actor, action, before, move.target, text=text, clause=move.clause)
    audit_record(
        actor=actor,
        action=f"incident.{action}",
        obj=incident,
        reason=text,
        before={"status": before},
        after={"status": move.target},
        regulation=move.clause,
    )
    return incident


def acknowledge(actor: Actor, incident: Incident) -> None:
    """Someone who acts on the incident has read its notices: their receipts are confirmed,
    so the receipt escalation does not call a leader who is already deciding."""
    person = roles_of(actor).person
    if person is None:
        return
    receipts_confirm(person=person, key_prefix=f"incident:{incident.pk}:")


def check_who(actor: Actor, incident: Incident, *allowed: str) -> None:
    """The actor is one of `allowed` (Who values) for this incident, or AccessDenied."""
    if acts_as(actor, incident, *allowed):
        return
    names = " / ".join(str(Who(who).label) for who in allowed)
    raise AccessDenied(_("Only %(who)s may take this step.") % {"who": names})


def check_open(incident: Incident) -> None:
    if incident.status not in OPEN_STATUSES:
        raise DomainError(
            _("The incident is %(status)s; nothing more can be changed.")
            % {"status": incident.get_status_display()},
            code="conflict",
        )


def join(incident: Incident, people: Iterable[Person], role: str) -> None:
    """People who take part; they keep seeing the incident even when it is confidential."""
    Participant.objects.bulk_create(
        [Participant(incident=incident, person=person, role=role) for person in people],
        ignore_conflicts=True,
    )


def timeline(
    incident: Incident,
    actor: Actor,
    action: str,
    from_status: str = "",
    to_status: str = "",
    *,
    text: str = "",
    clause: str = "",
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident,
        actor=user_of(actor),
        action=action,
        from_status=from_status,
        to_status=to_status,
        text=text,
        clause=clause,
    )


def tell(
    incident: Incident,
    event: str,
    people: Iterable[Person],
    *,
    receipt: bool,
    key: str = "",
    **facts: Any,
) -> None:
    """Notice about this incident; `key` makes a repeated event (a second revision) its own
    message, and the same key twice sends once."""
    notify(
        event=event,
        context={
            "number": incident.pk,
            "title": incident.title,
            "confidential": incident.confidential,
            "exercise": incident.exercise,
            "grade": incident.grade or incident.severity,
            "department": incident.department.name if incident.department else "",
            **facts,
        },
        recipients=list(people),
        link=f"/incidents/{incident.pk}/",
        require_receipt=receipt,
        key=f"incident:{incident.pk}:{event}{':' + key if key else ''}",
    )


def participants_of(incident: Incident, *roles: str) -> list[Person]:
    rows = Participant.objects.filter(incident=incident)
    if roles:
        rows = rows.filter(role__in=roles)
    return list(Person.objects.filter(pk__in=rows.values("person_id")))


def announce_task(incident: Incident, task: Any) -> None:
    """Every assignment is announced, however the task was made (by hand, or from a plan's
    step at activation): the assignee takes part and must confirm (R-HANDLE-1). The key
    makes it once per task."""
    if task.assignee is None:
        return
    join(incident, [task.assignee], "assignee")
    tell(
        incident,
        "incident.task_assigned",
        [task.assignee],
        receipt=True,
        key=str(task.pk),
        task=task.title,
    )


def schedule_overdue_chase(task: Any) -> None:
    """A task with a due time is chased when it passes, once (the engine's timer)."""
    key = f"incident-task:{task.pk}:overdue"
    if task.due_at is None or task.status not in TASK_OPEN:
        timer_cancel(key=key)
        return
    timer_schedule(
        key=key, handler="incidents.task_overdue", due_at=task.due_at, payload={"task": task.pk}
    )
