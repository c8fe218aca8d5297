"""Forms in front of the after-phase's services: the form checks the shape, the service the
rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.incidents.forms import FilesField, text, when
from yingji.monitoring.models import Rule
from yingji.org.choices import DepartmentKind, PersonStatus
from yingji.org.models import Department, Person
from yingji.plans.models import Plan
from yingji.recovery.choices import REVIEW_QUESTIONS, Change, RebuildKind, Source, StepStatus
from yingji.recovery.models import RecoverySettings
from yingji.reserves.models import ReserveClass
from yingji.risks.models import Risk

STEP_ROWS = 8  # blank rows offered under the plan's steps


def active_people() -> Any:
    return Person.objects.filter(status=PersonStatus.ACTIVE).order_by("full_name")


def person_field(label: Any, *, required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=label, queryset=active_people(), required=required)


class GoalsForm(forms.Form):
    goals = text(_("goals"), rows=3)
    impact = text(_("impact on the business"), rows=3, required=False)


class StepsForm(forms.Form):
    """Rows `description-N`, `due_at-N`, `owner-N`: a blank row is dropped, a half-filled one
    is the service's to refuse with its number."""

    def __init__(self, *args: Any, rows: int = STEP_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, rows + 1):
            self.fields[f"description-{n}"] = forms.CharField(
                label=_("step"), max_length=500, required=False
            )
            self.fields[f"due_at-{n}"] = when(_("time point"), required=False)
            self.fields[f"owner-{n}"] = person_field(_("owner"), required=False)
        self.rows = rows

    def steps(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        steps = []
        for n in range(1, self.rows + 1):
            row = {
                "description": data.get(f"description-{n}", ""),
                "due_at": data.get(f"due_at-{n}"),
                "owner": data.get(f"owner-{n}"),
            }
            if row["description"] or row["due_at"] or row["owner"]:
                steps.append(row)
        return steps


class StepUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=StepStatus.choices)
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = text(_("reason"), rows=2)


class PlanAddForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("department"),
        queryset=Department.objects.filter(kind=DepartmentKind.BUSINESS).order_by("code"),
    )


class RebuildForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=RebuildKind.choices)
    target = forms.CharField(label=_("system or asset"), max_length=200)
    description = text(_("work"), rows=2)
    owner = person_field(_("owner"))
    due_at = when(_("due"))
    verification = forms.CharField(label=_("how it is verified"), max_length=500)


class RebuildFinishForm(forms.Form):
    status = forms.ChoiceField(
        label=_("outcome"),
        choices=[("done", _("Done, verified as planned")), ("cancelled", _("Cancelled"))],
    )
    result = text(_("result"), rows=2)


class ScheduleForm(forms.Form):
    scheduled_at = when(_("meeting time"))
    place = forms.CharField(label=_("place or conference link"), max_length=300, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("invite"), queryset=active_people(), required=False
    )


class ReviewRecordForm(forms.Form):
    """The meeting, its answers to the review's questions, and up to three measures."""

    held_at = when(_("held"))
    attendees = forms.ModelMultipleChoiceField(label=_("attendees"), queryset=active_people())
    minutes = text(_("minutes"), rows=5)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in REVIEW_QUESTIONS:
            self.fields[f"q_{key}"] = forms.TypedChoiceField(
                label=label,
                choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda v: v == "yes",
                empty_value=None,
                required=False,
            )
        for n in (1, 2, 3):
            self.fields[f"m{n}_title"] = forms.CharField(
                label=_("improvement measure"), max_length=300, required=False
            )
            self.fields[f"m{n}_change"] = forms.ChoiceField(
                label=_("what it changes"), choices=Change.choices, required=False
            )
            self.fields[f"m{n}_owner"] = person_field(_("owner"), required=False)
            self.fields[f"m{n}_due"] = forms.DateField(
                label=_("due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            )

    def answers(self) -> dict[str, Any]:
        return {key: self.cleaned_data.get(f"q_{key}") for key, _label in REVIEW_QUESTIONS}

    def measures(self) -> list[dict[str, Any]]:
        rows = []
        for n in (1, 2, 3):
            title = self.cleaned_data.get(f"m{n}_title", "")
            if title:
                rows.append(
                    {
                        "title": title,
                        "change": self.cleaned_data.get(f"m{n}_change") or "",
                        "owner": self.cleaned_data.get(f"m{n}_owner"),
                        "due": self.cleaned_data.get(f"m{n}_due"),
                    }
                )
        return rows


class SectionForm(forms.Form):
    text = forms.CharField(
        label=_("text"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ImpactForm(forms.Form):
    customers_affected = forms.IntegerField(
        label=_("customers affected"), min_value=0, required=False
    )
    failed_transactions = forms.IntegerField(
        label=_("failed transactions"), min_value=0, required=False
    )
    records_affected = forms.IntegerField(
        label=_("data records affected"), min_value=0, required=False
    )
    calls_received = forms.IntegerField(label=_("calls received"), min_value=0, required=False)
    regulator_reports = forms.IntegerField(
        label=_("reports made to regulators"), min_value=0, required=False
    )
    interruptions = forms.CharField(
        label=_("interruption per business: one a line, business = minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_interruptions(self) -> list[dict[str, Any]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["interruptions"].splitlines(), start=1):
            if not line.strip():
                continue
            business, sep, minutes = line.rpartition("=")
            if not sep or not minutes.strip().isdigit():
                raise forms.ValidationError(
                    _("Line %(n)d: write it as business = minutes."), params={"n": number}
                )
            rows.append({"business": business.strip(), "minutes": int(minutes.strip())})
        return rows


class CommentForm(forms.Form):
    comment = text(_("comment"), rows=2)


class MeasureForm(forms.Form):
    title = forms.CharField(label=_("measure"), max_length=300)
    details = text(_("details"), rows=3, required=False)
    source = forms.ChoiceField(label=_("source"), choices=Source.choices)
    source_ref = forms.CharField(label=_("source reference"), max_length=200, required=False)
    change = forms.ChoiceField(label=_("what it changes"), choices=Change.choices)
    owner = person_field(_("owner"))
    due = forms.DateField(label=_("due"), widget=forms.DateInput(attrs={"type": "date"}))
    plan: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("contingency plan"), queryset=Plan.objects.none(), required=False
    )
    risk: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("risk"), queryset=Risk.objects.none(), required=False
    )
    reserve_class: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("class of spares"), queryset=ReserveClass.objects.none(), required=False
    )
    rule: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("monitoring rule"), queryset=Rule.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from yingji.monitoring.queries import visible_rules
        from yingji.plans.queries import visible_plans
        from yingji.reserves.queries import visible_classes
        from yingji.risks.queries import visible_risks

        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["plan"].queryset = visible_plans(user).order_by("code")
        fields["risk"].queryset = visible_risks(user).order_by("-pk")
        fields["reserve_class"].queryset = visible_classes(user).order_by("code")
        fields["rule"].queryset = visible_rules(user).order_by("name")


class DoneForm(forms.Form):
    note = text(_("what was done"), rows=3)


class VerifyForm(forms.Form):
    evidence_note = text(_("how it was verified"), rows=3)
    evidence_link = forms.CharField(label=_("evidence link"), max_length=500, required=False)
    attachments = FilesField(label=_("evidence files"))


class EvidenceForm(forms.Form):
    attachments = FilesField(label=_("evidence files"))


class SettingsForm(forms.ModelForm):
    class Meta:
        model = RecoverySettings
        fields = [
            "plan_days",
            "rebuild_days",
            "summary_days",
            "review_days",
            "regulator_days",
            "remind_days",
            "calendar",
            "exercises",
        ]
