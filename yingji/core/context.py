from typing import Any

from django.conf import settings
from django.http import HttpRequest

from yingji.org.roles import roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    roles = roles_of(getattr(request, "user", None))
    return {
        "roles": roles,
        "organisation_name": settings.ORGANISATION_NAME,
        "can_see_audit": roles.manages_org,
    }
