"""What a risk can be linked to, as a registry: plans and monitoring rules are registered
here; later apps (reserves, drills) register their own kinds from their hooks, so this app
never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class LinkKind:
    key: str
    label: Any  # lazily translated
    # (user) -> queryset of what this user may link to; each row has a pk and a str()
    candidates: Callable[[Any], Any]
    url: Callable[[int], str]


LINK_KINDS: dict[str, LinkKind] = {}


def register_link_kind(kind: LinkKind) -> None:
    LINK_KINDS[kind.key] = kind


def _plans(user: Any) -> Any:
    from yingji.plans.queries import visible_plans

    return visible_plans(user)


def _rules(user: Any) -> Any:
    from yingji.monitoring.queries import visible_rules

    return visible_rules(user).order_by("name")


register_link_kind(LinkKind("plan", _("Contingency plan"), _plans, lambda pk: f"/plans/{pk}/"))
register_link_kind(
    LinkKind("rule", _("Monitoring rule"), _rules, lambda pk: f"/monitoring/rules/{pk}/")
)
