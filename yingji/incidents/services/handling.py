"""R-HANDLE-1..2: the expert group's handling plan, tasks for executors and vendors, live
progress reports on a cadence the engine chases, expert support and new participants."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import SYSTEM, Actor, person_user
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.moments import checked_moment
from yingji.incidents.access import ADD_PARTICIPANT
from yingji.incidents.choices import TASK_OPEN, TASK_OUTCOMES, Status, TaskStatus, Who
from yingji.incidents.models import HandlingPlan, Incident, ProgressReport, Task
from yingji.incidents.queries import is_participant
from yingji.incidents.services.common import (
    acknowledge,
    announce_task,
    check_open,
    check_who,
    join,
    participants_of,
    schedule_overdue_chase,
    tell,
    timeline,
)
from yingji.org.choices import GroupKind, PersonStatus
from yingji.org.models import Person
from yingji.org.queries import group_members
from yingji.org.roles import roles_of

HANDLING = (Status.RESPONDING, Status.END_RECOMMENDED)
LONGEST_AHEAD = timedelta(days=366)  # due and recovery times: within a year
MAX_CHECKLIST = 50


def _check_handling(incident: Incident) -> None:
    if incident.status not in HANDLING:
        raise DomainError(_("Handling starts when a plan is activated (R-ACT-1)."), code="conflict")


def _check_taking_part(actor: Actor, incident: Incident) -> None:
    """Progress and requests come from the people in the response."""
    roles = roles_of(actor)
    if not roles.active_person:
        raise AccessDenied(_("Only people taking part in the response may do this."))
    if roles.leadership or roles.expert or is_participant(actor, incident):
        return
    raise AccessDenied(_("Only people taking part in the response may do this."))


# ---------------------------------------------------------------- the handling plan


@transaction.atomic
def handling_plan_revise(
    *, actor: Actor, incident: Incident, analysis: str, plan: str
) -> HandlingPlan:
    """R-HANDLE-1: each revision is kept and announced to everyone taking part."""
    check_who(actor, incident, Who.EXPERT)
    _check_handling(incident)
    if not analysis.strip() or not plan.strip():
        raise DomainError(_("Write both the analysis and the plan."), field="plan")
    version = (
        incident.handling_plans.order_by("-version").values_list("version", flat=True).first() or 0
    ) + 1
    revision = HandlingPlan.objects.create(
        incident=incident,
        version=version,
        analysis=analysis.strip(),
        plan=plan.strip(),
        author=person_user(actor),
    )
    timeline(
        incident,
        actor,
        "handling_plan",
        text=_("Version %(v)d") % {"v": version},
        clause="R-HANDLE-1",
    )
    audit_record(
        actor=actor,
        action="incident.handling_plan",
        obj=incident,
        after={"version": version},
        regulation="R-HANDLE-1",
    )
    tell(
        incident,
        "incident.handling_plan",
        participants_of(incident),
        receipt=False,
        key=str(version),
        version=version,
    )
    return revision


# ---------------------------------------------------------------- tasks


@transaction.atomic
def task_create(
    *,
    actor: Actor,
    incident: Incident,
    title: str,
    assignee: Person | None = None,
    details: str = "",
    due_at: datetime | None = None,
    checklist: list[str] | None = None,
) -> Task:
    """R-HANDLE-1: the experts or the leadership group give a task to an executor or a
    vendor's engineer, who is told (with a receipt) and takes part from then on."""
    check_who(actor, incident, Who.EXPERT, Who.LEADER)
    _check_handling(incident)
    if not title.strip():
        raise DomainError(_("Say what is to be done."), field="title")
    if assignee is not None and assignee.status != PersonStatus.ACTIVE:
        raise DomainError(_("This person is not active."), field="assignee")
    if due_at is not None:
        checked_moment(
            due_at,
            "due_at",
            back=timedelta(0),
            ahead=LONGEST_AHEAD,
            too_early=_("The due time has already passed."),
        )
    items = [line.strip() for line in (checklist or []) if line.strip()]
    if len(items) > MAX_CHECKLIST:
        raise DomainError(
            _("At most %(n)d checklist items.") % {"n": MAX_CHECKLIST}, field="checklist"
        )
    task = Task.objects.create(
        incident=incident,
        title=title.strip()[:200],
        details=details.strip(),
        assignee=assignee,
        due_at=due_at,
        checklist=[{"text": item[:300], "done": False} for item in items],
        created_by=person_user(actor),
    )
    timeline(incident, actor, "task", text=_task_line(task), clause="R-HANDLE-1")
    audit_record(
        actor=actor,
        action="incident.task.create",
        obj=task,
        after={"incident": incident.pk, "title": task.title},
    )
    announce_task(incident, task)
    schedule_overdue_chase(task)
    return task


