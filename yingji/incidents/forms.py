from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.incidents.choices import TASK_OUTCOMES, Decision, TaskStatus
from yingji.org.choices import PersonStatus, Scenario
from yingji.org.criteria import Fact, Operator
from yingji.org.grades import Grade, ResponseLevel
from yingji.org.models import Person

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def when(label: Any, *, required: bool = True) -> forms.DateTimeField:
    """A date and time typed on a phone or a desktop (the browser's own picker)."""
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )


def text(label: Any, *, required: bool = True, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files from one input (Django's documented pattern); the service checks them."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf,text/plain"})
        )
        super().__init__(required=False, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[tuple[str, bytes]]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [(f.name, f.read()) for f in files]


class ReportForm(forms.Form):
    """R-RESP-3: what a report says, on a phone in a hurry: the first four are required."""

    title = forms.CharField(label=_("What is wrong"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=Scenario.choices)
    occurred_at = when(_("When did it begin"))
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
    attachments = FilesField(
        label=_("screenshots or files"),
        help_text=_("Pictures, PDF or text, up to 10 files."),
    )
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


class DecisionForm(forms.Form):
    """R-ACT-1: the emergency meeting and its decision."""

    meeting_at = when(_("meeting time"))
    place = forms.CharField(label=_("place or conference link"), max_length=300, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("attendees"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes = text(_("minutes"), required=False)
    decision = forms.ChoiceField(label=_("decision"), choices=Decision.choices)
    plan_versions = forms.TypedMultipleChoiceField(
        label=_("approved plans to activate"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    plans = forms.CharField(
        label=_("other plans (by name)"),
        max_length=500,
        required=False,
        help_text=_("For a plan not yet kept in Yingji."),
    )
    response_level = forms.ChoiceField(
        label=_("response level"), required=False, choices=[("", "—"), *ResponseLevel.choices]
    )
    grade = forms.ChoiceField(
        label=_("grade"), required=False, choices=[("", _("unchanged")), *Grade.choices]
    )
    criteria_met = forms.MultipleChoiceField(
        label=_("criteria met"), required=False, widget=forms.CheckboxSelectMultiple
    )
    assemble_at = when(_("assemble at"), required=False)
    assemble_place = forms.CharField(label=_("assembly place"), max_length=300, required=False)
    all_staff = forms.BooleanField(label=_("Send the all-staff notice"), required=False)
    summary = text(_("event summary for all staff"), required=False, rows=2)
    precautions = text(_("precautions for all staff"), required=False, rows=2)

    def __init__(  # type: ignore[no-untyped-def]
        self, *args, people: Any = (), criteria: Any = (), plans: Any = (), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["plan_versions"].choices = [  # type: ignore[attr-defined]
            (v.pk, f"{v.plan.code} {v.plan.title} v{v.number}") for v in plans
        ]
        self.fields["attendees"].queryset = people  # type: ignore[attr-defined]
        self.fields["criteria_met"].choices = [(c, c) for c in criteria]  # type: ignore[attr-defined]
        self.fields["meeting_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class FactsForm(forms.Form):
    """The facts the grading rules read; empty means not known yet."""

    affected_users = forms.IntegerField(
        label=Fact.AFFECTED_USERS.label, min_value=0, required=False
    )
    interruption_minutes = forms.IntegerField(
        label=Fact.INTERRUPTION_MINUTES.label, min_value=0, required=False
    )
    affected_regions = forms.IntegerField(
        label=Fact.AFFECTED_REGIONS.label, min_value=0, required=False
    )
    records_leaked = forms.IntegerField(
        label=Fact.RECORDS_LEAKED.label, min_value=0, required=False
    )
    loss_yuan = forms.IntegerField(label=Fact.LOSS_YUAN.label, min_value=0, required=False)


class RegradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("grade"), choices=Grade.choices)
    reason = forms.CharField(label=_("reason"), max_length=500)


class HandlingPlanForm(forms.Form):
    analysis = text(_("analysis"), rows=4)
    plan = text(_("handling plan"), rows=6)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("task"), max_length=200)
    assignee = forms.ModelChoiceField(
        label=_("assignee"), queryset=Person.objects.none(), required=False
    )
    due_at = when(_("due"), required=False)
    checklist = text(_("checklist, one item per line"), required=False, rows=3)
    details = text(_("details"), required=False, rows=2)

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["assignee"].queryset = people  # type: ignore[attr-defined]

    def clean_checklist(self) -> list[str]:
        return [line for line in self.cleaned_data["checklist"].splitlines() if line.strip()]


class TaskUpdateForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    status = forms.ChoiceField(label=_("status"), choices=TaskStatus.choices)
    checked = forms.TypedMultipleChoiceField(
        label=_("checklist"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, task: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["checked"].choices = [  # type: ignore[attr-defined]
            (i, item["text"]) for i, item in enumerate(task.checklist)
        ]


class ProgressForm(forms.Form):
    """R-HANDLE-2: the same four things every time."""

    done = text(_("done so far"), rows=2)
    current = text(_("current state"), required=False, rows=2)
    next_step = text(_("next step"), required=False, rows=2)
    eta = when(_("expected recovery"), required=False)


class SupportForm(forms.Form):
    text = forms.CharField(label=_("What help is needed"), max_length=2000)


class ParticipantForm(forms.Form):
    """Someone joins mid-flight: found by employee number, mobile or user name."""

    who = forms.CharField(label=_("employee number, mobile or user name"), max_length=100)
    role = forms.CharField(label=_("role"), max_length=32, required=False)

    def clean_who(self) -> Person:
        key = self.cleaned_data["who"].strip()
        person = (
            Person.objects.filter(status=PersonStatus.ACTIVE)
            .filter(models.Q(employee_no=key) | models.Q(mobile=key) | models.Q(user__username=key))
            .first()
        )
        if person is None:
            raise forms.ValidationError(_("Nobody active has this number or name."))
        return person


class EvaluationForm(forms.Form):
    """R-END-1: the recovery evaluation, and what becomes of each task still open."""

    performance_normal = forms.BooleanField(
        label=_("system performance back to normal"), required=False
    )
    business_stable = forms.BooleanField(label=_("business running stably"), required=False)
    residual_risks = text(_("residual risks"), required=False, rows=2)
    trial_run_until = when(_("trial run until (optional)"), required=False)

    def __init__(self, *args: Any, tasks: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_tasks = list(tasks)
        outcomes = [("", _("Choose…"))] + [(s, TaskStatus(s).label) for s in TASK_OUTCOMES]
        for task in self.open_tasks:
            self.fields[f"task_{task.pk}"] = forms.ChoiceField(
                label=_("Open task: %(task)s") % {"task": task.title},
                choices=outcomes,
                required=False,
            )
            self.fields[f"reason_{task.pk}"] = forms.CharField(
                label=_("why cancelled or carried over"), max_length=500, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcomes = {}
        for task in self.open_tasks:
            outcome = data.pop(f"task_{task.pk}", "")
            reason = data.pop(f"reason_{task.pk}", "")
            if outcome:  # the service names every task left undecided
                outcomes[task.pk] = (outcome, reason)
        data["task_outcomes"] = outcomes
        return data


class EndForm(forms.Form):
    note = text(_("Note"), required=False, rows=2)
    all_staff = forms.BooleanField(
        label=_("Send the all-staff end notice"), required=False, initial=True
    )
    summary = text(_("summary for all staff"), required=False, rows=2)


class ResumeForm(forms.Form):
    reason = forms.CharField(label=_("What must still be done"), max_length=2000)


class NoticeTemplateForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    body = text(_("text"), rows=8)


class GradingRuleForm(forms.Form):
    """One row of the grading table; up to three conditions that must all hold."""

    grade = forms.ChoiceField(label=_("grade"), choices=Grade.choices)
    fact1 = forms.ChoiceField(label=_("fact"), choices=Fact.choices)
    op1 = forms.ChoiceField(label=_("operator"), choices=Operator.choices)
    value1 = forms.IntegerField(label=_("threshold"), min_value=0)
    fact2 = forms.ChoiceField(
        label=_("and fact"), choices=[("", "—"), *Fact.choices], required=False
    )
    op2 = forms.ChoiceField(label=_("operator"), choices=Operator.choices, required=False)
    value2 = forms.IntegerField(label=_("threshold"), min_value=0, required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def conditions(self) -> list[list[Any]]:
        data = self.cleaned_data
        rows = [[data["fact1"], data["op1"], data["value1"]]]
        if data.get("fact2"):
            rows.append([data["fact2"], data["op2"] or ">=", data["value2"]])
        return rows


class AttachmentForm(forms.Form):
    attachments = FilesField(label=_("screenshots or files"))
