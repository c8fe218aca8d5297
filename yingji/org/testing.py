"""The test cast: one user per role of the regulation, built through the services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import TestCase

from yingji.core.actors import SYSTEM
from yingji.org import services
from yingji.org.choices import GroupKind, MemberRole, PersonKind, Scenario
from yingji.org.models import Department, EmergencyGroup, Person, Vendor

PASSWORD = "correct-horse-battery"


def build_cast() -> dict[str, Any]:
    """leader, office, expert, head, executor, staff, vendor, outsider and admin, with their
    departments, groups and vendor."""
    cast: dict[str, Any] = {}
    cast["mgmt"] = services.department_create(actor=SYSTEM, code="MGMT", name="总经理办公室")
    cast["tech"] = services.department_create(
        actor=SYSTEM, code="TECH", name="信息技术部", kind="technology"
    )
    cast["cs"] = services.department_create(actor=SYSTEM, code="CS", name="客户服务部")
    cast["call"] = services.department_create(
        actor=SYSTEM, code="CS-CALL", name="呼叫中心", parent=cast["cs"]
    )
    cast["other_dept"] = services.department_create(actor=SYSTEM, code="SALES", name="销售部")
    cast["vendor_co"] = services.vendor_create(actor=SYSTEM, name="华信数据服务有限公司")
    cast["other_vendor"] = services.vendor_create(actor=SYSTEM, name="别家科技")

    def person(username: str, number: str, name: str, **fields: Any) -> Person:
        return services.person_create(
            actor=SYSTEM,
            username=username,
            password=PASSWORD,
            employee_no=number,
            full_name=name,
            mobile=f"1380000{number[-4:]}",
            **fields,
        )

    p = {
        "leader": person("leader", "E0001", "王建国", department=cast["mgmt"], title="总经理"),
        "office": person("office", "E0002", "李静", department=cast["mgmt"]),
        "expert": person("expert", "E0003", "张伟", department=cast["tech"]),
        "head": person("head", "E0004", "刘洋", department=cast["cs"]),
        "executor": person("executor", "E0005", "陈磊", department=cast["tech"]),
        "staff": person("staff", "E0006", "赵敏", department=cast["call"]),
        "sales": person("sales", "E0007", "钱多", department=cast["other_dept"]),
        "vendor": person(
            "vendor", "V0001", "周强", kind=PersonKind.VENDOR, vendor=cast["vendor_co"]
        ),
        "other_vendor_staff": person(
            "othervendor", "V0002", "吴用", kind=PersonKind.VENDOR, vendor=cast["other_vendor"]
        ),
    }
    services.department_update(
        actor=SYSTEM, department=cast["cs"], changes={"head": p["head"], "deputy": p["staff"]}
    )
    groups = {
        "lead": (GroupKind.LEADERSHIP, "", [("leader", MemberRole.LEADER)]),
        "office_group": (GroupKind.OFFICE, "", [("office", MemberRole.LEADER)]),
        "expert_group": (GroupKind.EXPERT, "", [("expert", MemberRole.LEADER)]),
        "exec_group": (
            GroupKind.EXECUTION,
            Scenario.INFORMATION_SYSTEM,
            [("executor", MemberRole.LEADER), ("vendor", MemberRole.MEMBER)],
        ),
    }
    for key, (kind, scenario, members) in groups.items():
        group = services.group_create(
            actor=SYSTEM, code=key.upper(), name=key, kind=kind, scenario=scenario
        )
        for username, role in members:
            services.membership_add(actor=SYSTEM, group=group, person=p[username], role=role)
        cast[key] = group
    user_model = get_user_model()
    cast["outsider"] = user_model.objects.create_user("outsider", password=PASSWORD)
    cast["admin"] = user_model.objects.create_superuser("admin", password=PASSWORD)
    for key, value in p.items():
        cast[f"{key}_person"] = value
        cast[key] = value.user
    return cast


ROLE_USERS = (
    "admin",
    "leader",
    "office",
    "expert",
    "head",
    "executor",
    "staff",
    "vendor",
    "outsider",
)


class CastTestCase(TestCase):
    """A TestCase whose class holds the cast: self.leader, self.head, self.vendor_person, ..."""

    cast: dict[str, Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.cast = build_cast()

    def __getattr__(self, name: str) -> Any:
        """self.leader, self.cs, self.exec_group ...: members of the cast."""
        if name == "cast" or name.startswith("_"):  # Django's TestData looks up private memos
            raise AttributeError(name)
        try:
            return self.cast[name]
        except KeyError:
            raise AttributeError(name) from None

    def login(self, who: str) -> None:
        self.client.force_login(self.cast[who])

    def refreshed(self, instance: Any) -> Any:
        return type(instance).objects.get(pk=instance.pk)


def count_rows() -> dict[str, int]:
    return {
        "departments": Department.objects.count(),
        "people": Person.objects.count(),
        "groups": EmergencyGroup.objects.count(),
        "vendors": Vendor.objects.count(),
    }
