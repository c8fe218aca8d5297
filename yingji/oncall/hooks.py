"""On-call's demo: the operations roster and its escalation policy."""

from django.utils.translation import gettext_lazy as _

from yingji.audit.words import register_action_words
from yingji.core.extensions import register_demo
from yingji.incidents.escalated import register_on_escalated
from yingji.oncall.demo import load_demo_oncall
from yingji.oncall.duty import page_duty_people

register_demo("oncall", load_demo_oncall, order=45)

register_action_words(
    subjects={
        "oncall": _("On-call"),
        "oncall.calendar": _("Holiday calendar"),
        "oncall.layer": _("Rotation"),
        "oncall.override": _("Override"),
        "oncall.policy": _("Escalation policy"),
        "oncall.roster": _("Duty roster"),
    },
    verbs={"contact_rules": _("contact rules set"), "days": _("days imported")},
)
register_on_escalated(page_duty_people)  # 值班领导: paged when a report becomes an emergency
