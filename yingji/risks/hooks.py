"""What risks adds to the front door: the menu entry, the overdue card, audit words, demo."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.audit.words import register_action_words
from yingji.core.extensions import NavSection, register_demo, register_home_card, register_nav
from yingji.org.roles import roles_of
from yingji.risks.demo import load_demo_risks
from yingji.risks.models import Risk
from yingji.risks.queries import overdue_assessments

HOME_ROWS = 10


def _sees_risks(roles: Any) -> bool:
    """Everyone inside; a vendor's engineer only once given a risk's treatment (R-SCOPE-2)."""
    if roles.internal:
        return True
    return roles.active_person and Risk.objects.filter(owner=roles.person).exists()


register_nav(
    NavSection(
        key="risks",
        label=_("Risks"),
        url_name="risks:register",
        order=25,
        url_namespaces=("risks",),
        visible=_sees_risks,
    )
)


def _overdue(request: HttpRequest) -> dict[str, Any] | None:
    if not roles_of(request.user).internal:
        return None
    rows = list(overdue_assessments(request.user, timezone.localdate())[:HOME_ROWS])
    return {"overdue": rows} if rows else None  # R-RISK-1


register_home_card("risks.overdue", template="risks/_home_overdue.html", context=_overdue, order=55)
register_demo("risks", load_demo_risks, order=60)

register_action_words(
    subjects={
        "risk.matrix": _("Risk matrix"),
        "risk.policy": _("Risk-assessment settings"),
        "risk.campaign": _("Risk-assessment campaign"),
        "risk.assessment": _("Risk assessment"),
        "risk.item": _("Risk"),
        "risk.acceptance": _("Risk acceptance"),
        "risk.project": _("R&D project"),
    },
    verbs={
        "open": _("opened"),
        "delegates": _("delegates named"),
        "overdue": _("overdue"),
        "close": pgettext_lazy("risk", "closed"),
        "reopen": _("reopened"),
        "assets": _("assets changed"),
        "links": _("links changed"),
    },
)
