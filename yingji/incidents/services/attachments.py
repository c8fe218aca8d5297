"""R-RESP-3: screenshots and documents with a report or during the response. The type is
read from the bytes, not trusted from the name or the browser."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

import puremagic
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.errors import AccessDenied, DomainError
from yingji.incidents.models import Attachment, Incident
from yingji.incidents.queries import is_participant
from yingji.incidents.services.common import check_open, timeline
from yingji.org.roles import roles_of

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
ALLOWED_TYPES = IMAGE_TYPES | {"application/pdf", "text/plain"}
MAX_FILES = 10


def checked_files(files: Iterable[tuple[str, bytes]]) -> list[tuple[str, str, bytes]]:
    """(name, type, bytes) for each file, or a DomainError naming the file; all are checked
    before anything is saved."""
    files = list(files)
    if len(files) > MAX_FILES:
        raise DomainError(_("At most %(n)d files at once.") % {"n": MAX_FILES},
                          field="attachments")  # fmt: skip
    return [_checked(name, data) for name, data in files]


def _checked(name: str, data: bytes) -> tuple[str, str, bytes]:
    name = PurePath(name.replace("\\", "/")).name[:200] or "file"
    limit = settings.ATTACHMENT_MAX_MB * 1024 * 1024
    if not data:
        raise DomainError(_("%(name)s is empty.") % {"name": name}, field="attachments")
    if len(data) > limit:
        raise DomainError(
            _("%(name)s is larger than %(mb)d MB.")
            % {"name": name, "mb": settings.ATTACHMENT_MAX_MB},
            field="attachments",
        )
    kind = _content_type(data)
    if kind not in ALLOWED_TYPES:
        raise DomainError(
            _("%(name)s is not a picture (PNG, JPEG, GIF, WebP), a PDF or a text file.")
            % {"name": name},
            field="attachments",
        )
    return name, kind, data


def _content_type(data: bytes) -> str:
    try:
        return str(puremagic.from_string(data, mime=True))
    except (puremagic.PureError, ValueError):
        pass
    if b"\x00" in data[:8192]:
        return "application/octet-stream"
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < 65530:  # not merely a character cut at the end of the sample
            return "application/octet-stream"
    return "text/plain"


def save_attachments(incident: Incident, actor: Any, files: list[tuple[str, str, bytes]]) -> None:
    Attachment.objects.bulk_create(
        Attachment(incident=incident, name=name, content_type=kind, size=len(data), data=data,
                   uploaded_by=actor)
        for name, kind, data in files
    )  # fmt: skip


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
    audit_record(actor=actor, action="incident.attachment.add", obj=incident,
                 after={"files": [name for name, _k, _d in checked]})  # fmt: skip
