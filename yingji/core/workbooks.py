"""Excel workbooks, read and written the one way: imports (organisation, assets, plan steps)
read a workbook through `open_workbook`, exports and templates write one through
`workbook_bytes`. openpyxl is imported only when a workbook is actually handled."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from yingji.core.errors import DomainError


@contextmanager
def open_workbook(content: bytes, *, max_bytes: int | None = None) -> Iterator[Any]:
    """A read-only workbook, closed afterwards; a file that is not one is a clear error."""
    from openpyxl import load_workbook

    if max_bytes is not None and len(content) > max_bytes:
        raise DomainError(
            _("The workbook is larger than %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)},
            field="file",
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise DomainError(_("This file is not a readable .xlsx workbook."), field="file") from None
    try:
        yield book
    finally:
        book.close()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores employee number 1001 as 1001.0
    return str(value).strip()


def choice_from_text(value: str, choices: Any, column: str) -> str:
    """Accept a choice's code or its label in any shipped language ('组长', 'Leader', 'leader')."""
    wanted = value.strip().lower()
    for member in choices:
        if wanted == member.value.lower():
            return member.value
        for language in ("zh-hans", "zh-hant", "en"):
            with translation.override(language):
                if wanted == str(member.label).lower():
                    return member.value
    raise DomainError(_("%(value)s is not a valid choice.") % {"value": value}, field=column)


def workbook_bytes(
    sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]],
    *,
    widths: Sequence[int] = (),
    styled: bool = False,
    notes: Mapping[str, str] | None = None,
) -> bytes:
    """One sheet per (title, rows), the first row a header. `styled` (a template people
    fill in): bold header, wrapped top-aligned cells, `widths` and `notes` (a comment on a
    cell of each sheet, by coordinate: {"C1": "One of: ..."}); otherwise written in
    streaming mode, so an export of every row stays small in memory."""
    from openpyxl import Workbook

    book = Workbook(write_only=not styled)
    if styled:
        book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        if styled:
            _style(sheet, widths, notes or {})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _style(sheet: Any, widths: Sequence[int], notes: Mapping[str, str]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for coordinate, text in notes.items():
        sheet[coordinate].comment = Comment(text, "Yingji")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
