"""What org adds to the front door: its menu entry, three home cards, the demo organisation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yingji.audit.words import register_action_words
from yingji.core.extensions import NavSection, register_demo, register_home_card, register_nav
from yingji.org.demo import load_demo
from yingji.org.queries import org_gaps
from yingji.org.roles import roles_of

register_nav(
    NavSection(
        key="org", label=_("Organisation"), url_name="org:chart", order=40, url_namespaces=("org",)
    )
)


def _where_to_report(request: HttpRequest) -> dict[str, Any] | None:
    person = roles_of(request.user).person
    return {"person": person} if person and person.department else None  # R-RESP-1


def _my_groups(request: HttpRequest) -> dict[str, Any]:
    person = roles_of(request.user).person
    memberships = (
        person.memberships.select_related("group").filter(group__active=True) if person else []
    )
    return {"my_memberships": memberships}


def _gaps(request: HttpRequest) -> dict[str, Any] | None:
    if not roles_of(request.user).manages_org:
        return None
    gaps = org_gaps()
    return {"gaps": gaps} if gaps else None


register_home_card(
    "org.report", template="org/_home_report.html", context=_where_to_report, order=10
)
register_home_card("org.groups", template="org/_home_groups.html", context=_my_groups, order=60)
register_home_card("org.gaps", template="org/_home_gaps.html", context=_gaps, order=70)
register_demo("org", load_demo, order=10)

register_action_words(
    subjects={
        "org.department": _("Department"),
        "org.group": _("Emergency group"),
        "org.membership": _("Group membership"),
        "org.person": _("Person"),
        "org.vendor": _("Vendor"),
    }
)
