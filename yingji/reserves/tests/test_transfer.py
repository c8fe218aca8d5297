"""The inventory in and out of .xlsx, the ledger out (confidential incidents left out), and
the resource survey read back."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from yingji.core.actors import SYSTEM
from yingji.core.workbooks import workbook_bytes
from yingji.incidents import services as incidents
from yingji.org.testing import CastTestCase
from yingji.reserves import services
from yingji.reserves.models import Item
from yingji.reserves.tests.helpers import build_store
from yingji.reserves.transfer import import_inventory, survey_docx


class Inventory(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.place = build_store(self.cast)

    def sheet(self, *rows):
        return workbook_bytes(
            [("库存", [["location", "tag", "class", "model", "quantity"], *rows])]
        )

    def test_a_dry_run_changes_nothing_and_a_good_workbook_receives_every_row(self):
        content = self.sheet(
            ["DC-1-A1", "SRV-10", "SRV", "NF5280", 1], ["DC-1-B2", "LOT-7", "光纤跳线", "", 30]
        )
        checked = import_inventory(actor=self.executor, content=content, dry_run=True)
        self.assertEqual((checked.errors, checked.created), ([], 2))
        self.assertFalse(Item.objects.exists())
        done = import_inventory(actor=self.executor, content=content, dry_run=False)
        self.assertTrue(done.committed)
        self.assertEqual(Item.objects.get(tag="LOT-7").on_hand, 30)

    def test_broken_rows_are_named_and_nothing_is_kept(self):
        services.item_receive(
            actor=SYSTEM,
            reserve_class=self.place["server"],
            location=self.place["shelf"],
            tag="SRV-01",
        )
        content = self.sheet(
            ["DC-1-A1", "SRV-11", "SRV", "", 1],
            ["DC-1-A1", "SRV-12", "FAX", "", 1],
            ["NOWHERE", "SRV-13", "SRV", "", 1],
            ["DC-1-A1", "SRV-01", "SRV", "", 1],
            ["DC-1-A1", "LOT-1", "CABLE", "", "many"],
        )
        result = import_inventory(actor=self.executor, content=content, dry_run=False)
        self.assertEqual(
            [(e.row, e.field) for e in result.errors],
            [(3, "class"), (4, "location"), (5, "tag"), (6, "quantity")],
        )
        self.assertEqual(list(Item.objects.values_list("tag", flat=True)), ["SRV-01"])
        refused = import_inventory(
            actor=self.staff, content=self.sheet(["DC-1-A1", "SRV-20", "SRV", "", 1]), dry_run=False
        )
        self.assertEqual(len(refused.errors), 1)  # not a custodian of that store

    def test_the_ledger_leaves_out_incidents_the_reader_may_not_see(self):
        item = services.item_receive(
            actor=SYSTEM,
            reserve_class=self.place["cable"],
            location=self.place["shelf"],
            tag="LOT-2",
            quantity=5,
        )
        secret = incidents.incident_report(
            actor=self.executor,
            title="客户数据泄露",
            category="network_security",
            occurred_at=timezone.now() - timedelta(minutes=5),
            symptoms="外传",
            confidential=True,
        )
        services.movement_post(
            actor=SYSTEM, item=item, movement="issued", quantity=1, incident=secret
        )

        def incident_cells(who: str) -> list:
            self.login(who)
            book = load_workbook(io.BytesIO(self.client.get("/reserves/ledger.xlsx").content))
            return [row[7] for row in book.active.iter_rows(min_row=2, values_only=True)]

        self.assertIn(secret.pk, incident_cells("executor"))  # who reported it takes part
        self.assertNotIn(secret.pk, incident_cells("sales"))

    def test_the_survey_lists_readiness_stores_and_what_the_plans_need(self):
        services.item_receive(
            actor=SYSTEM,
            reserve_class=self.place["server"],
            location=self.place["shelf"],
            tag="SRV-01",
            model="NF5280",
        )
        document = Document(io.BytesIO(survey_docx(timezone.localdate())))
        cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        self.assertIn("备用服务器", cells)
        self.assertIn("SRV-01", cells)
        self.assertIn("DC-1-A1", cells)


class FilesThroughTheApi(CastTestCase):
    def test_inventory_ledger_survey_and_import(self):
        from rest_framework.test import APIClient

        from yingji.accounts.services import token_create

        build_store(self.cast)
        _token, raw = token_create(actor=self.executor, user=self.executor, name="t")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        for path in ("inventory", "ledger", "survey"):
            self.assertEqual(api.get(f"/api/v1/reserves/files/{path}/").status_code, 200, path)
        book = workbook_bytes([("x", [["location", "tag", "class"], ["DC-1-A1", "SRV-5", "SRV"]])])
        upload = io.BytesIO(book)
        upload.name = "inv.xlsx"
        checked = api.post(
            "/api/v1/reserves/files/import/",
            {"file": upload, "dry_run": "false"},
            format="multipart",
        )
        self.assertEqual((checked.status_code, checked.json()["created"]), (200, 1))
        self.assertTrue(Item.objects.filter(tag="SRV-5").exists())
