"""The three plans the regulation names (R-PLAN-1), written and approved through the services:
information-system failure, network-security incident, technical-facility failure. The
facility plan was approved 13 months ago and is overdue for its yearly review (R-PLAN-3)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from yingji.org.demo import DEMO
from yingji.org.models import Department
from yingji.plans import services
from yingji.plans.models import Plan, PlanVersion

INFORMATION_SYSTEM = {
    "code": "YJ-ZX-01",
    "title": "信息系统故障专项应急预案",
    "category": "information_system",
    "owner": "XXJS",
    "scope": "适用于本公司核心业务系统（手机银行、网上银行、核心账务、统一认证、支付清算）及其"
    "支撑系统发生故障、性能严重下降或数据异常，导致业务中断或服务质量明显下降的情形。",
    "duties": [
        (
            "leadership",
            "研判事件级别，决定启动本预案及响应级别，批准对外发布信息，下达响应结束指令。",
        ),
        ("office", "组织召开研判会议，通知各小组集结，向全员发布通知，记录响应过程。"),
        ("expert", "分析故障原因，制定处置方案，评估恢复效果，提出结束响应建议。"),
        ("execution", "按处置方案执行切换、恢复操作，每 30 分钟报告进展。"),
    ],
    "criteria": [["interruption_minutes", ">=", 30], ["affected_users", ">=", 10000]],
    "criteria_text": "核心业务系统中断 30 分钟以上，或影响客户 1 万人以上，"
    "或领导小组认为需要启动的其他情形。",
    "data_recovery": "1. 确认最近一次完整备份及归档日志的时间点；\n"
    "2. 在同城灾备中心的备用数据库上应用日志，恢复至故障前一刻；\n"
    "3. 核对账务总分平衡及关键表记录数，与业务部门确认抽样数据；\n"
    "4. 恢复完成后由专家组确认数据一致，方可对外开放服务。",
    "business_measures": "运营管理部：柜面业务改为手工登记，系统恢复后补录；\n"
    "客户服务部：启用统一答复口径，登记客户诉求并在恢复后回访；\n"
    "销售部：暂停线上营销活动，向重点客户说明情况。",
    "resources": "同城灾备中心备用服务器 4 台；备用数据库许可证；应急笔记本电脑 6 台；"
    "备品备件库（数据中心一层）。",
    "contacts": "运维中心值班电话 010-8888 0001；数据库厂商 7×24 支持热线 400-800-1234。",
    "steps": [
        {
            "title": "确认故障范围和影响",
            "group": "expert",
            "when": "接报后 10 分钟内",
            "how": "查看监控和日志，确认受影响的系统、客户数和开始时间。",
            "checklist": ["查看监控大屏", "统计受影响客户数", "确认故障开始时间"],
            "expected_minutes": 10,
        },
        {
            "title": "召开研判会议并通知集结",
            "group": "office",
            "when": "专家初判后立即",
            "where": "总部大楼 8 层应急指挥中心",
            "after": 1,
            "expected_minutes": 15,
            "checklist": ["通知领导小组成员", "开通线上会议"],
        },
        {
            "title": "切换至同城灾备系统",
            "group": "execution",
            "after": 2,
            "expected_minutes": 30,
            "where": "同城灾备中心",
            "how": "按《灾备切换手册》执行应用和数据库切换。",
            "checklist": ["确认备库同步延迟 < 1 秒", "切换 VIP", "验证登录和交易"],
        },
        {
            "title": "发布业务临时处理措施",
            "group": "office",
            "after": 2,
            "expected_minutes": 20,
            "how": "通知各业务部门按本预案第六章开展手工处理。",
        },
        {
            "title": "评估恢复效果",
            "group": "expert",
            "after": 3,
            "expected_minutes": 30,
            "checklist": ["性能指标恢复正常", "业务运行平稳 30 分钟", "无遗留数据问题"],
        },
    ],
}
NETWORK_SECURITY = {
    "code": "YJ-ZX-02",
    "title": "网络安全事件专项应急预案",
    "category": "network_security",
    "owner": "AQS",
    "scope": "适用于病毒和勒索软件感染、网络攻击、网页篡改、数据泄露等网络安全事件。",
    "duties": [
        ("leadership", "决定启动预案、是否向监管和公安机关报告、是否断网隔离。"),
        ("expert", "溯源分析攻击路径，评估泄露范围，制定清除和加固方案。"),
        ("execution", "隔离受感染主机，保全证据，清除恶意程序，恢复系统。"),
    ],
    "criteria": [["records_leaked", ">", 0], ["affected_regions", ">=", 2]],
    "criteria_text": "发生客户信息泄露，或攻击波及两个以上区域，或核心系统被植入恶意程序。",
    "data_recovery": "从离线备份（不与生产网络连通）恢复被加密或篡改的数据，恢复前扫描备份文件。",
    "business_measures": "客户服务部：对受影响客户逐一告知并提供改密指引。",
    "resources": "离线备份介质；取证工具箱；备用防火墙 1 台。",
    "contacts": "信息安全室 010-8888 0006；公安网安部门报警电话按当地规定。",
    "steps": [
        {
            "title": "隔离受影响主机和网段",
            "group": "execution",
            "when": "发现后立即",
            "expected_minutes": 15,
            "checklist": ["断开受感染主机网络", "封禁可疑 IP"],
        },
        {
            "title": "保全证据",
            "group": "execution",
            "after": 1,
            "expected_minutes": 30,
            "checklist": ["内存镜像", "日志导出并计算哈希"],
        },
        {"title": "溯源分析并制定清除方案", "group": "expert", "after": 2, "expected_minutes": 120},
        {"title": "决定是否对外报告", "group": "leadership", "after": 3, "expected_minutes": 30},
    ],
}
FACILITY = {
    "code": "YJ-ZX-03",
    "title": "技术设施故障专项应急预案",
    "category": "facility",
    "owner": "YWZX",
    "scope": "适用于数据中心供电、空调、消防、网络线路等技术设施故障。",
    "duties": [
        ("expert", "判断故障对机房运行的影响，决定是否关停非关键设备。"),
        ("execution", "联系设施厂商抢修，启用备用电源和移动空调。"),
    ],
    "criteria": [["interruption_minutes", ">=", 60]],
    "criteria_text": "机房温度持续超过 30℃，或市电中断且 UPS 续航不足 30 分钟。",
    "data_recovery": "设施恢复后按开机顺序启动存储、数据库和应用，核对数据完整性。",
    "business_measures": "各业务部门按信息系统故障专项应急预案的临时处理措施执行。",
    "resources": "柴油发电机 1 台（燃油储备 8 小时）；移动空调 2 台；备用 UPS 电池组。",
    "contacts": "物业值班 010-8888 0100；空调厂商服务热线 400-600-0000。",
    "steps": [
        {
            "title": "现场确认设施状态",
            "group": "execution",
            "when": "告警后 5 分钟内",
            "where": "数据中心二号机房",
            "expected_minutes": 5,
        },
        {
            "title": "启用备用电源或移动空调",
            "group": "execution",
            "after": 1,
            "expected_minutes": 20,
            "checklist": ["启动柴油发电机", "部署移动空调"],
        },
        {"title": "评估是否关停非关键设备", "group": "expert", "after": 1, "expected_minutes": 15},
    ],
}
PLANS = (INFORMATION_SYSTEM, NETWORK_SECURITY, FACILITY)


def load_demo_plans() -> None:
    """Idempotent; the plans are approved by the demo's leadership-group member."""
    if Plan.objects.filter(code__in=[p["code"] for p in PLANS]).exists():
        return
    leader = get_user_model().objects.get(username="leader")
    for spec in PLANS:
        _approved_plan(spec, leader)
    overdue = Plan.objects.get(code=FACILITY["code"])
    approved = timezone.now() - timedelta(days=400)
    PlanVersion.objects.filter(plan=overdue).update(approved_at=approved, created_at=approved)
    Plan.objects.filter(pk=overdue.pk).update(
        review_due=timezone.localdate() - timedelta(days=35), created_at=approved
    )


def _approved_plan(spec: dict[str, Any], leader: Any) -> PlanVersion:
    plan = services.plan_create(
        actor=DEMO,
        code=spec["code"],
        title=spec["title"],
        tier="special",
        category=spec["category"],
        owner_department=Department.objects.get(code=spec["owner"]),
    )
    version = plan.versions.get()
    services.version_update(
        actor=DEMO,
        version=version,
        scope=spec["scope"],
        criteria=spec["criteria"],
        criteria_text=spec["criteria_text"],
        data_recovery=spec["data_recovery"],
        business_measures=spec["business_measures"],
        resources=spec["resources"],
        contacts=spec["contacts"],
        group_duties=[{"group": g, "duties": d} for g, d in spec["duties"]],
    )
    services.steps_set(actor=DEMO, version=version, steps=spec["steps"])
    services.version_transition(actor=DEMO, version=version, action="submit")
    services.version_transition(actor=DEMO, version=version, action="send_for_approval")
    return services.version_approve(actor=leader, version=version, comment="同意发布实施。")


def demo_plan_version(code: str) -> PlanVersion:
    return PlanVersion.objects.get(plan__code=code, status="approved")
