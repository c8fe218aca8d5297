"""The intake endpoints: plain views on the hot path (no session, no CSRF: a key, not a
cookie). Each request is size-limited, budgeted per integration (429 + Retry-After),
checked whole, and written in one transaction; 202 with the alerts' ids, or a 4xx that says
what to fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from yingji.core.jsonbody import describe, strict_json
from yingji.core.ratelimit import too_many_requests, wait_seconds
from yingji.intake import services
from yingji.intake.choices import IntegrationKind
from yingji.intake.formats import (
    Event,
    Invalid,
    alertmanager_events,
    generic_events,
    grafana_events,
    pagerduty_event,
    zabbix_event,
)
from yingji.intake.models import Integration

MAX_BODY = 4 * 1024 * 1024


def _refusal(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": message, **extra}, status=status)


def _body(request: HttpRequest) -> Any:
    """The JSON body, or a JsonResponse refusing it."""
    try:
        raw = _raw_body(request)
    except _TooLarge:
        return _refusal(_("The body is larger than 4 MB; send smaller batches."), 413)
    try:
        return strict_json(raw)
    except ValueError as exc:
        return _refusal(describe(exc), 400)


class _TooLarge(Exception):
    pass


def _raw_body(request: HttpRequest) -> bytes:
    """The bytes sent, whether with a Content-Length or chunked: gunicorn passes a chunked
    body with no length and `wsgi.input_terminated`, which Django reads as empty."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if not declared and request.META.get("wsgi.input_terminated"):
        data = request.META["wsgi.input"].read(MAX_BODY + 1)
        if len(data) > MAX_BODY:
            raise _TooLarge
        return bytes(data)
    if declared and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise _TooLarge
    return request.body


def _budget(integration: Integration) -> JsonResponse | None:
    wait = wait_seconds("intake", str(integration.pk), settings.YINGJI_INTAKE_RATE)
    return too_many_requests(wait) if wait else None


@csrf_exempt
@require_POST
def alertmanager(request: HttpRequest) -> JsonResponse:
    """Alertmanager's webhook_config, with `authorization: credentials: <key>`."""
    return _group_payload(
        request, IntegrationKind.ALERTMANAGER, lambda body, _integration: alertmanager_events(body)
    )


@csrf_exempt
@require_POST
def grafana(request: HttpRequest) -> JsonResponse:
    """Grafana's webhook contact point, with the key as its Authorization credentials."""
    return _group_payload(
        request, IntegrationKind.GRAFANA, lambda body, _integration: grafana_events(body)
    )


def _group_payload(
    request: HttpRequest, kind: str, parse: Callable[[Any, Integration], list[Event]]
) -> JsonResponse:
    """A group of alerts, authorised by the integration's key as a bearer token."""
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    integration = services.integration_for_key(key, kind) if scheme.lower() == "bearer" else None
    if integration is None:
        return _refusal(_("Send the integration key as Authorization: Bearer <key>."), 401)
    refused = _budget(integration)
    if refused:
        return refused
    payload = _body(request)
    if isinstance(payload, JsonResponse):
        return payload
    try:
        events = parse(payload, integration)
    except Invalid as exc:
        return _refusal(str(exc.message), 400, errors=exc.errors)
    outcome = services.alerts_apply(integration=integration, events=events, now=timezone.now())
    alerts = [{"id": a.pk, "dedup_key": e.key, "state": a.state} for e, a in outcome if a]
    return JsonResponse({"status": "accepted", "alerts": alerts}, status=202)


@csrf_exempt
@require_POST
def zabbix(request: HttpRequest) -> JsonResponse:
    """Zabbix's webhook media type from contrib/zabbix, one event per request."""
    return _group_payload(
        request, IntegrationKind.ZABBIX, lambda body, _integration: [zabbix_event(body)]
    )


@csrf_exempt
@require_POST
def generic(request: HttpRequest) -> JsonResponse:
    """Any JSON sender, read through its integration's mapping."""
    return _group_payload(request, IntegrationKind.GENERIC, _generic)


def _generic(body: Any, integration: Integration) -> list[Event]:
    return generic_events(body, integration.mapping)


def _pagerduty_invalid(errors: list[str], status: int = 400) -> JsonResponse:
    # PagerDuty's own error shape, which senders' logs already know how to show
    return JsonResponse(
        {"status": "invalid event", "message": "Event object is invalid", "errors": errors},
        status=status,
    )


@csrf_exempt
@require_POST
def pagerduty_enqueue(request: HttpRequest) -> JsonResponse:
    """PagerDuty Events API v2 at PagerDuty's own path, so a tool that lets you change only
    the host sends here as it is."""
    payload = _body(request)
    if isinstance(payload, JsonResponse):
        if payload.status_code == 413:
            return _pagerduty_invalid([_("The body is larger than 4 MB.")], 413)
        return _pagerduty_invalid([_("The body is not JSON.")])
    try:
        routing_key, event = pagerduty_event(payload)
    except Invalid as exc:
        return _pagerduty_invalid(exc.errors)
    integration = services.integration_for_key(routing_key, IntegrationKind.PAGERDUTY)
    if integration is None:
        return _pagerduty_invalid([_("'routing_key' is not the key of an active integration.")])
    refused = _budget(integration)
    if refused:
        return refused
    services.alerts_apply(integration=integration, events=[event], now=timezone.now())
    return JsonResponse(
        {"status": "success", "message": "Event processed", "dedup_key": event.key}, status=202
    )


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def heartbeat(request: HttpRequest, key: str) -> JsonResponse:
    """A ping from a cron job or a batch run (`curl -fsS <url>`), the key in the URL so any
    tool can send it; a ping that does not arrive in time raises an alert."""
    integration = services.integration_for_key(key, IntegrationKind.HEARTBEAT)
    if integration is None:
        return _refusal(_("This is not the address of an active heartbeat."), 404)
    refused = _budget(integration)
    if refused:
        return refused
    services.heartbeat_received(integration=integration, now=timezone.now())
    return JsonResponse({"status": "ok"}, status=202)
