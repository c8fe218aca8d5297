"""Import and export of departments, people and group memberships as .xlsx or .csv.

An import runs row by row through the same services as the pages, so every rule applies. It
collects every row's error, and commits only if there are none: all or nothing. A dry run is
the same import, always rolled back, so what it reports is exactly what an import would do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core.actors import Actor
from yingji.core.errors import DomainError, FieldErrors
from yingji.core.workbooks import cell_text, choice_from_text, open_workbook, workbook_bytes
from yingji.org import services
from yingji.org.choices import (
    DepartmentKind,
    Language,
    MemberRole,
    PersonKind,
    PersonStatus,
    Specialty,
)
from yingji.org.models import Department, EmergencyGroup, Membership, Person, Vendor
from yingji.org.queries import require_org_manager

MAX_ROWS = 20000

COLUMNS = {
    "departments": [
        "code",
        "name",
        "kind",
        "parent_code",
        "head_employee_no",
        "deputy_employee_no",
        "sort_order",
        "active",
    ],
    "people": [
        "employee_no",
        "full_name",
        "kind",
        "department_code",
        "vendor_name",
        "title",
        "mobile",
        "email",
        "dingtalk_id",
        "wecom_id",
        "feishu_id",
        "language",
        "status",
        "username",
    ],
    "memberships": ["group_code", "employee_no", "role", "specialty", "note"],
}
KEYS = {
    "departments": ["code", "name"],
    "people": ["employee_no", "full_name"],
    "memberships": ["group_code", "employee_no"],
}

# Chinese contact lists come with Chinese headers; both are accepted.
HEADER_ALIASES = {
    "部门编码": "code",
    "部门名称": "name",
    "类型": "kind",
    "上级部门编码": "parent_code",
    "负责人工号": "head_employee_no",
    "AB角工号": "deputy_employee_no",
    "副负责人工号": "deputy_employee_no",
    "排序": "sort_order",
    "启用": "active",
    "工号": "employee_no",
    "姓名": "full_name",
    "人员类型": "kind",
    "所属部门编码": "department_code",
    "供应商": "vendor_name",
    "职务": "title",
    "手机": "mobile",
    "邮箱": "email",
    "钉钉ID": "dingtalk_id",
    "企业微信ID": "wecom_id",
    "飞书ID": "feishu_id",
    "语言": "language",
    "状态": "status",
    "用户名": "username",
    "小组编码": "group_code",
    "角色": "role",
    "专业": "specialty",
    "备注": "note",
}
SHEET_ALIASES = {"部门": "departments", "人员": "people", "小组成员": "memberships"}
TRUE_WORDS = {"1", "true", "yes", "y", "是", "启用", "啟用", "有效"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "停用", "无效", "無效"}


@dataclass
class RowError:
    sheet: str
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def committed(self) -> bool:
        return not self.dry_run and not self.errors

    def count(self, bucket: str, sheet: str) -> None:
        counts = getattr(self, bucket)
        counts[sheet] = counts.get(sheet, 0) + 1


# ---------------------------------------------------------------- reading files


def read_tables(content: bytes, filename: str, csv_kind: str | None) -> dict[str, list[dict]]:
    """Sheets as lists of {column: text}, each row remembering its row number as '_row'."""
    if filename.lower().endswith(".xlsx"):
        return _read_workbook(content)
    if filename.lower().endswith(".csv"):
        if csv_kind not in COLUMNS:
            raise DomainError(_("Say what the CSV file holds: people, departments or memberships."))
        return {csv_kind: _rows(csv.reader(io.StringIO(_decode(content))), csv_kind)}
    raise DomainError(_("Upload an .xlsx workbook or a .csv file."), field="file")


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The CSV file is neither UTF-8 nor GBK text."), field="file")


def _read_workbook(content: bytes) -> dict[str, list[dict]]:
    tables = {}
    with open_workbook(content) as book:
        for sheet in book.worksheets:
            kind = SHEET_ALIASES.get(sheet.title.strip(), sheet.title.strip().lower())
            if kind in COLUMNS:
                tables[kind] = _rows(sheet.iter_rows(values_only=True), kind)
    if not tables:
        raise DomainError(
            _("The workbook has no sheet named departments, people or memberships."), field="file"
        )
    return tables


def _rows(lines: Iterator[Any], kind: str) -> list[dict]:
    header_line = next(iter(lines), None)
    if header_line is None:
        return []
    header = [HEADER_ALIASES.get(cell_text(h), cell_text(h).lower()) for h in header_line]
    unknown = [h for h in header if h and h not in COLUMNS[kind]]
    if unknown:
        raise DomainError(
            _("Sheet %(sheet)s has unknown columns: %(columns)s")
            % {"sheet": kind, "columns": ", ".join(unknown)}
        )
    missing = [k for k in KEYS[kind] if k not in header]
    if missing:
        raise DomainError(
            _("Sheet %(sheet)s lacks the columns: %(columns)s")
            % {"sheet": kind, "columns": ", ".join(missing)}
        )
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=2):
        values = [cell_text(v) for v in line]
        if not any(values):
            continue
        if len(rows) >= MAX_ROWS:
            raise DomainError(_("A sheet may hold at most %(n)d rows.") % {"n": MAX_ROWS})
        row: dict[str, Any] = {
            h: values[i] if i < len(values) else "" for i, h in enumerate(header) if h
        }
        row["_row"] = number
        rows.append(row)
    return rows


# ---------------------------------------------------------------- value parsing


# What contact lists write for a language, besides our own codes and names.
LANGUAGE_ALIASES = {
    "zh-cn": "zh-hans",
    "zh_cn": "zh-hans",
    "简体": "zh-hans",
    "中文": "zh-hans",
    "zh-tw": "zh-hant",
    "zh_tw": "zh-hant",
    "zh-hk": "zh-hant",
    "繁体": "zh-hant",
    "繁體": "zh-hant",
    "英文": "en",
    "英語": "en",
    "英语": "en",
}


def _language(value: str) -> str:
    wanted = value.strip().lower()
    if wanted in LANGUAGE_ALIASES:
        return LANGUAGE_ALIASES[wanted]
    return choice_from_text(value, Language, "language")


def _bool(value: str, column: str) -> bool:
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise DomainError(_("%(value)s is not yes or no.") % {"value": value}, field=column)


def _lookup(model: Any, column: str, **filters: Any) -> Any:
    value = next(iter(filters.values()))
    if not value:
        return None
    found = model.objects.filter(**filters).first()
    if found is None:
        raise DomainError(_("%(value)s does not exist.") % {"value": value}, field=column)
    return found


# ---------------------------------------------------------------- applying rows


def _department_values(row: dict, with_links: bool) -> dict[str, Any]:
    values: dict[str, Any] = {"code": row["code"], "name": row["name"]}
    if row.get("kind"):
        values["kind"] = choice_from_text(row["kind"], DepartmentKind, "kind")
    if row.get("sort_order"):
        try:
            values["sort_order"] = int(row["sort_order"])
        except ValueError:
            raise DomainError(_("Enter a whole number."), field="sort_order") from None
    if row.get("active"):
        values["active"] = _bool(row["active"], "active")
    if with_links:
        if "parent_code" in row:
            values["parent"] = _lookup(Department, "parent_code", code=row["parent_code"])
        for column, name in (("head_employee_no", "head"), ("deputy_employee_no", "deputy")):
            if column in row:
                values[name] = _lookup(Person, column, employee_no=row[column])
    return values


def _upsert(
    report: ImportReport,
    sheet: str,
    existing: Any,
    values: dict[str, Any],
    create: Callable[[], Any],
    update: Callable[[Any], Any],
) -> None:
    if existing is None:
        create()
        report.count("created", sheet)
    elif _changed(existing, values):
        update(existing)
        report.count("updated", sheet)
    else:
        report.count("unchanged", sheet)


def _import_department(actor: Actor, row: dict, report: ImportReport, with_links: bool) -> None:
    values = _department_values(row, with_links)
    existing = Department.objects.filter(code=values["code"]).first()
    if with_links:  # second pass: the rows exist now; only their links are new
        changes = {k: v for k, v in values.items() if k in ("parent", "head", "deputy")}
        if changes and existing is not None:
            services.department_update(actor=actor, department=existing, changes=changes)
        return
    _upsert(
        report,
        "departments",
        existing,
        values,
        lambda: services.department_create(actor=actor, **values),
        lambda found: services.department_update(actor=actor, department=found, changes=values),
    )


def _changed(instance: Any, values: dict[str, Any]) -> bool:
    return any(getattr(instance, k) != v for k, v in values.items())


def _import_person(actor: Actor, row: dict, report: ImportReport) -> None:
    values: dict[str, Any] = {
        k: row[k]
        for k in services.PERSON_FIELDS
        if k in row and k not in ("kind", "department", "vendor", "language")
    }
    if row.get("language"):
        values["language"] = _language(row["language"])
    values["kind"] = (
        choice_from_text(row["kind"], PersonKind, "kind") if row.get("kind") else "employee"
    )
    if "department_code" in row:
        values["department"] = _lookup(Department, "department_code", code=row["department_code"])
    if "vendor_name" in row:
        values["vendor"] = _lookup(Vendor, "vendor_name", name=row["vendor_name"])
    status = choice_from_text(row["status"], PersonStatus, "status") if row.get("status") else None
    existing = Person.objects.filter(employee_no=values["employee_no"]).first()
    _upsert(
        report,
        "people",
        existing,
        values,
        lambda: services.person_create(actor=actor, username=row.get("username") or None, **values),
        lambda found: services.person_update(actor=actor, person=found, changes=values),
    )
    if status:
        person = Person.objects.get(employee_no=values["employee_no"])
        if status != person.status:
            services.person_set_status(actor=actor, person=person, status=status)


def _import_membership(actor: Actor, row: dict, report: ImportReport) -> None:
    group = _lookup(EmergencyGroup, "group_code", code=row["group_code"])
    person = _lookup(Person, "employee_no", employee_no=row["employee_no"])
    if group is None or person is None:
        raise DomainError(_("Both the group code and the employee number are required."))
    values = {
        "role": choice_from_text(row["role"], MemberRole, "role")
        if row.get("role")
        else MemberRole.MEMBER,
        "specialty": choice_from_text(row["specialty"], Specialty, "specialty")
        if row.get("specialty")
        else "",
        "note": row.get("note", ""),
    }
    existing = Membership.objects.filter(group=group, person=person).first()
    _upsert(
        report,
        "memberships",
        existing,
        values,
        lambda: services.membership_add(actor=actor, group=group, person=person, **values),
        lambda found: services.membership_update(actor=actor, membership=found, changes=values),
    )


def _each_row(
    report: ImportReport,
    sheet: str,
    rows: list[dict],
    apply: Callable[[dict], None],
    skip: Collection[int] = (),
) -> set[int]:
    """Apply each row in its own savepoint; returns the numbers of the rows that failed."""
    failed = set()
    for row in rows:
        if row["_row"] in skip:
            continue
        failed.add(row["_row"])
        try:
            with transaction.atomic():  # a savepoint: a failed row leaves the others intact
                apply(row)
            failed.discard(row["_row"])
        except FieldErrors as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    report.errors.append(RowError(sheet, row["_row"], name, str(message)))
        except DomainError as exc:
            report.errors.append(RowError(sheet, row["_row"], exc.field or "", str(exc.message)))
    return failed


def import_organisation(
    *, actor: Actor, tables: dict[str, list[dict]], dry_run: bool
) -> ImportReport:
    require_org_manager(actor)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        departments = tables.get("departments", [])
        failed = _each_row(
            report,
            "departments",
            departments,
            lambda r: _import_department(actor, r, report, with_links=False),
        )
        _each_row(
            report, "people", tables.get("people", []), lambda r: _import_person(actor, r, report)
        )
        _each_row(
            report,
            "departments",
            departments,
            lambda r: _import_department(actor, r, report, with_links=True),
            skip=failed,
        )
        _each_row(
            report,
            "memberships",
            tables.get("memberships", []),
            lambda r: _import_membership(actor, r, report),
        )
        if dry_run or report.errors:
            transaction.set_rollback(True)
    report.errors.sort(key=lambda e: (list(COLUMNS).index(e.sheet), e.row))
    return report


# ---------------------------------------------------------------- export


def export_rows(kind: str, user: Any) -> Iterator[list[Any]]:
    from yingji.org.queries import visible_departments, visible_memberships, visible_people

    yield COLUMNS[kind]
    if kind == "departments":
        for d in visible_departments(user).select_related("parent", "head", "deputy"):
            yield [
                d.code,
                d.name,
                d.kind,
                d.parent.code if d.parent else "",
                d.head.employee_no if d.head else "",
                d.deputy.employee_no if d.deputy else "",
                d.sort_order,
                "yes" if d.active else "no",
            ]
    elif kind == "people":
        for p in visible_people(user).select_related("department", "vendor", "user"):
            yield [
                p.employee_no,
                p.full_name,
                p.kind,
                p.department.code if p.department else "",
                p.vendor.name if p.vendor else "",
                p.title,
                p.mobile,
                p.email,
                p.dingtalk_id,
                p.wecom_id,
                p.feishu_id,
                p.language,
                p.status,
                p.user.username,
            ]
    else:
        for m in visible_memberships(user).select_related("group", "person"):
            yield [m.group.code, m.person.employee_no, m.role, m.specialty, m.note]


def export_workbook(user: Any) -> bytes:
    return workbook_bytes((kind, export_rows(kind, user)) for kind in COLUMNS)


def export_csv(kind: str, user: Any) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the BOM makes Excel open UTF-8 Chinese text correctly
    writer = csv.writer(buffer)
    for row in export_rows(kind, user):
        writer.writerow(row)
    return buffer.getvalue()
