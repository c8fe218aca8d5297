"""The reserve pages and the API take the same steps with the same rules (R-RES-1)."""

from __future__ import annotations

from rest_framework.test import APIClient

from yingji.accounts.services import token_create
from yingji.core.actors import SYSTEM
from yingji.org.testing import CastTestCase
from yingji.reserves import services
from yingji.reserves.models import Item, Ledger
from yingji.reserves.tests.helpers import build_store


class Pages(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.place = build_store(self.cast)
        self.server = services.item_receive(
            actor=SYSTEM,
            reserve_class=self.place["server"],
            location=self.place["shelf"],
            tag="SRV-01",
        )

    def test_the_custodian_receives_issues_and_inspects_on_the_pages(self):
        self.login("executor")
        store = f"/reserves/stores/{self.place['store'].pk}/"
        made = self.client.post(
            store,
            {
                "receive": "1",
                "receive-reserve_class": self.place["cable"].pk,
                "receive-location": self.place["shelf"].pk,
                "receive-tag": "LOT-9",
                "receive-quantity": "12",
            },
        )
        self.assertEqual(made.status_code, 302)
        lot = Item.objects.get(tag="LOT-9")
        self.assertEqual(lot.on_hand, 12)
        too_many = self.client.post(
            f"/reserves/items/{lot.pk}/", {"movement": "issued", "quantity": "13"}
        )
        self.assertEqual(too_many.status_code, 400)
        self.assertEqual(Ledger.objects.filter(item=lot).count(), 1)
        self.client.post(f"/reserves/items/{lot.pk}/", {"movement": "issued", "quantity": "2"})
        lot.refresh_from_db()
        self.assertEqual((lot.on_hand, lot.out), (10, 2))
        self.client.post(
            f"/reserves/items/{self.server.pk}/inspect/",
            {"ok-0": "on", "ok-1": "on", "note-2": "固件过旧"},
        )
        self.server.refresh_from_db()
        self.assertEqual(self.server.status, "repair")
        page = self.client.get("/reserves/").content.decode()
        self.assertIn("备用服务器", page)

    def test_staff_read_and_only_keepers_change(self):
        self.login("staff")
        self.assertEqual(self.client.get("/reserves/").status_code, 200)
        self.assertEqual(
            self.client.post(
                f"/reserves/items/{self.server.pk}/", {"movement": "issued"}
            ).status_code,
            403,
        )
        self.login("vendor")
        self.assertEqual(self.client.get("/reserves/").status_code, 403)
        self.assertEqual(self.client.get(f"/reserves/items/{self.server.pk}/").status_code, 404)


class Api(CastTestCase):
    def api(self, who: str) -> APIClient:
        _token, raw = token_create(actor=self.cast[who], user=self.cast[who], name="t")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    def test_receive_issue_inspect_and_readiness_through_the_api(self):
        place = build_store(self.cast)
        keeper = self.api("executor")
        made = keeper.post(
            "/api/v1/reserves/items/",
            {"reserve_class": place["server"].pk, "location": place["shelf"].pk, "tag": "SRV-A"},
            format="json",
        )
        self.assertEqual(made.status_code, 201, made.content)
        item = made.json()["id"]
        self.assertTrue(made.json()["ready"])
        issued = keeper.post(
            f"/api/v1/reserves/items/{item}/ledger/", {"movement": "issued"}, format="json"
        )
        self.assertEqual(issued.status_code, 201)
        again = keeper.post(
            f"/api/v1/reserves/items/{item}/ledger/", {"movement": "issued"}, format="json"
        )
        self.assertEqual(again.status_code, 409)
        missing = keeper.post(
            f"/api/v1/reserves/items/{item}/inspect/",
            {"results": [{"item": "开机自检", "ok": True}]},
            format="json",
        )
        self.assertEqual(missing.status_code, 400)
        self.assertIn("硬盘健康", missing.json()["detail"])
        rows = {r["code"]: r for r in keeper.get("/api/v1/reserves/readiness/").json()}
        self.assertEqual((rows["SRV"]["ready"], rows["SRV"]["met"]), (0, False))
        self.assertEqual(
            self.api("staff")
            .post(f"/api/v1/reserves/items/{item}/ledger/", {"movement": "returned"}, format="json")
            .status_code,
            403,
        )
        self.assertEqual(self.api("vendor").get("/api/v1/reserves/items/").json()["count"], 0)
