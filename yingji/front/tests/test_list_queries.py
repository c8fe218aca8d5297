"""Every list page and every API list costs the same number of queries with a few rows and
with many: a list grows with the table, its cost must not (no query per row). Each list is
measured for a reader who sees all of it, after one round of data and after six more."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from yingji.accounts.services import token_create
from yingji.api_urls import router
from yingji.core.actors import SYSTEM
from yingji.incidents import services as incidents
from yingji.intake import services as intake
from yingji.intake.formats import alertmanager_events
from yingji.monitoring import services as monitoring
from yingji.monitoring.services import SampleRow
from yingji.notify import services as notify
from yingji.oncall import services as oncall
from yingji.oncall.escalation import policy_create
from yingji.org import services as org
from yingji.org.choices import GroupKind, MemberRole
from yingji.org.testing import CastTestCase
from yingji.plans import services as plans
from yingji.recovery.services import measures
from yingji.recovery.tests.helpers import ended_incident
from yingji.reserves import services as reserves
from yingji.risks import services as risks

PAGES = [
    "/org/departments/",
    "/org/people/",
    "/org/groups/",
    "/org/vendors/",
    "/org/",
    "/audit/",
    "/notify/",
    "/notify/messages/",
    "/notify/channels/",
    "/incidents/",
    "/incidents/tasks/",
    "/incidents/grading/",
    "/plans/",
    "/monitoring/",
    "/monitoring/rules/",
    "/monitoring/alerts/",
    "/intake/alerts/",
    "/intake/integrations/",
    "/intake/routes/",
    "/intake/silences/",
    "/intake/inhibit-rules/",
    "/oncall/",
    "/oncall/policies/",
    "/risks/",
    "/risks/assessments/",
    "/risks/campaigns/",
    "/risks/projects/",
    "/risks/heatmap/",
    "/risks/compare/",
    "/risks/settings/",
    "/reserves/",
    "/recovery/",
    "/improvements/",
    "/improvements/plan/",
    "/",
]
API_LISTS = [
    f"/api/v1/{prefix}/" for prefix, viewset, _name in router.registry if hasattr(viewset, "list")
]
MORE = 6


class ListsCostTheSameAtAnySize(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.now = timezone.now().replace(microsecond=0)
        self.rule = monitoring.rule_create(
            actor=SYSTEM,
            name="CPU 高于 90%",
            metric="cpu_percent",
            operator=">",
            threshold=90,
            severity="major",
        )
        self.channel = notify.channel_save(
            actor=SYSTEM, channel=None, name="值班群", kind="capture", config={}, all_staff=True
        )

    def test_every_list_page_and_api_list(self):
        self.grow(1, "a")
        few = self.measure()
        self.grow(MORE, "b")
        many = self.measure()
        grew = {url: (few[url], many[url]) for url in few if many[url] != few[url]}
        self.assertEqual(grew, {}, "queries with few rows and with many")
        self.assertEqual(len(few), len(PAGES) + 1 + len(API_LISTS))
        self.assertGreaterEqual(len(API_LISTS), 24)  # every API list is measured

    def measure(self) -> dict[str, int]:
        counts = {}
        self.login("office")
        for url in PAGES:
            counts[url] = self.count(url, lambda u=url: self.client.get(u))
        self.login("executor")
        counts["/incidents/tasks/ (executor)"] = self.count(
            "/incidents/tasks/", lambda: self.client.get("/incidents/tasks/")
        )
        api = self.api("office")
        for url in API_LISTS:
            counts[url] = self.count(url, lambda u=url: api.get(u))
        return counts

    def count(self, url: str, get: Any) -> int:
        get()  # warm: sessions, caches and the first-request work are not the list's cost
        with CaptureQueriesContext(connection) as queries:
            response = get()
        self.assertEqual(response.status_code, 200, f"{url}: {response.content[:300]!r}")
        return len(queries)

    def api(self, who: str) -> APIClient:
        _token, raw = token_create(actor=self.cast[who], user=self.cast[who], name="lists")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    def grow(self, n: int, tag: str) -> None:
        """n more rows of everything a list shows, built through the services."""
        for i in range(n):
            self.grow_one(f"{tag}{i}")

    def grow_one(self, s: str) -> None:
        cast = self.cast
        department = org.department_create(
            actor=SYSTEM, code=f"D{s}", name=f"部门{s}", parent=cast["cs"]
        )
        person = org.person_create(
            actor=SYSTEM,
            username=f"u{s}",
            password="correct-horse-battery",
            employee_no=f"N{s}",
            full_name=f"员工{s}",
            mobile="13900000000",
            department=department,
        )
        group = org.group_create(
            actor=SYSTEM,
            code=f"G{s}",
            name=f"小组{s}",
            kind=GroupKind.EXECUTION,
            scenario="information_system",
        )
        org.membership_add(actor=SYSTEM, group=group, person=person, role=MemberRole.MEMBER)
        org.membership_add(
            actor=SYSTEM, group=group, person=cast["executor_person"], role=MemberRole.MEMBER
        )
        org.vendor_create(actor=SYSTEM, name=f"厂商{s}")
        incident = incidents.incident_report(
            actor=cast["staff"],
            title=f"故障{s}",
            category="information_system",
            occurred_at=self.now - timedelta(minutes=10),
            symptoms="登录失败",
        )
        incidents.incident_escalate(actor=cast["head"], incident=incident)
        incidents.incident_decide(
            actor=cast["leader"],
            incident=incident,
            decision="activate",
            meeting_at=self.now,
            response_level="2",
            grade="II",
            minutes="启动",
            plans="信息系统专项预案",
            assemble_at=self.now + timedelta(minutes=30),
            assemble_place="三楼指挥室",
        )
        incidents.task_create(
            actor=cast["expert"],
            incident=incident,
            title=f"任务{s}",
            assignee=cast["executor_person"],
        )
        incidents.grading_rule_save(
            actor=SYSTEM, rule=None, grade="III", conditions=[["affected_users", ">", len(s)]]
        )
        plans.plan_create(
            actor=SYSTEM,
            code=f"P{s}",
            title=f"预案{s}",
            tier="special",
            category="information_system",
            owner_department=department,
        )
        asset = monitoring.asset_create(
            actor=SYSTEM, code=f"A{s}", name=f"服务器{s}", kind="server", responsible=[person]
        )
        monitoring.check_create(
            actor=SYSTEM, asset=asset, name=f"探测{s}", kind="tcp", target="127.0.0.1:9"
        )
        monitoring.samples_ingest(
            asset=asset, rows=[SampleRow("cpu_percent", "", (), self.now, 99.0)]
        )
        monitoring.rule_evaluate(rule=self.rule, now=self.now + timedelta(seconds=1))
        integration, _key = intake.integration_create(
            actor=SYSTEM, name=f"集成{s}", kind="alertmanager", responsible=[person]
        )
        alert = {
            "status": "firing",
            "labels": {"alertname": f"Down{s}", "instance": f"h{s}", "severity": "critical"},
            "annotations": {"summary": f"主机{s}不可达"},
            "startsAt": self.now.isoformat(),
        }
        intake.alerts_apply(
            integration=integration,
            events=alertmanager_events({"version": "4", "alerts": [alert]}),
            now=self.now,
        )
        intake.route_create(actor=SYSTEM, matchers=[f"alertname=R{s}"], urgency="critical")
        intake.silence_create(
            actor=SYSTEM,
            matchers=[f"alertname=S{s}"],
            ends_at=self.now + timedelta(hours=1),
            reason="维护",
        )
        intake.inhibit_rule_create(
            actor=SYSTEM, source=[f"alertname=X{s}"], target=[f"alertname=Y{s}"]
        )
        oncall.roster_create(actor=SYSTEM, name=f"值班{s}")
        oncall.calendar_create(actor=SYSTEM, name=f"日历{s}")
        policy_create(
            actor=SYSTEM,
            name=f"升级{s}",
            steps=[{"delay_minutes": 0, "target": "person", "person": person}],
        )
        notify.channel_save(actor=SYSTEM, channel=None, name=f"渠道{s}", kind="capture", config={})
        self.grow_risks(s, department, person, asset)
        self.grow_reserves(s, person)
        self.grow_recovery(s, person)
        notify.notify(
            event="test",
            title=f"通知{s}",
            recipients=[cast["office_person"], cast["executor_person"], person],
            channels=[self.channel],
            require_receipt=True,
        )

    def grow_risks(self, s: str, department: Any, person: Any, asset: Any) -> None:
        today = timezone.localdate()
        campaign = risks.campaign_open(
            actor=SYSTEM,
            year=today.year,
            quarter=(today.month - 1) // 3 + 1,
            reason="新部门",
            departments=[department],
        )
        assessment = campaign.assessments.get()
        for n in range(2):
            risk = risks.risk_add(
                actor=SYSTEM,
                assessment=assessment,
                title=f"风险{s}{n}",
                family="ageing",
                current_likelihood=4,
                current_impact=5,
                treatment="accept",
                owner=person,
                assets=[asset],
            )
            risks.links_set(actor=SYSTEM, risk=risk, links=[("rule", self.rule.pk)])
            risks.acceptance_add(
                actor=self.cast["leader"],
                risk=risk,
                expires=today + timedelta(days=90),
                note="接受",
            )
        risks.project_create(
            actor=SYSTEM, code=f"RD{s}", name=f"项目{s}", department=department, systems=[asset]
        )

    def grow_recovery(self, s: str, person: Any) -> None:
        incident = ended_incident(self.cast)  # opens its after-phase: plans, rebuild, summary
        sources: tuple[tuple[str, dict[str, Any]], ...] = (
            ("incident", {"incident": incident}),
            ("audit", {}),
        )
        for source, extra in sources:
            measures.measure_create(
                actor=SYSTEM,
                title=f"措施{s}{source}",
                source=source,
                change="process",
                owner=person,
                due=timezone.localdate() + timedelta(days=10),
                **extra,
            )

    def grow_reserves(self, s: str, person: Any) -> None:
        spare = reserves.class_save(
            actor=SYSTEM,
            code=f"C{s}",
            name=f"备件{s}",
            checklist=["外观"],
            inspection_days=10,
            min_ready=1,
        )
        store = reserves.store_create(actor=SYSTEM, code=f"S{s}", name=f"库{s}", custodian=person)
        shelf = reserves.location_create(
            actor=SYSTEM, store=store, code=f"L{s}", name="架", kind="shelf"
        )
        for n in range(2):
            item = reserves.item_receive(
                actor=SYSTEM, reserve_class=spare, location=shelf, tag=f"T{s}{n}"
            )
        reserves.movement_post(actor=SYSTEM, item=item, movement="issued")
        reserves.inspection_record(
            actor=self.cast["office"], item=item, results=[{"item": "外观", "ok": True}]
        )
