"""A plan version as a Word document, chapters in GB/T 29639 order, ending with the approval
record that shows auditors the leadership group approved it (R-PLAN-2)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from yingji.plans.choices import Section, VersionStatus
from yingji.plans.models import PlanVersion
from yingji.plans.sections import TEXT_SECTIONS, criteria_lines, duty_lines

EAST_ASIAN_FONT = "SimSun"  # 宋体: present wherever Word is used in China; others substitute


def plan_docx(version: PlanVersion) -> bytes:
    document = Document()
    _use_chinese_font(document)
    plan = version.plan
    document.add_heading(f"{plan.code} {plan.title}", level=0)
    _facts_table(document, version)
    chapter = 0
    for section in Section.values:
        if section == Section.GENERAL:
            continue
        chapter += 1
        document.add_heading(f"{chapter} {Section(section).label}", level=1)
        _chapter(document, version, section)
    document.add_heading(_("Appendix: attachments"), level=1)
    names = list(version.attachments.values_list("name", flat=True))
    _paragraphs(document, names)
    document.add_heading(_("Appendix: approval record"), level=1)
    _approval_table(document, version)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _use_chinese_font(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _facts_table(document: Any, version: PlanVersion) -> None:
    plan = version.plan
    rows = [
        (_("tier"), plan.get_tier_display()),
        (_("category"), plan.get_category_display() or _("all categories")),
        (_("owner department"), plan.owner_department.name),
        (_("version"), f"{version.number} · {version.get_status_display()}"),
        (_("approved"), _day(version.approved_at)),
        (_("review due"), plan.review_due.isoformat() if plan.review_due else "—"),
        (_("exported"), _day(timezone.now())),
    ]
    _table(document, None, rows)


def _chapter(document: Any, version: PlanVersion, section: str) -> None:
    if section in TEXT_SECTIONS:
        _paragraphs(document, getattr(version, section).splitlines())
    elif section == Section.DUTIES:
        _paragraphs(document, duty_lines(version))
    elif section == Section.CRITERIA:
        _paragraphs(document, criteria_lines(version))
    elif section == Section.STEPS:
        _steps_table(document, version)


def _paragraphs(document: Any, lines: list[str]) -> None:
    lines = [line for line in lines if line.strip()]
    for line in lines or ["—"]:
        document.add_paragraph(line)


def _steps_table(document: Any, version: PlanVersion) -> None:
    header = (
        "#",
        _("step"),
        _("when"),
        _("who"),
        _("what and how"),
        _("where"),
        _("expected minutes"),
        _("after step"),
    )
    rows = [
        (
            str(s.position),
            s.title,
            s.when,
            s.get_group_display(),
            "\n".join([s.how, *(f"☐ {item}" for item in s.checklist)]).strip(),
            s.where,
            "" if s.expected_minutes is None else str(s.expected_minutes),
            "" if s.after is None else str(s.after),
        )
        for s in version.steps.all()
    ]
    if rows:
        _table(document, header, rows)
    else:
        document.add_paragraph("—")


def _approval_table(document: Any, version: PlanVersion) -> None:
    header = (_("member"), _("decision"), _("comment"), _("at"))
    rows = [
        (
            _name(a.by),
            str((VersionStatus.APPROVED if a.approve else VersionStatus.RETURNED).label),
            a.comment,
            timezone.localtime(a.at).strftime("%Y-%m-%d %H:%M"),
        )
        for a in version.approvals.select_related("by__person")
    ]
    if rows:
        _table(document, header, rows)
    else:
        document.add_paragraph(_("Not approved yet."))


def _table(document: Any, header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> None:
    width = len(header) if header else len(rows[0])
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    for values in [*([header] if header else []), *rows]:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    if header:
        for cell in table.rows[0].cells:
            for run in cell.paragraphs[0].runs:
                run.bold = True


def _day(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else "—"


def _name(user: Any) -> str:
    person = getattr(user, "person", None)
    return person.full_name if person else user.get_username()
