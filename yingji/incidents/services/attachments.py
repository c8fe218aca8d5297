"""R-RESP-3: screenshots and documents with a report or during the response. The type is
read from the bytes, not trusted from the name or the browser."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.files import checked_files
from yingji.incidents.models import Attachment, Incident
from yingji.incidents.queries import is_participant
from yingji.incidents.services.common import check_open, timeline
from yingji.org.roles import roles_of


def save_attachments(incident: Incident, actor: Any, files: list[tuple[str, str, bytes]]) -> None:
    Attachment.objects.bulk_create(
        Attachment(
            incident=incident,
            name=name,
            content_type=kind,
            size=len(data),
            data=data,
            uploaded_by=actor,
        )
        for name, kind, data in files
    )


@transaction.atomic
def attachment_add(*, actor: Any, incident: Incident, files: Iterable[tuple[str, bytes]]) -> None:
    """During the response: whoever takes part adds screenshots, logs, reports."""
    roles = roles_of(actor)
    taking_part = roles.leadership or roles.expert or is_participant(actor, incident)
    if not (roles.active_person and taking_part):
        raise AccessDenied(_("Only people taking part in the response may do this."))
    check_open(incident)
    checked = checked_files(files)
    if not checked:
        raise DomainError(_("Choose a file."), field="attachments")
    save_attachments(incident, actor, checked)
    names = ", ".join(name for name, _kind, _data in checked)
    timeline(incident, actor, "attachment", text=names)
    audit_record(
        actor=actor,
        action="incident.attachment.add",
        obj=incident,
        after={"files": [name for name, _k, _d in checked]},
    )
