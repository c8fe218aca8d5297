"""What intake hangs on other apps: "report as emergency" from an incoming alert (the alert
then shows its incident), and its demo."""

from typing import Any

from django.http import Http404

from yingji.core.extensions import register_demo
from yingji.incidents.sources import register_report_source
from yingji.intake import services
from yingji.intake.demo import load_demo_intake
from yingji.intake.queries import get_incoming_for, report_initial


def _link_to_incident(user: Any, alert_id: str, incident: Any) -> None:
    try:
        alert = get_incoming_for(user, alert_id)
    except Http404:
        return
    services.alert_link_incident(actor=user, alert=alert, incident=incident)


register_report_source("incoming", initial=report_initial, reported=_link_to_incident)
register_demo("intake", load_demo_intake, order=50)
