"""Demo incidents: one the department head still has to judge, one escalated, one closed as
an ordinary fault, all written through the services so timelines and notices are real."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from yingji.incidents.models import Incident
from yingji.incidents.services import incident_close_as_fault, incident_escalate, incident_report

DEMO_TITLES = ("客户无法登录手机银行", "呼叫中心坐席电话间歇性掉线", "一名客户无法收到短信验证码")


def load_demo_incidents() -> None:
    if Incident.objects.filter(title__in=DEMO_TITLES).exists():
        return  # idempotent, like the organisation demo
    users = get_user_model().objects.in_bulk(["staff", "head"], field_name="username")
    staff, head = users["staff"], users["head"]
    now = timezone.now()
    live = incident_report(
        actor=staff, title=DEMO_TITLES[0], category="information_system",
        occurred_at=now - timedelta(minutes=20), symptoms="大量客户来电反映登录时提示“系统繁忙”",
        scope="全部手机银行用户", location="生产环境 核心业务区", severity="II",
    )  # fmt: skip
    incident_escalate(actor=head, incident=live, note="疑似核心系统故障，影响全部客户登录")
    incident_report(
        actor=staff, title=DEMO_TITLES[1], category="facility",
        occurred_at=now - timedelta(minutes=5), symptoms="坐席通话约每 10 分钟掉线一次",
        scope="呼叫中心二楼坐席", location="呼叫中心",
    )  # fmt: skip
    fault = incident_report(
        actor=staff, title=DEMO_TITLES[2], category="information_system",
        occurred_at=now - timedelta(hours=2), symptoms="该客户手机号收不到验证码，其他客户正常",
        scope="单个客户",
    )  # fmt: skip
    incident_close_as_fault(actor=head, incident=fault, reason="运营商对该号码拦截，属一般故障")
