"""Demo duty: the operations roster (working days in daily turns, rest days by the week,
following a holiday calendar the office fills in from the State Council's notice) and a
policy that pages whoever is on duty, then the technology department's head."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from yingji.oncall import services
from yingji.oncall.escalation import policy_create
from yingji.oncall.models import EscalationPolicy
from yingji.org.demo import DEMO
from yingji.org.models import Person


def load_demo_oncall() -> EscalationPolicy:
    existing = EscalationPolicy.objects.filter(name="先值班、后部门负责人").first()
    if existing:
        return existing
    people = {
        p.user.username: p
        for p in Person.objects.filter(
            user__username__in=["executor", "expert", "head"]
        ).select_related("user")
    }
    calendar = services.calendar_create(actor=DEMO, name="法定节假日")
    roster = services.roster_create(
        actor=DEMO, name="运维值班", calendar=calendar, description="信息技术部 7×24 值班"
    )
    start = timezone.localdate() - timedelta(days=7)
    services.layer_add(
        actor=DEMO,
        roster=roster,
        name="工作日白班",
        rotation="daily",
        handoff=time(9),
        start_date=start,
        days="workdays",
        members=[people["executor"], people["expert"]],
    )
    services.layer_add(
        actor=DEMO,
        roster=roster,
        name="休息日值班",
        rotation="weekly",
        handoff=time(9),
        start_date=start,
        days="restdays",
        members=[people["executor"], people["head"]],
    )
    return policy_create(
        actor=DEMO,
        name="先值班、后部门负责人",
        repeat=1,
        steps=[
            {"target": "roster", "roster": roster, "delay_minutes": 0},
            {"target": "person", "person": people["head"], "delay_minutes": 10},
        ],
    )