def _task_line(task: Task) -> str:
    who = task.assignee.full_name if task.assignee else _("unassigned")
    return f"{task.title} · {who} · {task.get_status_display()}"


def _check_may_work_on(actor: Actor, task: Task) -> None:
    roles = roles_of(actor)
    if not roles.active_person:
        raise AccessDenied(_("Only the assignee, the experts or the leadership group may do this."))
    if roles.expert or roles.leadership or task.assignee_id == roles.person.pk:
        return
    raise AccessDenied(_("Only the assignee, the experts or the leadership group may do this."))


@transaction.atomic
def task_update(
    *,
    actor: Actor,
    task: Task,
    revision: int,
    status: str | None = None,
    checked: list[int] | None = None,
    note: str = "",
) -> Task:
    """Status and checklist in one compare-and-swap on `revision`: a change made from a page
    that was already stale is refused instead of overwriting someone else's."""
    _check_may_work_on(actor, task)
    _check_handling(task.incident)
    fields: dict[str, Any] = {}
    if status is not None and status != task.status:
        if status not in TaskStatus.values:
            raise DomainError(_("Unknown task status."), field="status")
        fields["status"] = status
        fields["done_at"] = timezone.now() if status == TaskStatus.DONE else None
    if checked is not None:
        fields["checklist"] = _ticked(task.checklist, checked)
    if not fields:
        return task
    changed = Task.objects.filter(pk=task.pk, revision=revision).update(
        revision=F("revision") + 1, **fields
    )
    if changed != 1:
        raise DomainError(
            _("Someone else has just changed this task; reload and try again."), code="conflict"
        )
    task.refresh_from_db()
    schedule_overdue_chase(task)  # done or cancelled: no chase
    acknowledge(actor, task.incident)
    timeline(
        task.incident,
        actor,
        "task",
        text=_task_line(task) + (f" — {note}" if note else ""),
        clause="R-HANDLE-2",
    )
    audit_record(
        actor=actor, action="incident.task.update", obj=task, after=fields_for_audit(fields)
    )
    return task


def _ticked(checklist: list[dict], checked: list[int]) -> list[dict]:
    if any(not isinstance(i, int) or not 0 <= i < len(checklist) for i in checked):
        raise DomainError(_("No such checklist item."), field="checked")
    return [{"text": item["text"], "done": i in checked} for i, item in enumerate(checklist)]


def fields_for_audit(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in fields.items()}


# ---------------------------------------------------------------- progress and support


@transaction.atomic
def progress_report(
    *,
    actor: Actor,
    incident: Incident,
    done: str,
    current: str = "",
    next_step: str = "",
    eta: datetime | None = None,
) -> ProgressReport:
    """R-HANDLE-2: reaches the leadership and expert groups at once, and sets the next due
    time by the response level's cadence."""
    _check_taking_part(actor, incident)
    check_open(incident)
    if incident.status == Status.REPORTED:
        raise DomainError(
            _("Progress is reported once the incident is escalated."), code="conflict"
        )
    if not done.strip():
        raise DomainError(_("Say what has been done."), field="done")
    if eta is not None:
        checked_moment(
            eta,
            "eta",
            back=timedelta(0),
            ahead=LONGEST_AHEAD,
            too_early=_("The expected recovery time has already passed."),
        )
    acknowledge(actor, incident)
    report = ProgressReport.objects.create(
        incident=incident,
        author=person_user(actor),
        done=done.strip(),
        current=current.strip(),
        next_step=next_step.strip(),
        eta=eta,
    )
    if incident.status == Status.RESPONDING:
        due = timezone.now() + timedelta(minutes=_cadence(incident))
        Incident.objects.filter(pk=incident.pk, status=Status.RESPONDING).update(progress_due=due)
        incident.progress_due = due
    timeline(incident, actor, "progress", text=_progress_text(report), clause="R-HANDLE-2")
    people = group_members(GroupKind.LEADERSHIP) | group_members(GroupKind.EXPERT)
    tell(
        incident,
        "incident.progress",
        people.distinct(),
        receipt=False,
        key=str(report.pk),
        done=report.done[:200],
    )
    return report


def _cadence(incident: Incident) -> int:
    return settings.PROGRESS_MINUTES.get(incident.response_level or "4", 240)


def _progress_text(report: ProgressReport) -> str:
    parts = [report.done, report.current, report.next_step]
    if report.eta:
        parts.append(
            _("expected recovery %(at)s")
            % {"at": timezone.localtime(report.eta).strftime("%m-%d %H:%M")}
        )
    return "\n".join(part for part in parts if part)


@transaction.atomic
def support_request(*, actor: Actor, incident: Incident, text: str) -> None:
    """R-HANDLE-2: an executor asks the expert group for help; every expert is told."""
    _check_taking_part(actor, incident)
    _check_handling(incident)
    if not text.strip():
        raise DomainError(_("Say what help is needed."), field="text")
    entry = timeline(incident, actor, "support", text=text.strip(), clause="R-HANDLE-2")
    tell(
        incident,
        "incident.support",
        group_members(GroupKind.EXPERT),
        receipt=True,
        key=str(entry.pk),
        request=text.strip()[:200],
    )


