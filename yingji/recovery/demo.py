"""The after-phase in the demo, written through the services: the air-conditioning incident's
after-phase is finished (plan done, rebuild verified, summary published, review held, one
measure verified); a switch failure of five weeks ago has its summary approved and measures
overdue, so the register and the digest have something to chase."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from yingji.incidents import services as incidents
from yingji.incidents.choices import Decision, Status
from yingji.incidents.demo import shift_into_past
from yingji.incidents.models import Incident
from yingji.plans.models import Plan
from yingji.recovery.choices import REVIEW_QUESTIONS, RebuildKind
from yingji.recovery.models import (
    AfterPhase,
    Measure,
    RebuildItem,
    RecoveryPlan,
    Review,
    SummaryReport,
)
from yingji.recovery.services import measures, opening, summary, work

SIX_WEEKS = 42
FINISHED = "数据中心二号机房空调停机"
OVERDUE = "核心交换机板卡故障导致网银交易失败"

SECTIONS = {
    "overview": "二号机房精密空调两台同时停机，机房温度 40 分钟内升至 32℃，"
    "按技术设施故障专项预案三级响应处置。",
    "decisions": "领导小组启动技术设施故障专项应急预案，三级响应；"
    "服务器降载、临时风机降温；空调恢复后下令结束。",
    "cause": "两台空调共用一路电源，电源模块老化故障导致同时停机；巡检未覆盖电源模块。",
    "course": "告警 → 部门负责人上报 → 领导小组决策启动 → 降载、临时降温 → "
    "更换电源模块 → 温度恢复 → 结束。",
    "measures": "迁移非核心负载；租用临时风机；更换电源模块；恢复后观察 24 小时。",
    "effect": "客户服务系统响应变慢约 50 分钟，无交易失败。",
    "went_well": "温度告警及时；降载方案事先写入预案，执行迅速。",
    "went_badly": "两台空调共用电源未在风险评估中识别；临时风机调用花费 25 分钟。",
    "lucky": "事发时为夜间低峰。",
}


def load_demo_recovery() -> None:
    users = get_user_model().objects.in_bulk(
        ["staff", "head", "leader", "expert", "executor", "office"], field_name="username"
    )
    if len(users) < 6 or Measure.objects.exists():
        return  # the organisation's demo is not loaded, or this one is
    finished = Incident.objects.filter(title=FINISHED, status=Status.ENDED).first()
    if finished is not None and hasattr(finished, "after_phase"):
        # The incidents demo moved this response into the past after its end order opened the
        # after-phase: the after-phase's due times go back with it.
        assert finished.ended_at is not None
        _after_phase_back(finished, finished.after_phase.opened_at - finished.ended_at)
        _finish(users, Incident.objects.get(pk=finished.pk))
    _overdue(users, _ended_incident(users))


def _person(users: dict[str, Any], name: str) -> Any:
    return users[name].person


def _write_summary(
    users: dict[str, Any], incident: Incident, texts: dict[str, str], **impact: Any
) -> None:
    report = incident.summary_report
    # Pre-filled again: the demo moved the response into the past after its end order.
    prefilled = opening.prefill(incident)
    for section in report.sections.all():
        text = texts.get(section.key) or prefilled.get(section.key) or section.text or "—"
        summary.section_save(actor=users["office"], section=section, text=text)
    report.refresh_from_db()
    summary.impact_save(actor=users["office"], report=report, **impact)
    summary.report_submit(actor=users["office"], report=report)
    summary.report_approve(actor=users["leader"], report=report)


def _review(users: dict[str, Any], incident: Incident, measures_: list[dict[str, Any]]) -> None:
    now = timezone.now()
    work.review_schedule(
        actor=users["office"],
        review=incident.review,
        scheduled_at=now - timedelta(hours=3),
        place="三楼会议室",
        attendees=[_person(users, n) for n in ("leader", "expert", "head")],
    )
    work.review_record(
        actor=users["office"],
        review=incident.review,
        held_at=now - timedelta(hours=2),
        attendees=[_person(users, n) for n in ("leader", "expert", "head", "executor")],
        answers={key: True for key, _label in REVIEW_QUESTIONS},
        minutes="复盘确认原因分析到位；改进措施如下，责任到人。",
        measures=measures_,
    )


def _finish(users: dict[str, Any], incident: Incident) -> None:
    today = timezone.localdate()
    for plan in incident.recovery_plans.all():
        work.plan_update(
            actor=users["head"], plan=plan, goals="当日内回访受影响客户，积压工单清零。"
        )
        work.steps_set(
            actor=users["head"],
            plan=plan,
            steps=[
                {
                    "description": "导出受影响客户清单并逐一回访",
                    "due_at": timezone.now() + timedelta(hours=4),
                    "owner": _person(users, "staff"),
                },
                {
                    "description": "积压工单分派处理",
                    "due_at": timezone.now() + timedelta(hours=8),
                    "owner": _person(users, "head"),
                },
            ],
        )
        work.plan_approve(actor=users["head"], plan=plan)
        for step in plan.steps.all():
            work.step_update(actor=users["head"], step=step, status="done", note="已完成")
    for kind, target, text in (
        (RebuildKind.RESTORE, "二号机房精密空调", "更换两台空调的电源模块"),
        (RebuildKind.HARDEN, "二号机房精密空调", "两台空调改为双路独立供电"),
    ):
        item = work.rebuild_create(
            actor=users["expert"],
            incident=incident,
            kind=kind,
            target=target,
            description=text,
            owner=_person(users, "executor"),
            due_at=timezone.now() + timedelta(days=3),
            verification="断开一路电源，空调持续运行 30 分钟",
        )
        work.rebuild_finish(
            actor=users["executor"], item=item, status="done", result="切换测试通过，温度无波动"
        )
    for item in incident.rebuild_items.filter(status="open"):
        work.rebuild_update(actor=users["expert"], item=item, verification="复测通过")
        work.rebuild_finish(actor=users["executor"], item=item, status="done", result="复测通过")
    _write_summary(
        users, incident, SECTIONS, customers_affected=1200, calls_received=86, failed_transactions=0
    )
    summary.report_publish(actor=users["leader"], report=incident.summary_report)
    facility_plan = Plan.objects.filter(category="facility").first()
    _review(
        users,
        incident,
        [
            {
                "title": "机房空调纳入季度风险评估与巡检电源模块",
                "change": "process",
                "owner": _person(users, "executor"),
                "due": today + timedelta(days=20),
            },
            {
                "title": "预案补充临时风机调用联系人与时限",
                "change": "plan" if facility_plan else "process",
                "owner": _person(users, "expert"),
                "due": today + timedelta(days=30),
                "plan": facility_plan,
            },
        ],
    )
    done = Measure.objects.filter(incident=incident).order_by("pk").first()
    assert done is not None
    measures.measure_start(actor=users["executor"], measure=done)
    measures.measure_done(actor=users["executor"], measure=done, note="巡检表已加入电源模块检查项")
    measures.measure_verify(
        actor=users["office"],
        measure=done,
        evidence_note="抽查本月巡检记录，电源模块项已填写",
        evidence_link="/reserves/",
    )
    other = Measure.objects.filter(incident=incident).exclude(pk=done.pk).first()
    if other is not None:
        measures.not_doing_propose(
            actor=users["expert"], measure=other, reason="该预案下季度整体重写，届时一并完善"
        )
        measures.not_doing_decide(actor=users["leader"], measure=other, accept=True)
    work.after_phase_close(
        actor=users["leader"], phase=incident.after_phase, note="善后工作全部完成"
    )


def _ended_incident(users: dict[str, Any]) -> Incident:
    incident = incidents.incident_report(
        actor=users["staff"],
        title=OVERDUE,
        category="information_system",
        occurred_at=timezone.now() - timedelta(hours=5),
        symptoms="网银转账批量失败",
        severity="II",
        affected_systems="核心交换机 CS-01\n网上银行",
        scope="网银转账约 40 分钟不可用",
    )
    incidents.incident_escalate(actor=users["head"], incident=incident, note="影响网银交易")
    incidents.incident_set_facts(
        actor=users["expert"], incident=incident, affected_users=5300, interruption_minutes=42
    )
    now = timezone.now()
    incidents.incident_decide(
        actor=users["leader"],
        incident=incident,
        decision=Decision.ACTIVATE,
        meeting_at=now - timedelta(hours=4),
        response_level="2",
        plans="信息系统专项应急预案",
        minutes="同意启动二级响应",
        criteria_met=incidents.recommendation(incident)["matched"],
        assemble_at=now - timedelta(hours=3, minutes=45),
        assemble_place="三楼应急指挥室",
    )
    incident.refresh_from_db()
    incidents.handling_plan_revise(
        actor=users["expert"],
        incident=incident,
        analysis="板卡故障导致链路聚合异常，主备切换未触发",
        plan="手工切换至备用链路；更换板卡",
    )
    incidents.progress_report(
        actor=users["expert"], incident=incident, done="已切换至备用链路", current="交易恢复"
    )
    incident.refresh_from_db()
    incidents.incident_recommend_end(
        actor=users["expert"],
        incident=incident,
        performance_normal=True,
        business_stable=True,
        residual_risks="主备自动切换未生效\n同型号板卡无备件",
    )
    incident.refresh_from_db()
    incidents.incident_end(actor=users["leader"], incident=incident, all_staff=False)
    incident.refresh_from_db()
    return incident


def _overdue(users: dict[str, Any], incident: Incident) -> None:
    """As if the switch failed six weeks ago: the after-phase is late, and of the review's
    three measures one is overdue by more than 30 days and one by nine."""
    if not AfterPhase.objects.filter(incident=incident).exists():
        return
    back = timedelta(days=SIX_WEEKS)
    shift_into_past(incident, back)
    _after_phase_back(incident, back)
    incident = Incident.objects.get(pk=incident.pk)
    _write_summary(
        users,
        incident,
        {
            "overview": "核心交换机板卡故障，网银转账失败约 40 分钟，二级响应。",
            "cause": "板卡故障；链路聚合主备切换配置错误，备用链路未自动接管。",
            "went_well": "网络组 15 分钟内定位故障板卡，手工切换备用链路果断。",
            "went_badly": "主备自动切换从未演练；同型号板卡没有备件。",
        },
        customers_affected=5300,
        failed_transactions=2140,
        calls_received=310,
        regulator_reports=1,
    )
    today = timezone.localdate()
    _review(
        users,
        incident,
        [
            {
                "title": "修复核心交换机主备自动切换配置并演练",
                "change": "equipment",
                "owner": _person(users, "executor"),
                "due": today + timedelta(days=SIX_WEEKS - 35),
            },
            {
                "title": "补充同型号板卡备件",
                "change": "equipment",
                "owner": _person(users, "executor"),
                "due": today + timedelta(days=SIX_WEEKS - 9),
            },
            {
                "title": "网络监控增加链路聚合成员状态告警",
                "change": "monitoring",
                "owner": _person(users, "expert"),
                "due": today + timedelta(days=SIX_WEEKS + 18),
            },
        ],
    )
    measures.measure_start(
        actor=users["executor"], measure=Measure.objects.filter(incident=incident).earliest("pk")
    )
    for measure in Measure.objects.filter(incident=incident):  # entered six weeks ago
        Measure.objects.filter(pk=measure.pk).update(
            due=measure.due - back, created_at=measure.created_at - back
        )


def _after_phase_back(incident: Incident, by: timedelta) -> None:
    """Demo only: the after-phase's times move back with a response moved into the past."""
    for model, fields in (
        (RecoveryPlan, ("due_at", "created_at")),
        (RebuildItem, ("due_at", "created_at")),
        (SummaryReport, ("due_at", "created_at")),
        (Review, ("due_at",)),
    ):
        model.objects.filter(incident=incident).update(**{f: F(f) - by for f in fields})
    AfterPhase.objects.filter(incident=incident).update(opened_at=F("opened_at") - by)
