"""Files people upload (screenshots, PDFs, logs), kept in the database so a database backup
holds them and every read passes the owner's access check. The type is read from the bytes,
never trusted from the name or the browser, and served with nosniff."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

import puremagic
from django.conf import settings
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.errors import DomainError

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
ALLOWED_TYPES = IMAGE_TYPES | {"application/pdf", "text/plain"}
MAX_FILES = 10


def checked_files(files: Iterable[tuple[str, bytes]]) -> list[tuple[str, str, bytes]]:
    """(name, type, bytes) for each file, or a DomainError naming the file; all are checked
    before anything is saved."""
    files = list(files)
    if len(files) > MAX_FILES:
        raise DomainError(_("At most %(n)d files at once.") % {"n": MAX_FILES}, field="attachments")
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


def file_response(name: str, content_type: str, data: bytes) -> HttpResponse:
    """Pictures show in the page; anything else downloads, and the browser may not guess
    another type."""
    response = HttpResponse(data, content_type=content_type)
    inline = content_type in IMAGE_TYPES
    response["Content-Disposition"] = content_disposition_header(not inline, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


class StoredFile(models.Model):
    """A checked file with its bytes; the concrete model adds what it belongs to."""

    name = models.CharField(gettext_lazy("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES
