"""A store with two shelves and a class of spares, built through the services."""

from __future__ import annotations

from typing import Any

from yingji.core.actors import SYSTEM
from yingji.reserves import services


def build_store(cast: dict[str, Any]) -> dict[str, Any]:
    store = services.store_create(
        actor=SYSTEM,
        code="DC-1",
        name="数据中心备件库",
        custodian=cast["executor_person"],
        backup=cast["expert_person"],
        owner=cast["tech"],
    )
    shelf = services.location_create(
        actor=SYSTEM, store=store, code="DC-1-A1", name="A1 架", kind="shelf"
    )
    other = services.location_create(
        actor=SYSTEM, store=store, code="DC-1-B2", name="B2 架", kind="shelf"
    )
    server = services.class_save(
        actor=SYSTEM,
        code="SRV",
        name="备用服务器",
        serialised=True,
        inspection_days=90,
        checklist=["开机自检", "硬盘健康", "固件版本"],
        min_ready=2,
    )
    cable = services.class_save(
        actor=SYSTEM,
        code="CABLE",
        name="光纤跳线",
        serialised=False,
        unit="根",
        inspection_days=180,
        checklist=["外观完好"],
        min_ready=10,
    )
    return {"store": store, "shelf": shelf, "other": other, "server": server, "cable": cable}
