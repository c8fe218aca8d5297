"""The risk pages' forms: they shape the input; services.py checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.monitoring.models import Asset
from yingji.org.choices import PersonStatus
from yingji.org.models import Department, Person
from yingji.risks.choices import Family, Knowledge, Meaning, ProjectStatus, Treatment
from yingji.risks.links import LINK_KINDS
from yingji.risks.matrices import LANGUAGES, PALETTE, Shape, local_name
from yingji.risks.models import RiskMatrix

TEXTAREA = forms.Textarea(attrs={"rows": 3})
DATE = forms.DateInput(attrs={"type": "date"})


def _people() -> Any:
    return Person.objects.filter(status=PersonStatus.ACTIVE).order_by("employee_no")


def _scale(names: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(n), f"{n} · {local_name(v)}") for n, v in enumerate(names, 1)]


class RiskForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("risk", "title"), max_length=200)
    family = forms.ChoiceField(label=_("family"), choices=Family.choices)
    description = forms.CharField(label=_("description"), widget=TEXTAREA, required=False)
    assets = forms.ModelMultipleChoiceField(
        label=_("assets"),
        queryset=Asset.objects.filter(active=True).order_by("code"),
        required=False,
    )
    existing_measures = forms.CharField(
        label=_("existing measures"), widget=TEXTAREA, required=False
    )
    knowledge = forms.ChoiceField(
        label=_("strength of knowledge"), choices=Knowledge.choices, required=False
    )
    knowledge_note = forms.CharField(
        label=_("why this strength of knowledge"), widget=TEXTAREA, required=False
    )
    treatment = forms.ChoiceField(label=_("treatment"), choices=Treatment.choices, required=False)
    treatment_plan = forms.CharField(
        label=_("treatment measures"),
        widget=TEXTAREA,
        required=False,
        help_text=_("What will lower the risk from current to residual, and how."),
    )
    owner = forms.ModelChoiceField(label=_("treatment owner"), queryset=_people(), required=False)
    treatment_due = forms.DateField(label=_("treatment due"), widget=DATE, required=False)
    treatment_done = forms.BooleanField(label=_("treatment done"), required=False)

    def __init__(self, *args: Any, shape: Shape, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people()  # type: ignore[attr-defined]
        stages = (
            ("inherent", _("inherent")),
            ("current", _("current")),
            ("residual", _("residual")),
        )
        for stage, word in stages:
            self.fields[f"{stage}_likelihood"] = forms.TypedChoiceField(
                label=_("%(stage)s likelihood") % {"stage": word},
                choices=_scale(shape.likelihood),
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"{stage}_impact"] = forms.TypedChoiceField(
                label=_("%(stage)s impact") % {"stage": word},
                choices=_scale(shape.impact),
                coerce=int,
                empty_value=None,
                required=False,
            )
        for key, kind in LINK_KINDS.items():
            self.fields[f"link_{key}"] = forms.ModelMultipleChoiceField(
                label=kind.label,
                queryset=kind.candidates(user),
                required=False,
            )

    def score_fields(self) -> list[Any]:
        return [
            self[f"{s}_{a}"]
            for s in ("inherent", "current", "residual")
            for a in ("likelihood", "impact")
        ]

    def link_fields(self) -> list[Any]:
        return [self[f"link_{key}"] for key in LINK_KINDS]

    def main_fields(self) -> list[Any]:
        names = ("title", "family", "description", "assets", "existing_measures")
        return [self[n] for n in names]

    def treatment_fields(self) -> list[Any]:
        names = (
            "knowledge",
            "knowledge_note",
            "treatment",
            "treatment_plan",
            "owner",
            "treatment_due",
            "treatment_done",
        )
        return [self[n] for n in names]


def split_risk_data(data: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """The risk's own fields, and its links as (kind, id)."""
    fields = {k: v for k, v in data.items() if not k.startswith("link_")}
    links = [(key, row.pk) for key in LINK_KINDS for row in data.get(f"link_{key}") or []]
    return fields, links


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("why it is closed"), widget=TEXTAREA, max_length=2000)


class AcceptanceForm(forms.Form):
    expires = forms.DateField(label=_("accepted until"), widget=DATE)
    note = forms.CharField(label=_("justification"), widget=TEXTAREA, max_length=2000)


