"""The intake pages' forms: shapes only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.intake.choices import IntegrationKind, Urgency
from yingji.intake.models import Integration
from yingji.oncall.models import EscalationPolicy
from yingji.org.models import Person


class IntegrationForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120,
                           help_text=_("e.g. 生产 Prometheus, Zabbix 6 机房"))  # fmt: skip
    kind = forms.ChoiceField(label=_("kind"), choices=IntegrationKind.choices)
    escalation_policy = forms.ModelChoiceField(
        label=_("escalation policy"), queryset=EscalationPolicy.objects.all(), required=False,
        help_text=_("Pages the people on duty step by step until someone acknowledges."),
    )  # fmt: skip
    mapping = forms.JSONField(
        label=_("mapping (generic JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('Generic JSON only, e.g. {"alerts": "events", "key": "id", "summary": '
                    '"title", "severity": "level", "status": "state"}.'),
    )  # fmt: skip
    heartbeat_seconds = forms.IntegerField(
        label=_("a ping at least every (seconds)"), required=False, min_value=60,
        help_text=_("Heartbeats only: e.g. 3900 for an hourly job with five minutes' grace."),
    )  # fmt: skip
    responsible = forms.ModelMultipleChoiceField(
        label=_("told of its alerts"), queryset=Person.objects.filter(status="active"),
        required=False, help_text=_("Nobody chosen: the emergency office."),
    )  # fmt: skip


MATCHERS_HELP = _('One per line, as in Alertmanager: severity=critical, instance!=db-01, '
                  'job=~"node|mysql". All must hold.')  # fmt: skip


class MatchersField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]


class RouteForm(forms.Form):
    integration = forms.ModelChoiceField(label=_("integration"), required=False,
                                         queryset=Integration.objects.all(),
                                         empty_label=_("every integration"))  # fmt: skip
    matchers = MatchersField(label=_("label matchers"), help_text=MATCHERS_HELP)
    escalation_policy = forms.ModelChoiceField(label=_("escalation policy"), required=False,
                                               queryset=EscalationPolicy.objects.all())  # fmt: skip
    urgency = forms.ChoiceField(label=_("severity"), required=False,
                                choices=[("", _("as sent")), *Urgency.choices])  # fmt: skip
    position = forms.IntegerField(label=_("order"), initial=1, min_value=0, max_value=1000)


class SilenceForm(forms.Form):
    integration = forms.ModelChoiceField(label=_("integration"), required=False,
                                         queryset=Integration.objects.all(),
                                         empty_label=_("every integration"))  # fmt: skip
    matchers = MatchersField(label=_("label matchers"), help_text=MATCHERS_HELP)
    ends_at = forms.DateTimeField(
        label=_("until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("reason"), max_length=300)
