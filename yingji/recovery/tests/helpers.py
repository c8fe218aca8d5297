"""An incident taken to the end order through the response's own services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from yingji.incidents import services as incidents
from yingji.incidents.models import Incident


def ended_incident(
    cast: dict[str, Any],
    *,
    category: str = "information_system",
    grade: str = "II",
    residual_risks: str = "备用链路未自动切换",
    confidential: bool = False,
    exercise: bool = False,
    end: bool = True,
) -> Incident:
    """Reported by staff, escalated by the head, activated by the leader; the experts write
    the analysis, give the executor a task that is carried over at the end, report progress,
    recommend the end; the leader orders it."""
    now = timezone.now()
    incident = incidents.incident_report(
        actor=cast["staff"],
        title="网上银行转账失败",
        category=category,
        occurred_at=now - timedelta(hours=2),
        symptoms="转账批量失败",
        severity=grade,
        confidential=confidential,
        exercise=exercise,
        affected_systems="核心交换机 CS-01\n网上银行",
        scope="网银转账约 40 分钟不可用",
    )
    incidents.incident_escalate(actor=cast["head"], incident=incident, note="影响交易")
    incidents.incident_set_facts(
        actor=cast["expert"], incident=incident, affected_users=5300, interruption_minutes=42
    )
    incidents.incident_decide(
        actor=cast["leader"],
        incident=incident,
        decision="activate",
        meeting_at=now - timedelta(minutes=90),
        response_level="2",
        grade=grade,
        minutes="同意启动二级响应",
        plans="信息系统专项应急预案",
        assemble_at=now - timedelta(minutes=80),
        assemble_place="三楼指挥室",
    )
    incident = Incident.objects.get(pk=incident.pk)
    incidents.handling_plan_revise(
        actor=cast["expert"],
        incident=incident,
        analysis="板卡故障致链路聚合异常",
        plan="切换备用链路",
    )
    task = incidents.task_create(
        actor=cast["expert"],
        incident=incident,
        title="更换故障板卡",
        assignee=cast["executor_person"],
    )
    incidents.progress_report(
        actor=cast["expert"], incident=incident, done="已切换至备用链路", current="交易恢复"
    )
    incident = Incident.objects.get(pk=incident.pk)
    incidents.incident_recommend_end(
        actor=cast["expert"],
        incident=incident,
        performance_normal=True,
        business_stable=True,
        residual_risks=residual_risks,
        task_outcomes={task.pk: ("carried_over", "等待备件到货")},
    )
    incident = Incident.objects.get(pk=incident.pk)
    if end:
        incidents.incident_end(actor=cast["leader"], incident=incident, all_staff=False)
    return Incident.objects.get(pk=incident.pk)
