"""Grades, states and the transitions table of the response flow (STYLE.md convention 3)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """Event grades, I the most severe; the colour is part of how people read them."""

    I = "I", _("I · Especially serious")  # noqa: E741 — the grade's own name  # 特别重大
    II = "II", _("II · Serious")  # 重大
    III = "III", _("III · Relatively serious")  # 较大
    IV = "IV", _("IV · General")  # 一般


GRADE_COLOURS: dict[str, str] = {
    Grade.I: "red",
    Grade.II: "orange",
    Grade.III: "yellow",
    Grade.IV: "blue",
}


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported, awaiting the department's judgement")
    ESCALATED = "escalated", _("Escalated to the leadership group")
    CLOSED = "closed", _("Closed")


class Who(models.TextChoices):
    """Who may take a step: roles relative to the incident, not just to the organisation."""

    TRIAGER = "triager", _("the department head or deputy")
    ENGINE = "engine", _("Yingji itself, when a deadline passes")


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    who: str
    clause: str


TRANSITIONS: tuple[Transition, ...] = (
    # R-RESP-2: the head judges within 15 minutes: an emergency, or an ordinary fault.
    Transition("escalate", Status.REPORTED, Status.ESCALATED, Who.TRIAGER, "R-RESP-2"),
    Transition("close_as_fault", Status.REPORTED, Status.CLOSED, Who.TRIAGER, "R-RESP-2"),
    # Nobody judged in time: the engine escalates so the leadership group still hears of it.
    Transition("auto_escalate", Status.REPORTED, Status.ESCALATED, Who.ENGINE, "R-RESP-2"),
)


# How the timeline names each step.
ACTION_LABELS = {
    "report": _("Reported"),
    "escalate": _("Escalated as an emergency"),
    "close_as_fault": _("Closed as an ordinary fault"),
    "auto_escalate": _("Escalated by Yingji: the judgement was late"),
}


def transition_for(action: str, source: str) -> Transition | None:
    for transition in TRANSITIONS:
        if transition.action == action and transition.source == source:
            return transition
    return None
