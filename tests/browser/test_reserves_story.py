"""Emergency reserves in Chromium (R-RES-1, R-ACT-2): the custodian walks a shelf with a
phone, taps what is there and finds what is missing; during an incident the leader draws a
spare in three taps and the custodian hands it over from the incident page.

With YINGJI_DOC_SHOTS=docs/img the pictures of the reserves guide are written there."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_response_story import Story
from yingji.core.actors import SYSTEM
from yingji.incidents import services as incidents
from yingji.org.testing import build_cast
from yingji.reserves import services
from yingji.reserves.models import Dispatch, Stocktake
from yingji.reserves.tests.helpers import build_store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stocktake_walk_and_a_spare_drawn_for_an_incident(live_server, browser, tmp_path):
    cast = build_cast()
    place = build_store(cast)
    for n in range(3):
        services.item_receive(
            actor=SYSTEM,
            reserve_class=place["server"],
            location=place["shelf"],
            tag=f"SRV-0{n}",
            model="NF5280M6",
        )
    services.item_receive(
        actor=SYSTEM,
        reserve_class=place["cable"],
        location=place["shelf"],
        tag="FIBER-LC",
        quantity=24,
        model="LC-LC 3m",
    )
    shots = Path(os.environ.get("YINGJI_DOC_SHOTS") or tmp_path)
    story = Story(browser, live_server.url, shots)
    base = live_server.url

    # The custodian walks shelf A1 with a phone: taps two servers and the fibre, finishes.
    keeper = story.as_("executor")
    keeper.goto(f"{base}/reserves/locations/{place['shelf'].pk}/")
    keeper.click("form[action$='/stocktake/'] button")
    for tag in ("SRV-00", "SRV-01", "FIBER-LC"):
        keeper.click(f"tr:has-text('{tag}') button")
        expect(keeper.locator(f"tr:has-text('{tag}') .seen")).to_be_visible()
    story.shot(keeper, "reserves-stocktake", full=True)
    keeper.click("form[action$='/finish/'] button")
    expect(keeper.locator("#result .missing")).to_contain_text("SRV-02")
    walk = Stocktake.objects.get()
    assert walk.missing == ["SRV-02"] and walk.misplaced == []

    # An incident: the leader draws a spare server in three taps on a phone.
    now = timezone.now()
    incident = incidents.incident_report(
        actor=cast["staff"],
        title="核心数据库服务器宕机",
        category="information_system",
        occurred_at=now - timedelta(minutes=10),
        symptoms="交易失败",
    )
    incidents.incident_escalate(actor=cast["head"], incident=incident)
    incidents.incident_decide(
        actor=cast["leader"],
        incident=incident,
        decision="activate",
        meeting_at=now,
        response_level="2",
        grade="II",
        minutes="启动",
        plans="信息系统专项预案",
        assemble_at=now + timedelta(minutes=30),
        assemble_place="三楼指挥室",
    )
    leader = story.as_("leader")
    leader.goto(f"{base}/incidents/{incident.pk}/#reserves")
    leader.select_option("#draw-spare select[name=reserve_class]", str(place["server"].pk))
    leader.click("#draw-spare button[type=submit]")
    expect(leader.locator(".flash-success")).to_be_visible()
    assert Dispatch.objects.get().status == "requested"

    keeper.goto(f"{base}/incidents/{incident.pk}/#reserves")
    story.shot(keeper, "reserves-incident-panel", full=False)
    keeper.click("#reserves form[action$='/issue/'] button")
    expect(keeper.locator(".flash-success")).to_be_visible()
    dispatch = Dispatch.objects.get()
    assert dispatch.status == "issued" and dispatch.item.out == 1
    expect(keeper.locator("#reserves")).to_contain_text("SRV-0")

    office = story.as_("office", phone=False)
    office.goto(f"{base}/reserves/")
    expect(office.locator("#readiness")).to_contain_text("备用服务器")
    story.shot(office, "reserves-overview", full=True)