class AssessmentForm(forms.Form):
    scope = forms.CharField(
        label=_("scope"),
        widget=TEXTAREA,
        required=False,
        help_text=_("The systems, facilities and devices assessed."),
    )
    conclusion = forms.CharField(label=_("conclusions"), widget=TEXTAREA, required=False)
    delegates = forms.ModelMultipleChoiceField(
        label=_("delegates"),
        queryset=_people(),
        required=False,
        help_text=_("People who edit this assessment with the heads."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["delegates"].queryset = _people()  # type: ignore[attr-defined]


class CampaignForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2099)
    quarter = forms.TypedChoiceField(
        label=_("quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        help_text=_("e.g. a reorganisation created new departments."),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("departments"),
        queryset=Department.objects.filter(active=True),
        required=False,
        help_text=_("Empty: every business department that has no assessment this quarter."),
    )


class PolicyForm(forms.Form):
    matrix = forms.ModelChoiceField(label=_("risk matrix"), queryset=RiskMatrix.objects.all())
    due_day = forms.IntegerField(label=_("due on day of the quarter"), min_value=1, max_value=90)
    remind_days = forms.CharField(
        label=_("remind days before"),
        required=False,
        max_length=40,
        help_text=_("Comma-separated, e.g. 7, 1"),
    )
    auto_open = forms.BooleanField(label=_("open each quarter automatically"), required=False)
    co_department = forms.ModelChoiceField(
        label=_("co-assessing technology department"),
        queryset=Department.objects.filter(active=True, kind="technology"),
        required=False,
    )


LANGUAGE_NAMES = {"zh-hans": "简体中文", "zh-hant": "繁體中文", "en": "English"}


def _name_field(what: Any, number: int, lang: str, initial: str) -> forms.CharField:
    """A name in one language; in a table, so the reader's screen reader says which."""
    label = f"{what} {number} · {LANGUAGE_NAMES[lang]}"
    return forms.CharField(
        label=label,
        max_length=60,
        initial=initial,
        widget=forms.TextInput(attrs={"aria-label": label}),
    )


class MatrixForm(forms.Form):
    """A matrix edited in place: its scales' and levels' names in the three languages, each
    level's colour and meaning, and the level of every cell. Its size stays; for another
    size, start from the shipped matrix of that size. A new code saves it as a new matrix."""

    name = forms.CharField(label=_("name"), max_length=100)
    new_code = forms.CharField(
        label=_("save as a new matrix with the code"),
        max_length=32,
        required=False,
        help_text=_("Empty: change this matrix (in use: its next version)."),
    )

    def __init__(self, *args: Any, shape: Shape, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.shape = shape
        level_choices = [(str(lv.index), lv.name) for lv in shape.levels]
        scales = (("l", _("likelihood"), shape.likelihood), ("i", _("impact"), shape.impact))
        for prefix, what, names in scales:
            for n, value in enumerate(names):
                for lang in LANGUAGES:
                    self.fields[f"{prefix}{n}_{lang}"] = _name_field(what, n + 1, lang, value[lang])
        for level in shape.levels:
            for lang in LANGUAGES:
                self.fields[f"v{level.index}_{lang}"] = _name_field(
                    _("level"), level.index, lang, level.names[lang]
                )
            self.fields[f"v{level.index}_colour"] = forms.ChoiceField(
                label=_("colour"), choices=[(c, c) for c in PALETTE], initial=level.colour
            )
            self.fields[f"v{level.index}_meaning"] = forms.ChoiceField(
                label=_("meaning"), choices=Meaning.choices, initial=level.meaning
            )
        for r, row in enumerate(shape.grid):
            for c, cell in enumerate(row):
                self.fields[f"g{r}_{c}"] = forms.ChoiceField(
                    label=f"{r + 1}×{c + 1}", choices=level_choices, initial=str(cell)
                )

    def rows(self) -> list[dict[str, Any]]:
        """The page's layout: each likelihood row with its names and its cells' selects."""
        return [
            {
                "names": [self[f"l{r}_{lang}"] for lang in LANGUAGES],
                "cells": [self[f"g{r}_{c}"] for c in range(len(self.shape.impact))],
            }
            for r in range(len(self.shape.likelihood) - 1, -1, -1)
        ]

    def impacts(self) -> list[list[Any]]:
        return [[self[f"i{c}_{lang}"] for lang in LANGUAGES] for c in range(len(self.shape.impact))]

    def levels(self) -> list[dict[str, Any]]:
        return [
            {
                "names": [self[f"v{lv.index}_{lang}"] for lang in LANGUAGES],
                "colour": self[f"v{lv.index}_colour"],
                "meaning": self[f"v{lv.index}_meaning"],
            }
            for lv in self.shape.levels
        ]

    def definition(self) -> dict[str, Any]:
        data = self.cleaned_data

        def names(key: str) -> dict[str, str]:
            return {lang: data[f"{key}_{lang}"] for lang in LANGUAGES}

        rows, cols = self.shape.size
        return {
            "likelihood": [names(f"l{n}") for n in range(rows)],
            "impact": [names(f"i{n}") for n in range(cols)],
            "levels": [
                {
                    "names": names(f"v{lv.index}"),
                    "colour": data[f"v{lv.index}_colour"],
                    "meaning": data[f"v{lv.index}_meaning"],
                }
                for lv in self.shape.levels
            ],
            "grid": [[int(data[f"g{r}_{c}"]) for c in range(cols)] for r in range(rows)],
        }


class ProjectForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=200)
    department = forms.ModelChoiceField(
        label=_("department"), queryset=Department.objects.filter(active=True)
    )
    go_live = forms.DateField(label=_("planned go-live"), widget=DATE, required=False)
    systems = forms.ModelMultipleChoiceField(
        label=_("systems"),
        queryset=Asset.objects.filter(active=True).order_by("code"),
        required=False,
    )
    description = forms.CharField(label=_("description"), widget=TEXTAREA, required=False)


class ProjectStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=ProjectStatus.choices)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("workbook (.xlsx)"))
    dry_run = forms.BooleanField(
        label=_("check only, change nothing"), required=False, initial=True
    )
