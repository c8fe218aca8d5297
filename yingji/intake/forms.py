"""The intake pages' forms: shapes only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.intake.choices import IntegrationKind
from yingji.intake.models import Integration
from yingji.oncall.choices import Urgency
from yingji.oncall.models import EscalationPolicy
from yingji.org.grades import Grade
from yingji.org.models import Person


class OptionalJSONField(forms.JSONField):
    def prepare_value(self, value: Any) -> Any:
        return "" if value in (None, {}) else super().prepare_value(value)  # not "null"


class IntegrationForm(forms.Form):
    name = forms.CharField(
        label=_("name"), max_length=120, help_text=_("e.g. 生产 Prometheus, Zabbix 6 机房")
    )
    kind = forms.ChoiceField(label=_("kind"), choices=IntegrationKind.choices)
    escalation_policy = forms.ModelChoiceField(
        label=_("escalation policy"),
        queryset=EscalationPolicy.objects.all(),
        required=False,
        help_text=_("Pages the people on duty step by step until someone acknowledges."),
    )
    mapping = OptionalJSONField(
        label=_("mapping (generic JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'Generic JSON only, e.g. {"alerts": "events", "key": "id", "summary": '
            '"title", "severity": "level", "status": "state"}.'
        ),
    )
    heartbeat_seconds = forms.IntegerField(
        label=_("a ping at least every (seconds)"),
        required=False,
        min_value=60,
        help_text=_("Heartbeats only: e.g. 3900 for an hourly job with five minutes' grace."),
    )
    responsible = forms.ModelMultipleChoiceField(
        label=_("told of its alerts"),
        queryset=Person.objects.filter(status="active"),
        required=False,
        help_text=_("Nobody chosen: the emergency office."),
    )
    group_by = forms.CharField(
        label=_("group by labels"),
        required=False,
        max_length=1100,
        help_text=_(
            "e.g. alertname, dc. Alerts with equal values of these labels form one "
            "group; none given: the whole integration is one group."
        ),
    )
    group_window_minutes = forms.IntegerField(
        label=_("group window (minutes)"),
        initial=5,
        min_value=0,
        max_value=1440,
        required=False,
        help_text=_(
            "New alerts of a group join it for this long after its first was told: "
            "one page, one escalation. 0: every alert pages on its own."
        ),
    )

    # which kinds use a field: yingji.js shows only those of the chosen kind
    KIND_FIELDS = {
        "mapping": IntegrationKind.GENERIC,
        "heartbeat_seconds": IntegrationKind.HEARTBEAT,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["data-kind"] = ""
        for name, kind in self.KIND_FIELDS.items():
            self.fields[name].widget.attrs["data-kinds"] = kind

    def clean_group_window_minutes(self) -> int:
        minutes = self.cleaned_data.get("group_window_minutes")
        return 5 if minutes is None else minutes  # left empty: the safe default

    def clean_group_by(self) -> list[str]:
        raw = self.cleaned_data.get("group_by") or ""
        return [name.strip() for name in raw.replace(",", " ").split() if name.strip()]


class IntegrationChangeForm(IntegrationForm):
    """The settings of an existing integration: its kind and key stay."""

    active = forms.BooleanField(
        label=_("active"), required=False, help_text=_("Inactive: its key is refused.")
    )

    def __init__(self, *args: Any, integration: Integration, **kwargs: Any) -> None:
        initial = {
            "name": integration.name,
            "escalation_policy": integration.escalation_policy_id,
            "mapping": integration.mapping or None,
            "active": integration.active,
            "heartbeat_seconds": integration.heartbeat_seconds,
            "responsible": list(integration.responsible.values_list("pk", flat=True)),
            "group_by": ", ".join(integration.group_by),
            "group_window_minutes": integration.group_window_minutes,
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        if integration.kind != IntegrationKind.GENERIC:
            del self.fields["mapping"]
        if integration.kind != IntegrationKind.HEARTBEAT:
            del self.fields["heartbeat_seconds"]


MATCHERS_HELP = _(
    "One per line, as in Alertmanager: severity=critical, instance!=db-01, "
    'job=~"node|mysql". All must hold.'
)


class MatchersField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]


class RouteForm(forms.Form):
    integration = forms.ModelChoiceField(
        label=_("integration"),
        required=False,
        queryset=Integration.objects.all(),
        empty_label=_("every integration"),
    )
    matchers = MatchersField(label=_("label matchers"), help_text=MATCHERS_HELP)
    escalation_policy = forms.ModelChoiceField(
        label=_("escalation policy"), required=False, queryset=EscalationPolicy.objects.all()
    )
    urgency = forms.ChoiceField(
        label=_("severity"), required=False, choices=[("", _("as sent")), *Urgency.choices]
    )
    grade = forms.ChoiceField(
        label=_("grade if reported"),
        required=False,
        choices=[("", _("from the severity")), *Grade.choices],
    )
    position = forms.IntegerField(label=_("order"), initial=1, min_value=0, max_value=1000)


class SilenceForm(forms.Form):
    integration = forms.ModelChoiceField(
        label=_("integration"),
        required=False,
        queryset=Integration.objects.all(),
        empty_label=_("every integration"),
    )
    matchers = MatchersField(label=_("label matchers"), help_text=MATCHERS_HELP)
    ends_at = forms.DateTimeField(
        label=_("until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("reason"), max_length=300)


class InhibitRuleForm(forms.Form):
    source = MatchersField(label=_("muting alert's matchers"), help_text=MATCHERS_HELP)
    target = MatchersField(label=_("muted alerts' matchers"), help_text=MATCHERS_HELP)
    equal = forms.CharField(
        label=_("labels that must be equal"),
        required=False,
        max_length=1100,
        help_text=_("e.g. dc, cluster: only alerts of the same data centre and cluster are muted."),
    )
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)

    def clean_equal(self) -> list[str]:
        raw = self.cleaned_data.get("equal") or ""
        return [name.strip() for name in raw.replace(",", " ").split() if name.strip()]
