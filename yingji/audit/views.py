from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yingji.audit.filters import AuditFilter
from yingji.audit.queries import visible_audit_events
from yingji.core.paging import keyset_page

PAGE_SIZE = 50


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    filters = AuditFilter(request.GET or None, queryset=visible_audit_events(request.user))
    events, form = filters.qs, filters.form
    # Keyset pages on seq: each page costs the same however long the trail grows.
    page = keyset_page(events, request, size=PAGE_SIZE, newest="seq", param="before")
    return render(
        request,
        "audit/event_list.html",
        {"events": page.rows, "form": form, "page": page, "next_query": page.next_query},
    )
