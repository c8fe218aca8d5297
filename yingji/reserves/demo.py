"""A store beside the data centre with spares on two shelves, written through the services:
one spare server's inspection is overdue, so spare servers are short of their minimum."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from yingji.org.demo import DEMO
from yingji.org.models import Department, Person
from yingji.plans.models import PlanVersion
from yingji.reserves import services
from yingji.reserves.models import Item, Requirement, ReserveClass, Store

CLASSES = [
    ("SRV", "备用服务器", True, "台", 90, ["开机自检", "硬盘健康", "固件版本"], 3, None),
    ("SW", "备用交换机", True, "台", 90, ["上电自检", "端口指示灯", "配置备份可导入"], 1, None),
    ("SAT", "卫星电话", True, "部", 30, ["电池电量", "拨测"], 2, None),
    ("FIBER", "光纤跳线", False, "根", 180, ["外观完好"], 20, None),
    ("FUEL", "发电机柴油", False, "升", 30, ["油位", "无渗漏"], 400, 365),
]
# class, shelf, tag, model, serial, quantity
SPARES = [
    *[("SRV", "A1", f"SRV-{n:02d}", "浪潮 NF5280M6", f"NF5280-{n:04d}", 1) for n in (1, 2, 3)],
    ("SW", "A1", "SW-01", "华为 CE6881", "CE6881-0001", 1),
    *[("SAT", "B1", f"SAT-{n:02d}", "天通一号", f"TT-{n:04d}", 1) for n in (1, 2)],
    ("FIBER", "B1", "FIBER-LC", "LC-LC 3m", "", 24),
    ("FUEL", "room", "FUEL-01", "0 号柴油", "", 500),
]


def load_demo_reserves() -> None:
    if Store.objects.exists():
        return
    tech = Department.objects.filter(code="YWZX").first()
    custodian = Person.objects.filter(employee_no="E0006").first()
    backup = Person.objects.filter(employee_no="E0004").first()
    if tech is None or custodian is None:
        return  # the organisation's demo is not loaded
    classes = {
        code: services.class_save(
            actor=DEMO,
            code=code,
            name=name,
            serialised=serialised,
            unit=unit,
            inspection_days=days,
            checklist=checks,
            min_ready=minimum,
            shelf_life_days=life,
        )
        for code, name, serialised, unit, days, checks, minimum, life in CLASSES
    }
    store = services.store_create(
        actor=DEMO,
        code="DC-SPARE",
        name="数据中心备品备件库",
        custodian=custodian,
        backup=backup,
        owner=tech,
        address="数据中心一层 105 室",
    )
    room = services.location_create(
        actor=DEMO, store=store, code="DC-105", name="105 室", kind="room"
    )
    a1 = services.location_create(
        actor=DEMO, store=store, code="DC-105-A1", name="A1 架", kind="shelf", parent=room
    )
    b1 = services.location_create(
        actor=DEMO, store=store, code="DC-105-B1", name="B1 架", kind="shelf", parent=room
    )
    shelves = {"A1": a1, "B1": b1, "room": room}
    for code, shelf, tag, model, serial, quantity in SPARES:
        services.item_receive(
            actor=DEMO,
            reserve_class=classes[code],
            location=shelves[shelf],
            tag=tag,
            model=model,
            serial=serial,
            quantity=quantity,
        )
    _plan_needs(classes)
    # One server's inspection fell behind: spare servers are short of their minimum of 3.
    Item.objects.filter(tag="SRV-03").update(
        inspection_due=timezone.localdate() - timedelta(days=5),
        last_inspected=timezone.localdate() - timedelta(days=95),
    )


def _plan_needs(classes: dict[str, ReserveClass]) -> None:
    """The information-system plan's resources text ("备用服务器 4 台 …"), as data: kept with
    its approved version, as when reserves were first set up beside an approved plan. It
    needs four spare servers; three are held and one of them is overdue for inspection."""
    version = PlanVersion.objects.filter(plan__code="YJ-ZX-01", status="approved").first()
    if version is None:
        return
    Requirement.objects.bulk_create(
        [
            Requirement(version=version, reserve_class=classes["SRV"], quantity=4),
            Requirement(version=version, reserve_class=classes["SW"], quantity=1),
            Requirement(version=version, reserve_class=classes["SAT"], quantity=2),
        ]
    )
