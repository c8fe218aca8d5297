"""Grades, states and the transitions table of the response flow (STYLE.md convention 3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import Transition, find_transition


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported, awaiting the department's judgement")
    ESCALATED = "escalated", _("Escalated, awaiting the leadership group's decision")
    WATCHING = "watching", _("Under watch, no plan activated")
    RESPONDING = "responding", _("Plan activated, being handled")
    END_RECOMMENDED = "end_recommended", _("End recommended by the experts")
    ENDED = "ended", _("Ended by the leadership group's order")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    Status.REPORTED,
    Status.ESCALATED,
    Status.WATCHING,
    Status.RESPONDING,
    Status.END_RECOMMENDED,
)


class Who(models.TextChoices):
    """Who may take a step: roles relative to the incident, not just to the organisation."""

    TRIAGER = "triager", _("the department head or deputy")
    LEADER = "leader", _("a member of the leadership group")
    EXPERT = "expert", _("a member of the expert group")
    ENGINE = "engine", _("Yingji itself, when a deadline passes")


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DOING = "doing", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    CARRIED_OVER = "carried_over", _("Carried over to recovery")  # R-REC-2 takes it on


TASK_OPEN = (TaskStatus.TODO, TaskStatus.DOING, TaskStatus.BLOCKED)
# What becomes of a task still open when the experts recommend the end (R-END-1).
TASK_OUTCOMES = (TaskStatus.DONE, TaskStatus.CANCELLED, TaskStatus.CARRIED_OVER)


class Decision(models.TextChoices):
    """What the leadership group decides after the emergency meeting (R-ACT-1)."""

    ACTIVATE = "activate", _("Activate the plan")
    WATCH = "watch", _("Keep watching without activation")
    CLOSE = "close", _("Close: not an emergency")


TRANSITIONS: tuple[Transition, ...] = (
    # R-RESP-2: the head judges within 15 minutes: an emergency, or an ordinary fault.
    Transition("escalate", Status.REPORTED, Status.ESCALATED, Who.TRIAGER, "R-RESP-2"),
    Transition("close_as_fault", Status.REPORTED, Status.CLOSED, Who.TRIAGER, "R-RESP-2"),
    # Nobody judged in time: the engine escalates so the leadership group still hears of it.
    Transition("auto_escalate", Status.REPORTED, Status.ESCALATED, Who.ENGINE, "R-RESP-2"),
    # R-ACT-1: the leadership group meets and decides: activate, keep watching, or close.
    Transition("activate", Status.ESCALATED, Status.RESPONDING, Who.LEADER, "R-ACT-1"),
    Transition("watch", Status.ESCALATED, Status.WATCHING, Who.LEADER, "R-ACT-1"),
    Transition("close", Status.ESCALATED, Status.CLOSED, Who.LEADER, "R-ACT-1"),
    Transition("activate", Status.WATCHING, Status.RESPONDING, Who.LEADER, "R-ACT-1"),
    Transition("close", Status.WATCHING, Status.CLOSED, Who.LEADER, "R-ACT-1"),
    # R-END-1: the experts evaluate the recovery and recommend ending the response.
    Transition("recommend_end", Status.RESPONDING, Status.END_RECOMMENDED, Who.EXPERT, "R-END-1"),
    # R-END-2: the leadership group orders the end, or sends it back to handling.
    Transition("end", Status.END_RECOMMENDED, Status.ENDED, Who.LEADER, "R-END-2"),
    Transition("resume", Status.END_RECOMMENDED, Status.RESPONDING, Who.LEADER, "R-END-2"),
)


# How the timeline names each step, and the notes and changes between the steps.
ACTION_LABELS = {
    "report": _("Reported"),
    "escalate": _("Escalated as an emergency"),
    "close_as_fault": _("Closed as an ordinary fault"),
    "auto_escalate": _("Escalated by Yingji: the judgement was late"),
    "activate": _("Plan activated"),
    "watch": _("Kept under watch"),
    "close": _("Closed by the leadership group"),
    "recommend_end": _("End recommended"),
    "end": _("End ordered"),
    "resume": _("Sent back to handling"),
    "meeting": _("Emergency meeting"),
    "regrade": _("Grade changed"),
    "facts": _("Facts updated"),
    "handling_plan": _("Handling plan revised"),
    "task": _("Task"),
    "progress": _("Progress report"),
    "progress_late": _("Progress report overdue"),
    "support": _("Expert support requested"),
    "participant": _("Participant added"),
    "note": _("Note"),
    "attachment": _("Files attached"),
}


def transition_for(action: str, source: str) -> Transition | None:
    return find_transition(TRANSITIONS, action, source)


NEXT_STEP_LABELS = {
    "judge": _("Judge it within 15 minutes: escalate or close as an ordinary fault"),
    "decide": _("Hold the emergency meeting and decide on activation"),
    "plan_handling": _("Write the analysis and handling plan; assign tasks"),
    "recommend_end": _("Recommend the end when business is back to normal"),
    "work_on_tasks": _("Work on your tasks"),
    "report_progress": _("Report progress"),
    "order_end": _("Order the end, or send it back to handling"),
}


# Why someone takes part (Participant.role); a role typed by whoever added them shows as typed.
PARTICIPANT_ROLES = {
    "reporter": _("reporter"),
    "triager": _("department head or deputy"),
    "leadership": _("leadership group"),
    "office": _("leadership group office"),
    "expert": _("expert group"),
    "execution": _("execution group"),
    "attendee": _("meeting attendee"),
    "assignee": _("task assignee"),
    "added": _("added during the response"),
}
