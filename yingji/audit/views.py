from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.audit.queries import visible_audit_events
from yingji.core.forms import FilterForm
from yingji.core.paging import keyset_page

PAGE_SIZE = 50


class AuditFilterForm(FilterForm):
    q = forms.CharField(label=_("Object or reason contains"), required=False, max_length=100)
    actor = forms.CharField(label=_("actor"), required=False, max_length=150)
    action = forms.CharField(label=_("action starts with"), required=False, max_length=64)
    regulation = forms.CharField(label=_("regulation clause"), required=False, max_length=32)
    since = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(
        label=_("until"), required=False, widget=forms.DateInput({"type": "date"})
    )
    lookups: ClassVar[dict[str, str]] = {
        "actor": "actor_name__iexact",
        "action": "action__startswith",
        "regulation": "regulation__iexact",
    }

    def filter_q(self, events: Any, words: str) -> Any:
        return events.filter(Q(object_repr__icontains=words) | Q(reason__icontains=words))

    def filter_since(self, events: Any, day: date) -> Any:
        return events.filter(at__gte=_day_start(day))

    def filter_until(self, events: Any, day: date) -> Any:
        return events.filter(at__lt=_day_start(day, next_day=True))


def _day_start(day: date, *, next_day: bool = False) -> datetime:
    moment = datetime.combine(day, time.min)
    if next_day:
        moment = moment + timedelta(days=1)
    return timezone.make_aware(moment)


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = form.apply(visible_audit_events(request.user))
    # Keyset pages on seq: each page costs the same however long the trail grows.
    page = keyset_page(events, request, size=PAGE_SIZE, newest="seq", param="before")
    return render(
        request,
        "audit/event_list.html",
        {"events": page.rows, "form": form, "page": page, "next_query": page.next_query},
    )
