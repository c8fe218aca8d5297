"""Excel workbooks, read and written the one way: imports (organisation, assets, plan steps)
read a workbook through `open_workbook`, exports and templates write one through
`workbook_bytes`. openpyxl is imported only when a workbook is actually handled."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.core.errors import DomainError, FieldErrors

LANGUAGES = ("zh-hans", "zh-hant", "en")


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
        for language in LANGUAGES:
            with translation.override(language):
                if wanted == str(member.label).lower():
                    return member.value
    raise DomainError(_("%(value)s is not a valid choice.") % {"value": value}, field=column)


@dataclass
class RowError:
    """One refused row of an import: where and why, for the page's table and the API."""

    row: int
    field: str
    message: str


@dataclass
class ImportResult:
    """What an all-or-nothing import did, or would do on a dry run."""

    dry_run: bool
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def committed(self) -> bool:
        return not self.dry_run and not self.errors


def sheet_rows(
    content: bytes,
    columns: Sequence[tuple[str, Any]],
    *,
    required: Collection[str],
    max_rows: int,
    max_bytes: int,
) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column key: text}) for every non-empty row of the first sheet. A header
    names a column by its key or by its label in any shipped language; `required` columns
    must be among them. Dates read as YYYY-MM-DD."""
    with open_workbook(content, max_bytes=max_bytes) as book:
        lines = book.worksheets[0].iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise DomainError(_("The workbook is empty."), field="file")
        keys = [_column_key(cell_text(h), columns) for h in header]
        if not set(required) <= set(keys):
            names = ", ".join(str(label) for key, label in columns if key in required)
            raise DomainError(
                _("The first row must name the columns, at least: %(names)s.") % {"names": names},
                field="file",
            )
        found = []
        for number, line in enumerate(lines, start=2):
            values = {k: _cell(v) for k, v in zip(keys, line, strict=False) if k}
            if any(values.values()):
                found.append((number, values))
        if len(found) > max_rows:
            raise DomainError(_("At most %(n)d rows.") % {"n": max_rows}, field="file")
        return found


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return cell_text(value)


def _column_key(header: str, columns: Sequence[tuple[str, Any]]) -> str:
    wanted = header.strip().lower()
    for key, label in columns:
        if wanted == key:
            return key
        for language in LANGUAGES:
            with translation.override(language):
                if wanted == str(label).lower():
                    return key
    return ""


def rows_applied(
    rows: Iterable[tuple[int, dict[str, str]]], apply: Callable[[dict[str, str]], None]
) -> list[RowError]:
    """Apply each row in its own savepoint (a refused row leaves the others intact) and
    return every refusal; the caller's transaction decides whether anything is kept."""
    errors: list[RowError] = []
    for number, row in rows:
        try:
            with transaction.atomic():
                apply(row)
        except FieldErrors as exc:
            for name, messages in exc.errors.items():
                errors.extend(RowError(number, name, str(m)) for m in messages)
        except DomainError as exc:
            errors.append(RowError(number, exc.field or "", str(exc.message)))
    return errors


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
