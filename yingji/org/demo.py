"""The demo organisation 示例科技有限公司: ~60 people, the three kinds of group, two vendors,
and one log-in per role. Loaded through the services, so it is audited like any other change,
and idempotent: running it again creates only what is missing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model

from yingji.core.actors import SystemActor
from yingji.org import services
from yingji.org.choices import GroupKind, MemberRole, PersonKind, Scenario, Specialty
from yingji.org.models import Department, EmergencyGroup, Membership, Person, Vendor

DEMO = SystemActor("demo")
DEMO_PASSWORD = "yingji-demo"
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "yingji-admin"

# code, name, kind, parent
DEPARTMENTS = [
    ("ZJB", "总经理办公室", "functional", None),
    ("XXJS", "信息技术部", "technology", None),
    ("YWZX", "运维中心", "technology", "XXJS"),
    ("AQS", "信息安全室", "technology", "XXJS"),
    ("YFZX", "研发中心", "technology", "XXJS"),
    ("YYB", "运营管理部", "business", None),
    ("KFB", "客户服务部", "business", None),
    ("XSB", "销售部", "business", None),
    ("XZB", "行政后勤部", "functional", None),
]

# username, employee_no, name, department, title, kind
ROLE_PEOPLE = [
    ("leader", "E0001", "王建国", "ZJB", "总经理", PersonKind.EMPLOYEE),
    ("cto", "E0002", "孙立新", "XXJS", "首席技术官", PersonKind.EMPLOYEE),
    ("office", "E0003", "李静", "ZJB", "总经理办公室主任", PersonKind.EMPLOYEE),
    ("expert", "E0004", "张伟", "XXJS", "首席架构师", PersonKind.EMPLOYEE),
    ("head", "E0005", "刘洋", "KFB", "客户服务部经理", PersonKind.EMPLOYEE),
    ("executor", "E0006", "陈磊", "YWZX", "运维工程师", PersonKind.EMPLOYEE),
    ("staff", "E0007", "赵敏", "KFB", "客服专员", PersonKind.EMPLOYEE),
]
SURNAMES = (
    "杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁"
    "魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万"
    "段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = [
    "晓明",
    "丽华",
    "志强",
    "海燕",
    "建华",
    "秀英",
    "国强",
    "雪梅",
    "俊杰",
    "婷婷",
    "浩然",
    "佳怡",
    "文博",
    "思远",
    "子涵",
    "宇航",
    "欣怡",
    "天佑",
    "梦琪",
    "家豪",
]
TITLES = {
    "ZJB": "行政秘书",
    "XXJS": "技术经理",
    "YWZX": "运维工程师",
    "AQS": "安全工程师",
    "YFZX": "开发工程师",
    "YYB": "运营专员",
    "KFB": "客服专员",
    "XSB": "销售经理",
    "XZB": "设施主管",
}
STAFF_PER_DEPARTMENT = {
    "ZJB": 3,
    "XXJS": 3,
    "YWZX": 9,
    "AQS": 5,
    "YFZX": 8,
    "YYB": 6,
    "KFB": 6,
    "XSB": 5,
    "XZB": 4,
}

VENDORS = [
    {
        "name": "华信数据服务有限公司",
        "short_name": "华信数据",
        "service_scope": "核心数据库与服务器硬件维保；7×24 小时现场支持",
        "contact_name": "周强",
        "contact_phone": "13912345678",
        "hotline": "400-800-1234",
        "contract_no": "HT-2026-017",
        "contract_start": date(2026, 1, 1),
        "contract_end": date(2027, 1, 15),
        "sla_response_minutes": 30,
        "sla_end": date(2027, 1, 15),
    },
    {
        "name": "安盾网络安全技术有限公司",
        "short_name": "安盾安全",
        "service_scope": "安全监测、渗透测试与应急响应服务",
        "contact_name": "黄海",
        "contact_phone": "13787654321",
        "hotline": "400-900-5678",
        "contract_no": "HT-2026-031",
        "contract_start": date(2026, 3, 1),
        "contract_end": date(2028, 2, 28),
        "sla_response_minutes": 15,
        "sla_end": date(2028, 2, 28),
    },
]

GROUPS = [
    (
        "LEAD",
        "应急管理领导小组",
        GroupKind.LEADERSHIP,
        "",
        "总部大楼 8 层应急指挥中心",
        "统一领导科技应急工作，决定启动与终止应急响应，调配内外部资源。",
    ),
    (
        "OFFICE",
        "领导小组办公室",
        GroupKind.OFFICE,
        "",
        "总部大楼 8 层应急指挥中心",
        "日常协调，通知各小组集结，向全体员工发布事件通告。",
    ),
    (
        "EXPERT",
        "应急技术专家小组",
        GroupKind.EXPERT,
        "",
        "总部大楼 5 层技术会议室",
        "分析事件、评估影响范围与严重程度，提出技术处置方案与结束建议。",
    ),
    (
        "EXEC-IS",
        "信息系统故障执行小组",
        GroupKind.EXECUTION,
        Scenario.INFORMATION_SYSTEM,
        "数据中心 B1 值班室",
        "恢复系统与数据，保障业务连续。",
    ),
    (
        "EXEC-NS",
        "网络安全事件执行小组",
        GroupKind.EXECUTION,
        Scenario.NETWORK_SECURITY,
        "总部大楼 5 层安全运营中心",
        "隔离攻击、清除威胁、加固防护。",
    ),
    (
        "EXEC-FAC",
        "技术设施故障执行小组",
        GroupKind.EXECUTION,
        Scenario.FACILITY,
        "数据中心 B1 值班室",
        "抢修机房电力、空调与网络设备。",
    ),
]


def demo_logins() -> list[tuple[str, str, str]]:
    roles = {
        "leader": "leadership group leader",
        "office": "leadership group office",
        "expert": "expert group leader",
        "head": "department head",
        "executor": "executor",
        "staff": "staff",
        "vendor": "vendor",
    }
    rows = [(ADMIN_USERNAME, ADMIN_PASSWORD, "system administrator")]
    rows += [(name, DEMO_PASSWORD, role) for name, role in roles.items()]
    return rows


def load_demo() -> None:
    departments = {code: _department(code, name, kind) for code, name, kind, _p in DEPARTMENTS}
    for code, _name, _kind, parent in DEPARTMENTS:
        if parent and departments[code].parent_id is None:
            services.department_update(
                actor=DEMO, department=departments[code], changes={"parent": departments[parent]}
            )
    vendors = [_vendor(values) for values in VENDORS]
    people = _people(departments, vendors)
    _heads(departments, people)
    _groups(people)
    _admin()


def is_other_organisation() -> bool:
    """The database holds an organisation that is not the demo's (leave it alone)."""
    has_data = Department.objects.exists() or Person.objects.exists()
    return has_data and not Department.objects.filter(code="XXJS", name="信息技术部").exists()


