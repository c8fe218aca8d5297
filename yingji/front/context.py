from typing import Any

from django.conf import settings
from django.http import HttpRequest

from yingji.core.extensions import NavSection, nav_sections
from yingji.org.roles import roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu is what the apps registered (their hooks.py) and this user may see."""
    roles = roles_of(getattr(request, "user", None))
    match = getattr(request, "resolver_match", None)
    return {
        "roles": roles,
        "organisation_name": settings.ORGANISATION_NAME,
        "nav_sections": [
            (s, _is_current(s, match), s.badge(request) if s.badge else 0)
            for s in nav_sections(roles)
        ],
    }


def _is_current(section: NavSection, match: Any) -> bool:
    if match is None:
        return False
    return match.app_name in section.url_namespaces or match.view_name == section.url_name
