"""What plans adds to the front door: its menu entry, the reviews-due card, its demo."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.audit.words import register_action_words
from yingji.core.extensions import NavSection, register_demo, register_home_card, register_nav
from yingji.plans.demo import load_demo_plans
from yingji.plans.queries import reviews_due

HOME_ROWS = 10

register_nav(
    NavSection(
        key="plans", label=_("Plans"), url_name="plans:list", order=20, url_namespaces=("plans",)
    )
)


def _reviews_due(request: HttpRequest) -> dict[str, Any] | None:
    today = timezone.localdate()
    rows = list(reviews_due(request.user, today)[:HOME_ROWS])
    return {"reviews_due": rows, "today": today} if rows else None  # R-PLAN-3


register_home_card(
    "plans.reviews_due", template="plans/_home_reviews.html", context=_reviews_due, order=50
)
register_demo("plans", load_demo_plans, order=20)

register_action_words(
    subjects={
        "plan": _("Contingency plan"),
        "plan.version": _("Plan version"),
        "plan.review": _("Plan review"),
        "plan.attachment": _("Plan attachment"),
    },
    verbs={
        "plan.comment": _("commented"),
        "approval": _("approval step taken"),
        "change_refused": _("change refused"),
        "steps": _("steps changed"),
        "confirm": _("confirmed as it is"),
        "early": _("early review asked"),
        "revise": _("revision started"),
    },
)
