"""Who reads the audit trail, and which of its events each reader may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yingji.audit.models import AuditEvent
from yingji.core.actors import authority_of
from yingji.core.errors import AccessDenied

# An app whose objects are not visible to everyone registers a function that, for a reader,
# gives the events to hide (e.g. those of confidential incidents they do not take part in):
# the trail never shows what the object's own page would refuse (issue 15, R-ORG-2).
HiddenEvents = Callable[[Any], Q | None]
_HIDERS: list[HiddenEvents] = []


def register_hidden_events(hider: HiddenEvents) -> HiddenEvents:
    if hider not in _HIDERS:
        _HIDERS.append(hider)
    return hider


def is_auditor(user: Any) -> bool:
    """Holds `audit.see_confidential` through their own or a group's permissions. Being a
    superuser is not enough: administrators do not read confidential incidents."""
    if not getattr(user, "is_active", False):
        return False
    granted = Permission.objects.filter(
        content_type__app_label="audit", codename="see_confidential"
    )
    return granted.filter(Q(user=user) | Q(group__user=user)).exists()


def visible_audit_events(user: Any) -> QuerySet[AuditEvent]:
    """Administrators and the leadership group office read the audit trail, without the events
    of objects they may not see; an auditor reads all of it."""
    if is_auditor(user):
        return AuditEvent.objects.all()
    if not authority_of(user).manages_org:
        raise AccessDenied(
            _("Only administrators and the leadership group office see the audit trail.")
        )
    events = AuditEvent.objects.all()
    for hider in _HIDERS:
        hidden = hider(user)
        if hidden is not None:
            events = events.exclude(hidden)
    return events
