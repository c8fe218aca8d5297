"""The monitoring pages' forms: shapes only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.monitoring.choices import AssetKind, CheckKind, Operator, Severity
from yingji.monitoring.models import Asset
from yingji.org.models import Department, Person


class AssetForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=AssetKind.choices)
    core = forms.BooleanField(label=_("carries core business"), required=False)
    owner_department = forms.ModelChoiceField(
        label=_("owner department"),
        queryset=Department.objects.filter(active=True),
        required=False,
    )
    responsible = forms.ModelMultipleChoiceField(
        label=_("responsible people"),
        queryset=Person.objects.filter(status="active"),
        required=False,
        help_text=_("They are told of its alerts."),
    )
    location = forms.CharField(label=_("location"), max_length=200, required=False)
    services = forms.CharField(
        label=_("business services carried"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


SNMP_AUTH_CHOICES = [(p, p) for p in ("SHA", "SHA-256", "SHA-512", "MD5")]
SNMP_PRIV_CHOICES = [
    ("AES", "AES-128"),
    ("AES-256", _("AES-256 (Net-SNMP)")),
    ("AES-256-C", _("AES-256 (Cisco)")),
    ("DES", "DES"),
    ("none", _("no privacy")),
]


class CheckForm(forms.Form):
    """A new check, or (with `editing`) a check's settings: its kind stays, and secrets left
    blank keep the saved ones."""

    name = forms.CharField(label=_("name"), max_length=120)
    kind = forms.ChoiceField(label=_("kind"), choices=CheckKind.choices)
    target = forms.CharField(
        label=_("target"),
        max_length=500,
        help_text=_("A URL for HTTP and Prometheus; host:port for TCP and SNMP; a host for ping."),
    )
    interval_seconds = forms.IntegerField(label=_("every (seconds)"), initial=60, min_value=1)
    timeout_seconds = forms.IntegerField(label=_("timeout (seconds)"), initial=10, min_value=1)
    expect_status = forms.IntegerField(label=_("expected HTTP status"), initial=200, required=False)
    body_contains = forms.CharField(label=_("the page contains"), max_length=500, required=False)
    metrics = forms.CharField(
        label=_("metrics to keep (Prometheus), separated by spaces"), required=False
    )
    snmp_version = forms.ChoiceField(
        label=_("SNMP version"), required=False, choices=[("2c", "v2c"), ("3", "v3")]
    )
    community = forms.CharField(
        label=_("SNMP community (v2c)"), max_length=64, required=False, widget=forms.PasswordInput
    )
    user = forms.CharField(label=_("SNMPv3 user"), max_length=32, required=False)
    auth_protocol = forms.ChoiceField(
        label=_("SNMPv3 authentication"), required=False, choices=SNMP_AUTH_CHOICES
    )
    auth_key = forms.CharField(
        label=_("SNMPv3 authentication pass phrase"),
        required=False,
        max_length=64,
        widget=forms.PasswordInput,
    )
    priv_protocol = forms.ChoiceField(
        label=_("SNMPv3 privacy"), required=False, choices=SNMP_PRIV_CHOICES
    )
    priv_key = forms.CharField(
        label=_("SNMPv3 privacy pass phrase"),
        required=False,
        max_length=64,
        widget=forms.PasswordInput,
    )

    # which kinds use a field: yingji.js shows only those of the chosen kind
    KIND_FIELDS = {
        "expect_status": "http",
        "body_contains": "http",
        "metrics": "prometheus",
        **dict.fromkeys(
            (
                "snmp_version",
                "community",
                "user",
                "auth_protocol",
                "auth_key",
                "priv_protocol",
                "priv_key",
            ),
            "snmp",
        ),
    }

    def __init__(self, *args: Any, editing: Any = None, **kwargs: Any) -> None:
        if editing is not None:
            kwargs["initial"] = _check_initial(editing)
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["data-kind"] = ""
        for name, kinds in self.KIND_FIELDS.items():
            self.fields[name].widget.attrs["data-kinds"] = kinds
        self.editing = editing is not None
        if editing is not None:
            self.fields["kind"].disabled = True
            for secret in ("community", "auth_key", "priv_key"):
                self.fields[secret].help_text = _("Leave blank to keep the saved one.")

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        config: dict[str, Any] = {}
        if data["kind"] == CheckKind.HTTP:
            config = {
                "expect_status": data["expect_status"] or 200,
                "body_contains": data["body_contains"],
            }
        elif data["kind"] == CheckKind.PROMETHEUS:
            config = {"metrics": data["metrics"].split()}
        elif data["kind"] == CheckKind.SNMP:
            config = self._snmp_config()
        keep = ("name", "kind", "target", "interval_seconds", "timeout_seconds")
        return {**{k: data[k] for k in keep}, "config": config}

    def _snmp_config(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["snmp_version"] == "3":
            keys = ("user", "auth_protocol", "auth_key", "priv_protocol", "priv_key")
            return {"version": "3", **{k: data[k] for k in keys}}
        # a new check without a community uses the factory default; an edit keeps the saved one
        return {
            "version": "2c",
            "community": data["community"] or ("" if self.editing else "public"),
        }


def _check_initial(check: Any) -> dict[str, Any]:
    """The form's starting values from a saved check, without its secrets."""
    config = check.config
    initial = {
        f: getattr(check, f)
        for f in ("name", "kind", "target", "interval_seconds", "timeout_seconds")
    }
    initial["metrics"] = " ".join(config.get("metrics", []))
    initial["snmp_version"] = config.get("version", "2c")
    for key in ("expect_status", "body_contains", "user", "auth_protocol", "priv_protocol"):
        if key in config:
            initial[key] = config[key]
    return initial


class RuleForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    metric = forms.CharField(
        label=_("metric"),
        max_length=200,
        help_text=_("e.g. cpu_percent, probe_success, snmp_if_up"),
    )
    asset = forms.ModelChoiceField(
        label=_("asset"),
        queryset=Asset.objects.filter(active=True),
        required=False,
        empty_label=_("every asset"),
    )
    operator = forms.ChoiceField(label=_("operator"), choices=Operator.choices)
    threshold = forms.FloatField(label=_("threshold"))
    for_seconds = forms.IntegerField(label=_("sustained for (seconds)"), initial=300, min_value=0)
    recover_threshold = forms.FloatField(label=_("recovery threshold"), required=False)
    recover_seconds = forms.IntegerField(
        label=_("recovery observed for (seconds)"), initial=60, min_value=0
    )
    no_data_seconds = forms.IntegerField(
        label=_("no data for (seconds)"), required=False, min_value=1
    )
    m = forms.IntegerField(
        label=_("or: M breaching samples"),
        required=False,
        min_value=1,
        help_text=_("M of N mode, instead of a sustained duration."),
    )
    n = forms.IntegerField(label=_("of the last N samples"), required=False, min_value=1)
    active_from = forms.TimeField(
        label=_("active from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    active_until = forms.TimeField(
        label=_("active until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices)
    repeat_minutes = forms.IntegerField(label=_("repeat every (minutes)"), initial=30, min_value=0)
    max_sends = forms.IntegerField(label=_("at most (notices)"), initial=3, min_value=1)


LOCAL_TIME = forms.DateTimeInput(attrs={"type": "datetime-local"})


class SilenceForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("from"), widget=LOCAL_TIME)
    ends_at = forms.DateTimeField(label=_("until"), widget=LOCAL_TIME)
    reason = forms.CharField(label=_("reason"), max_length=300)
