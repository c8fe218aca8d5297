"""Role × object: vendors see the plans, assets, alerts and rosters of the groups they are
assigned to, and nothing else (issue 15, R-SCOPE-2); the organisation sees all of them. Every
object type is read through its page and its API."""

from __future__ import annotations

import datetime as dt

from yingji.monitoring.models import Asset
from yingji.oncall.models import Layer, Roster
from yingji.org.choices import Scenario
from yingji.org.testing import CastTestCase
from yingji.plans.choices import Tier, VersionStatus
from yingji.plans.models import Plan, PlanVersion


class VendorsSeeTheirPartOnly(CastTestCase):
    theirs: Plan
    approved: PlanVersion
    draft: PlanVersion
    other_plan: Plan
    their_asset: Asset
    own_asset: Asset
    other_asset: Asset
    their_roster: Roster
    other_roster: Roster

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        tech = cls.cast["tech"]
        cls.theirs = Plan.objects.create(
            code="P-IS",
            title="信息系统预案",
            tier=Tier.SPECIAL,
            category=Scenario.INFORMATION_SYSTEM,
            owner_department=tech,
        )
        cls.approved = PlanVersion.objects.create(
            plan=cls.theirs, number=1, status=VersionStatus.APPROVED
        )
        cls.draft = PlanVersion.objects.create(
            plan=cls.theirs, number=2, status=VersionStatus.DRAFT
        )
        other_scenario = next(s for s in Scenario.values if s != Scenario.INFORMATION_SYSTEM)
        cls.other_plan = Plan.objects.create(
            code="P-X",
            title="别的预案",
            tier=Tier.SPECIAL,
            category=other_scenario,
            owner_department=tech,
        )
        cls.their_asset = Asset.objects.create(code="CORE-DB", name="核心库", kind="server")
        cls.their_asset.plans.add(cls.theirs)
        cls.own_asset = Asset.objects.create(
            code="VENDOR-BOX", name="厂商维护的机器", kind="server"
        )
        cls.own_asset.responsible.add(cls.cast["vendor"].person)
        cls.other_asset = Asset.objects.create(
            code="HR-APP", name="人事系统", kind="server", location="A 机房 12 柜"
        )
        cls.their_roster = Roster.objects.create(name="厂商值班")
        Layer.objects.create(
            roster=cls.their_roster,
            name="日",
            rotation="daily",
            handoff=dt.time(9),
            start_date=dt.date(2026, 1, 1),
            members=[cls.cast["vendor"].person.pk],
        )
        cls.other_roster = Roster.objects.create(name="行内值班")

    def status(self, who: str, url: str) -> int:
        self.login(who)
        return self.client.get(url).status_code

    def test_the_matrix(self):
        rows = [  # (url, what the organisation gets, what the vendor gets)
            (f"/plans/{self.theirs.pk}/", 200, 200),
            (f"/plans/{self.theirs.pk}/versions/1/", 200, 200),
            (f"/plans/{self.theirs.pk}/versions/2/", 200, 404),  # a draft
            (f"/plans/{self.other_plan.pk}/", 200, 404),
            (f"/api/v1/plans/{self.theirs.pk}/", 200, 200),
            (f"/api/v1/plans/{self.other_plan.pk}/", 200, 404),
            (f"/monitoring/assets/{self.their_asset.pk}/", 200, 200),
            (f"/monitoring/assets/{self.own_asset.pk}/", 200, 200),
            (f"/monitoring/assets/{self.other_asset.pk}/", 200, 404),
            (f"/api/v1/monitoring/assets/{self.other_asset.pk}/", 200, 404),
            ("/monitoring/assets.xlsx", 200, 403),  # the whole inventory, with rack locations
            ("/monitoring/rules/", 200, 403),
            ("/intake/alerts/", 200, 403),
            (f"/oncall/{self.their_roster.pk}/", 200, 200),
            (f"/oncall/{self.other_roster.pk}/", 200, 404),
            (f"/oncall/{self.other_roster.pk}/calendar.ics", 200, 404),
            (f"/api/v1/oncall/rosters/{self.other_roster.pk}/", 200, 404),
        ]
        for url, inside, vendor in rows:
            for who in ("admin", "office", "staff"):
                with self.subTest(who=who, url=url):
                    self.assertEqual(self.status(who, url), inside)
            with self.subTest(who="vendor", url=url):
                self.assertEqual(self.status("vendor", url), vendor)

    def test_lists_hold_only_their_part(self):
        self.login("vendor")
        plans = self.client.get("/api/v1/plans/").json()
        codes = {p["code"] for p in plans.get("results", plans)}
        self.assertEqual(codes, {"P-IS"})
        versions = self.client.get(f"/api/v1/plans/{self.theirs.pk}/versions/").json()
        self.assertEqual([v["number"] for v in versions], [1])
        assets = self.client.get("/api/v1/monitoring/assets/").json()
        self.assertEqual(
            {a["code"] for a in assets.get("results", assets)}, {"CORE-DB", "VENDOR-BOX"}
        )
        page = self.client.get("/monitoring/").content.decode()
        self.assertIn("CORE-DB", page)
        self.assertNotIn("HR-APP", page)
        rosters = self.client.get("/api/v1/oncall/rosters/").json()
        self.assertEqual({r["name"] for r in rosters.get("results", rosters)}, {"厂商值班"})
        self.assertEqual(self.client.get("/api/v1/intake/alerts/").json().get("results", []), [])
        self.login("staff")
        self.assertIn("HR-APP", self.client.get("/monitoring/").content.decode())
