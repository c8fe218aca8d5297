"""The audit trail's filters (django-filter), applied to what the reader may see."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.audit.models import AuditEvent

DATE_INPUT = django_filters.widgets.forms.DateInput(attrs={"type": "date"})


def _day_start(day: date, *, next_day: bool = False) -> datetime:
    moment = datetime.combine(day, time.min) + (timedelta(days=1) if next_day else timedelta(0))
    return timezone.make_aware(moment)


class AuditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Object or reason contains"), method="filter_words", max_length=100
    )
    actor = django_filters.CharFilter(
        label=_("actor"), field_name="actor_name", lookup_expr="iexact", max_length=150
    )
    action = django_filters.CharFilter(
        label=_("action starts with"), field_name="action", lookup_expr="startswith", max_length=64
    )
    regulation = django_filters.CharFilter(
        label=_("regulation clause"), field_name="regulation", lookup_expr="iexact", max_length=32
    )
    since = django_filters.DateFilter(label=_("from"), method="filter_since", widget=DATE_INPUT)
    until = django_filters.DateFilter(label=_("until"), method="filter_until", widget=DATE_INPUT)

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_words(self, events: QuerySet, _name: str, words: str) -> QuerySet:
        return events.filter(Q(object_repr__icontains=words) | Q(reason__icontains=words))

    def filter_since(self, events: QuerySet, _name: str, day: date) -> QuerySet:
        return events.filter(at__gte=_day_start(day))

    def filter_until(self, events: QuerySet, _name: str, day: date) -> QuerySet:
        return events.filter(at__lt=_day_start(day, next_day=True))
