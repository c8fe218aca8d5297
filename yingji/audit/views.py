from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.audit.queries import visible_audit_events

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
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
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def _day_start(day: date, *, next_day: bool = False) -> datetime:
    moment = datetime.combine(day, time.min)
    if next_day:
        moment = moment + timedelta(days=1)
    return timezone.make_aware(moment)


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    events = visible_audit_events(request.user)
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            events = events.filter(object_repr__icontains=data["q"]) | events.filter(
                reason__icontains=data["q"]
            )
        if data["actor"]:
            events = events.filter(actor_name__iexact=data["actor"])
        if data["action"]:
            events = events.filter(action__startswith=data["action"])
        if data["regulation"]:
            events = events.filter(regulation__iexact=data["regulation"])
        if data["since"]:
            events = events.filter(at__gte=_day_start(data["since"]))
        if data["until"]:
            events = events.filter(at__lt=_day_start(data["until"], next_day=True))
        if data["before"]:
            events = events.filter(seq__lt=data["before"])
    # Keyset pagination on seq: each page costs the same however long the trail grows.
    rows = list(events.order_by("-seq")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    query = request.GET.copy()
    if more:
        query["before"] = str(rows[-1].seq)
    return render(
        request,
        "audit/event_list.html",
        {"events": rows, "form": form, "next_query": query.urlencode() if more else ""},
    )
