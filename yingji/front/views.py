from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yingji import __version__
from yingji.core.extensions import home_cards
from yingji.engine.queries import engine_health
from yingji.org.roles import roles_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Greeting and roles, then the cards the apps registered (their hooks.py), each shown
    only when it has something for this user."""
    context = {"person": roles_of(request.user).person, "cards": home_cards(request)}
    return render(request, "front/home.html", context)


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
