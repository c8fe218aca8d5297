"""The regulation's own example, end to end in Chromium, each person on their own device:
customer service cannot log customers in → a call-centre agent reports it from a phone →
the department head escalates → the leadership group activates the information-system
failure plan → the groups confirm → the experts plan and assign → the vendor's engineer does
the task and reports progress → the experts recommend the end → the leader orders it. The
all-staff notices go out through a real local receiver.

With YINGJI_DOC_SHOTS=docs/img the pictures of the response guide are written there."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_org_in_browser import log_in
from yingji.core.actors import SYSTEM
from yingji.engine.loop import Engine
from yingji.incidents.choices import Status, TaskStatus
from yingji.incidents.models import Incident, Task
from yingji.incidents.services import grading_rule_save, task_create, task_update
from yingji.notify.models import Delivery
from yingji.notify.services import channel_save
from yingji.notify.tests.peers import Robot
from yingji.org.testing import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


@pytest.fixture
def all_staff_chat():
    robot = Robot(replies=[(200, {"ok": True})]).start()
    yield robot
    robot.release.set()
    robot.stop()


class Story:
    def __init__(self, browser, base: str, shots: Path):
        self.browser, self.base, self.shots = browser, base, shots

    def as_(self, username: str, *, phone: bool = True):  # everyone on a phone, as in life
        context = self.browser.new_context(
            locale="zh-CN", viewport=PHONE if phone else DESK, timezone_id="Asia/Shanghai"
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, self.base, username)
        return page

    def shot(self, page, name: str, *, full: bool = False) -> None:
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=full)

    def step(self, page, form: str) -> None:
        """Submit the command page's form that posts to `form` (e.g. "decide")."""
        page.click(f"form[action$='/{form}/'] button[type=submit]")
        expect(page.locator(".flash-success")).to_be_visible()


