"""The regulation's own example in Chromium: customer service cannot log customers in, a
call-centre agent reports it from a phone, the department head escalates it (R-RESP-1..2)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_org_in_browser import log_in
from yingji.incidents.choices import Status
from yingji.incidents.models import Incident
from yingji.incidents.services import (
    incident_decide,
    incident_escalate,
    incident_report,
    task_create,
)
from yingji.org.testing import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_report_from_a_phone_is_escalated_by_the_head(live_server, browser):
    build_cast()
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/incidents/report/")
    page.fill("#id_title", "客户无法登录手机银行")
    page.select_option("#id_category", "information_system")
    page.fill("#id_symptoms", "大量客户来电反映登录提示系统繁忙")
    page.fill("#id_scope", "全部手机银行用户")
    page.click("main button.primary")
    expect(page.locator(".flash")).to_contain_text("已报告")
    incident = Incident.objects.get()
    phone.close()

    desk = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, live_server.url, "head")
    expect(page.locator("main")).to_contain_text(f"#{incident.pk} 客户无法登录手机银行")
    page.click(f"text=#{incident.pk} 客户无法登录手机银行")
    page.fill("#id_text", "疑似核心系统故障，立即上报")
    page.click("button:has-text('Escalate as an emergency')")
    expect(page.locator(".flash")).to_contain_text("the leadership group has been told")
    expect(page.locator("#timeline table")).to_contain_text("Escalated as an emergency")
    assert Incident.objects.get().status == Status.ESCALATED
    desk.close()


def test_live_refresh_never_wipes_a_half_written_note(live_server, browser):
    """The command page refreshes its live part; a note typed and left (focus elsewhere) and
    a ticked box not yet saved survive it, and the refresh resumes once they are saved."""
    cast = build_cast()
    incident = incident_report(
        actor=cast["staff"],
        title="核心系统登录中断",
        category="information_system",
        occurred_at=timezone.now() - timedelta(minutes=10),
        symptoms="登录失败",
    )
    incident_escalate(actor=cast["head"], incident=incident)
    incident_decide(
        actor=cast["leader"],
        incident=incident,
        decision="activate",
        meeting_at=timezone.now(),
        plans="信息系统故障专项应急预案",
        response_level="2",
        assemble_at=timezone.now() + timedelta(minutes=20),
        assemble_place="指挥室",
    )
    task = task_create(
        actor=cast["expert"],
        incident=incident,
        title="切换备库",
        assignee=cast["executor_person"],
        checklist=["确认同步", "切换 DNS"],
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server.url, "executor")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    note = page.locator(f"#id_t{task.pk}-note")
    note.fill("DNS 已切一半")
    page.locator(f"#id_t{task.pk}-checked_0").check()
    page.locator("h1").click()  # focus leaves the form
    task_create(actor=cast["expert"], incident=incident, title="通知客户")  # something new
    refresh = "refreshLive(document.querySelector('#live'))"
    page.evaluate(refresh)
    page.wait_for_timeout(500)
    expect(note).to_have_value("DNS 已切一半")
    expect(page.locator(f"#id_t{task.pk}-checked_0")).to_be_checked()
    expect(page.locator("#live")).not_to_contain_text("通知客户")  # not replaced
    page.click(f"#task-{task.pk} button[type=submit]")  # saved: the page is drawn again
    expect(page.locator("#live")).to_contain_text("通知客户")
    task_create(actor=cast["expert"], incident=incident, title="复盘日志")
    page.evaluate(refresh)
    expect(page.locator("#live")).to_contain_text("复盘日志")  # refreshing again
    context.close()