def _department(code: str, name: str, kind: str) -> Department:
    existing = Department.objects.filter(code=code).first()
    sort_order = [c for c, *_rest in DEPARTMENTS].index(code) * 10
    return existing or services.department_create(
        actor=DEMO, code=code, name=name, kind=kind, sort_order=sort_order
    )


def _vendor(values: dict[str, Any]) -> Vendor:
    existing = Vendor.objects.filter(name=values["name"]).first()
    return existing or services.vendor_create(actor=DEMO, **values)


def _person(username: str | None, employee_no: str, **fields: Any) -> Person:
    existing = Person.objects.filter(employee_no=employee_no).first()
    if existing:
        return existing
    prefix = {"E": "139", "V": "137", "X": "136"}[employee_no[0]]
    fields.setdefault("mobile", f"{prefix}{int(employee_no[1:]):08d}")
    fields.setdefault("email", f"{(username or employee_no).lower()}@example.com")
    return services.person_create(
        actor=DEMO,
        username=username,
        password=DEMO_PASSWORD if username else None,
        employee_no=employee_no,
        **fields,
    )


def _people(departments: dict[str, Department], vendors: list[Vendor]) -> dict[str, Person]:
    people = {}
    for username, number, name, dept, title, kind in ROLE_PEOPLE:
        people[username] = _person(
            username, number, full_name=name, department=departments[dept], title=title, kind=kind
        )
    serial = 100
    for dept, count in STAFF_PER_DEPARTMENT.items():
        for index in range(count):
            serial += 1
            name = SURNAMES[serial % len(SURNAMES)] + GIVEN[(serial * 7) % len(GIVEN)]
            title = dept_head_title(dept) if index == 0 else TITLES[dept]
            people[f"E{serial}"] = _person(
                None, f"E{serial:04d}", full_name=name, department=departments[dept], title=title
            )
    people["vendor"] = _person(
        "vendor",
        "V0001",
        full_name="周强",
        kind=PersonKind.VENDOR,
        vendor=vendors[0],
        title="驻场工程师",
    )
    people["V0002"] = _person(
        None,
        "V0002",
        full_name="黄海",
        kind=PersonKind.VENDOR,
        vendor=vendors[1],
        title="安全顾问",
        language="zh-hant",  # the vendor's Hong Kong office
    )
    people["X0001"] = _person(
        None, "X0001", full_name="吴振华", kind=PersonKind.EXTERNAL_EXPERT, title="高校网络安全教授"
    )
    return people


