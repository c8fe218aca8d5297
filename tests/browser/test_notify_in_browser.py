"""Notifications in Debian's Chromium: the channel form shows only the chosen kind's fields."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_org_in_browser import log_in
from yingji.incidents.services import incident_report
from yingji.notify.models import Channel
from yingji.notify.services import notify
from yingji.org.testing import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_channel_form_shows_the_fields_of_the_chosen_kind(live_server, page):
    build_cast()
    log_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}/notify/channels/new/")
    page.select_option("#id_kind", "dingtalk")
    expect(page.locator("#id_keyword")).to_be_visible()
    expect(page.locator("#id_host")).to_be_hidden()
    expect(page.locator("#id_body_template")).to_be_hidden()

    page.select_option("#id_kind", "email")
    expect(page.locator("#id_host")).to_be_visible()
    expect(page.locator("#id_keyword")).to_be_hidden()
    expect(page.locator("#id_url")).to_be_hidden()

    page.select_option("#id_kind", "dingtalk")
    page.fill("#id_name", "运维值班群")
    page.fill("#id_url", "https://oapi.dingtalk.com/robot/send?access_token=abc")
    page.fill("#id_secret", "SECabcdef0123456789")
    page.check("#id_personal")
    page.click("main button.primary")
    page.wait_for_url(f"{live_server.url}/notify/channels/")
    channel = Channel.objects.get(name="运维值班群")
    assert (channel.kind, channel.personal) == ("dingtalk", True)
    assert channel.config["secret"] == "SECabcdef0123456789"
    assert "host" not in channel.config  # the hidden e-mail fields were not saved with it


def test_on_a_phone_every_list_row_is_a_card_with_nothing_off_screen(live_server, browser):
    """390 px wide: the inbox's Confirm button and the incident list's status are on screen."""
    cast = build_cast()
    notify(
        event="memo",
        title="请于 14:30 到三楼应急指挥室集结，并确认已收到本通知（一个很长的标题用来撑宽表格）",
        recipients=[cast["staff_person"]],
        require_receipt=True,
    )
    incident_report(
        actor=cast["staff"],
        title="客户无法登录手机银行，登录页长时间转圈后提示系统繁忙",
        category="information_system",
        occurred_at=timezone.now() - timedelta(minutes=5),
        symptoms="登录失败",
    )
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/notify/")
    confirm = page.locator("main table button:has-text('确认已读')").last
    expect(confirm).to_be_visible()
    box = confirm.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    expect(page.locator("main table td[data-label='已读确认']").first).to_be_visible()
    page.goto(f"{live_server.url}/incidents/")
    status = page.locator("main table td[data-label='状态']").first
    expect(status).to_contain_text("已报告")
    box = status.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390, box
    if shots := os.environ.get("YINGJI_DOC_SHOTS"):
        page.screenshot(path=f"{shots}/incident-list-phone.png", full_page=True)
    phone.close()
