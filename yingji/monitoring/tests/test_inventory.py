"""The asset inventory from and to Excel: new codes are added, known ones left alone, a bad
row stops the import with its row number and saves nothing."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from yingji.core.actors import SYSTEM
from yingji.monitoring import services
from yingji.monitoring.models import Asset
from yingji.org.testing import CastTestCase


def workbook(*rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("assets.xlsx", out.getvalue())


HEADER = ("编码", "名称", "类型", "核心", "位置", "所属部门", "负责人工号", "承载业务")


class AssetInventory(CastTestCase):
    def test_an_import_adds_new_assets_and_leaves_known_ones(self):
        services.asset_create(actor=SYSTEM, code="FW-01", name="旧名称", kind="network_device")
        self.login("office")
        response = self.client.post(
            "/monitoring/assets/import/",
            {
                "file": workbook(
                    HEADER,
                    ("FW-01", "新名称", "网络设备", "是", "", "", "", ""),
                    (
                        "UPS-01",
                        "二号机房 UPS",
                        "生产设施",
                        "是",
                        "二号机房",
                        "TECH",
                        f"{self.executor_person.employee_no}",
                        "全部业务",
                    ),
                    ("CRM", "客户关系管理", "system", "", "", "", "", ""),
                )
            },
        )
        self.assertContains(response, "2 added, 1 already there.")
        ups = Asset.objects.get(code="UPS-01")
        self.assertEqual((ups.kind, ups.core, ups.owner_department), ("facility", True, self.tech))
        self.assertEqual(list(ups.responsible.all()), [self.executor_person])
        self.assertEqual(Asset.objects.get(code="FW-01").name, "旧名称")
        exported = load_workbook(io.BytesIO(self.client.get("/monitoring/assets.xlsx").content))
        codes = [row[0] for row in exported.active.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(sorted(codes), ["CRM", "FW-01", "UPS-01"])

    def test_a_bad_row_stops_the_import_and_saves_nothing(self):
        self.login("office")
        for rows, words in (
            ([("A", "甲", "system"), ("B", "乙", "天气设备")], "Row 3"),
            ([("A", "甲", "system", "", "", "NOPE")], "NOPE"),
            ([("A", "甲", "system", "", "", "", "E9999")], "employee number"),
            ([("A", "")], "Row 2"),
        ):
            with self.subTest(words=words):
                response = self.client.post(
                    "/monitoring/assets/import/",
                    {
                        "file": workbook(
                            (
                                "code",
                                "name",
                                "kind",
                                "core",
                                "location",
                                "department",
                                "responsible",
                            ),
                            *rows,
                        )
                    },
                )
                self.assertContains(response, words, status_code=400)
        not_excel = SimpleUploadedFile("assets.xlsx", b"code,name")
        self.assertContains(
            self.client.post("/monitoring/assets/import/", {"file": not_excel}),
            "readable",
            status_code=400,
        )
        self.assertFalse(Asset.objects.exists())
        self.login("staff")
        self.assertEqual(self.client.get("/monitoring/assets/import/").status_code, 403)