def dept_head_title(dept: str) -> str:
    return {"XXJS": "信息技术部副经理", "KFB": "客服主管"}.get(dept, "部门经理")


def _heads(departments: dict[str, Department], people: dict[str, Person]) -> None:
    first_of = {}
    serial = 100
    for dept, count in STAFF_PER_DEPARTMENT.items():
        first_of[dept] = [people[f"E{serial + i + 1}"] for i in range(count)]
        serial += count
    heads = {"ZJB": people["office"], "XXJS": people["cto"], "KFB": people["head"]}
    for code, department in departments.items():
        if department.head_id:
            continue
        head = heads.get(code, first_of[code][0])
        deputy = first_of[code][0] if head != first_of[code][0] else first_of[code][1]
        services.department_update(
            actor=DEMO, department=department, changes={"head": head, "deputy": deputy}
        )


def _groups(people: dict[str, Person]) -> None:
    groups = {}
    for code, name, kind, scenario, place, duties in GROUPS:
        existing = EmergencyGroup.objects.filter(code=code).first()
        groups[code] = existing or services.group_create(
            actor=DEMO,
            code=code,
            name=name,
            kind=kind,
            scenario=scenario,
            assembly_point=place,
            duties=duties,
        )
    heads = {d.code: d.head for d in Department.objects.select_related("head") if d.head}
    plan = [
        ("LEAD", people["leader"], MemberRole.LEADER, ""),
        ("LEAD", people["cto"], MemberRole.DEPUTY_LEADER, ""),
        *[("LEAD", heads[c], MemberRole.MEMBER, "") for c in ("YYB", "KFB", "XSB")],
        ("OFFICE", people["office"], MemberRole.LEADER, Specialty.COORDINATION),
        ("OFFICE", people["E101"], MemberRole.MEMBER, Specialty.COORDINATION),
        ("EXPERT", people["expert"], MemberRole.LEADER, Specialty.TECHNICAL),
        ("EXPERT", people["E104"], MemberRole.MEMBER, Specialty.TECHNICAL),
        ("EXPERT", people["E116"], MemberRole.MEMBER, Specialty.SECURITY),
        ("EXPERT", people["X0001"], MemberRole.MEMBER, Specialty.SECURITY),
        ("EXEC-IS", people["E107"], MemberRole.LEADER, Specialty.OPERATIONS),
        ("EXEC-IS", people["executor"], MemberRole.MEMBER, Specialty.OPERATIONS),
        ("EXEC-IS", people["E108"], MemberRole.MEMBER, Specialty.OPERATIONS),
        ("EXEC-IS", people["E121"], MemberRole.MEMBER, Specialty.TECHNICAL),
        ("EXEC-IS", people["E130"], MemberRole.MEMBER, Specialty.BUSINESS),
        ("EXEC-IS", people["vendor"], MemberRole.MEMBER, Specialty.OPERATIONS),
        ("EXEC-NS", people["E116"], MemberRole.LEADER, Specialty.SECURITY),
        ("EXEC-NS", people["E117"], MemberRole.MEMBER, Specialty.SECURITY),
        ("EXEC-NS", people["E109"], MemberRole.MEMBER, Specialty.OPERATIONS),
        ("EXEC-NS", people["V0002"], MemberRole.MEMBER, Specialty.SECURITY),
        ("EXEC-NS", people["E136"], MemberRole.MEMBER, Specialty.BUSINESS),
        ("EXEC-FAC", people["E148"], MemberRole.LEADER, Specialty.OPERATIONS),
        ("EXEC-FAC", people["E149"], MemberRole.MEMBER, Specialty.OPERATIONS),
        ("EXEC-FAC", people["E110"], MemberRole.MEMBER, Specialty.OPERATIONS),
    ]
    for code, person, role, specialty in plan:
        if not Membership.objects.filter(group=groups[code], person=person).exists():
            services.membership_add(
                actor=DEMO, group=groups[code], person=person, role=role, specialty=specialty
            )


def _admin() -> None:
    from yingji.accounts.services import admin_create

    if not get_user_model().objects.filter(username=ADMIN_USERNAME).exists():
        admin_create(actor=DEMO, username=ADMIN_USERNAME, email="", password=ADMIN_PASSWORD)
