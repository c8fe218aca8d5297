from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yingji.audit.filters import AuditFilter
from yingji.audit.queries import visible_audit_events
from yingji.audit.words import action_words
from yingji.core.actors import display_names
from yingji.core.paging import keyset_page

PAGE_SIZE = 50


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    filters = AuditFilter(request.GET or None, queryset=visible_audit_events(request.user))
    events, form = filters.qs, filters.form
    # Keyset pages on seq: each page costs the same however long the trail grows.
    page = keyset_page(events, request, size=PAGE_SIZE, newest="seq", param="before")
    names = display_names({e.actor_id for e in page.rows if e.actor_id})
    return render(
        request,
        "audit/event_list.html",
        {
            "events": page.rows,
            "rows": [(e, action_words(e.action), names.get(e.actor_id)) for e in page.rows],
            "form": form,
            "page": page,
            "next_query": page.next_query,
        },
    )
