"""Who sees monitoring, and the reads the pages and API share."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.access import one_of
from yingji.core.actors import Actor, is_system
from yingji.core.errors import AccessDenied
from yingji.monitoring.choices import AlertStatus
from yingji.monitoring.models import Alert, Asset, Rule
from yingji.org.roles import roles_of


def can_read(user: Any) -> bool:
    """The whole of monitoring, incoming alerts and rosters: everyone inside the organisation
    (what is watched and how it is doing is no secret within IT). Not vendors (R-SCOPE-2)."""
    return roles_of(user).internal


def can_read_own(user: Any) -> bool:
    """The asset and alert pages: the organisation, and vendors and external experts for the
    assets that are theirs (see visible_assets)."""
    roles = roles_of(user)
    return roles.internal or roles.active_person


def can_manage(actor: Actor) -> bool:
    """Who sets up monitoring, intake, rosters and escalation: the office, the experts and
    administrators."""
    roles = roles_of(actor)
    return is_system(actor) or roles.admin or roles.office or roles.expert


def require_manager(actor: Actor) -> None:
    if not can_manage(actor):
        raise AccessDenied(_("Only the office, the experts or an administrator may do this."))


def visible_assets(user: Any) -> QuerySet[Asset]:
    """Inside the organisation every asset; a vendor or external expert the assets they are
    responsible for and those covered by the plans of their groups' scenarios (R-SCOPE-2)."""
    roles = roles_of(user)
    if roles.internal:
        return Asset.objects.select_related("owner_department")
    if not roles.active_person:
        return Asset.objects.none()
    theirs = Q(responsible=roles.person) | Q(plans__category__in=roles.group_scenarios)
    ids = Asset.objects.filter(theirs).values("pk")
    return Asset.objects.filter(pk__in=ids).select_related("owner_department")


def get_asset_for(user: Any, pk: Any, *, write: bool = False) -> Asset:
    asset = one_of(visible_assets(user), pk)
    if write:
        require_manager(user)
    return asset


def visible_alerts(user: Any) -> QuerySet[Alert]:
    return Alert.objects.filter(asset__in=visible_assets(user)).select_related(
        "rule", "asset", "series", "acknowledged_by__person"
    )


def get_alert_for(user: Any, pk: Any) -> Alert:
    return one_of(visible_alerts(user), pk)


def visible_rules(user: Any) -> QuerySet[Rule]:
    """Threshold rules: read inside the organisation, not by vendors (R-SCOPE-2)."""
    return Rule.objects.all() if can_read(user) else Rule.objects.none()


def get_rule_for(user: Any, pk: Any, *, write: bool = False) -> Rule:
    rule = one_of(visible_rules(user), pk)
    if write:
        require_manager(user)
    return rule


def firing_alerts(user: Any) -> QuerySet[Alert]:
    return visible_alerts(user).filter(status=AlertStatus.FIRING)


# Preliminary severity of an emergency report (incidents.Grade) from an alert's severity.
REPORT_GRADE = {"critical": "I", "major": "II", "minor": "III", "warning": "IV"}


def report_initial(user: Any, alert_id: Any) -> dict[str, Any]:
    """ "Report as emergency" (R-RESP-1/3): the report form filled from an alert the user can
    see: when, which asset, where, what was measured, how severe."""
    try:
        alert = get_alert_for(user, alert_id)
    except Http404:
        return {}
    asset = alert.asset
    symptoms = (
        f"{alert.rule.name}: {alert.series} = {alert.value} ({alert.rule.operator} "
        f"{alert.rule.threshold})"
    )
    return {
        "title": f"{asset.name}: {alert.rule.name}"[:200],
        "category": "facility" if asset.kind == "facility" else "information_system",
        "occurred_at": timezone.localtime(alert.started_at).strftime("%Y-%m-%dT%H:%M"),
        "symptoms": symptoms,
        "location": asset.location,
        "severity": REPORT_GRADE.get(alert.severity, ""),
        "affected_systems": f"{asset.code} {asset.name}",
    }
