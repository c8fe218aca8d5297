"""A plan's steps to and from a spreadsheet: plan authors write runbooks in Excel, one step a
row. The columns are fixed by position, so a header in any language works."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.utils.translation import gettext as _

from yingji.core.errors import DomainError
from yingji.org.choices import GroupKind
from yingji.org.transfer import cell_text, choice_from_text
from yingji.plans.models import PlanStep
from yingji.plans.services import MAX_STEPS

MAX_BYTES = 2 * 1024 * 1024


def step_columns() -> list[str]:
    return [
        _("step"),
        _("when"),
        _("who"),
        _("what and how"),
        _("where"),
        _("expected minutes"),
        _("checklist (one item a line)"),
        _("after step"),
    ]


def steps_workbook(steps: list[PlanStep]) -> bytes:
    """The template (with the version's steps, if any) authors fill in."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("steps")
    sheet.append(step_columns())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    groups = ", ".join(str(kind.label) for kind in GroupKind)
    sheet.cell(row=1, column=3).comment = _comment(_("One of: %(groups)s") % {"groups": groups})
    for step in steps:
        sheet.append(
            [
                step.title,
                step.when,
                step.get_group_display(),
                step.how,
                step.where,
                step.expected_minutes,
                "\n".join(step.checklist),
                step.after,
            ]
        )
    for column, width in zip("ABCDEFGH", (30, 18, 18, 50, 18, 10, 40, 10), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _comment(text: str) -> Any:
    from openpyxl.comments import Comment

    return Comment(text, "Yingji")


def read_steps(content: bytes) -> list[dict[str, Any]]:
    """The first sheet's rows as step definitions for services.steps_set, which checks them
    as it checks the API's; a cell that is not even readable is reported with its row."""
    from openpyxl import load_workbook

    if len(content) > MAX_BYTES:
        raise DomainError(_("The workbook is larger than 2 MB."), field="file")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise DomainError(_("This file is not a readable .xlsx workbook."), field="file") from None
    try:
        lines = book.worksheets[0].iter_rows(min_row=2, max_col=8, values_only=True)
        steps = [
            _step(number, [cell_text(v) for v in line])
            for number, line in enumerate(lines, start=2)
            if any(v is not None for v in line)
        ]
    finally:
        book.close()
    if not steps:
        raise DomainError(_("The workbook has no steps below its header row."), field="file")
    if len(steps) > MAX_STEPS:
        raise DomainError(_("At most %(n)d steps.") % {"n": MAX_STEPS}, field="file")
    return steps


def _step(row: int, values: list[str]) -> dict[str, Any]:
    values = (values + [""] * 8)[:8]
    title, when, who, how, where, minutes, checklist, after = values
    try:
        group = choice_from_text(who, GroupKind, "who") if who else ""
    except DomainError:
        raise DomainError(
            _("Row %(row)d: %(who)s is not a group.") % {"row": row, "who": who}, field="file"
        ) from None
    return {
        "title": title,
        "when": when,
        "group": group,
        "how": how,
        "where": where,
        "expected_minutes": _whole(row, minutes, _("expected minutes")),
        "checklist": [item for item in checklist.splitlines() if item.strip()],
        "after": _whole(row, after, _("after step")),
    }


def _whole(row: int, value: str, column: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise DomainError(
            _("Row %(row)d: %(column)s must be a whole number, not %(value)s.")
            % {"row": row, "column": column, "value": value},
            field="file",
        )
    return int(value)
