"""R-PLAN-1 with R-RES-1: a plan version's required reserves, set while it is a draft and
frozen once approved, with their readiness on the plan's page and at the decision."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from yingji.core.actors import SYSTEM
from yingji.core.errors import AccessDenied
from yingji.incidents import services as incidents
from yingji.org.testing import CastTestCase
from yingji.plans import services as plans
from yingji.reserves import services
from yingji.reserves.models import Requirement
from yingji.reserves.tests.helpers import build_store


class RequiredReserves(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.place = build_store(self.cast)
        services.item_receive(
            actor=SYSTEM,
            reserve_class=self.place["server"],
            location=self.place["shelf"],
            tag="SRV-1",
        )
        self.plan = plans.plan_create(
            actor=SYSTEM,
            code="YJ-1",
            title="信息系统故障预案",
            tier="special",
            category="information_system",
            owner_department=self.tech,
        )
        self.version = self.plan.versions.get()

    def test_the_author_sets_them_on_the_plan_page_with_their_readiness(self):
        self.login("expert")
        page = f"/plans/{self.plan.pk}/versions/1/"
        self.assertIn('id="reserves"', self.client.get(page).content.decode())
        self.client.post(
            f"/reserves/plan-versions/{self.version.pk}/requirements/",
            {
                "class-0": self.place["server"].pk,
                "quantity-0": "2",
                "class-1": self.place["cable"].pk,
                "quantity-1": "5",
                "class-2": "",
            },
        )
        needs = {r.reserve_class.code: r.quantity for r in Requirement.objects.all()}
        self.assertEqual(needs, {"SRV": 2, "CABLE": 5})
        rows = services.plan_readiness([self.version], timezone.localdate())
        self.assertEqual(
            [(r["reserve_class"].code, r["ready"], r["met"]) for r in rows],
            [("CABLE", 0, False), ("SRV", 1, False)],
        )
        self.login("staff")
        self.client.post(
            f"/reserves/plan-versions/{self.version.pk}/requirements/",
            {"class-0": self.place["server"].pk, "quantity-0": "9"},
        )
        self.assertEqual(Requirement.objects.get(reserve_class=self.place["server"]).quantity, 2)

    def test_an_approved_version_keeps_them_and_the_decision_shows_readiness(self):
        services.requirements_set(
            actor=self.expert, version=self.version, needs=[(self.place["server"], 1)]
        )
        plans.steps_set(
            actor=self.expert,
            version=self.version,
            steps=[{"title": "切换灾备", "group": "execution"}],
        )
        plans.version_update(actor=self.expert, version=self.version, scope="核心系统")
        plans.version_transition(actor=self.expert, version=self.version, action="submit")
        plans.version_transition(
            actor=self.office, version=self.version, action="send_for_approval"
        )
        plans.version_approve(actor=self.leader, version=self.version)
        self.version.refresh_from_db()
        with self.assertRaises(AccessDenied):
            services.requirements_set(actor=self.expert, version=self.version, needs=[])
        now = timezone.now()
        incident = incidents.incident_report(
            actor=self.staff,
            title="核心系统故障",
            category="information_system",
            occurred_at=now - timedelta(minutes=5),
            symptoms="登录失败",
        )
        incidents.incident_escalate(actor=self.head, incident=incident)
        self.login("leader")
        page = self.client.get(f"/incidents/{incident.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertIn("1 ready of 1 needed", page.content.decode())
