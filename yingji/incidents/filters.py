"""The incident list's filters, one set for the page and the API (django-filter): on the
page an unknown value is ignored, in the API it is a 400 that names the parameter."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yingji.incidents.choices import Status
from yingji.incidents.models import HandlingPlan, Incident
from yingji.org.choices import Scenario
from yingji.org.grades import Grade
from yingji.org.models import Department

EXERCISE_CHOICES = [("no", _("Real incidents")), ("yes", _("Exercises"))]


def _departments(request: Any) -> QuerySet[Department]:
    return Department.objects.filter(active=True).order_by("sort_order", "name")


class IncidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_words", max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Status.choices, empty_label=_("All")
    )
    category = django_filters.ChoiceFilter(
        label=_("category"), choices=Scenario.choices, empty_label=_("All")
    )
    grade = django_filters.ChoiceFilter(
        label=_("grade"), choices=Grade.choices, empty_label=_("All")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("department that judges it"), queryset=_departments, empty_label=_("All")
    )
    since = django_filters.DateFilter(
        label=_("reported since"),
        field_name="reported_at",
        lookup_expr="date__gte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    exercise = django_filters.ChoiceFilter(
        label=_("exercise (drill)"),
        choices=EXERCISE_CHOICES,
        empty_label=_("All"),
        method="exercises",
    )

    class Meta:
        model = Incident
        fields: list[str] = []

    def filter_words(
        self, incidents: QuerySet[Incident], _name: str, words: str
    ) -> QuerySet[Incident]:
        """Title, symptoms, location, affected systems, scope and the handling plans' text,
        within what the user may see (the access path comes first)."""
        words = words.strip()
        if not words:
            return incidents
        in_plans = HandlingPlan.objects.filter(incident=OuterRef("pk")).filter(
            Q(analysis__icontains=words) | Q(plan__icontains=words)
        )
        return incidents.filter(
            Q(title__icontains=words)
            | Q(symptoms__icontains=words)
            | Q(location__icontains=words)
            | Q(affected_systems__icontains=words)
            | Q(scope__icontains=words)
            | Exists(in_plans)
        )

    def exercises(
        self, incidents: QuerySet[Incident], _name: str, value: str
    ) -> QuerySet[Incident]:
        return incidents.filter(exercise=value == "yes")


class ApiIncidentFilter(IncidentFilter):
    """The API's names too: `?search=`, as DRF's own search parameter is called."""

    search = django_filters.CharFilter(label=_("Search"), method="filter_words", max_length=100)
