"""The regulation's own example in Chromium: customer service cannot log customers in, a
call-centre agent reports it from a phone, the department head escalates it (R-RESP-1..2)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_org_in_browser import log_in
from yingji.incidents.choices import Status
from yingji.incidents.models import Incident
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
