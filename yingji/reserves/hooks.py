"""What reserves adds to the front door: its menu entry, the audit words, its demo."""

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
from yingji.org.roles import roles_of
from yingji.reserves import queries
from yingji.reserves.demo import load_demo_reserves
from yingji.reserves.dispatch import incident_panel
from yingji.reserves.models import Store
from yingji.reserves.requirements import plan_panel
from yingji.risks.links import LinkKind, register_link_kind

register_nav(
    NavSection(
        key="reserves",
        label=_("Reserves"),
        url_name="reserves:overview",
        order=27,
        url_namespaces=("reserves",),
        visible=lambda roles: bool(roles.internal),
    )
)


def _short(request: HttpRequest) -> dict[str, Any] | None:
    """The office's (and the custodians') card: classes short of their minimum ready."""
    user = request.user
    roles = roles_of(user)
    if not (
        queries.manages_all(user)
        or (
            roles.active_person
            and Store.objects.filter(Q(custodian=roles.person) | Q(backup=roles.person)).exists()
        )
    ):
        return None
    short = [r for r in queries.readiness(timezone.localdate()) if not r["met"]]
    return {"short": short} if short else None  # R-RES-1


register_home_card("reserves.short", template="reserves/_home_short.html", context=_short, order=57)
register_demo("reserves", load_demo_reserves, order=65)
register_panel(
    "incident",
    "reserves.dispatch",
    template="reserves/_incident_panel.html",
    context=incident_panel,
    order=60,
)

register_panel(
    "plan", "reserves.requirements", template="reserves/_plan_panel.html", context=plan_panel
)

# A risk may name the class of spares that answers it (risks.links).
register_link_kind(
    LinkKind("reserve", _("Class of spares"), queries.visible_classes, lambda pk: "/reserves/")
)

register_action_words(
    subjects={
        "reserve.class": _("Class of spares"),
        "reserve.store": _("Reserve store"),
        "reserve.location": _("Store location"),
        "reserve.item": _("Reserve item"),
        "reserve.ledger": _("Reserve ledger"),
        "reserve.dispatch": _("Spares for an incident"),
        "reserve.requirements": _("Plan's required reserves"),
    },
    verbs={
        "received": _("received"),
        "moved": _("moved"),
        "issued": _("issued"),
        "returned": _("returned"),
        "consumed": _("consumed"),
        "scrapped": _("scrapped"),
        "inspect": _("inspected"),
        "repaired": _("back in service"),
        "request": _("requested"),
        "issue": _("issued"),
        "back": _("returned or consumed"),
        "cancel": _("cancelled"),
    },
)
