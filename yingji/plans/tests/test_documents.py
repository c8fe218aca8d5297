"""A plan leaves Yingji as a Word document in GB/T 29639 chapter order with its approval
record, and its steps come in from an Excel workbook; versions are compared line by line."""

import io

from django.urls import reverse
from django.utils import translation
from docx import Document
from openpyxl import Workbook, load_workbook

from yingji.core.errors import DomainError
from yingji.plans import services
from yingji.plans.sections import version_diff
from yingji.plans.tests.test_approval import PlanTestCase
from yingji.plans.xlsx import read_steps, steps_workbook


def workbook(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["步骤", "时间", "责任组", "内容", "地点", "分钟", "检查项", "前序"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class WordExport(PlanTestCase):
    def approved(self):
        version = self.to_approval(self.draft())
        return services.version_approve(actor=self.leader, version=version, comment="同意发布")

    def read_back(self, response) -> tuple[list[str], list[list[str]]]:
        document = Document(io.BytesIO(response.content))
        paragraphs = [p.text for p in document.paragraphs]
        tables = [[cell.text for row in t.rows for cell in row.cells] for t in document.tables]
        return paragraphs, tables

    def test_every_chapter_in_order_with_the_steps_and_the_approval_record(self):
        version = self.approved()
        services.version_update(
            actor=self.expert, version=self.draft(code="ZX-02"), data_recovery="从异地备份恢复"
        )
        self.login("staff")
        url = reverse("plans:docx", args=[version.plan.pk, version.number])
        with translation.override("zh-hans"):
            response = self.client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertEqual(response.status_code, 200)
        self.assertIn("wordprocessingml", response["Content-Type"])
        paragraphs, tables = self.read_back(response)
        headings = [p for p in paragraphs if p[:1].isdigit()]
        chapters = [
            "1 适用范围",
            "2 组织机构及职责",
            "3 响应启动条件",
            "4 响应程序与处置措施",
            "5 数据恢复程序",
            "6 业务临时处理措施",
            "7 所需应急资源",
            "8 联系方式",
        ]
        self.assertEqual(headings, chapters)
        self.assertIn("ZX-01 信息系统故障专项应急预案", paragraphs)
        self.assertIn("核心业务系统", paragraphs)  # the scope
        self.assertIn("应急执行小组：切换与恢复", paragraphs)
        self.assertTrue(any("业务中断时长" in p and "60" in p for p in paragraphs))
        facts, steps, approvals = tables
        self.assertIn("切换备用系统", steps)
        self.assertIn("同城灾备中心", steps)
        self.assertTrue(any("☐ 查看监控" in cell for cell in steps))
        self.assertIn("同意发布", approvals)
        self.assertIn("已批准", approvals)
        self.assertIn("信息技术部", facts)  # the owner department

    def test_outsiders_cannot_export(self):
        version = self.draft()
        self.login("outsider")
        url = reverse("plans:docx", args=[version.plan.pk, version.number])
        self.assertEqual(self.client.get(url).status_code, 404)


class ExcelSteps(PlanTestCase):
    def test_the_template_round_trips_the_steps(self):
        version = self.draft()
        with translation.override("zh-hans"):
            content = steps_workbook(list(version.steps.all()))
            steps = read_steps(content)
        self.assertEqual([s["title"] for s in steps], ["确认故障范围", "切换备用系统", "通报全员"])
        self.assertEqual(steps[0]["checklist"], ["查看监控", "确认影响客户数"])
        self.assertEqual(steps[1]["after"], 1)
        self.assertEqual(steps[1]["group"], "execution")
        header = [c.value for c in load_workbook(io.BytesIO(content)).active[1]]
        self.assertEqual(header[2], "责任小组")

    def test_an_upload_replaces_the_steps_and_bad_rows_change_nothing(self):
        version = self.draft()
        self.login("expert")
        url = reverse("plans:version_steps", args=[version.plan.pk, version.number])
        good = workbook(
            ("启动备用网络", "", "Execution group", "切换专线", "机房", 15, "检查路由\n检查防火墙"),
            ("报告进展", "", "应急技术专家小组", "", "", "", "", 1),
        )
        bad_cases = (
            (workbook(("x", "", "天气组")), "天气组"),
            (workbook(("x", "", "expert", "", "", "十分钟")), "whole number"),
            (workbook(("a", "", "expert", "", "", "", "", 2)), "earlier step"),
            (b"not a workbook", "readable"),
            (workbook(), "no steps"),
        )
        for content, words in bad_cases:
            with self.subTest(words=words):
                upload = io.BytesIO(content)
                upload.name = "steps.xlsx"
                response = self.client.post(url, {"file": upload})
                self.assertContains(response, words, status_code=400)
        self.assertEqual(version.steps.count(), 3)
        upload = io.BytesIO(good)
        upload.name = "steps.xlsx"
        self.assertEqual(self.client.post(url, {"file": upload}).status_code, 302)
        saved = [(s.title, s.group, s.expected_minutes, s.after) for s in version.steps.all()]
        self.assertEqual(
            saved, [("启动备用网络", "execution", 15, None), ("报告进展", "expert", None, 1)]
        )
        self.assertEqual(version.steps.get(position=1).checklist, ["检查路由", "检查防火墙"])

    def test_an_approved_version_takes_no_upload(self):
        version = self.to_approval(self.draft())
        services.version_approve(actor=self.leader, version=version)
        with self.assertRaises(DomainError):
            services.steps_set(
                actor=self.expert, version=version, steps=read_steps(workbook(("x", "", "expert")))
            )


class VersionDiff(PlanTestCase):
    def test_the_diff_shows_each_changed_line_in_its_section(self):
        first = self.to_approval(self.draft())
        services.version_approve(actor=self.leader, version=first)
        second = services.version_new(actor=self.expert, plan=first.plan)
        services.version_update(actor=self.expert, version=second, scope="核心业务系统及渠道系统")
        steps = [{"title": s.title, "group": s.group, "after": s.after} for s in first.steps.all()][
            :2
        ]
        services.steps_set(actor=self.expert, version=second, steps=steps)
        with translation.override("en"):
            diff = {d.section: d for d in version_diff(first, second)}
        scope = [("-", "核心业务系统"), ("+", "核心业务系统及渠道系统")]
        self.assertEqual(diff["scope"].lines, scope)
        self.assertFalse(diff["criteria"].changed)
        removed = [line for op, line in diff["steps"].lines if op == "-"]
        self.assertTrue(any(line.startswith("3. 通报全员") for line in removed))
        self.login("staff")
        page = self.client.get(reverse("plans:diff", args=[first.plan.pk]) + "?a=1&b=2")
        self.assertContains(page, "<ins>核心业务系统及渠道系统</ins>", html=False)
        self.assertContains(page, "<del>核心业务系统</del>", html=False)
        bad = self.client.get(reverse("plans:diff", args=[first.plan.pk]) + "?a=1&b=9")
        self.assertEqual(bad.status_code, 400)
