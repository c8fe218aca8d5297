"""The report read back with python-docx, and the register's workbook out and in."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone
from docx import Document

from yingji.core.actors import SYSTEM
from yingji.core.workbooks import workbook_bytes
from yingji.monitoring import services as monitoring
from yingji.org.testing import CastTestCase
from yingji.risks.models import Risk
from yingji.risks.report import assessment_docx, company_docx
from yingji.risks.tests.helpers import add, complete, open_for
from yingji.risks.transfer import COLUMNS, import_register, register_workbook

SECTIONS = (
    "Scope",
    "Method and risk matrix",
    "Assets and dependencies",
    "Risk factors by family",
    "Risk register",
    "Heat map",
    "Change since last quarter",
    "Technical risks of R&D projects",
    "Treatment plan and rectification",
    "Plans, reserves, drills and monitoring that treat the risks",
    "Conclusions and sign-off",
)


class TheReport(CastTestCase):
    def test_every_section_the_register_rows_and_a_shaded_heat_map(self):
        today = timezone.localdate()
        q1 = open_for(self.cs, 2027, 1)
        add(q1, "旧风险", owner=self.head_person)
        q2 = open_for(self.cs, 2027, 2)
        complete(q2, self.head_person, today)
        with self.settings(LANGUAGE_CODE="en"):
            from django.utils import translation

            with translation.override("en"):
                document = Document(io.BytesIO(assessment_docx(q2)))
        headings = [
            p.text for p in document.paragraphs if p.style and p.style.name.startswith("Heading")
        ]
        for number, section in enumerate(SECTIONS, start=1):
            self.assertIn(f"{number} {section}", headings)
        register = next(
            t
            for t in document.tables
            if t.rows[0].cells[0].text == "number" and len(t.columns) == 10
        )
        self.assertEqual(len(register.rows), 1 + q2.risks.count())
        self.assertEqual(
            {r.cells[9].text for r in register.rows[1:]}, {"Carried over, not re-scored", "New"}
        )
        shaded = [
            c
            for t in document.tables
            for r in t.rows
            for c in r.cells
            if c._tc.tcPr is not None and "w:shd" in c._tc.tcPr.xml
        ]
        self.assertGreaterEqual(len(shaded), 25 * 3)  # the matrix, current and residual maps

    def test_the_company_report_names_each_department(self):
        complete(open_for(self.cs, 2027, 1), self.head_person, timezone.localdate())
        complete(open_for(self.other_dept, 2027, 1), self.sales_person, timezone.localdate())
        document = Document(io.BytesIO(company_docx(2027, 1)))
        text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        self.assertIn("客户服务部", text)
        self.assertIn("销售部", text)
        self.assertIn("CS-R-01", text)
        self.assertIn("SALES-R-01", text)


class TheWorkbook(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.assessment = open_for(self.cs)
        self.asset = monitoring.asset_create(
            actor=SYSTEM, code="CC-1", name="排队机", kind="server", owner_department=self.cs
        )

    def sheet(self, *rows):
        header = [key for key, _label in COLUMNS]
        return workbook_bytes([("风险", [header, *rows])])

    def row(self, **values):
        base = {
            "department": "CS",
            "title": "排队机老化",
            "family": "技术老化",
            "assets": "CC-1",
            "current_likelihood": 2,
            "current_impact": 3,
            "treatment": "降低",
            "treatment_plan": "",
            "owner": "E0004",
            "treatment_due": (timezone.localdate() + timedelta(days=20)).isoformat(),
        }
        base.update(values)
        return [base.get(key, "") for key, _label in COLUMNS]

    def test_export_then_import_round_trips_and_updates_by_number(self):
        add(self.assessment, "原有风险", owner=self.head_person)
        exported = register_workbook(
            self.assessment.risks.select_related("assessment__department", "owner")
        )
        result = import_register(
            actor=self.head, assessment=self.assessment, content=exported, dry_run=False
        )
        self.assertEqual((result.errors, result.created, result.updated), ([], 0, 1))
        self.assertEqual(self.assessment.risks.count(), 1)

    def test_a_dry_run_changes_nothing_and_a_good_file_adds_every_row(self):
        content = self.sheet(self.row(), self.row(title="台风", family="disaster"))
        checked = import_register(
            actor=self.head, assessment=self.assessment, content=content, dry_run=True
        )
        self.assertEqual((checked.errors, checked.created), ([], 2))
        self.assertFalse(Risk.objects.exists())
        done = import_register(
            actor=self.head, assessment=self.assessment, content=content, dry_run=False
        )
        self.assertTrue(done.committed)
        risk = self.assessment.risks.get(title="排队机老化")
        self.assertEqual(
            (risk.family, risk.treatment, risk.owner), ("ageing", "mitigate", self.head_person)
        )
        self.assertEqual(list(risk.assets.all()), [self.asset])

    def test_broken_rows_are_named_and_nothing_is_kept(self):
        content = self.sheet(
            self.row(),
            self.row(department="SALES"),
            self.row(assets="NOPE-9"),
            self.row(current_likelihood=9),
            self.row(owner="X404"),
            self.row(family="火星"),
        )
        result = import_register(
            actor=self.head, assessment=self.assessment, content=content, dry_run=False
        )
        got = [(e.row, e.field) for e in result.errors]
        self.assertEqual(
            got,
            [
                (3, "department"),
                (4, "assets"),
                (5, "current_likelihood"),
                (6, "owner"),
                (7, "family"),
            ],
        )
        self.assertFalse(result.committed)
        self.assertFalse(Risk.objects.exists())

    def test_not_a_workbook_is_a_clear_error(self):
        from yingji.core.errors import DomainError

        with self.assertRaises(DomainError) as refused:
            import_register(
                actor=self.head, assessment=self.assessment, content=b"PK\x03\x04 no", dry_run=True
            )
        self.assertEqual(refused.exception.field, "file")


class ExportCost(CastTestCase):
    def test_the_register_export_costs_the_same_queries_at_any_size(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        asset = monitoring.asset_create(
            actor=SYSTEM, code="CC-2", name="交换机", kind="server", owner_department=self.cs
        )
        assessment = open_for(self.cs)

        def cost() -> int:
            with CaptureQueriesContext(connection) as queries:
                register_workbook(assessment.risks.all())
            return len(queries)

        add(assessment, "一", owner=self.head_person, assets=[asset.pk])
        few = cost()
        for n in range(8):
            add(assessment, f"多{n}", owner=self.head_person, assets=[asset.pk])
        self.assertEqual(cost(), few)


class TheGuideListsEveryCheck(CastTestCase):
    def test_each_quality_code_is_in_the_user_guide_with_its_severity(self):
        from pathlib import Path

        from yingji.risks.quality import CHECKS

        guide = (Path(__file__).resolve().parents[3] / "docs/user-guide/risks.md").read_text()
        for code, (severity, _text) in CHECKS.items():
            self.assertIn(f"| `{code}` | {severity} |", guide)
