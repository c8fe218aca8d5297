"""POST /api/v1/metrics: samples pushed by `yingji agent` or anything else, authorised by the
asset's agent token. A plain view on the hot path: no session, no CSRF (a token, not a
cookie), JSON in, 202 with the count out, or a 4xx that says what was wrong."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from yingji.core.errors import DomainError
from yingji.core.jsonbody import describe, strict_json
from yingji.core.ratelimit import too_many_requests, wait_seconds
from yingji.monitoring import services
from yingji.monitoring.models import Asset
from yingji.monitoring.services.assets import token_hash

MAX_BODY = 4 * 1024 * 1024  # 10,000 samples with labels fit well within this


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


@csrf_exempt
@require_POST
def metrics_push(request: HttpRequest) -> JsonResponse:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    asset = None
    if scheme.lower() == "bearer" and token.strip():
        asset = Asset.objects.filter(
            agent_token_hash=token_hash(token.strip()), active=True
        ).first()
    if asset is None:
        return _error(_("Send the asset's agent token as Authorization: Bearer <token>."), 401)
    wait = wait_seconds("metrics", str(asset.pk), settings.YINGJI_METRICS_RATE)
    if wait:
        return too_many_requests(wait)
    if len(request.body) > MAX_BODY:  # Django itself refuses bodies over 10 MB
        return _error(_("The batch is larger than 4 MB; send smaller batches."), 413)
    try:
        payload = strict_json(request.body)
    except ValueError as exc:
        return _error(describe(exc), 400)
    now = timezone.now()
    try:
        rows = services.parse_samples(payload, now)
        late = services.late_samples(asset, rows, now)
        stored = services.samples_ingest(asset=asset, rows=rows)
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    body: dict[str, object] = {"accepted": stored, "asset": asset.code}
    if late:  # never accepted silently: say which samples raise no alert
        body["not_evaluated"] = late
        body["detail"] = ngettext(
            "%(n)d sample is older than what the rules have already read (or, for a new "
            "series, older than 5 minutes): it is kept for the charts but raises no alert.",
            "%(n)d samples are older than what the rules have already read (or, for a new "
            "series, older than 5 minutes): they are kept for the charts but raise no alert.",
            late,
        ) % {"n": late}
    return JsonResponse(body, status=202)
