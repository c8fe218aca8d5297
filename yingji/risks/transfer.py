"""The risk register as an .xlsx workbook: exported with every score and level, imported into
an open assessment the way the organisation import works (a dry run first, then every row or
none, each refused row named with its column and the reason)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.actors import Actor
from yingji.core.errors import DomainError
from yingji.core.workbooks import (
    ImportResult,
    choice_from_text,
    rows_applied,
    sheet_rows,
    workbook_bytes,
)
from yingji.monitoring.models import Asset
from yingji.org.models import Person
from yingji.risks import queries, services
from yingji.risks.choices import Family, Knowledge, Treatment
from yingji.risks.models import Assessment, Risk

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 5 * 1024 * 1024
COLUMNS = (
    ("department", gettext_lazy("department")),
    ("quarter", gettext_lazy("quarter")),
    ("number", gettext_lazy("number")),
    ("title", gettext_lazy("title")),
    ("family", gettext_lazy("family")),
    ("description", gettext_lazy("description")),
    ("assets", gettext_lazy("assets")),
    ("existing_measures", gettext_lazy("existing measures")),
    ("inherent_likelihood", gettext_lazy("inherent likelihood")),
    ("inherent_impact", gettext_lazy("inherent impact")),
    ("current_likelihood", gettext_lazy("current likelihood")),
    ("current_impact", gettext_lazy("current impact")),
    ("current_level", gettext_lazy("current level")),
    ("residual_likelihood", gettext_lazy("residual likelihood")),
    ("residual_impact", gettext_lazy("residual impact")),
    ("residual_level", gettext_lazy("residual level")),
    ("knowledge", gettext_lazy("strength of knowledge")),
    ("knowledge_note", gettext_lazy("why this strength of knowledge")),
    ("treatment", gettext_lazy("treatment")),
    ("treatment_plan", gettext_lazy("treatment measures")),
    ("owner", gettext_lazy("treatment owner (employee number)")),
    ("treatment_due", gettext_lazy("treatment due")),
    ("treatment_done", gettext_lazy("treatment done")),
    ("mark", gettext_lazy("mark")),
)
READ_ONLY = {"quarter", "current_level", "residual_level", "mark"}
TRUE_WORDS = {"1", "true", "yes", "y", "是", "已完成"}


def register_workbook(risks: QuerySet[Risk]) -> bytes:
    """The register of `risks` (a page's filtered rows): a fixed number of queries whatever
    their number, streamed in chunks."""
    rows = risks.select_related(
        "assessment__department", "assessment__matrix", "owner"
    ).prefetch_related(Prefetch("assets", queryset=Asset.objects.only("code")))
    header = [str(text) for _key, text in COLUMNS]
    lines = (_row(r) for r in rows.iterator(chunk_size=500))
    return workbook_bytes([(_("Risk register"), [header, *lines])])


def _row(risk: Risk) -> list[Any]:
    shape = risk.assessment.matrix.shape
    levels = {stage: getattr(risk, f"{stage}_level") for stage in ("current", "residual")}
    return [
        risk.assessment.department.code,
        f"{risk.assessment.year} Q{risk.assessment.quarter}",
        risk.number,
        risk.title,
        risk.get_family_display(),
        risk.description,
        ", ".join(a.code for a in risk.assets.all()),
        risk.existing_measures,
        risk.inherent_likelihood,
        risk.inherent_impact,
        risk.current_likelihood,
        risk.current_impact,
        shape.levels[levels["current"]].name if levels["current"] is not None else "",
        risk.residual_likelihood,
        risk.residual_impact,
        shape.levels[levels["residual"]].name if levels["residual"] is not None else "",
        risk.get_knowledge_display() if risk.knowledge else "",
        risk.knowledge_note,
        risk.get_treatment_display() if risk.treatment else "",
        risk.treatment_plan,
        risk.owner.employee_no if risk.owner else "",
        risk.treatment_due,
        _("yes") if risk.treatment_done else "",
        risk.get_mark_display(),
    ]


def import_register(
    *, actor: Actor, assessment: Assessment, content: bytes, dry_run: bool
) -> ImportResult:
    """Each row creates a risk, or updates the one with its number; nothing is kept unless
    every row is right and this is not a dry run."""
    if not queries.can_edit(actor, assessment):
        queries.get_assessment_for(actor, assessment.pk, write=True)  # the 403 with its reason
    rows = sheet_rows(
        content, COLUMNS, required={"title"}, max_rows=services.MAX_RISKS, max_bytes=MAX_BYTES
    )
    result = ImportResult(dry_run=dry_run)
    with transaction.atomic():
        result.errors = rows_applied(rows, lambda row: _import_row(actor, assessment, row, result))
        if dry_run or result.errors:
            transaction.set_rollback(True)
    return result


def _import_row(
    actor: Actor, assessment: Assessment, row: dict[str, str], result: ImportResult
) -> None:
    department = row.get("department", "")
    if department and department not in (assessment.department.code, assessment.department.name):
        raise DomainError(
            _("%(d)s is not this assessment's department (%(own)s).")
            % {"d": department, "own": assessment.department.code},
            field="department",
        )
    fields: dict[str, Any] = {
        key: row[key] for key in (*services.TEXT_FIELDS, *services.SCORE_FIELDS) if key in row
    }
    if "family" in row:
        fields["family"] = (
            choice_from_text(row["family"], Family, "family") if row["family"] else ""
        )
    for key, choices in (("knowledge", Knowledge), ("treatment", Treatment)):
        if row.get(key):
            fields[key] = choice_from_text(row[key], choices, key)
        elif key in row:
            fields[key] = ""
    if "assets" in row:
        fields["assets"] = _assets(row["assets"])
    if "owner" in row:
        fields["owner"] = _person(row["owner"])
    if "treatment_due" in row:
        fields["treatment_due"] = row["treatment_due"] or None
    if "treatment_done" in row:
        fields["treatment_done"] = row["treatment_done"].strip().lower() in TRUE_WORDS
    existing = None
    if row.get("number"):
        if not row["number"].isdigit():
            raise DomainError(_("The number is a whole number."), field="number")
        existing = assessment.risks.filter(number=int(row["number"])).first()
    if existing is not None:
        services.risk_update(actor=actor, risk=existing, **fields)
        result.updated += 1
    else:
        services.risk_add(actor=actor, assessment=assessment, **fields)
        result.created += 1


def _assets(text: str) -> list[Asset]:
    codes = [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]
    found = {a.code: a for a in Asset.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise DomainError(
            _("Unknown asset: %(codes)s") % {"codes": ", ".join(unknown)}, field="assets"
        )
    return [found[c] for c in codes]


def _person(text: str) -> Person | None:
    if not text:
        return None
    person = Person.objects.filter(employee_no=text).first()
    if person is None:
        raise DomainError(_("No person has employee number %(n)s.") % {"n": text}, field="owner")
    return person
