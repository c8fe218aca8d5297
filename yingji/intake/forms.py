"""The intake pages' forms: shapes only; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.intake.choices import IntegrationKind
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
    heartbeat_seconds = forms.IntegerField(
        label=_("a ping at least every (seconds)"), required=False, min_value=60,
        help_text=_("Heartbeats only: e.g. 3900 for an hourly job with five minutes' grace."),
    )  # fmt: skip
    responsible = forms.ModelMultipleChoiceField(
        label=_("told of its alerts"), queryset=Person.objects.filter(status="active"),
        required=False, help_text=_("Nobody chosen: the emergency office."),
    )  # fmt: skip
