"""The summary report (R-REV-1) and the continuous-improvement plan (R-REV-2) as documents:
Word through the shared builder, Excel through core.workbooks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from yingji.core.moments import minute_text
from yingji.core.word import WordDocument
from yingji.core.workbooks import workbook_bytes
from yingji.org.queries import names_of_users
from yingji.recovery.choices import section_title
from yingji.recovery.models import ImprovementPlan, Measure, SummaryReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _shown(rows: list[tuple[str, object]]) -> list[tuple[str, str]]:
    return [(label, "" if value is None else str(value)) for label, value in rows]


_when = minute_text


def summary_docx(report: SummaryReport) -> WordDocument:
    """Cover facts, the impact table, each section, and a signature table for the printed
    copy the leadership group signs."""
    incident = report.incident
    doc = WordDocument(
        title=_("Summary report of incident #%(n)d") % {"n": incident.pk},
        number=f"SR-{incident.pk}",
        subject=_("Emergency summary report"),
    )
    doc.heading(_("Summary report of incident #%(n)d") % {"n": incident.pk}, level=0)
    names = names_of_users([u for u in (report.approved_by_id,) if u])
    doc.facts(
        [
            (_("Incident"), incident.title),
            (_("Category"), incident.get_category_display()),
            (_("Grade"), incident.get_grade_display()),
            (_("Occurred"), _when(incident.occurred_at)),
            (_("End ordered"), _when(incident.ended_at)),
            (_("Status"), report.get_status_display()),
            (_("Due"), _when(report.due_at)),
            (_("Regulator's deadline"), _when(report.regulator_due_at)),
            (
                _("Approved"),
                f"{names.get(report.approved_by_id or 0, '')} {_when(report.approved_at)}".strip(),
            ),
            (_("Published"), _when(report.published_at)),
        ]
    )
    doc.heading(_("Impact"), level=1)
    doc.facts(
        _shown(
            [
                (_("Customers affected"), report.customers_affected),
                (_("Failed transactions"), report.failed_transactions),
                (_("Data records affected"), report.records_affected),
                (_("Calls received"), report.calls_received),
                (_("Reports made to regulators"), report.regulator_reports),
            ]
        )
    )
    if report.interruptions:
        doc.table(
            [_("business"), _("minutes interrupted")],
            [(row["business"], str(row["minutes"])) for row in report.interruptions],
        )
    for section in report.sections.all():
        doc.heading(section_title(section.key), level=1)
        doc.lines(section.text.splitlines())
    doc.heading(_("Signatures"), level=1)
    doc.table(
        [_("role"), pgettext("person", "name"), _("signature"), _("date")],
        [
            (_("Leader of the leadership group"), "", "", ""),
            (_("Leader of the expert group"), "", "", ""),
            (_("Leader of the execution group"), "", "", ""),
            (_("Leadership group office"), "", "", ""),
        ],
    )
    return doc


MEASURE_COLUMNS = (
    gettext_lazy("number"),
    gettext_lazy("measure"),
    gettext_lazy("source"),
    gettext_lazy("incident"),
    gettext_lazy("what it changes"),
    gettext_lazy("owner"),
    gettext_lazy("due"),
    gettext_lazy("status"),
    gettext_lazy("verified"),
    gettext_lazy("evidence"),
)


def _row(measure: Measure, approved: set[int] | None) -> list[Any]:
    late = measure.overdue
    status = measure.get_status_display() + (f" · {_('overdue')}" if late else "")
    if approved is not None and measure.pk not in approved:
        status += f" · {_('added after approval')}"
    incident = measure.incident
    return [
        measure.pk,
        measure.title if not (incident and incident.confidential) else "—",
        measure.get_source_display(),
        f"#{incident.pk}" if incident else "",
        measure.get_change_display(),
        measure.owner.full_name,
        measure.due,
        status,
        measure.verified_at.date() if measure.verified_at else "",
        measure.evidence_link or measure.evidence_note[:200],
    ]


def ci_plan_name(year: int, quarter: int | None) -> str:
    """The files' name, without its extension: improvement-plan-2026-q4."""
    return f"improvement-plan-{year}" + (f"-q{quarter}" if quarter else "")


def ci_plan_workbook(measures: Iterable[Measure], plan: ImprovementPlan | None) -> bytes:
    approved = set(plan.measure_ids) if plan and plan.approved_at else None
    rows: list[list[Any]] = [[str(c) for c in MEASURE_COLUMNS]]
    rows += [_row(m, approved) for m in measures]
    return workbook_bytes([(_("Improvement plan"), rows)])


def ci_plan_docx(
    measures: list[Measure], plan: ImprovementPlan | None, year: int, quarter: int | None
) -> WordDocument:
    title = (
        _("Continuous-improvement plan %(year)d Q%(q)d") % {"year": year, "q": quarter}
        if quarter
        else _("Continuous-improvement plan %(year)d") % {"year": year}
    )
    doc = WordDocument(title=title, number=f"CI-{year}" + (f"-Q{quarter}" if quarter else ""))
    doc.heading(title, level=0)
    approved = set(plan.measure_ids) if plan and plan.approved_at else None
    names = names_of_users([plan.approved_by_id] if plan and plan.approved_by_id else [])
    doc.facts(
        [
            (_("Measures"), str(len(measures))),
            (_("Verified"), str(sum(1 for m in measures if m.status == "verified"))),
            (_("Overdue"), str(sum(1 for m in measures if m.overdue))),
            (
                _("Approved by the leadership group"),
                f"{names.get(plan.approved_by_id or 0, '')} {_when(plan.approved_at)}"
                if plan and plan.approved_at
                else _("not yet"),
            ),
        ]
    )
    doc.table(
        [str(c) for c in MEASURE_COLUMNS[:8]],
        [[str(v) for v in _row(m, approved)[:8]] for m in measures],
    )
    return doc
