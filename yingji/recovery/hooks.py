"""What the after-phase adds to the front door: its menu entries, the incident page's panel,
the home card of what is the reader's and late, the end-order listener, the audit words and
the demo."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.audit.words import register_action_words
from yingji.core.extensions import (
    NavSection,
    register_demo,
    register_home_card,
    register_nav,
    register_panel,
)
from yingji.incidents.ended import register_on_ended
from yingji.recovery import queries
from yingji.recovery.choices import MEASURE_OPEN, STEP_OPEN, PlanStatus, RebuildStatus
from yingji.recovery.demo import load_demo_recovery
from yingji.recovery.models import RebuildItem, RecoveryStep
from yingji.recovery.panel import incident_panel
from yingji.recovery.services.opening import after_phase_on_end

HOME_ROWS = 8

register_on_ended(after_phase_on_end)

register_nav(
    NavSection(
        key="improvements",
        label=_("Improvements"),
        url_name="improvements:register",
        order=28,
        url_namespaces=("improvements", "recovery"),
        visible=lambda roles: bool(roles.internal),
    )
)

register_panel(
    "incident",
    "recovery.after",
    template="recovery/_incident_panel.html",
    context=incident_panel,
    order=70,
)


def _mine(request: HttpRequest) -> dict[str, Any] | None:
    """The reader's own open measures, steps and rebuild work, the late first."""
    person = queries.person_of(request.user)
    if person is None:
        return None
    measures = list(
        queries.visible_measures(request.user)
        .filter(owner=person, status__in=MEASURE_OPEN)
        .order_by("due", "pk")[:HOME_ROWS]
    )
    steps = list(
        RecoveryStep.objects.filter(
            owner=person, status__in=STEP_OPEN, plan__status=PlanStatus.APPROVED
        )
        .filter(plan__incident__in=queries.visible_incidents(request.user))
        .select_related("plan__department")
        .order_by("due_at", "pk")[:HOME_ROWS]
    )
    rebuild = list(
        RebuildItem.objects.filter(owner=person, status=RebuildStatus.OPEN)
        .filter(Q(incident__in=queries.visible_incidents(request.user)))
        .order_by("due_at", "pk")[:HOME_ROWS]
    )
    if not (measures or steps or rebuild):
        return None
    return {"measures": measures, "steps": steps, "rebuild": rebuild, "today": timezone.localdate()}


register_home_card("recovery.mine", template="recovery/_home_mine.html", context=_mine, order=45)
register_demo("recovery", load_demo_recovery, order=70)

register_action_words(
    subjects={
        "recovery": _("After-phase"),
        "recovery.plan": _("Recovery plan"),
        "recovery.step": _("Recovery step"),
        "recovery.rebuild": _("Rebuild work"),
        "recovery.summary": _("Summary report"),
        "recovery.review": _("Review meeting"),
        "recovery.measure": _("Improvement measure"),
        "recovery.ci_plan": _("Continuous-improvement plan"),
        "recovery.settings": _("After-phase settings"),
    },
    verbs={
        "open": _("opened"),
        "complete": _("completed"),
        "withdraw": _("withdrawn"),
        "section": _("section written"),
        "impact": _("impact table changed"),
        "submit": _("sent for approval"),
        "return": _("returned"),
        "publish": _("published"),
        "shared": _("shared"),
        "schedule": _("scheduled"),
        "record": _("recorded"),
        "start": _("started"),
        "done": _("done"),
        "verify": _("verified"),
        "reopen": _("reopened"),
        "evidence": _("evidence added"),
        "propose_not_doing": _("not doing proposed"),
        "accept_not_doing": _("not doing accepted"),
        "refuse_not_doing": _("not doing refused"),
        "cancelled": _("cancelled"),
        "close": _("closed"),
    },
)
