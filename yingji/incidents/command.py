"""What the incident command page shows, for the user looking at it: the next steps they may
take (with their forms), the live picture (tasks, progress, receipts) and the evidence."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from yingji.core.extensions import panels
from yingji.incidents import forms
from yingji.incidents.access import can_add_participant, can_attach, can_regrade, can_set_facts
from yingji.incidents.choices import (
    NEXT_STEP_LABELS,
    TASK_OPEN,
    TRANSITIONS,
    Decision,
    Status,
    TaskStatus,
)
from yingji.incidents.models import Incident, Task
from yingji.incidents.queries import next_steps
from yingji.incidents.services import recommendation
from yingji.notify.models import Message
from yingji.org.choices import GroupKind
from yingji.org.grades import Grade, ResponseLevel
from yingji.org.models import Person
from yingji.org.queries import group_members
from yingji.org.roles import roles_of
from yingji.plans.models import PlanVersion
from yingji.plans.queries import approved_for

FEED = 20
KEY_TIME_LABELS = {
    "occurred": gettext_lazy("occurred"),
    "discovered": gettext_lazy("discovered"),
    "reported": gettext_lazy("reported"),
    "escalated": gettext_lazy("escalated"),
    "assessed": gettext_lazy("assessed"),
    "activated": gettext_lazy("activated"),
    "end_recommended": gettext_lazy("end recommended"),
    "ended": gettext_lazy("ended"),
    "closed": gettext_lazy("closed"),
}
DURATION_LABELS = {
    "to_escalate": gettext_lazy("time to escalate"),
    "to_activate": gettext_lazy("time to activate"),
    "response": gettext_lazy("response lasted"),
    "occurred_to_ended": gettext_lazy("from occurrence to end"),
}


# Where on the command page each next step is taken: its button leads there, opening it.
STEP_ANCHORS = {
    "judge": "judge",
    "decide": "decide",
    "plan_handling": "write-plan",
    "recommend_end": "recommend-end",
    "work_on_tasks": "tasks",
    "report_progress": "report-progress",
    "order_end": "end",
}


def took(seconds: int) -> str:
    seconds = max(seconds, 0)
    if seconds < 60:  # "44 seconds", not "0 minutes"
        return ngettext("%(s)d second", "%(s)d seconds", seconds) % {"s": seconds}
    minutes = seconds // 60
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    return _("%(h)d h %(m)d min") % {
        "h": minutes // 60,
        "m": minutes % 60,
    }  # progress reports and timeline entries shown; the API pages through all of them


def command_context(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    user = request.user
    roles = roles_of(user)
    steps = next_steps(user, incident)
    context: dict[str, Any] = {
        "incident": incident,
        "roles": roles,
        "steps": [(step, NEXT_STEP_LABELS[step], STEP_ANCHORS[step]) for step in steps],
        "transitions": TRANSITIONS,
        "key_times": [
            (KEY_TIME_LABELS[name], at) for name, at in incident.key_times().items() if at
        ],
        "durations": [
            (DURATION_LABELS[name], took(seconds))
            for name, seconds in incident.durations().items()
            if seconds is not None
        ],
        "assessments": incident.assessments.select_related("decided_by__person").prefetch_related(
            "attendees"
        ),
        "handling_plan": incident.handling_plans.select_related("author__person").first(),
        "progress": incident.progress.select_related("author__person")[:FEED],
        "timeline": incident.timeline.select_related("actor__person").order_by("-at", "-pk")[:FEED],
        "participants": incident.participants.select_related("person").order_by("role", "pk"),
        "receipts": _receipts(incident),
        "evaluation": incident.evaluations.select_related("by__person").first(),
        "attachments": incident.attachments.defer("data").select_related("uploaded_by__person"),
        "open": incident.status not in (Status.ENDED, Status.CLOSED),
    }
    context["tasks"] = _tasks(incident, user, roles)
    context["activated_plans"] = _activated_plans(incident)
    context["task_statuses"] = TaskStatus.choices
    context.update(_forms(incident, steps, user))
    context["panels"] = panels("incident", request, incident)  # other apps' (core.extensions)
    return context


def _tasks(incident: Incident, user: Any, roles: Any) -> list[tuple[Task, bool]]:
    """Each task, and whether this user may work on it (the page then shows its form)."""
    rows = []
    handling = incident.status in (Status.RESPONDING, Status.END_RECOMMENDED)
    for task in incident.tasks.select_related("assignee"):
        mine = roles.person is not None and task.assignee_id == roles.person.pk
        may = handling and (mine or roles.expert or roles.leadership)
        rows.append((task, may))
    return rows


def _activated_plans(incident: Incident) -> list[tuple[PlanVersion, list[tuple[Any, Any]]]]:
    """R-HANDLE-1: the plans activated on this incident, shown alongside: each step with the
    task it became and that task's state."""
    versions = (
        PlanVersion.objects.filter(
            pk__in=incident.assessments.filter(decision=Decision.ACTIVATE).values("plan_versions")
        )
        .select_related("plan")
        .prefetch_related("steps")
    )
    tasks = {
        t.plan_step_id: t
        for t in incident.tasks.filter(plan_step__isnull=False).select_related("assignee")
    }
    return [(v, [(step, tasks.get(step.pk)) for step in v.steps.all()]) for v in versions]


