"""The asset inventory to and from Excel (R-MON-1): IT departments keep their list of key
systems, devices and facilities in a spreadsheet. An import is checked as a whole and
saved as a whole: a bad row names itself and nothing is saved."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core.actors import Actor
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.workbooks import cell_text, choice_from_text, open_workbook, workbook_bytes
from yingji.monitoring.choices import AssetKind
from yingji.monitoring.models import Asset
from yingji.monitoring.services import asset_create, can_manage
from yingji.org.models import Department, Person

COLUMNS = ("code", "name", "kind", "core", "location", "department", "responsible", "services")
HEADERS = {  # what people write at the top of their own sheets
    "编码": "code",
    "资产编码": "code",
    "名称": "name",
    "资产名称": "name",
    "类型": "kind",
    "核心": "core",
    "承载核心业务": "core",
    "位置": "location",
    "所在位置": "location",
    "所属部门": "department",
    "部门编码": "department",
    "负责人": "responsible",
    "负责人工号": "responsible",
    "承载业务": "services",
}
MAX_ROWS = 5000
YES = {"1", "y", "yes", "true", "是", "√", "✓"}


@dataclass
class InventoryReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already there: an import never overwrites


def import_assets(*, actor: Actor, content: bytes) -> InventoryReport:
    if not can_manage(actor):
        raise AccessDenied(_("Only the office, the experts or an administrator may do this."))
    rows = _read(content)
    report = InventoryReport()
    with transaction.atomic():
        existing = set(
            Asset.objects.filter(code__in=[r["code"] for _n, r in rows]).values_list(
                "code", flat=True
            )
        )
        for number, row in rows:
            if row["code"] in existing:
                report.skipped.append(row["code"])
                continue
            try:
                asset_create(actor=actor, **_values(row))
            except DomainError as exc:
                raise DomainError(
                    _("Row %(n)d: %(why)s") % {"n": number, "why": exc.message}, field="file"
                ) from None
            existing.add(row["code"])
            report.created.append(row["code"])
    return report


def _read(content: bytes) -> list[tuple[int, dict[str, str]]]:
    with open_workbook(content) as book:
        lines = book.worksheets[0].iter_rows(values_only=True)
        header = [HEADERS.get(cell_text(h), cell_text(h).lower()) for h in next(lines, ())]
        if "code" not in header or "name" not in header:
            raise DomainError(
                _("The first row must name the columns, with at least code and name."), field="file"
            )
        rows: list[tuple[int, dict[str, str]]] = []
        for number, line in enumerate(lines, start=2):
            values = [cell_text(v) for v in line]
            if not any(values):
                continue
            if len(rows) >= MAX_ROWS:
                raise DomainError(_("At most %(n)d assets at once.") % {"n": MAX_ROWS})
            rows.append(
                (
                    number,
                    {
                        h: values[i] if i < len(values) else ""
                        for i, h in enumerate(header)
                        if h in COLUMNS
                    },
                )
            )
        return rows


def _values(row: dict[str, str]) -> dict[str, Any]:
    department = None
    if row.get("department"):
        department = Department.objects.filter(code=row["department"]).first()
        if department is None:
            raise DomainError(_("no department with code %(c)s.") % {"c": row["department"]})
    numbers = [n for n in row.get("responsible", "").replace("，", ",").split(",") if n.strip()]
    people = list(Person.objects.filter(employee_no__in=[n.strip() for n in numbers]))
    if len(people) != len(numbers):
        raise DomainError(_("a responsible person's employee number is unknown."))
    return {
        "code": row["code"],
        "name": row.get("name", ""),
        "kind": choice_from_text(row.get("kind") or "system", AssetKind, "kind"),
        "core": row.get("core", "").strip().lower() in YES,
        "location": row.get("location", ""),
        "services": row.get("services", ""),
        "owner_department": department,
        "responsible": people,
    }


def inventory_workbook() -> bytes:
    """Every asset, in the columns an import reads, so the export is also the template."""
    return workbook_bytes([(_("assets"), _inventory_rows())])


def _inventory_rows() -> Iterator[list[Any]]:
    yield list(COLUMNS)
    for asset in Asset.objects.select_related("owner_department").prefetch_related("responsible"):
        yield (
            [
                asset.code,
                asset.name,
                asset.kind,
                "yes" if asset.core else "",
                asset.location,
                asset.owner_department.code if asset.owner_department else "",
                ",".join(p.employee_no for p in asset.responsible.all()),
                asset.services,
            ]
        )
