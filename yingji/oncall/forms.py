"""The roster pages' forms: shapes only; the services check the rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.notify.models import Channel
from yingji.oncall.choices import DayFilter, Rotation, StepTarget, Urgency
from yingji.oncall.models import DUTY_GROUPS, HolidayCalendar, Roster
from yingji.org.models import Person


class RosterForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120, help_text=_("e.g. 运维值班"))
    time_zone = forms.CharField(label=_("time zone"), initial="Asia/Shanghai", max_length=64)
    calendar = forms.ModelChoiceField(
        label=_("holiday calendar"), required=False, queryset=HolidayCalendar.objects.all()
    )
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    duty_for = forms.ChoiceField(
        label=_("duty roster of"),
        required=False,
        choices=[("", _("no group: an on-call roster")), *DUTY_GROUPS],
        help_text=_("Its person on duty is paged when a report is escalated as an emergency."),
    )


class LayerForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120, help_text=_("e.g. 工作日白班"))
    rotation = forms.ChoiceField(label=_("rotation"), choices=Rotation.choices)
    handoff = forms.TimeField(
        label=_("handoff time"), initial="09:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    start_date = forms.DateField(
        label=_("first shift on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    days = forms.ChoiceField(label=_("applies on"), choices=DayFilter.choices)
    priority = forms.IntegerField(
        label=_("priority"),
        initial=1,
        min_value=0,
        max_value=100,
        help_text=_("Where rotations overlap, the higher wins."),
    )
    members = forms.CharField(
        label=_("participants in order"),
        help_text=_("User names or employee numbers, in duty order, separated by spaces."),
    )

    def clean_members(self) -> list[Person]:
        people = []
        for word in self.cleaned_data["members"].replace(",", " ").split():
            person = (
                Person.objects.filter(user__username=word).first()
                or Person.objects.filter(employee_no=word).first()
            )
            if person is None:
                raise forms.ValidationError(_("Nobody is called %(who)s.") % {"who": word})
            people.append(person)
        return people


LOCAL_TIME = forms.DateTimeInput(attrs={"type": "datetime-local"})


class OverrideForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("on duty instead"), queryset=Person.objects.filter(status="active")
    )
    starts_at = forms.DateTimeField(label=_("from"), widget=LOCAL_TIME)
    ends_at = forms.DateTimeField(label=_("until"), widget=LOCAL_TIME)
    reason = forms.CharField(label=_("reason"), max_length=300)


class SwapForm(forms.Form):
    """Two of the coming shifts, by their start; the service finds who is on each."""

    first = forms.ChoiceField(label=_("this shift"))
    second = forms.ChoiceField(label=_("swaps with"))
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args: Any, shifts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first", "second"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = shifts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("first", "second"):
            if name in data:
                data[name] = datetime.fromisoformat(data[name])
        return data


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120, help_text=_("e.g. 先值班后主管"))
    repeat = forms.IntegerField(
        label=_("repeat the steps"),
        initial=0,
        min_value=0,
        max_value=9,
        help_text=_("How many more rounds when nobody acknowledges."),
    )


class StepForm(forms.Form):
    """One step; a row left without a target is skipped."""

    target = forms.ChoiceField(
        label=_("notify"), required=False, choices=[("", "—"), *StepTarget.choices]
    )
    roster = forms.ModelChoiceField(
        label=_("roster"), required=False, queryset=Roster.objects.all()
    )
    person = forms.ModelChoiceField(
        label=_("person"), required=False, queryset=Person.objects.filter(status="active")
    )
    channel = forms.ModelChoiceField(
        label=_("group channel"), required=False, queryset=Channel.objects.filter(enabled=True)
    )
    delay_minutes = forms.IntegerField(
        label=_("minutes after the previous step"), initial=0, min_value=0, max_value=1440
    )


StepFormSet = forms.formset_factory(StepForm, extra=4, max_num=10)


class ContactRulesForm(forms.Form):
    """For each severity, the personal channels that page me at once (none ticked: all of
    them), and those that page me next if the alert is still unacknowledged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        personal = Channel.objects.filter(enabled=True, personal=True).order_by("position")
        for value, label in Urgency.choices:
            self.fields[value] = forms.ModelMultipleChoiceField(
                label=label,
                queryset=personal,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"{value}_then"] = forms.ModelMultipleChoiceField(
                label=_("%(severity)s: then, if still unacknowledged") % {"severity": label},
                queryset=personal,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"{value}_after"] = forms.IntegerField(
                label=_("%(severity)s: after (minutes)") % {"severity": label},
                required=False,
                min_value=1,
                max_value=60,
            )

    def rows(self) -> list[tuple[Any, Any, Any, Any]]:
        """Per severity: its name and the three fields, for the page's table."""
        return [
            (label, self[u], self[f"{u}_then"], self[f"{u}_after"]) for u, label in Urgency.choices
        ]

    @staticmethod
    def initial_of(person: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for rule in person.contact_rules.prefetch_related("channels", "then_channels"):
            initial[rule.urgency] = list(rule.channels.all())
            initial[f"{rule.urgency}_then"] = list(rule.then_channels.all())
            initial[f"{rule.urgency}_after"] = rule.then_minutes or None
        return initial

    @staticmethod
    def rules(data: dict[str, Any]) -> dict[str, Any]:
        """The service's arguments: `rules` and `then` per severity."""
        return {
            "rules": {u: data.get(u) or [] for u in Urgency.values},
            "then": {
                u: (data.get(f"{u}_then") or [], data.get(f"{u}_after") or 0)
                for u in Urgency.values
            },
        }
