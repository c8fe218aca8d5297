"""Request budgets for the machine-facing endpoints (the metrics push, alert intake): over
budget, 429 with Retry-After, so a runaway sender slows down instead of starving everyone.

Counted with `limits` (moving window) in each web process's memory: nothing beyond the
database is needed, the check costs microseconds on the hot path, and a node running N
workers allows up to N times the budget (operations guide)."""

from __future__ import annotations

import math
import time

from django.http import JsonResponse
from django.utils.translation import gettext as _
from limits import parse, storage, strategies

_limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())


def wait_seconds(scope: str, key: str, rate: str) -> int:
    """0 when this request fits the key's budget (and counts it), else the seconds until it
    would. `rate` is like "600/minute"."""
    item = parse(rate)
    if _limiter.hit(item, scope, key):
        return 0
    reset = _limiter.get_window_stats(item, scope, key).reset_time
    return max(1, math.ceil(reset - time.time()))


def too_many_requests(wait: int) -> JsonResponse:
    message = _("Too many requests; try again in %(n)d seconds.") % {"n": wait}
    response = JsonResponse({"detail": message, "code": "throttled"}, status=429)
    response["Retry-After"] = str(wait)
    return response


def reset_budgets() -> None:
    """Forget every count (tests, and settings changed at run time)."""
    _limiter.storage.reset()
