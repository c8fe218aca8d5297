"""Excel/CSV import (dry run, all or nothing, row errors) and export round trips."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from yingji.audit.models import AuditEvent
from yingji.org.models import Department, Membership, Person
from yingji.org.testing import CastTestCase, count_rows
from yingji.org.transfer import export_workbook, import_organisation, read_tables


def workbook(**sheets: list[list]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD: dict[str, list[list]] = dict(
    部门=[
        ["部门编码", "部门名称", "类型", "上级部门编码", "负责人工号"],
        ["RISK", "风险管理部", "业务", "", "2001"],
        ["RISK-A", "风险一室", "business", "RISK", ""],
    ],
    人员=[
        ["工号", "姓名", "所属部门编码", "手机", "邮箱"],
        [2001, "冯风控", "RISK", "13600002001", "feng@example.com"],
        [2002, "蒋审计", "RISK-A", "13600002002", ""],
    ],
    memberships=[
        ["group_code", "employee_no", "role", "specialty"],
        ["EXPERT_GROUP", "2001", "成员", "安全"],
    ],
)


class ImportingAWorkbook(CastTestCase):
    def run_import(self, content: bytes, dry_run: bool = False, name: str = "org.xlsx"):
        tables = read_tables(content, name, None)
        return import_organisation(actor=self.office, tables=tables, dry_run=dry_run)

    def test_a_good_workbook_creates_departments_people_heads_and_memberships(self):
        report = self.run_import(workbook(**GOOD))
        self.assertEqual(report.errors, [])
        self.assertEqual(report.created, {"departments": 2, "people": 2, "memberships": 1})
        risk = Department.objects.get(code="RISK")
        self.assertEqual(
            risk.head and risk.head.full_name, "冯风控"
        )  # a head named before their own row
        self.assertEqual(risk.kind, "business")  # "业务" read as the label of a choice
        self.assertEqual(Department.objects.get(code="RISK-A").parent, risk)
        membership = Membership.objects.get(person__employee_no="2001")
        self.assertEqual((membership.group, membership.specialty), (self.expert_group, "security"))

    def test_importing_the_same_file_twice_changes_nothing_the_second_time(self):
        self.run_import(workbook(**GOOD))
        events = AuditEvent.objects.count()
        report = self.run_import(workbook(**GOOD))
        self.assertEqual(report.created, {})
        self.assertEqual(report.unchanged, {"departments": 2, "people": 2, "memberships": 1})
        self.assertEqual(AuditEvent.objects.count(), events)

    def test_a_dry_run_reports_what_would_happen_and_changes_nothing(self):
        before, events = count_rows(), AuditEvent.objects.count()
        report = self.run_import(workbook(**GOOD), dry_run=True)
        self.assertEqual(report.created["people"], 2)
        self.assertEqual(count_rows(), before)
        self.assertEqual(AuditEvent.objects.count(), events)

    def test_a_broken_workbook_lists_every_row_error_and_imports_nothing(self):
        broken = dict(
            departments=[
                ["code", "name", "kind", "parent_code"],
                ["OK1", "正常部门", "business", ""],
                ["bad code", "坏编码", "business", ""],
                ["OK2", "上级不存在", "business", "NOPE"],
            ],
            people=[
                ["employee_no", "full_name", "department_code", "mobile", "email", "kind"],
                ["3001", "正常", "OK1", "13600003001", "", ""],
                ["3002", "坏手机", "OK1", "call me", "not-mail", ""],
                ["3003", "无部门", "", "", "", ""],
                ["3004", "怪类型", "OK1", "", "", "alien"],
            ],
            memberships=[["group_code", "employee_no", "role"], ["LEAD", "3001", "boss"]],
        )
        before, events = count_rows(), AuditEvent.objects.count()
        report = self.run_import(workbook(**broken))
        found = {(e.sheet, e.row, e.field) for e in report.errors}
        self.assertEqual(
            found,
            {
                ("departments", 3, "code"),
                ("departments", 4, "parent_code"),
                ("people", 3, "mobile"),
                ("people", 3, "email"),
                ("people", 4, "department"),
                ("people", 5, "kind"),
                ("memberships", 2, "role"),
            },
        )
        self.assertEqual(count_rows(), before)
        self.assertEqual(AuditEvent.objects.count(), events)
        self.assertFalse(report.committed)

    def test_unknown_columns_and_unreadable_files_are_refused_whole(self):
        from yingji.core.errors import DomainError

        with self.assertRaisesMessage(DomainError, "unknown columns: salary"):
            self.run_import(workbook(people=[["employee_no", "full_name", "salary"]]))
        with self.assertRaisesMessage(DomainError, "not a readable .xlsx"):
            self.run_import(b"PK\x03\x04 this is no zip")
        with self.assertRaisesMessage(DomainError, "no sheet named"):
            self.run_import(workbook(Sheet1=[["a"]]))

    def test_a_gbk_csv_from_chinese_excel_is_read(self):
        content = "工号,姓名,所属部门编码\n4001,郑国标,CS\n".encode("gb18030")
        tables = read_tables(content, "people.csv", "people")
        report = import_organisation(actor=self.office, tables=tables, dry_run=False)
        self.assertEqual(report.errors, [])
        self.assertEqual(Person.objects.get(employee_no="4001").full_name, "郑国标")

    def test_the_language_column_takes_codes_names_and_locale_tags(self):
        content = (
            "工号,姓名,所属部门编码,语言\n4001,郑国标,CS,zh-TW\n4002,Anna Lee,CS,English\n"
            "4003,王芳,CS,简体中文\n4004,李四,CS,\n"
        ).encode()
        tables = read_tables(content, "people.csv", "people")
        report = import_organisation(actor=self.office, tables=tables, dry_run=False)
        self.assertEqual(report.errors, [])
        languages = dict(
            Person.objects.filter(employee_no__startswith="400").values_list(
                "employee_no", "language"
            )
        )
        self.assertEqual(
            languages, {"4001": "zh-hant", "4002": "en", "4003": "zh-hans", "4004": ""}
        )

    def test_an_unknown_language_is_a_row_error(self):
        tables = read_tables(
            "工号,姓名,所属部门编码,语言\n4001,郑国标,CS,克林贡语\n".encode(), "p.csv", "people"
        )
        report = import_organisation(actor=self.office, tables=tables, dry_run=False)
        self.assertEqual(len(report.errors), 1)
        self.assertIn("克林贡语", str(report.errors[0]))
        self.assertFalse(Person.objects.filter(employee_no="4001").exists())

    def test_only_managers_may_import(self):
        from yingji.core.errors import AccessDenied

        with self.assertRaises(AccessDenied):
            import_organisation(actor=self.head, tables={}, dry_run=True)


class ExportRoundTrip(CastTestCase):
    def test_an_exported_workbook_imports_back_unchanged(self):
        content = export_workbook(self.office)
        sheets = load_workbook(io.BytesIO(content)).sheetnames
        self.assertEqual(sheets, ["departments", "people", "memberships"])
        report = import_organisation(
            actor=self.office, tables=read_tables(content, "x.xlsx", None), dry_run=False
        )
        self.assertEqual(report.errors, [])
        self.assertEqual(report.created, {})
        self.assertEqual(report.updated, {})
        self.assertEqual(report.unchanged["people"], Person.objects.count())

    def test_the_csv_export_opens_in_excel_with_chinese_intact(self):
        self.login("office")
        response = self.client.get(reverse("org:export"), {"format": "csv", "kind": "people"})
        text = response.content.decode("utf-8")
        self.assertTrue(text.startswith("\ufeffemployee_no,full_name"))
        self.assertIn("王建国", text)


class ImportPageAndCommand(CastTestCase):
    def test_the_page_shows_row_errors_with_a_400(self):
        self.login("office")
        bad = workbook(people=[["employee_no", "full_name"], ["", "无工号"]])
        response = self.client.post(
            reverse("org:import"), {"file": SimpleUploadedFile("a.xlsx", bad), "kind": ""}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "nothing was imported", status_code=400)

    def test_a_file_over_5_mb_is_refused_before_it_is_read(self):
        self.login("office")
        huge = SimpleUploadedFile("big.csv", b"employee_no,full_name\n" + b"x" * (5 * 1024 * 1024))
        response = self.client.post(reverse("org:import"), {"file": huge, "kind": "people"})
        self.assertContains(response, "larger than 5 MB", status_code=400)

    def test_the_page_dry_run_then_import(self):
        self.login("office")
        good = workbook(**GOOD)
        dry = self.client.post(
            reverse("org:import"), {"file": SimpleUploadedFile("a.xlsx", good), "dry_run": "1"}
        )
        self.assertContains(dry, "Nothing was changed yet")
        self.assertFalse(Department.objects.filter(code="RISK").exists())
        done = self.client.post(reverse("org:import"), {"file": SimpleUploadedFile("a.xlsx", good)})
        self.assertContains(done, "Imported.")
        self.assertTrue(Department.objects.filter(code="RISK").exists())

    def test_the_command_exits_non_zero_on_row_errors(self):
        import tempfile
        from pathlib import Path

        path = Path(tempfile.mkdtemp()) / "bad.csv"
        path.write_text("code,name\nbad code,坏\n", encoding="utf-8")
        with self.assertRaisesMessage(CommandError, "nothing was imported"):
            call_command("import_org", str(path), "--kind", "departments")