def _receipts(incident: Incident) -> dict[str, Any] | None:
    """R-ACT-2: who has confirmed the latest mobilisation notice (found by its exact key, an
    index lookup, however many messages there are)."""
    activation = (
        incident.assessments.filter(decision=Decision.ACTIVATE).order_by("-pk").values("pk").first()
    )
    if activation is None:
        return None
    key = f"incident:{incident.pk}:incident.mobilised:{activation['pk']}"
    message = Message.objects.filter(key=key).first()
    if message is None:
        return None
    rows = list(
        message.deliveries.filter(channel=None)
        .select_related("person")
        .order_by("person__full_name")
    )
    confirmed = sum(1 for row in rows if row.confirmed_at)
    return {"message": message, "rows": rows, "confirmed": confirmed, "total": len(rows)}


def _forms(incident: Incident, steps: list[str], user: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if "judge" in steps:
        found["judgement_form"] = forms.JudgementForm()
    if "decide" in steps:
        advice = recommendation(incident)
        people = (
            group_members(GroupKind.LEADERSHIP)
            | group_members(GroupKind.EXPERT)
            | group_members(GroupKind.OFFICE)
        ).distinct()
        found["advice"] = {  # words for the page: "Level 2 response", "II · Serious"
            **advice,
            "level_label": ResponseLevel(advice["level"]).label if advice["level"] else "",
            "grade_label": Grade(advice["grade"]).label if advice["grade"] else "",
        }
        criteria = advice["matched"] + [c for p in advice["plans"] for c in p["criteria_met"]]
        found["decision_form"] = forms.DecisionForm(
            people=people,
            criteria=list(dict.fromkeys(criteria)),
            plans=approved_for(incident.category),
            initial={
                "decision": advice["decision"],
                "response_level": advice["level"],
                "grade": advice["grade"] or "",
                "criteria_met": criteria,
                "plan_versions": advice["recommended_plans"],
            },
        )
    if "plan_handling" in steps:
        latest = incident.handling_plans.first()
        initial = {"analysis": latest.analysis, "plan": latest.plan} if latest else {}
        found["handling_form"] = forms.HandlingPlanForm(initial=initial)
        found["task_form"] = forms.TaskForm(people=_assignable(incident))
        found["evaluation_form"] = forms.EvaluationForm(tasks=_open_tasks(incident))
    if can_attach(user, incident):
        found["attachment_form"] = forms.AttachmentForm()
    if "report_progress" in steps:
        found["progress_form"] = forms.ProgressForm()
        found["support_form"] = forms.SupportForm()
    if "order_end" in steps:
        found["end_form"] = forms.EndForm(initial={"all_staff": True})
        found["open_tasks"] = _open_tasks(incident)  # the end is refused while any is open
        found["resume_form"] = forms.ResumeForm()
    if can_set_facts(user, incident):
        found["facts_form"] = forms.FactsForm(initial=incident.facts())
    if can_regrade(user, incident):
        found["regrade_form"] = forms.RegradeForm(initial={"grade": incident.grade})
    if can_add_participant(user, incident):
        found["participant_form"] = forms.ParticipantForm()
    return found


def _open_tasks(incident: Incident) -> list[Task]:
    return list(incident.tasks.filter(status__in=TASK_OPEN).order_by("pk"))


def _assignable(incident: Incident) -> Any:
    """Tasks go to the people taking part and the scenario's execution group (vendors too)."""
    taking_part = incident.participants.values("person_id")
    execution = group_members(GroupKind.EXECUTION, scenario=incident.category).values("pk")
    people = Person.objects.filter(Q(pk__in=taking_part) | Q(pk__in=execution), status="active")
    return people.order_by("full_name")
