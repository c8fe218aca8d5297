"""The improvement register's filters (django-filter), for the page, its workbook and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.recovery.choices import MEASURE_OPEN, Change, MeasureStatus, Source
from yingji.recovery.models import Measure


class MeasureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_words", max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=MeasureStatus.choices, empty_label=_("All")
    )
    source = django_filters.ChoiceFilter(
        label=_("source"), choices=Source.choices, empty_label=_("All")
    )
    change = django_filters.ChoiceFilter(
        label=_("what it changes"), choices=Change.choices, empty_label=_("All")
    )
    incident = django_filters.NumberFilter(label=_("incident"), field_name="incident_id")
    mine = django_filters.BooleanFilter(label=_("mine"), method="filter_mine")
    overdue = django_filters.BooleanFilter(label=_("overdue"), method="filter_overdue")
    year = django_filters.NumberFilter(label=_("due in year"), field_name="due__year")

    class Meta:
        model = Measure
        fields = ["q", "status", "source", "change", "incident", "mine", "overdue", "year"]

    def filter_words(self, rows: QuerySet[Measure], name: str, value: str) -> QuerySet[Measure]:
        words = value.strip()
        if not words:
            return rows
        return rows.filter(Q(title__icontains=words) | Q(details__icontains=words))

    def filter_mine(self, rows: QuerySet[Measure], name: str, value: Any) -> QuerySet[Measure]:
        if not value:
            return rows
        person = getattr(getattr(self.request, "user", None), "person", None)
        return rows.filter(owner=person) if person is not None else rows.none()

    def filter_overdue(self, rows: QuerySet[Measure], name: str, value: Any) -> QuerySet[Measure]:
        if value is None:
            return rows
        late = Q(status__in=MEASURE_OPEN, due__lt=timezone.localdate())
        return rows.filter(late) if value else rows.exclude(late)