@transaction.atomic
def participant_add(*, actor: Actor, incident: Incident, person: Person, role: str = "") -> None:
    """Someone joins mid-flight (a vendor's engineer, an outside expert) and is told."""
    check_who(actor, incident, *ADD_PARTICIPANT)
    check_open(incident)
    if person.status != PersonStatus.ACTIVE:
        raise DomainError(_("This person is not active."), field="person")
    join(incident, [person], role.strip()[:32] or "added")
    entry = timeline(incident, actor, "participant", text=person.full_name)
    tell(incident, "incident.participant_added", [person], receipt=True, key=str(entry.pk))


# ---------------------------------------------------------------- the engine's side


@transaction.atomic
def incident_chase_progress(*, actor: Actor, incident: Incident, now: datetime) -> bool:
    """The progress report is late: the people handling it are reminded and the next due
    time is set, in one compare-and-swap so two engines remind once."""
    due = incident.progress_due
    if due is None or incident.status != Status.RESPONDING:
        return False
    next_due = now + timedelta(minutes=_cadence(incident))
    moved = Incident.objects.filter(pk=incident.pk, status=Status.RESPONDING, progress_due=due)
    if moved.update(progress_due=next_due) != 1:
        return False
    timeline(
        incident,
        actor,
        "progress_late",
        clause="R-HANDLE-2",
        text=_("No progress report since %(at)s.")
        % {"at": timezone.localtime(due).strftime("%H:%M")},
    )
    open_assignees = Person.objects.filter(
        pk__in=incident.tasks.filter(status__in=TASK_OPEN).values("assignee_id")
    )
    people = set(participants_of(incident, "execution", "assignee")) | set(open_assignees)
    tell(incident, "incident.progress_late", people, receipt=False, key=due.isoformat())
    return True


def settle_tasks(actor: Actor, incident: Incident, outcomes: Mapping[int, tuple[str, str]]) -> None:
    """R-END-1: each task still open is done, cancelled (with a reason) or carried over to
    recovery (with a reason: the rebuild work after the end, R-REC-2). All or none."""
    still_open = list(incident.tasks.filter(status__in=TASK_OPEN).order_by("pk"))
    unknown = set(outcomes) - {task.pk for task in still_open}
    if unknown:
        raise DomainError(_("Only the incident's open tasks can be settled."), field="tasks")
    undecided = [task.title for task in still_open if task.pk not in outcomes]
    if undecided:
        raise DomainError(
            _(
                "Say for each open task whether it is done, cancelled or carried over to "
                "recovery: %(tasks)s"
            )
            % {"tasks": "; ".join(undecided)},
            field="tasks",
        )
    now = timezone.now()
    for task in still_open:
        outcome, reason = outcomes[task.pk][0], outcomes[task.pk][1].strip()
        if outcome not in TASK_OUTCOMES:
            raise DomainError(_("Unknown task status."), field="tasks")
        if outcome != TaskStatus.DONE and not reason:
            raise DomainError(
                _("Say why %(task)s is cancelled or carried over.") % {"task": task.title},
                field="tasks",
            )
        task.status, task.closing_reason = outcome, reason[:500]
        task.done_at = now if outcome == TaskStatus.DONE else None
        task.revision += 1
        task.save(update_fields=["status", "closing_reason", "done_at", "revision"])
        schedule_overdue_chase(task)
        line = _task_line(task) + (f" — {reason}" if reason else "")
        timeline(incident, actor, "task", text=line, clause="R-END-1")
    if still_open:
        audit_record(
            actor=actor,
            action="incident.tasks.settle",
            obj=incident,
            regulation="R-END-1",
            after={str(task.pk): task.status for task in still_open},
        )


def task_chase_overdue(*, task_id: int) -> bool:
    """The engine's timer: a task past its due time and still open is chased, its assignee
    and the expert group told (once per due time). False when there is nothing to chase."""
    task = Task.objects.select_related("incident__department", "assignee").filter(pk=task_id)
    found = task.first()
    if found is None or not found.overdue:
        return False
    incident = found.incident
    if incident.status not in (Status.RESPONDING, Status.END_RECOMMENDED):
        return False
    people = list(group_members(GroupKind.EXPERT))
    if found.assignee is not None:
        people.append(found.assignee)
    assert found.due_at is not None
    tell(
        incident,
        "incident.task_overdue",
        people,
        receipt=False,
        key=f"{found.pk}:{found.due_at.isoformat()}",
        task=found.title,
    )
    timeline(incident, SYSTEM, "task", text=_("Overdue: %(task)s") % {"task": found.title})
    return True
