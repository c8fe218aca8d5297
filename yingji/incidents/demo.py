"""Demo incidents, written through the services so timelines, decisions and notices are real:
one live response (activated, tasks under way), one the head still has to judge, one closed
as an ordinary fault, and two finished responses from past weeks (one of them a drill)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from yingji.core.actors import SYSTEM
from yingji.incidents import services
from yingji.incidents.choices import Decision
from yingji.incidents.models import (
    Assessment,
    Evaluation,
    GradingRule,
    HandlingPlan,
    Incident,
    ProgressReport,
    Task,
    TimelineEntry,
)
from yingji.notify.models import Delivery
from yingji.org.models import Person
from yingji.plans.demo import demo_plan_version

DEMO_TITLES = (
    "客户无法登录手机银行",
    "呼叫中心坐席电话间歇性掉线",
    "一名客户无法收到短信验证码",
    "数据中心二号机房空调停机",
    "【演练】勒索病毒攻击办公网",
)
GRADING = (  # a typical bank's table; every company sets its own
    (
        "I",
        [["interruption_minutes", ">=", 360], ["affected_regions", ">=", 3]],
        "核心业务大范围长时间中断",
    ),
    ("I", [["records_leaked", ">=", 1_000_000]], "百万级客户信息泄露"),
    ("II", [["interruption_minutes", ">=", 120]], "核心业务中断 2 小时以上"),
    ("II", [["affected_users", ">=", 100_000]], "十万以上客户受影响"),
    ("III", [["interruption_minutes", ">=", 30]], "核心业务中断 30 分钟以上"),
    ("III", [["records_leaked", ">", 0]], "发生客户信息泄露"),
    ("IV", [["affected_users", ">=", 1]], "有客户受影响"),
)


def load_demo_incidents() -> None:
    if Incident.objects.filter(title__in=DEMO_TITLES).exists():
        return  # idempotent, like the organisation demo
    if not GradingRule.objects.exists():
        for grade, conditions, note in GRADING:
            services.grading_rule_save(
                actor=SYSTEM, rule=None, grade=grade, conditions=conditions, note=note
            )
    users = get_user_model().objects.in_bulk(
        ["staff", "head", "leader", "expert", "executor", "vendor"], field_name="username"
    )
    _live_response(users)
    _waiting_and_closed(users)
    _past_response(users, DEMO_TITLES[3], "facility", days_ago=12, exercise=False)
    _past_response(users, DEMO_TITLES[4], "network_security", days_ago=30, exercise=True)


def _report_and_escalate(
    users: dict[str, Any], title: str, category: str, **fields: Any
) -> Incident:
    incident = services.incident_report(
        actor=users["staff"],
        title=title,
        category=category,
        occurred_at=timezone.now() - timedelta(minutes=40),
        **fields,
    )
    return services.incident_escalate(
        actor=users["head"], incident=incident, note="确认为突发事件，上报领导小组"
    )


def _activate(
    users: dict[str, Any], incident: Incident, level: str, plans: str, plan_code: str = ""
) -> None:
    now = timezone.now()
    services.incident_decide(
        actor=users["leader"],
        incident=incident,
        decision=Decision.ACTIVATE,
        meeting_at=now,
        place="三楼应急指挥室（线上：会议号 806 223 119）",
        attendees=Person.objects.filter(user__username__in=["leader", "expert", "office"]),
        minutes="专家组研判：认证服务数据库锁等待，核心业务中断已超过 30 分钟。同意启动预案。",
        plans=plans,
        response_level=level,
        plan_versions=[demo_plan_version(plan_code)] if plan_code else [],
        criteria_met=services.recommendation(incident)["matched"],
        assemble_at=now + timedelta(minutes=15),
        assemble_place="三楼应急指挥室",
    )


def _live_response(users: dict[str, Any]) -> None:
    """The regulation's own example, mid-response."""
    live = _report_and_escalate(
        users,
        DEMO_TITLES[0],
        "information_system",
        severity="II",
        location="生产环境 核心业务区",
        symptoms="大量客户来电反映登录时提示“系统繁忙”",
        scope="全部手机银行用户",
        affected_systems="手机银行、统一认证",
    )
    services.incident_set_facts(
        actor=users["expert"],
        incident=live,
        affected_users=320_000,
        interruption_minutes=45,
        affected_regions=1,
    )
    _activate(users, live, "2", "信息系统故障专项应急预案", "YJ-ZX-01")
    services.handling_plan_revise(
        actor=users["expert"],
        incident=live,
        analysis="统一认证库出现长事务锁等待，登录请求堆积。",
        plan="1. 终止长事务；2. 切换认证服务至备库；3. 观察 30 分钟后恢复主库。",
    )
    vendor = Person.objects.get(user__username="vendor")
    executor = Person.objects.get(user__username="executor")
    first = services.task_create(
        actor=users["expert"],
        incident=live,
        title="终止长事务并保留现场",
        assignee=executor,
        checklist=["导出锁等待信息", "终止会话"],
    )
    services.task_update(
        actor=users["executor"], task=first, revision=0, status="done", checked=[0, 1]
    )
    services.task_create(
        actor=users["expert"],
        incident=live,
        title="切换认证服务至备库",
        assignee=vendor,
        due_at=timezone.now() + timedelta(minutes=30),
        checklist=["确认备库同步延迟 < 1 秒", "切换 VIP", "验证登录"],
    )
    services.progress_report(
        actor=users["executor"],
        incident=live,
        done="已终止长事务",
        current="登录成功率回升至 60%",
        next_step="切换备库",
        eta=timezone.now() + timedelta(minutes=40),
    )


