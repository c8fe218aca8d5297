from typing import Any

from django.http import HttpRequest

from yingji.notify.queries import unconfirmed_notices


def banner(request: HttpRequest) -> dict[str, Any]:
    """Notices waiting for this person's receipt, shown on every page until confirmed."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    waiting = list(unconfirmed_notices(user).order_by("-pk")[:1])
    return {"waiting_notice": waiting[0] if waiting else None}
