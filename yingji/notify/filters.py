"""My inbox's filters, the same on the page and in the API (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yingji.notify.models import Delivery


class InboxFilter(django_filters.FilterSet):
    unconfirmed = django_filters.BooleanFilter(
        label=_("waiting for my receipt"),
        method="filter_unconfirmed",
        widget=django_filters.widgets.BooleanWidget(),
    )
    incident = django_filters.NumberFilter(
        label=_("incident number"), method="filter_incident", min_value=1
    )

    class Meta:
        model = Delivery
        fields: list[str] = []

    def filter_unconfirmed(self, rows: QuerySet, _name: str, value: bool) -> QuerySet:
        waiting = rows.filter(message__require_receipt=True, confirmed_at__isnull=True)
        return waiting if value else rows.exclude(pk__in=waiting.values("pk"))

    def filter_incident(self, rows: QuerySet, _name: str, number: int) -> QuerySet:
        # an incident's notices carry its number in their key: "incident:42:..."
        return rows.filter(message__key__startswith=f"incident:{int(number)}:")
