"""After the emergency in Chromium (R-REC-1..R-REV-2): the leader orders the end on a phone
and the after-phase opens; the department head writes and approves the recovery plan; the
expert writes the cause; the office sends the summary to the leadership group; the leader
approves it, and the measure from the review is verified with evidence.

With YINGJI_DOC_SHOTS=docs/img the pictures of the after-the-emergency guide go there."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_response_story import Story
from yingji.org.testing import build_cast
from yingji.recovery.choices import REVIEW_QUESTIONS
from yingji.recovery.models import Measure, RecoveryPlan, SummaryReport
from yingji.recovery.services import summary, work
from yingji.recovery.tests.helpers import ended_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_end_order_to_an_approved_summary_and_a_verified_measure(
    live_server, browser, tmp_path, settings
):
    settings.LANGUAGE_CODE = "zh-hans"  # the organisation's language: what the end order writes
    cast = build_cast()
    incident = ended_incident(cast, end=False)  # the experts recommended the end
    shots = Path(os.environ.get("YINGJI_DOC_SHOTS") or tmp_path)
    story = Story(browser, live_server.url, shots)
    base = live_server.url

    # The leader orders the end on a phone; the incident page shows the after-phase.
    leader = story.as_("leader")
    leader.goto(f"{base}/incidents/{incident.pk}/")
    story.step(leader, "end")
    expect(leader.locator("#after")).to_contain_text("业务恢复计划")
    leader.click("#after summary")  # on a phone the command page folds its sections
    leader.click("#after a.button")
    expect(leader.locator("#plans")).to_contain_text("客户服务部")
    expect(leader.locator("#rebuild")).to_contain_text("更换故障板卡")
    story.shot(leader, "after-phase", full=True)

    # The head of customer service writes the plan's goals and a step, and approves it.
    plan = RecoveryPlan.objects.get(incident=incident, department=cast["cs"])
    head = story.as_("head", phone=False)
    head.goto(f"{base}/recovery/plans/{plan.pk}/")
    head.fill("textarea[name=goals]", "当日回访受影响客户，积压工单清零")
    head.click("form:has(textarea[name=goals]) button[type=submit]")
    expect(head.locator(".flash-success")).to_be_visible()
    head.fill("input[name=description-1]", "导出受影响客户清单并逐一回访")
    when = (timezone.localtime() + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    head.fill("input[name=due_at-1]", when)
    head.select_option("select[name=owner-1]", label=cast["staff_person"].full_name)
    head.click("form:has(input[name=steps]) button[type=submit]")
    expect(head.locator(".flash-success")).to_be_visible()
    story.shot(head, "after-recovery-plan", full=True)
    head.click("form[action$='/approve/'] button")
    expect(head.locator("h1 + p")).to_contain_text("部门负责人已审批")

    # The expert writes the cause; the other groups have written theirs.
    report = SummaryReport.objects.get(incident=incident)
    for section in report.sections.exclude(key="cause"):
        summary.section_save(actor=cast["office"], section=section, text=section.text or "已写")
    expert = story.as_("expert", phone=False)
    expert.goto(f"{base}/recovery/summaries/{report.pk}/")
    expect(expert.locator("#section-overview textarea")).to_have_count(0)  # not the experts'
    expert.fill("#section-cause textarea", "板卡故障导致链路聚合异常；主备切换配置错误，未自动切换")
    expert.click("#section-cause button[type=submit]")
    expect(expert.locator(".flash-success")).to_be_visible()

    # The office sends it to the leadership group; the leader approves it.
    office = story.as_("office", phone=False)
    office.goto(f"{base}/recovery/summaries/{report.pk}/")
    office.click("form[action$='/submit/'] button")
    expect(office.locator("h1 + p .tag")).to_contain_text("领导小组审核中")
    leader.goto(f"{base}/recovery/summaries/{report.pk}/")
    story.shot(leader, "after-summary", full=False)
    leader.click("form[action$='/approve/'] button")
    expect(leader.locator("h1 + p .tag")).to_contain_text("已批准")
    assert SummaryReport.objects.get(pk=report.pk).status == "approved"

    # The review's measure: done by its owner, verified by the office with a link.
    work.review_record(
        actor=cast["office"],
        review=incident.review,
        held_at=timezone.now() - timedelta(minutes=5),
        attendees=[cast["leader_person"], cast["expert_person"]],
        answers={key: True for key, _label in REVIEW_QUESTIONS},
        minutes="复盘",
        measures=[
            {
                "title": "修复核心交换机主备自动切换并演练",
                "change": "equipment",
                "owner": cast["executor_person"],
                "due": timezone.localdate() + timedelta(days=14),
            }
        ],
    )
    measure = Measure.objects.get()
    executor = story.as_("executor")
    executor.goto(f"{base}/improvements/{measure.pk}/")
    executor.fill("textarea[name=note]", "已修正 LACP 配置")
    executor.click("form[action$='/done/'] button[type=submit]")
    expect(executor.locator("h1 + p .tag")).to_contain_text("待验证")
    office.goto(f"{base}/improvements/{measure.pk}/")
    office.fill("#verify textarea[name=evidence_note]", "演练中拔掉主链路，30 秒内自动切换")
    office.click("#verify form[action$='/verify/'] button[type=submit]")
    expect(office.locator(".flash-error")).to_contain_text("证据")  # no file, no link
    office.fill("#verify textarea[name=evidence_note]", "演练中拔掉主链路，30 秒内自动切换")
    office.fill("#verify input[name=evidence_link]", "https://wiki.example.com/drills/2026-12")
    office.click("#verify form[action$='/verify/'] button[type=submit]")
    expect(office.locator("h1 + p .tag")).to_contain_text("已验证")
    office.goto(f"{base}/improvements/")
    story.shot(office, "after-register", full=True)
    assert Measure.objects.get().status == "verified"
