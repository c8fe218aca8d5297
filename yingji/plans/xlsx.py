"""A plan's steps to and from a spreadsheet: plan authors write runbooks in Excel, one step a
row. The columns are fixed by position, so a header in any language works."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from yingji.core.errors import DomainError
from yingji.core.workbooks import cell_text, choice_from_text, open_workbook, workbook_bytes
from yingji.org.choices import GroupKind
from yingji.plans.models import PlanStep
from yingji.plans.services import MAX_STEPS

MAX_BYTES = 2 * 1024 * 1024
STEP_WIDTHS = (30, 18, 18, 50, 18, 10, 40, 10)


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
    rows: list[list[Any]] = [step_columns()]
    rows += [
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
        for step in steps
    ]
    groups = ", ".join(str(kind.label) for kind in GroupKind)
    who = _("One of: %(groups)s") % {"groups": groups}
    return workbook_bytes([(_("steps"), rows)], widths=STEP_WIDTHS, styled=True, notes={"C1": who})


def read_steps(content: bytes) -> list[dict[str, Any]]:
    """The first sheet's rows as step definitions for services.steps_set, which checks them
    as it checks the API's; a cell that is not even readable is reported with its row."""
    with open_workbook(content, max_bytes=MAX_BYTES) as book:
        lines = book.worksheets[0].iter_rows(min_row=2, max_col=8, values_only=True)
        steps = [
            _step(number, [cell_text(v) for v in line])
            for number, line in enumerate(lines, start=2)
            if any(v is not None for v in line)
        ]
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