def _waiting_and_closed(users: dict[str, Any]) -> None:
    now = timezone.now()
    services.incident_report(
        actor=users["staff"],
        title=DEMO_TITLES[1],
        category="facility",
        occurred_at=now - timedelta(minutes=5),
        symptoms="坐席通话约每 10 分钟掉线一次",
        scope="呼叫中心二楼坐席",
        location="呼叫中心",
    )
    fault = services.incident_report(
        actor=users["staff"],
        title=DEMO_TITLES[2],
        category="information_system",
        occurred_at=now - timedelta(hours=2),
        symptoms="该客户手机号收不到验证码，其他客户正常",
        scope="单个客户",
    )
    services.incident_close_as_fault(
        actor=users["head"], incident=fault, reason="运营商对该号码拦截，属一般故障"
    )


def _past_response(
    users: dict[str, Any], title: str, category: str, *, days_ago: int, exercise: bool
) -> None:
    incident = _report_and_escalate(
        users, title, category, exercise=exercise, symptoms="监控告警，现场确认", severity="III"
    )
    services.incident_set_facts(actor=users["expert"], incident=incident, interruption_minutes=50)
    _activate(
        users,
        incident,
        "3",
        "技术设施故障专项应急预案" if category == "facility" else "网络安全事件专项应急预案",
    )
    services.progress_report(
        actor=users["expert"], incident=incident, done="已处置完毕", current="运行正常"
    )
    incident.refresh_from_db()
    services.incident_recommend_end(
        actor=users["expert"],
        incident=incident,
        performance_normal=True,
        business_stable=True,
        residual_risks="无",
    )
    incident.refresh_from_db()
    services.incident_end(actor=users["leader"], incident=incident, all_staff=False)
    shift_into_past(incident, timedelta(days=days_ago))


def shift_into_past(incident: Incident, by: timedelta) -> None:
    """Demo only: move a finished response's times back, as if it happened weeks ago."""
    times = [
        "occurred_at",
        "reported_at",
        "escalated_at",
        "assessed_at",
        "activated_at",
        "end_recommended_at",
        "ended_at",
        "closed_at",
    ]
    Incident.objects.filter(pk=incident.pk).update(**{t: F(t) - by for t in times})
    TimelineEntry.objects.filter(incident=incident).update(at=F("at") - by)
    Assessment.objects.filter(incident=incident).update(
        meeting_at=F("meeting_at") - by,
        decided_at=F("decided_at") - by,
        assemble_at=F("assemble_at") - by,
    )
    for model in (ProgressReport, HandlingPlan):
        model.objects.filter(incident=incident).update(at=F("at") - by)
    Evaluation.objects.filter(incident=incident).update(at=F("at") - by)
    Task.objects.filter(incident=incident).update(created_at=F("created_at") - by)
    # Everyone confirmed back then: no old notice waits in anyone's banner.
    Delivery.objects.filter(message__key__startswith=f"incident:{incident.pk}:").update(
        confirmed_at=timezone.now() - by
    )
