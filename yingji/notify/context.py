from typing import Any

from django.http import HttpRequest

from yingji.notify.queries import unconfirmed_notices

BANNERS = 3  # the newest notices waiting for a receipt, on every page


def banner(request: HttpRequest) -> dict[str, Any]:
    """Notices waiting for this person's receipt, shown on every page until confirmed."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    waiting = unconfirmed_notices(user).order_by("-pk")
    shown = list(waiting[: BANNERS + 1])
    return {
        "waiting_notice": shown[0] if shown else None,
        "waiting_notices": shown[:BANNERS],
        "waiting_more": len(shown) > BANNERS,  # the rest are one click away, in the inbox
    }
