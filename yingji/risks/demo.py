"""Four quarters of risk assessments for three business departments, written through the
services: last quarters approved by the leadership group, risks moving across the map as
treatments land; this quarter one submitted, one overdue, one under way; and two R&D
projects, one cleared for go-live."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from yingji.monitoring.models import Asset
from yingji.org.demo import DEMO
from yingji.org.models import Department, Person
from yingji.risks import services
from yingji.risks.choices import CampaignKind
from yingji.risks.models import Assessment, Campaign, Project
from yingji.risks.quarters import preceding, quarter_of

# title, family, owner (employee no.), treatment, measures, [(current L, I) per quarter,
# None = not there yet or closed]
RISKS: dict[str, list[tuple[str, str, str, str, str, list[Any]]]] = {
    "KFB": [
        (
            "呼叫中心排队机设备老化，备件停产",
            "ageing",
            "E0006",
            "mitigate",
            "更换新一代排队机，旧设备留作冷备。",
            [(4, 4), (4, 4), (2, 4), (2, 3)],
        ),
        (
            "客服系统存在高危漏洞，补丁滞后",
            "vulnerability",
            "E0006",
            "mitigate",
            "每月补丁窗口；互联网暴露面收敛；WAF 规则。",
            [(3, 4), (3, 4), (2, 4), (2, 4)],
        ),
        (
            "台风导致呼叫中心停电",
            "disaster",
            "E0005",
            "transfer",
            "异地坐席分流协议；UPS 与发电机每季度试车。",
            [(2, 5), (2, 5), (2, 5), (2, 4)],
        ),
        (
            "外包坐席供应商服务中断",
            "vendor",
            "E0005",
            "mitigate",
            "第二家供应商签约，月度演练切换。",
            [None, (3, 3), (3, 3), (2, 3)],
        ),
        (
            "大促期间话务量超出坐席容量",
            "capacity",
            "E0005",
            "mitigate",
            "智能语音分流，临时增派坐席。",
            [None, None, (4, 3), None],
        ),
    ],
    "YYB": [
        (
            "柜面终端操作系统停止维护",
            "ageing",
            "E0006",
            "mitigate",
            "终端分批升级，隔离未升级终端。",
            [(4, 3), (3, 3), (3, 3), (2, 3)],
        ),
        (
            "网点终端遭勒索软件感染",
            "vulnerability",
            "E0006",
            "mitigate",
            "终端准入与 EDR；离线备份。",
            [(3, 5), (3, 5), (3, 4), (2, 4)],
        ),
        (
            "暴雨内涝致网点机房进水",
            "disaster",
            "E0006",
            "accept",
            "",
            [(2, 4), (2, 4), (2, 4), (2, 4)],
        ),
        (
            "运营人员单点依赖",
            "people",
            "E0006",
            "mitigate",
            "AB 角与操作手册。",
            [(3, 2), (3, 2), None, None],
        ),
    ],
    "XSB": [
        (
            "营销平台服务器超期服役",
            "ageing",
            "E0006",
            "mitigate",
            "迁移至私有云。",
            [(3, 3), (3, 3), (2, 3), (2, 3)],
        ),
        (
            "营销短信接口被滥用",
            "vulnerability",
            "E0006",
            "mitigate",
            "接口鉴权与限流。",
            [(4, 3), (2, 3), (2, 3), (2, 2)],
        ),
        (
            "地震致同城数据中心不可用",
            "disaster",
            "E0002",
            "transfer",
            "异地灾备；营业中断险。",
            [(1, 5), (1, 5), (1, 5), (1, 5)],
        ),
    ],
}
SCOPE = {
    "KFB": "呼叫中心排队机、坐席系统、客服工单系统及其机房供电；外包坐席服务。",
    "YYB": "网点柜面终端、网点机房、运营集中作业平台。",
    "XSB": "营销平台、短信网关、客户关系管理系统。",
}
STATE_NOW = {"YYB": "submitted", "KFB": "overdue", "XSB": "in_progress"}


def load_demo_risks() -> None:
    if Campaign.objects.exists():
        return
    departments = {d.code: d for d in Department.objects.filter(code__in=RISKS)}
    if len(departments) != len(RISKS):
        return  # the organisation's demo is not loaded
    leader = Person.objects.get(employee_no="E0001").user
    quarters = _last_four_quarters()
    for index, (year, quarter) in enumerate(quarters):
        campaign = services.campaign_open(
            actor=DEMO, year=year, quarter=quarter, kind=CampaignKind.QUARTERLY
        )
        for code, department in departments.items():
            assessment = campaign.assessments.get(department=department)
            last = index == len(quarters) - 1
            if last and STATE_NOW[code] == "overdue":
                _score_quarter(assessment, RISKS[code], index, partly=True)
                continue
            _score_quarter(assessment, RISKS[code], index)
            services.assessment_update(
                actor=DEMO,
                assessment=assessment,
                scope=SCOPE[code],
                conclusion=_conclusion(assessment),
            )
            if last and STATE_NOW[code] == "in_progress":
                continue
            head = department.head.user if department.head else leader
            services.assessment_submit(actor=head, assessment=assessment)
            if not last:
                services.assessment_approve(
                    actor=leader, assessment=assessment, comment="同意。请按期落实处置措施。"
                )
    _projects(leader)


def _conclusion(assessment: Assessment) -> str:
    count = assessment.risks.exclude(mark="closed").count()
    return f"本季度共评估 {count} 项风险，高风险均已明确处置措施、责任人和完成期限。"


def _last_four_quarters() -> list[tuple[int, int]]:
    year, quarter = quarter_of(timezone.localdate())
    found = [(year, quarter)]
    for _ in range(3):
        year, quarter = preceding(year, quarter)
        found.append((year, quarter))
    return found[::-1]


def _score_quarter(
    assessment: Assessment, risks: list[Any], index: int, partly: bool = False
) -> None:
    today = timezone.localdate()
    leader = Person.objects.get(employee_no="E0001").user
    carried = {r.title: r for r in assessment.risks.all()}
    asset = Asset.objects.filter(code="CORE-DB-01").first()
    for number, (title, family, owner, treatment, plan, path) in enumerate(risks):
        scores = path[index]
        risk = carried.get(title)
        if partly and number % 2:
            continue  # this quarter's re-scoring is half done: the rest stay carried over
        if scores is None:
            if risk is not None:
                services.risk_close(
                    actor=DEMO, risk=risk, reason="风险源已消除（设备更换或人员补充到位）。"
                )
            continue
        likelihood, impact = scores
        fields = {
            "title": title,
            "family": family,
            "treatment": treatment,
            "treatment_plan": plan,
            "owner": Person.objects.get(employee_no=owner),
            "treatment_due": today + timedelta(days=45 + 10 * number)
            if treatment != "accept"
            else None,
            "existing_measures": "值班巡检；监控告警；年度应急演练。",
            "knowledge": "medium",
            "knowledge_note": "依据近四个季度的监控数据和演练记录。",
            "inherent_likelihood": min(likelihood + 1, 5),
            "inherent_impact": impact,
            "current_likelihood": likelihood,
            "current_impact": impact,
            "residual_likelihood": max(likelihood - 1, 1) if plan else likelihood,
            "residual_impact": impact,
        }
        if risk is None:
            risk = services.risk_add(actor=DEMO, assessment=assessment, **fields)
            if asset is not None and family == "ageing":
                risk.assets.add(asset)
        else:
            services.risk_update(actor=DEMO, risk=risk, **fields)
        if treatment == "accept" and not risk.acceptances.exists():
            services.acceptance_add(
                actor=leader,
                risk=risk,
                expires=today + timedelta(days=300),
                note="发生概率低，网点可临时撤并，接受该风险至下次评估。",
            )


def _projects(leader: Any) -> None:
    if Project.objects.exists():
        return
    rd = Department.objects.get(code="YFZX")
    cto = Person.objects.get(employee_no="E0002").user
    today = timezone.localdate()
    app = services.project_create(
        actor=cto,
        code="RD-2026-07",
        name="新一代手机银行 App",
        department=rd,
        go_live=today + timedelta(days=60),
        description="前后端重构，接入统一认证。",
    )
    services.risk_add(
        actor=cto,
        assessment=app.assessment,
        title="新版本认证改造引入兼容性风险",
        family="other",
        inherent_likelihood=4,
        inherent_impact=4,
        current_likelihood=3,
        current_impact=4,
        treatment="mitigate",
        treatment_plan="灰度发布，保留旧版本回退通道。",
        owner=Person.objects.get(employee_no="E0004"),
        treatment_due=today + timedelta(days=40),
    )
    gateway = services.project_create(
        actor=cto,
        code="RD-2026-03",
        name="支付网关扩容",
        department=rd,
        go_live=today + timedelta(days=20),
    )
    for family, title in (
        ("capacity", "峰值交易超过新网关设计容量"),
        ("vulnerability", "新网关组件存在已知漏洞"),
        ("ageing", "旧网关下线前的双轨运行"),
        ("disaster", "新网关单机房部署"),
    ):
        services.risk_add(
            actor=cto,
            assessment=gateway.assessment,
            title=title,
            family=family,
            inherent_likelihood=3,
            inherent_impact=3,
            current_likelihood=2,
            current_impact=3,
            residual_likelihood=1,
            residual_impact=3,
            knowledge="high",
            treatment="mitigate",
            treatment_plan="压测与加固。",
            owner=Person.objects.get(employee_no="E0004"),
            treatment_due=today + timedelta(days=15),
        )
    services.assessment_submit(actor=cto, assessment=gateway.assessment)
    services.assessment_approve(actor=leader, assessment=gateway.assessment)
    services.project_status(actor=cto, project=gateway, status="ready")