def test_the_regulations_example_from_report_to_end_order(
    live_server, browser, all_staff_chat, tmp_path
):
    cast = build_cast()
    for grade, conditions in (
        ("II", [["affected_users", ">=", 100_000]]),
        ("III", [["interruption_minutes", ">=", 30]]),
    ):
        grading_rule_save(actor=SYSTEM, rule=None, grade=grade, conditions=conditions)
    hook = {"url": f"{all_staff_chat.url}/h", "secret": "0123456789abcdef"}
    channel_save(
        actor=SYSTEM, channel=None, name="全员群", kind="webhook", all_staff=True, config=hook
    )
    shots = Path(os.environ.get("YINGJI_DOC_SHOTS") or tmp_path)
    story = Story(browser, live_server.url, shots)

    # R-RESP-1/3: the agent reports from her phone.
    page = story.as_("staff", phone=True)
    page.goto(f"{live_server.url}/incidents/report/")
    page.fill("#id_title", "客户无法登录手机银行")
    page.select_option("#id_category", "information_system")
    page.fill("#id_symptoms", "大量客户来电反映登录提示“系统繁忙”")
    page.fill("#id_scope", "全部手机银行用户")
    page.click("main button.primary")
    expect(page.locator(".flash")).to_be_visible()
    incident = Incident.objects.get()
    url = f"{live_server.url}/incidents/{incident.pk}/"
    page.context.close()

    # R-RESP-2: the head escalates within 15 minutes.
    page = story.as_("head")
    page.goto(url)
    page.click("form button[formaction$='/escalate/']")
    expect(page.locator(".flash-success")).to_be_visible()
    page.context.close()

    # The expert enters what is known; the grading table turns it into a recommendation.
    page = story.as_("expert")
    page.goto(url)
    page.click("#facts > summary")  # on a phone the sections are folded
    page.click("#facts details summary >> nth=0")
    page.fill("#id_affected_users", "320000")
    page.fill("#id_interruption_minutes", "45")
    story.step(page, "facts")
    page.context.close()

    # R-ACT-1/2: the leader holds the meeting, activates the plan, and all staff are told.
    page = story.as_("leader")
    page.goto(url)
    page.fill("#id_place", "三楼应急指挥室")
    page.check(f"#decide input[name=attendees][value='{cast['leader_person'].pk}']")
    page.check(f"#decide input[name=attendees][value='{cast['expert_person'].pk}']")
    page.fill(
        "#id_minutes", "统一认证服务不可用，影响全部客户登录。同意启动信息系统故障专项应急预案。"
    )
    expect(page.locator("#decide .advice")).to_contain_text("启动二级响应")
    page.select_option("#id_decision", "activate")
    page.fill("#id_plans", "信息系统故障专项应急预案")
    page.select_option("#id_response_level", "2")
    soon = timezone.localtime() + timedelta(minutes=20)
    page.fill("#id_assemble_at", soon.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_assemble_place", "三楼应急指挥室")
    page.check("#id_all_staff")
    page.fill("#id_summary", "手机银行暂时无法登录，正在抢修。")
    page.fill("#id_precautions", "请向客户做好解释，勿转发未经证实的信息。")
    story.shot(page, "response-decide", full=True)
    story.step(page, "decide")
    assert Incident.objects.get().status == Status.RESPONDING
    mobilised = Delivery.objects.filter(
        message__key__startswith=f"incident:{incident.pk}:incident.mobilised", channel=None
    ).values_list("person_id", flat=True)
    assert sorted(mobilised) == sorted(set(mobilised)), "one notice per person"
    page.context.close()

    # R-ACT-2: the executor and the vendor confirm the mobilisation from the banner.
    for who in ("executor", "vendor"):
        page = story.as_(who, phone=True)
        page.click(".banner a")
        page.click("main button.primary")
        expect(page.locator(".flash-success, .flash")).to_be_visible()
        page.context.close()
    confirmed = Delivery.objects.filter(
        message__key__startswith=f"incident:{incident.pk}:incident.mobilised",
        channel=None,
        confirmed_at__isnull=False,
    ).values_list("person__user__username", flat=True)
    assert {"executor", "vendor"} <= set(confirmed)

    # R-HANDLE-1: the expert writes the handling plan and gives the vendor a task.
    page = story.as_("expert")
    page.goto(url)
    page.click("#next a[href='#write-plan']")  # the next step's button opens its form
    page.fill("#id_analysis", "统一认证库长事务锁等待，登录请求堆积。")
    page.fill("#id_plan", "1. 终止长事务；2. 切换认证服务至备库；3. 观察 30 分钟。")
    story.step(page, "handling-plan")
    page.click("#new-task > summary")
    page.fill("#id_title", "切换认证服务至备库")
    page.select_option("#id_assignee", str(cast["vendor_person"].pk))
    page.fill("#id_checklist", "确认备库同步延迟 < 1 秒\n切换 VIP\n验证登录")
    story.step(page, "tasks")
    story.shot(page, "response-command-expert", full=True)
    page.context.close()

    # R-HANDLE-2: the vendor's engineer ticks the checklist on his phone and reports progress.
    task = Task.objects.get()
    assigned = Delivery.objects.get(
        message__key=f"incident:{incident.pk}:incident.task_assigned:{task.pk}", channel=None
    )
    assert assigned.person == cast["vendor_person"] and assigned.message.require_receipt
    page = story.as_("vendor", phone=True)
    page.click(".banner a")  # the task came with a receipt: he confirms he has it
    page.click("main button.primary")
    page.goto(f"{live_server.url}/incidents/tasks/")
    page.click("main td a:has-text('切换认证服务至备库')")
    prefix = f"#id_t{task.pk}-"
    for i in range(3):
        page.check(f"{prefix}checked_{i}")
    page.select_option(f"{prefix}status", "done")
    page.click(f"#task-{task.pk} button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    progress = page.locator("details#report-progress")
    expect(progress).not_to_have_attribute("open", "")  # on a phone the sections are folded
    page.click("#next a[href='#report-progress']")  # the next step's button opens its form
    expect(progress).to_have_attribute("open", "")
    page.fill("#id_done", "已切换至备库，登录恢复")
    page.fill("#id_current", "登录成功率 99.8%")
    page.fill("#id_next_step", "观察 30 分钟")
    story.step(page, "progress")
    story.shot(page, "response-vendor-phone", full=True)
    page.context.close()
    assert Task.objects.get().status == TaskStatus.DONE

    # R-END-1: the expert evaluates the recovery and recommends the end.
    page = story.as_("expert")
    page.goto(url)
    page.click("#recommend-end summary")
    page.check("#id_performance_normal")
    page.check("#id_business_stable")
    page.fill("#id_residual_risks", "备库容量偏小，需扩容")
    story.step(page, "recommend-end")
    page.context.close()

    # R-END-2: the leader orders the end; everyone is told. Not while a task is open.
    late = task_create(actor=cast["expert"], incident=Incident.objects.get(), title="补充巡检")
    page = story.as_("leader")
    page.goto(url)
    expect(page.locator("#open-tasks")).to_contain_text("补充巡检")
    page.click("form[action$='/end/'] button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("补充巡检")
    assert Incident.objects.get().status == Status.END_RECOMMENDED
    task_update(actor=cast["expert"], task=late, revision=0, status="done")
    page.goto(url)
    page.fill("#id_summary", "手机银行登录已恢复正常。")
    story.shot(page, "response-end-order")
    story.step(page, "end")
    expect(page.locator("[data-testid=status]")).to_contain_text("终止")
    story.shot(page, "response-ended", full=True)
    page.context.close()
    assert Incident.objects.get().status == Status.ENDED

    # The all-staff notices (activation and end) reach the all-staff chat.
    Engine().run_cycle()
    assert all_staff_chat.wait_for_requests(2)
    texts = [r.body.decode() for r in all_staff_chat.received]
    assert any("请向客户做好解释" in t for t in texts)
    assert any("手机银行登录已恢复正常" in t for t in texts)
