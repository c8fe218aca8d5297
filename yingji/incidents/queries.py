"""Who judges an incident, who may see it (one access path, STYLE.md convention 7)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from yingji.audit.queries import register_hidden_events
from yingji.core.access import one_of, require
from yingji.incidents.choices import OPEN_STATUSES, TASK_OPEN, Status
from yingji.incidents.models import Incident, Participant, Task
from yingji.org.choices import GroupKind, PersonStatus
from yingji.org.models import Department, Person
from yingji.org.queries import group_members
from yingji.org.roles import roles_of


def judging_department(department: Department | None) -> Department | None:
    """R-RESP-1: the reporter's department, or the nearest one above it with a head or a
    deputy (a team without its own head reports to the department it belongs to)."""
    while department is not None:
        if department.head_id or department.deputy_id:
            return department
        department = department.parent
    return None


def triagers(incident: Incident) -> list[Person]:
    """Who makes the first judgement (R-RESP-2): the department's head and deputy (AB role);
    without either, the leadership group's office."""
    return _active_heads(incident) or list(group_members(GroupKind.OFFICE))


def _active_heads(incident: Incident) -> list[Person]:
    department = incident.department
    people = [p for p in (department.head, department.deputy) if p] if department else []
    return [p for p in people if p.status == PersonStatus.ACTIVE]


def is_triager(user: Any, incident: Incident) -> bool:
    person = roles_of(user).person
    return person is not None and person in triagers(incident)


def visible_incidents(user: Any) -> QuerySet[Incident]:
    """Incidents are seen by the groups that handle them, the reporter, the judging
    department's heads and everyone taking part; confidential ones only by the leadership
    group and the people taking part (participants, the reporter, the judging heads)."""
    roles = roles_of(user)
    if roles.person is None and not roles.admin:
        return Incident.objects.none()
    participant = Q(department_id__in=roles.headed_department_ids)
    if roles.person is not None:
        # EXISTS per row (the unique index answers it), not IN (a list as long as the
        # person's history): the newest page stops after 50 rows either way.
        taking_part = Participant.objects.filter(person=roles.person, incident=OuterRef("pk"))
        participant |= Q(reporter=roles.person) | Q(Exists(taking_part))
    if roles.leadership:
        return Incident.objects.all()
    if roles.admin or roles.office or roles.expert:
        return Incident.objects.filter(Q(confidential=False) | participant)
    if roles.executor:
        scenarios = roles.person.memberships.filter(  # type: ignore[union-attr]
            group__kind=GroupKind.EXECUTION, group__active=True
        ).values_list("group__scenario", flat=True)
        handled = Q(confidential=False, category__in=scenarios) & ~Q(status=Status.REPORTED)
        return Incident.objects.filter(handled | participant)
    return Incident.objects.filter(participant)


@register_hidden_events
def hidden_audit_events(user: Any) -> Q:
    """The audit events of incidents (and their tasks) this reader may not see."""
    hidden = Incident.objects.exclude(pk__in=visible_incidents(user).values("pk"))
    incident_ids = hidden.annotate(key=Cast("pk", CharField())).values("key")
    task_ids = Task.objects.filter(incident__in=hidden).annotate(key=Cast("pk", CharField()))
    return Q(object_type="incidents.incident", object_id__in=incident_ids) | Q(
        object_type="incidents.task", object_id__in=task_ids.values("key")
    )


def get_incident_for(user: Any, pk: Any, *, write: bool = False) -> Incident:
    """The incident if `user` may see it; 404 otherwise (its existence is not revealed).
    `write`: and takes part in its response (each step then has its own predicate,
    incidents.access), else 403."""
    incident = one_of(visible_incidents(user).select_related("department", "reporter"), pk)
    if write:
        from yingji.incidents.access import can_take_part

        require(
            can_take_part(user, incident),
            _("Only people taking part in the response may do this."),
        )
    return incident


def awaiting_judgement(user: Any) -> QuerySet[Incident]:
    """Reports this user should judge now (R-RESP-2), the most urgent first."""
    roles = roles_of(user)
    mine = Q(department_id__in=roles.headed_department_ids)
    if roles.office:
        mine |= Q(department__isnull=True)
    return visible_incidents(user).filter(mine, status=Status.REPORTED).order_by("escalate_by")


def is_participant(user: Any, incident: Incident) -> bool:
    person = roles_of(user).person
    return person is not None and (
        Participant.objects.filter(incident=incident, person=person).exists()
    )


def open_incidents(user: Any) -> QuerySet[Incident]:
    return (
        visible_incidents(user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("department")
        .order_by("-reported_at", "-pk")
    )


def my_tasks(user: Any) -> QuerySet[Task]:
    """Open tasks assigned to this user, in incidents they may see, the most urgent first."""
    person = roles_of(user).person
    if person is None:
        return Task.objects.none()
    return (
        Task.objects.filter(
            assignee=person, status__in=TASK_OPEN, incident__in=visible_incidents(user)
        )
        .select_related("incident")
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )


def next_steps(user: Any, incident: Incident) -> list[str]:
    """What this user should do now on this incident (keys of NEXT_STEP_LABELS)."""
    return next_steps_of(user, [incident])[incident.pk]


def next_steps_of(user: Any, incidents: Sequence[Incident]) -> dict[int, list[str]]:
    """next_steps for several incidents (the home page's open incidents) in at most three
    queries however many: the user's open tasks, their participations, the office."""
    roles = roles_of(user)
    if roles.person is None:
        return {incident.pk: [] for incident in incidents}
    responding = [i.pk for i in incidents if i.status == Status.RESPONDING]
    with_tasks = (
        set(
            Task.objects.filter(
                incident_id__in=responding, assignee=roles.person, status__in=TASK_OPEN
            ).values_list("incident_id", flat=True)
        )
        if responding
        else set()
    )
    taking_part = (
        set(
            Participant.objects.filter(incident_id__in=responding, person=roles.person).values_list(
                "incident_id", flat=True
            )
        )
        if responding
        else set()
    )
    office: list[Person] | None = None  # read once, and only if a report has no head
    steps: dict[int, list[str]] = {}
    for incident in incidents:
        judges: list[Person] = []
        if incident.status == Status.REPORTED:
            judges = _active_heads(incident)
            if not judges:
                office = list(group_members(GroupKind.OFFICE)) if office is None else office
                judges = office
        steps[incident.pk] = _steps(roles, incident, with_tasks, taking_part, judges)
    return steps


def _steps(
    roles: Any, incident: Incident, with_tasks: set[int], taking_part: set[int], judges: list[Any]
) -> list[str]:
    status, steps = incident.status, []
    if status == Status.REPORTED and roles.person in judges:  # triagers(incident), R-RESP-2
        steps.append("judge")
    if status in (Status.ESCALATED, Status.WATCHING) and roles.leadership:
        steps.append("decide")
    if status == Status.RESPONDING:
        if roles.expert:
            steps += ["plan_handling", "recommend_end"]
        if incident.pk in with_tasks:
            steps.append("work_on_tasks")
        if roles.leadership or roles.expert or incident.pk in taking_part:
            steps.append("report_progress")
    if status == Status.END_RECOMMENDED and roles.leadership:
        steps.append("order_end")
    return steps
