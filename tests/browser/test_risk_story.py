"""A quarter's risk assessment in Chromium (R-RISK-1): the customer-service head scores a
risk on her phone, the quality checks block a submission until the acceptance is in, the
leader returns it with a comment on one risk, the head answers and resubmits, the leader
approves, and the heat map and the Word report show it. Then the demo's four quarters, for
the pictures of the guide.

With YINGJI_DOC_SHOTS=docs/img the pictures of the risk guide are written there."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from tests.browser.test_response_story import Story
from yingji.org.demo import DEMO_PASSWORD
from yingji.org.testing import build_cast
from yingji.risks.choices import Status
from yingji.risks.models import Assessment, ReviewComment, Risk
from yingji.risks.tests.helpers import add, open_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_score_submit_return_and_approve_a_quarter(live_server, browser, tmp_path):
    cast = build_cast()
    shots = Path(os.environ.get("YINGJI_DOC_SHOTS") or tmp_path)
    story = Story(browser, live_server.url, shots)
    base = live_server.url
    today = timezone.localdate()
    assessment = open_for(cast["cs"], today.year, (today.month - 1) // 3 + 1)
    due = today + timedelta(days=30)
    for family, title in (("vulnerability", "客服系统补丁滞后"), ("disaster", "台风导致停电")):
        add(assessment, title, family=family, owner=cast["head_person"], treatment_due=due)

    # The head scores an unacceptable, accepted risk on her phone.
    head = story.as_("head")
    head.goto(f"{base}/risks/assessments/{assessment.pk}/")
    head.click(f"a[href$='/risks/assessments/{assessment.pk}/risks/new/']")
    head.fill("#id_title", "呼叫中心排队机老化，备件停产")
    head.select_option("#id_family", "ageing")
    for field, value in (
        ("inherent_likelihood", "5"),
        ("inherent_impact", "4"),
        ("current_likelihood", "4"),
        ("current_impact", "4"),
        ("residual_likelihood", "4"),
        ("residual_impact", "4"),
    ):
        head.select_option(f"#id_{field}", value)
    expect(head.locator("[data-level-of=current]")).to_have_text("高")  # 4×4 on the 5×5 grid
    expect(head.locator("[data-level-of=inherent]")).to_have_text("很高")
    head.select_option("#id_knowledge", "medium")
    head.select_option("#id_treatment", "accept")
    head.select_option("#id_owner", str(cast["head_person"].pk))
    story.shot(head, "risk-form", full=True)
    head.click("main button.primary")
    expect(head.locator(".flash-success")).to_be_visible()
    risk = Risk.objects.get(title__startswith="呼叫中心")
    expect(head.locator(f"#risk-{risk.pk} .lvl")).to_have_count(3)
    expect(head.locator("#quality")).to_contain_text("accepted_without_acceptance")
    head.click("form[action$='/submit/'] button[type=submit]")
    expect(head.locator(".flash-error").first).to_be_visible()
    assert Assessment.objects.get(pk=assessment.pk).status == Status.IN_PROGRESS

    # The leader accepts it until next year, from a desk.
    leader = story.as_("leader", phone=False)
    leader.goto(f"{base}/risks/items/{risk.pk}/")
    leader.fill("#id_expires", (today + timedelta(days=300)).isoformat())
    leader.fill("#id_note", "设备更换已列入明年预算，期间以冷备件兜底。")
    leader.click("form[action$='/accept/'] button[type=submit]")
    expect(leader.locator(".flash-success")).to_be_visible()

    head.goto(f"{base}/risks/assessments/{assessment.pk}/")
    head.click("form[action$='/submit/'] button[type=submit]")
    expect(head.locator(".flash-success")).to_be_visible()

    # The leader returns it with a comment on one risk.
    leader.goto(f"{base}/risks/assessments/{assessment.pk}/")
    first = assessment.risks.order_by("number")[0]
    leader.fill(f"textarea[name='risk-{first.pk}']", "请补充受影响的系统。")
    leader.fill("#id_review_comment", "总体可以，补充后再报。")
    story.shot(leader, "risk-review", full=True)
    leader.click("#review-form button.danger")
    expect(leader.locator(".flash-success")).to_be_visible()
    assert ReviewComment.objects.filter(risk=first).exists()

    head.goto(f"{base}/risks/assessments/{assessment.pk}/")
    expect(head.locator(f"#risk-{first.pk}")).to_contain_text("请补充受影响的系统。")
    head.goto(f"{base}/risks/items/{first.pk}/edit/")
    head.fill("#id_description", "影响客服系统与呼叫中心排队机。")
    head.click("main button.primary")
    head.click("form[action$='/submit/'] button[type=submit]")
    expect(head.locator(".flash-success")).to_be_visible()

    leader.goto(f"{base}/risks/assessments/{assessment.pk}/")
    leader.click("#review-form button.primary")
    expect(leader.locator(".flash-success")).to_be_visible()
    assert Assessment.objects.get(pk=assessment.pk).status == Status.DONE

    # Read-only now; the report downloads and names every risk.
    head.goto(f"{base}/risks/assessments/{assessment.pk}/")
    expect(head.locator("a[href$='/risks/new/']")).to_have_count(0)
    with head.expect_download() as download:
        head.click("a[href$='/report.docx']")
    text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(Path(download.value.path()).read_bytes())).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "呼叫中心排队机老化" in text and "台风导致停电" in text


def test_the_demo_quarters_for_the_guide(live_server, browser, tmp_path):
    call_command("demo", stdout=io.StringIO())
    shots = Path(os.environ.get("YINGJI_DOC_SHOTS") or tmp_path)
    story = Story(browser, live_server.url, shots)
    base = live_server.url
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, timezone_id="Asia/Shanghai"
    )
    office = context.new_page()
    office.goto(f"{base}/accounts/login/")
    office.fill("#id_username", "office")
    office.fill("#id_password", DEMO_PASSWORD)
    office.click("main button.primary")
    office.wait_for_url(f"{base}/")
    office.goto(f"{base}/risks/assessments/")
    story.shot(office, "risk-assessments")
    kfb = Assessment.objects.filter(department__code="KFB").order_by("-year", "-quarter")[0]
    office.goto(f"{base}/risks/assessments/{kfb.pk}/")
    expect(office.locator("#change")).to_contain_text("沿用上季度")
    story.shot(office, "risk-assessment", full=True)
    office.goto(f"{base}/risks/heatmap/")
    expect(office.locator("table.heat td").first).to_be_visible()
    story.shot(office, "risk-heatmap", full=True)
    office.goto(f"{base}/risks/departments/{kfb.department_id}/")
    expect(office.locator("svg.bars rect").first).to_be_visible()
    story.shot(office, "risk-history")
    office.goto(f"{base}/")
    expect(office.locator("main")).to_contain_text("逾期的风险评估")
