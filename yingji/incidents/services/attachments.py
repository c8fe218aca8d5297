"""R-RESP-3: screenshots and documents with a report or during the response. The type is
read from the bytes, not trusted from the name or the browser."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.access import require
from yingji.core.actors import Actor, user_of
from yingji.core.errors import DomainError
from yingji.core.files import checked_files
from yingji.incidents.access import can_attach
from yingji.incidents.models import Attachment, Incident
from yingji.incidents.services.common import check_open, timeline


def save_attachments(incident: Incident, actor: Actor, files: list[tuple[str, str, bytes]]) -> None:
    Attachment.objects.bulk_create(
        Attachment(
            incident=incident,
            name=name,
            content_type=kind,
            size=len(data),
            data=data,
            uploaded_by=user_of(actor),
        )
        for name, kind, data in files
    )


@transaction.atomic
def attachment_add(*, actor: Actor, incident: Incident, files: Iterable[tuple[str, bytes]]) -> None:
    """During the response: whoever takes part adds screenshots, logs, reports."""
    check_open(incident)
    require(can_attach(actor, incident), _("Only people taking part in the response may do this."))
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
