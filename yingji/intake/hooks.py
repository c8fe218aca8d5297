"""What intake hangs on other apps: "report as emergency" from an incoming alert (the alert
then shows its incident, and the incident page its alerts), and its demo."""

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from yingji.audit.words import register_action_words
from yingji.core.extensions import register_demo, register_panel
from yingji.incidents.sources import register_report_source
from yingji.intake import services
from yingji.intake.demo import load_demo_intake
from yingji.intake.queries import get_incoming_for, report_initial, visible_incoming


def _link_to_incident(user: Any, alert_id: str, incident: Any) -> None:
    try:
        alert = get_incoming_for(user, alert_id)
    except Http404:
        return
    services.alert_link_incident(actor=user, alert=alert, incident=incident)


def _alerts_behind(request: HttpRequest, incident: Any) -> dict[str, Any] | None:
    """The incoming alerts reported as this incident, for those who may read alerts."""
    alerts = list(visible_incoming(request.user).filter(incident=incident).order_by("-pk")[:20])
    return {"incoming_alerts": alerts} if alerts else None


register_report_source("incoming", initial=report_initial, reported=_link_to_incident)
register_panel(
    "incident", "intake.alerts", template="intake/_incident_alerts.html", context=_alerts_behind
)
register_demo("intake", load_demo_intake, order=50)

register_action_words(
    subjects={
        "intake.alert": _("Incoming alert"),
        "intake.inhibit": _("Inhibit rule"),
        "intake.integration": _("Integration"),
        "intake.route": _("Route"),
        "intake.silence": _("Silence"),
    },
    verbs={"reported": _("reported as an incident")},
)
