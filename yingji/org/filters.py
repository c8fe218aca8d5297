"""The directory's filters (django-filter), applied to the people the reader may see."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yingji.org.choices import PersonStatus
from yingji.org.models import Department, Person
from yingji.org.queries import visible_departments


def _departments(request: Any) -> QuerySet:
    return visible_departments(request.user) if request is not None else Department.objects.none()


class PeopleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_words", max_length=100)
    department = django_filters.ModelChoiceFilter(
        label=_("department"), queryset=_departments, empty_label=_("All departments")
    )
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=PersonStatus.choices, empty_label=_("All")
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_words(self, people: QuerySet, _name: str, words: str) -> QuerySet:
        return people.filter(
            Q(full_name__icontains=words)
            | Q(employee_no__icontains=words)
            | Q(mobile__icontains=words)
            | Q(title__icontains=words)
        )
