from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yingji import __version__
from yingji.engine.queries import engine_health
from yingji.incidents.choices import NEXT_STEP_LABELS
from yingji.incidents.queries import awaiting_judgement, my_tasks, next_steps, open_incidents
from yingji.org.queries import org_gaps
from yingji.org.roles import roles_of
from yingji.plans.queries import reviews_due

HOME_INCIDENTS = 10  # the rest are on the incident list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    person = roles.person
    context = {
        "person": person,
        "my_memberships": person.memberships.select_related("group").filter(group__active=True)
        if person
        else [],
        "gaps": org_gaps() if roles.manages_org else None,
        "to_judge": awaiting_judgement(request.user)[:20],
        "open_incidents": [
            (incident, [NEXT_STEP_LABELS[s] for s in next_steps(request.user, incident)])
            for incident in open_incidents(request.user)[:HOME_INCIDENTS]
        ],
        "tasks": my_tasks(request.user)[:HOME_INCIDENTS],
        "reviews_due": reviews_due(request.user, timezone.localdate())[:HOME_INCIDENTS],
        "today": timezone.localdate(),
    }
    return render(request, "core/home.html", context)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception as exc:  # any driver error means "not ok"; the probe must never 500
        database = f"error: {exc.__class__.__name__}"
    ok = database == "ok"
    body: dict[str, object] = {
        "status": "ok" if ok else "degraded",
        "database": database,
        "vendor": connection.vendor,
        "version": __version__,
    }
    if ok:
        # Reported, not failed on: the web node still serves pages while an engine restarts.
        health = engine_health()
        body["engine"] = {
            "status": health.status,
            "live_workers": health.live_workers,
            "heartbeat_age_seconds": health.last_cycle_age,
        }
    return JsonResponse(body, status=200 if ok else 503)
