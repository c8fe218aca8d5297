"""A contingency plan's life in Chromium: the expert drafts it (text, criteria, steps), the
office sends it on, a leader comments and returns it, the expert fixes it, the leader
approves it; an incident meets its criteria, the leader activates it, and the incident page
shows the plan alongside with the tasks its steps became (R-PLAN-1..2, R-ACT-1, R-HANDLE-1).

With YINGJI_DOC_SHOTS=docs/img the pictures of the plan author's guide are written there."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_response_story import Story
from yingji.incidents import services as incidents
from yingji.incidents.choices import Status
from yingji.incidents.models import Incident, Task
from yingji.incidents.tests.test_attachments import PNG
from yingji.org.testing import build_cast
from yingji.plans.choices import VersionStatus
from yingji.plans.models import Plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_draft_review_approve_and_activate_a_plan(live_server, browser, tmp_path):
    cast = build_cast()
    shots = Path(os.environ.get("YINGJI_DOC_SHOTS") or tmp_path)
    story = Story(browser, live_server.url, shots)
    base = live_server.url

    # R-PLAN-1: the expert writes the plan.
    page = story.as_("expert")
    page.goto(f"{base}/plans/")
    page.click("a[href$='/plans/new/']")
    page.fill("#id_code", "YJ-ZX-01")
    page.fill("#id_title", "信息系统故障专项应急预案")
    page.select_option("#id_tier", "special")
    page.select_option("#id_category", "information_system")
    page.select_option("#id_owner_department", str(cast["tech"].pk))
    page.click("main button.primary")
    expect(page.locator(".flash-success")).to_be_visible()
    plan = Plan.objects.get()
    page.fill("#id_scope", "手机银行、网上银行、统一认证等核心业务系统。")
    page.fill("#id_duty_expert", "分析原因，制定处置方案。")
    page.fill("#id_duty_execution", "执行切换与恢复。")
    page.select_option("#id_fact_0", "interruption_minutes")
    page.select_option("#id_op_0", ">=")
    page.fill("#id_threshold_0", "30")
    page.fill("#id_data_recovery", "从同城灾备库恢复至故障前一刻，核对总分平衡。")
    story.shot(page, "plan-edit", full=True)
    page.click("main button.primary")
    expect(page.locator(".flash-success")).to_be_visible()
    page.click("a[href$='/steps/']")
    rows = (
        ("确认故障范围", "expert", "查看监控\n统计受影响客户", "10", ""),
        ("切换至同城灾备系统", "execution", "确认备库同步\n切换 VIP", "30", "1"),
    )
    for i, (title, group, checklist, minutes, after) in enumerate(rows):
        page.fill(f"#id_step-{i}-title", title)
        page.select_option(f"#id_step-{i}-group", group)
        page.fill(f"#id_step-{i}-checklist", checklist)
        page.fill(f"#id_step-{i}-expected_minutes", minutes)
        page.fill(f"#id_step-{i}-after", after)
    story.shot(page, "plan-steps", full=True)
    page.click("form.steps-form button.primary")
    expect(page.locator(".flash-success")).to_be_visible()
    diagram = {"name": "网络拓扑.png", "mimeType": "image/png", "buffer": PNG}
    page.set_input_files("#id_attachments", files=[diagram])
    page.click("#attachments button[type=submit]")
    expect(page.locator("#attachments")).to_contain_text("网络拓扑.png")
    page.click("button:has-text('提交审核')")
    expect(page.locator(".flash-success")).to_be_visible()
    page.context.close()

    def on_the_plan(who: str):
        page = story.as_(who)
        page.goto(f"{base}/plans/{plan.pk}/")
        return page

    def press(page, button: str) -> None:
        page.click(f"button:has-text('{button}')")
        expect(page.locator(".flash-success")).to_be_visible()

    # R-PLAN-2: the office sends it for approval; a leader comments on a section and returns it.
    page = on_the_plan("office")
    press(page, "提交审批")
    page.context.close()
    page = on_the_plan("leader")
    page.select_option("#id_section", "data_recovery")
    page.fill("#id_text", "请写明恢复时间目标（RTO）。")
    page.click("#comment button[type=submit]")
    expect(page.locator(".comment")).to_contain_text("RTO")
    page.fill("#id_comment", "见数据恢复章节意见")
    press(page, "退回修改")
    page.context.close()

    # The expert answers the comment and resubmits; the office sends it on; the leader approves.
    page = on_the_plan("expert")
    page.click("a[href$='/edit/']")
    page.fill("#id_data_recovery", "从同城灾备库恢复至故障前一刻（RTO 2 小时），核对总分平衡。")
    page.click("main button.primary")
    press(page, "提交审核")
    page.context.close()
    page = on_the_plan("office")
    press(page, "提交审批")
    page.context.close()
    page = on_the_plan("leader")
    story.shot(page, "plan-approve", full=True)
    page.fill("#id_comment", "同意发布")
    press(page, "批准")
    assert plan.versions.get().status == VersionStatus.APPROVED

    # R-ACT-1: an incident meets the criteria; the leader activates the plan.
    incident = incidents.incident_report(
        actor=cast["staff"],
        title="手机银行无法登录",
        category="information_system",
        occurred_at=timezone.now(),
        symptoms="登录提示系统繁忙",
    )
    incidents.incident_escalate(actor=cast["head"], incident=incident, note="上报")
    incidents.incident_set_facts(actor=cast["expert"], incident=incident, interruption_minutes=45)
    page.goto(f"{base}/incidents/{incident.pk}/")
    expect(page.locator("#decide .advice")).to_contain_text("YJ-ZX-01")
    checkbox = page.locator("#decide input[name=plan_versions]")
    expect(checkbox).to_be_checked()  # recommended because the facts meet its criterion
    page.select_option("#id_decision", "activate")
    page.select_option("#id_response_level", "3")
    soon = timezone.localtime() + timedelta(minutes=20)
    page.fill("#id_assemble_at", soon.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_assemble_place", "三楼应急指挥室")
    story.step(page, "decide")
    assert Incident.objects.get().status == Status.RESPONDING
    titles = sorted(Task.objects.values_list("title", flat=True))
    assert titles == ["1. 确认故障范围", "2. 切换至同城灾备系统"]
    section = page.locator("section[id^='plan-']")
    expect(section).to_contain_text("YJ-ZX-01 信息系统故障专项应急预案 v1")
    expect(section).to_contain_text("切换至同城灾备系统")
    story.shot(page, "plan-activated", full=True)
    page.context.close()

    # R-PLAN-3: the review finds a change is needed; the new draft is compared with v1.
    page = on_the_plan("expert")
    page.fill("#id_note", "演练发现需补充渠道系统")
    press(page, "修订：新建版本")
    page.click("a[href$='/edit/']")
    page.fill("#id_scope", "手机银行、网上银行、统一认证、开放银行渠道等核心业务系统。")
    page.click("main button.primary")
    page.click("a:has-text('与 v1 相比的修改')")
    expect(page.locator(".diff-add")).to_contain_text("开放银行渠道")
    expect(page.locator(".diff-del")).to_contain_text("统一认证等核心业务系统")
    story.shot(page, "plan-diff")
    page.context.close()
