from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from yingji.engine.metrics import EngineCollector

_registry = CollectorRegistry(auto_describe=False)
_registry.register(EngineCollector())


def register_collector(collector: object) -> None:
    """Apps add their own metrics here (the engine knows nothing of the domains)."""
    _registry.register(collector)  # type: ignore[arg-type]


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus scrape endpoint; with YINGJI_METRICS_TOKEN set, the scraper must send it as
    a bearer token."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return HttpResponse("metrics token required\n", status=401, content_type="text/plain")
    return HttpResponse(generate_latest(_registry), content_type=CONTENT_TYPE_LATEST)
