"""The plan pages' forms: they shape the input; services.py checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.org.choices import GroupKind, Scenario
from yingji.org.criteria import MAX_CONDITIONS, Fact, Operator
from yingji.org.models import Department
from yingji.plans.choices import Section, Tier
from yingji.plans.models import PlanVersion
from yingji.plans.services import MAX_STEPS, TEXT_FIELDS

TEXTAREA = forms.Textarea(attrs={"rows": 4})


class PlanForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=32, help_text=_("e.g. YJ-IS-01"))
    title = forms.CharField(label=pgettext_lazy("plan", "title"), max_length=200)
    tier = forms.ChoiceField(label=_("tier"), choices=Tier.choices)
    category = forms.ChoiceField(
        label=_("category"),
        choices=[("", _("all categories"))] + list(Scenario.choices),
        required=False,
        help_text=_("A special plan or procedure covers one category."),
    )
    owner_department = forms.ModelChoiceField(
        label=_("owner department"), queryset=Department.objects.filter(active=True)
    )
    review_months = forms.IntegerField(
        label=_("review every (months)"), initial=12, min_value=1, max_value=12
    )


class VersionForm(forms.Form):
    """The version's text, each group's duties and up to five activation criteria."""

    scope = forms.CharField(label=_("scope"), widget=TEXTAREA, required=False)
    criteria_text = forms.CharField(
        label=_("activation criteria (text)"), widget=TEXTAREA, required=False
    )
    data_recovery = forms.CharField(
        label=_("data-recovery procedure"), widget=TEXTAREA, required=False
    )
    business_measures = forms.CharField(
        label=_("temporary business-handling measures"),
        widget=TEXTAREA,
        required=False,
        help_text=_("How each business department works while the systems are down."),
    )
    resources = forms.CharField(label=_("required resources"), widget=TEXTAREA, required=False)
    contacts = forms.CharField(label=_("contacts"), widget=TEXTAREA, required=False)

    def __init__(self, *args: Any, version: PlanVersion, **kwargs: Any):
        kwargs.setdefault("initial", _initial(version))
        super().__init__(*args, **kwargs)
        for kind in GroupKind:
            self.fields[f"duty_{kind}"] = forms.CharField(
                label=kind.label, widget=forms.Textarea(attrs={"rows": 2}), required=False
            )
        for i in range(MAX_CONDITIONS):
            self.fields[f"fact_{i}"] = forms.ChoiceField(
                label=_("fact"), choices=[("", "—")] + list(Fact.choices), required=False
            )
            self.fields[f"op_{i}"] = forms.ChoiceField(
                label=_("operator"), choices=Operator.choices, required=False
            )
            self.fields[f"threshold_{i}"] = forms.IntegerField(
                label=_("threshold"), min_value=0, required=False
            )

    def criteria_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"fact_{i}"], self[f"op_{i}"], self[f"threshold_{i}"])
            for i in range(MAX_CONDITIONS)
        ]

    def duty_fields(self) -> list[Any]:
        return [self[f"duty_{kind}"] for kind in GroupKind]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(MAX_CONDITIONS):
            if data.get(f"fact_{i}") and data.get(f"threshold_{i}") is None:
                self.add_error(f"threshold_{i}", _("Give the threshold."))
        return data

    def changes(self) -> dict[str, Any]:
        """The service's fields: text, group_duties and criteria."""
        data = self.cleaned_data
        fields: dict[str, Any] = {name: data[name] for name in TEXT_FIELDS}
        fields["group_duties"] = [
            {"group": kind.value, "duties": data[f"duty_{kind}"]}
            for kind in GroupKind
            if data[f"duty_{kind}"].strip()
        ]
        fields["criteria"] = [
            [data[f"fact_{i}"], data[f"op_{i}"] or Operator.GT, data[f"threshold_{i}"]]
            for i in range(MAX_CONDITIONS)
            if data[f"fact_{i}"]
        ]
        return fields


def _initial(version: PlanVersion) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(version, name) for name in TEXT_FIELDS}
    for duty in version.group_duties:
        initial[f"duty_{duty['group']}"] = duty["duties"]
    for i, (fact, op, threshold) in enumerate(version.criteria[:MAX_CONDITIONS]):
        initial.update({f"fact_{i}": fact, f"op_{i}": op, f"threshold_{i}": threshold})
    return initial


class StepForm(forms.Form):
    """One row of the steps table; an empty row is ignored."""

    title = forms.CharField(label=_("step"), max_length=200, required=False)
    when = forms.CharField(label=_("when"), max_length=200, required=False)
    group = forms.ChoiceField(
        label=_("who"), choices=[("", "—")] + list(GroupKind.choices), required=False
    )
    how = forms.CharField(
        label=_("what and how"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    where = forms.CharField(label=_("where"), max_length=200, required=False)
    expected_minutes = forms.IntegerField(label=_("expected minutes"), min_value=0, required=False)
    checklist = forms.CharField(
        label=_("checklist (one item a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    after = forms.IntegerField(label=_("after step"), min_value=1, required=False)

    def step(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if (
            not data
            or data.get("DELETE")
            or not any(data.get(name) not in (None, "") for name in ("title", "group", "how"))
        ):
            return None
        checklist = [line for line in data["checklist"].splitlines() if line.strip()]
        return {**{k: v for k, v in data.items() if k != "DELETE"}, "checklist": checklist}


StepFormSet = forms.formset_factory(
    StepForm, extra=3, can_delete=True, max_num=MAX_STEPS, validate_max=True, absolute_max=MAX_STEPS
)


def step_initial(version: PlanVersion) -> list[dict[str, Any]]:
    return [
        {
            "title": s.title,
            "when": s.when,
            "group": s.group,
            "how": s.how,
            "where": s.where,
            "expected_minutes": s.expected_minutes,
            "checklist": "\n".join(s.checklist),
            "after": s.after,
        }
        for s in version.steps.all()
    ]


class StepsUploadForm(forms.Form):
    file = forms.FileField(label=_("steps workbook (.xlsx)"))


class CommentForm(forms.Form):
    section = forms.ChoiceField(label=_("section"), choices=Section.choices)
    text = forms.CharField(
        label=_("comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("what the review looked at and found"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
