from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yingji.audit.models import AuditEvent
from yingji.core.errors import AccessDenied
from yingji.org.roles import roles_of


def visible_audit_events(user: Any) -> QuerySet[AuditEvent]:
    """Administrators and the leadership group office read the audit trail."""
    if not roles_of(user).manages_org:
        raise AccessDenied(
            _("Only administrators and the leadership group office see the audit trail.")
        )
    return AuditEvent.objects.all()
