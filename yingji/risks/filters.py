"""The register's filters (django-filter), for the page, its export and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.org.models import Department
from yingji.risks.choices import Family, Mark, Meaning, Treatment
from yingji.risks.models import Risk, RiskMatrix


def _departments(request: Any) -> QuerySet:
    return Department.objects.filter(active=True)


class RiskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_words", max_length=100)
    department = django_filters.ModelChoiceFilter(
        label=_("department"),
        field_name="assessment__department",
        queryset=_departments,
        empty_label=_("All departments"),
    )
    quarter = django_filters.CharFilter(
        label=_("quarter"),
        method="filter_quarter",
        max_length=7,
        help_text=_("e.g. 2026-4"),
    )
    family = django_filters.ChoiceFilter(
        label=_("family"), choices=Family.choices, empty_label=_("All")
    )
    level = django_filters.ChoiceFilter(
        label=_("current level"),
        choices=Meaning.choices,
        method="filter_level",
        empty_label=_("All"),
    )
    treatment = django_filters.ChoiceFilter(
        label=_("treatment"),
        choices=[(v, label) for v, label in Treatment.choices if v] + [("none", _("Not decided"))],
        method="filter_treatment",
        empty_label=_("All"),
    )
    mark = django_filters.ChoiceFilter(label=_("mark"), choices=Mark.choices, empty_label=_("All"))
    overdue = django_filters.BooleanFilter(label=_("treatment overdue"), method="filter_overdue")
    cell = django_filters.CharFilter(
        label=_("heat-map cell"),
        method="filter_cell",
        max_length=20,
        help_text=_("stage-likelihood-impact, e.g. current-4-5"),
    )

    class Meta:
        model = Risk
        fields: list[str] = []

    def filter_words(self, risks: QuerySet, _name: str, words: str) -> QuerySet:
        return risks.filter(
            Q(title__icontains=words)
            | Q(description__icontains=words)
            | Q(treatment_plan__icontains=words)
            | Q(existing_measures__icontains=words)
        )

    def filter_quarter(self, risks: QuerySet, _name: str, value: str) -> QuerySet:
        year, _sep, quarter = value.partition("-")
        if not (year.isdigit() and quarter in {"1", "2", "3", "4"}):
            return risks.none()
        return risks.filter(assessment__year=int(year), assessment__quarter=int(quarter))

    def filter_level(self, risks: QuerySet, _name: str, meaning: str) -> QuerySet:
        """A level's meaning on each risk's own matrix (the matrices are few)."""
        wanted = Q(pk__in=[])
        for matrix in RiskMatrix.objects.all():
            indexes = [lv.index for lv in matrix.shape.levels if lv.meaning == meaning]
            wanted |= Q(assessment__matrix=matrix, current_level__in=indexes)
        return risks.filter(wanted)

    def filter_cell(self, risks: QuerySet, _name: str, value: str) -> QuerySet:
        """The risks in one cell of the heat map (open ones, as the map counts them)."""
        stage, _sep, rest = value.partition("-")
        likelihood, _sep, impact = rest.partition("-")
        if stage not in ("inherent", "current", "residual") or not (
            likelihood.isdigit() and impact.isdigit()
        ):
            return risks.none()
        return risks.exclude(mark=Mark.CLOSED).filter(
            **{f"{stage}_likelihood": int(likelihood), f"{stage}_impact": int(impact)}
        )

    def filter_treatment(self, risks: QuerySet, _name: str, value: str) -> QuerySet:
        return risks.filter(treatment="" if value == "none" else value)

    def filter_overdue(self, risks: QuerySet, _name: str, value: bool | None) -> QuerySet:
        overdue = Q(treatment_due__lt=timezone.localdate(), treatment_done=False) & ~Q(
            mark=Mark.CLOSED
        )
        if value is None:
            return risks
        return risks.filter(overdue) if value else risks.exclude(overdue)
