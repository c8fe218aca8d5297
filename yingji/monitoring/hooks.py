"""What monitoring adds to the front door: one menu entry for monitoring, intake and on-call
(the three are one place for their users), and its demo."""

from django.utils.translation import gettext_lazy as _

from yingji.audit.words import register_action_words
from yingji.core.extensions import NavSection, register_demo, register_nav
from yingji.incidents.sources import register_report_source
from yingji.monitoring.demo import load_demo_monitoring
from yingji.monitoring.queries import report_initial

register_nav(
    NavSection(
        key="monitoring",
        label=_("Monitoring"),
        url_name="monitoring:assets",
        order=30,
        url_namespaces=("monitoring", "intake", "oncall"),
    )
)
register_demo("monitoring", load_demo_monitoring, order=40)
register_report_source("alert", initial=report_initial)  # "report as emergency" from an alert

register_action_words(
    subjects={
        "monitoring.alert": _("Alert"),
        "monitoring.asset": _("Asset"),
        "monitoring.check": _("Check"),
        "monitoring.rule": _("Threshold rule"),
        "monitoring.silence": _("Maintenance window"),
    },
    verbs={"agent_token": _("agent token issued")},
)
