"""What incidents adds to the front door: its menu entry, three home cards, its demo."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yingji.audit.words import register_action_words
from yingji.core.extensions import NavSection, register_demo, register_home_card, register_nav
from yingji.incidents.choices import ACTION_LABELS, NEXT_STEP_LABELS
from yingji.incidents.demo import load_demo_incidents
from yingji.incidents.queries import awaiting_judgement, my_tasks, next_steps_of, open_incidents

HOME_ROWS = 10  # the rest are on the incident list and My tasks

register_nav(
    NavSection(
        key="incidents",
        label=_("Incidents"),
        url_name="incidents:list",
        order=10,
        url_namespaces=("incidents",),
    )
)


def _to_judge(request: HttpRequest) -> dict[str, Any] | None:
    rows = list(awaiting_judgement(request.user)[:20])
    return {"to_judge": rows} if rows else None


def _open_incidents(request: HttpRequest) -> dict[str, Any] | None:
    rows = open_incidents(request.user).select_related("department__head", "department__deputy")
    incidents = list(rows[:HOME_ROWS])
    steps = next_steps_of(request.user, incidents)
    shown = [(i, [NEXT_STEP_LABELS[step] for step in steps[i.pk]]) for i in incidents]
    return {"open_incidents": shown} if shown else None


def _tasks(request: HttpRequest) -> dict[str, Any] | None:
    rows = list(my_tasks(request.user)[:HOME_ROWS])
    return {"tasks": rows} if rows else None


register_home_card(
    "incidents.to_judge", template="incidents/_home_judge.html", context=_to_judge, order=20
)
register_home_card(
    "incidents.open", template="incidents/_home_open.html", context=_open_incidents, order=30
)
register_home_card(
    "incidents.tasks", template="incidents/_home_tasks.html", context=_tasks, order=40
)
register_demo("incidents", load_demo_incidents, order=30)

register_action_words(
    subjects={
        "incident": _("Incident"),
        "incident.task": _("Task"),
        "incident.tasks": _("Open tasks"),
        "incident.attachment": _("Files"),
        "incident.grading_rule": _("Grading rule"),
        "incident.notice_template": _("All-staff notice template"),
    },
    verbs={**ACTION_LABELS, "settle": _("settled at the end recommendation")},
)
