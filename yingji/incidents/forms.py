from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.incidents.choices import Grade, Status
from yingji.org.choices import Scenario


class ReportForm(forms.Form):
    """R-RESP-3: what a report says, on a phone in a hurry: the first four are required."""

    title = forms.CharField(label=_("What is wrong"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=Scenario.choices)
    occurred_at = forms.DateTimeField(
        label=_("When did it begin"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    symptoms = forms.CharField(
        label=_("symptoms"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you see: error messages, who cannot do what, since when."),
    )
    location = forms.CharField(label=_("location"), max_length=200, required=False)
    scope = forms.CharField(
        label=_("preliminary scope of impact"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Some users or all? Which network area or branch?"),
    )
    severity = forms.ChoiceField(
        label=_("preliminary severity"),
        required=False,
        choices=[("", _("I cannot tell")), *Grade.choices],
    )
    affected_systems = forms.CharField(label=_("affected systems"), required=False)
    contact = forms.CharField(label=_("contact"), max_length=100, required=False)
    exercise = forms.BooleanField(label=_("This is an exercise (drill)"), required=False)
    confidential = forms.BooleanField(
        label=_("confidential"),
        required=False,
        help_text=_("E.g. a security breach: only the people handling it will see it."),
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["occurred_at"].initial = now


class JudgementForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ListFilterForm(forms.Form):
    """Filters of the incident list; an unknown value is ignored rather than an error."""

    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All")), *Status.choices]
    )
    category = forms.ChoiceField(
        label=_("category"), required=False, choices=[("", _("All")), *Scenario.choices]
    )
    exercise = forms.ChoiceField(
        label=_("exercise (drill)"),
        required=False,
        choices=[("", _("All")), ("no", _("Real incidents")), ("yes", _("Exercises"))],
    )

    def apply(self, incidents: Any) -> Any:
        if not self.is_valid():
            return incidents
        data = self.cleaned_data
        if data["status"]:
            incidents = incidents.filter(status=data["status"])
        if data["category"]:
            incidents = incidents.filter(category=data["category"])
        if data["exercise"]:
            incidents = incidents.filter(exercise=data["exercise"] == "yes")
        return incidents
