"""Notifications in Debian's Chromium: the channel form shows only the chosen kind's fields."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_org_in_browser import log_in
from yingji.notify.models import Channel
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
