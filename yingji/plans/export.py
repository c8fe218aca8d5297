"""A plan version as a Word document, chapters in GB/T 29639 order, ending with the approval
record that shows auditors the leadership group approved it (R-PLAN-2)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.word import WordDocument
from yingji.plans.choices import Section, VersionStatus
from yingji.plans.models import PlanVersion
from yingji.plans.sections import TEXT_SECTIONS, criteria_lines, duty_lines


def plan_docx(version: PlanVersion) -> bytes:
    plan = version.plan
    document = WordDocument(
        title=f"{plan.code} {plan.title}",
        number=f"{plan.code} v{version.number}",
        subject=str(_("Contingency plan")),
    )
    document.heading(f"{plan.code} {plan.title}", level=0)
    _facts_table(document, version)
    document.contents()
    chapter = 0
    for section in Section.values:
        if section == Section.GENERAL:
            continue
        chapter += 1
        document.heading(f"{chapter} {Section(section).label}", level=1)
        _chapter(document, version, section)
    document.heading(_("Appendix: attachments"), level=1)
    document.lines(list(version.attachments.values_list("name", flat=True)))
    document.heading(_("Appendix: approval record"), level=1)
    _approval_table(document, version)
    return document.content()


def _facts_table(document: WordDocument, version: PlanVersion) -> None:
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
    document.facts(rows)


def _chapter(document: WordDocument, version: PlanVersion, section: str) -> None:
    if section in TEXT_SECTIONS:
        document.lines(getattr(version, section).splitlines())
    elif section == Section.DUTIES:
        document.lines(duty_lines(version))
    elif section == Section.CRITERIA:
        document.lines(criteria_lines(version))
    elif section == Section.STEPS:
        _steps_table(document, version)


def _steps_table(document: WordDocument, version: PlanVersion) -> None:
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
    document.table(header, rows)


def _approval_table(document: WordDocument, version: PlanVersion) -> None:
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
        document.table(header, rows)
    else:
        document.paragraph(_("Not approved yet."))


def _day(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else "—"


def _name(user: Any) -> str:
    person = getattr(user, "person", None)
    return person.full_name if person else user.get_username()
