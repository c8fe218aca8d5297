"""R-ACT-2 with R-RES-1: spares drawn for an incident from its page, handed over by their
custodian, taken back at the end; what has not come back is listed."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from yingji.core.actors import SYSTEM
from yingji.incidents import services as incidents
from yingji.incidents.models import Incident
from yingji.notify.models import Message
from yingji.org.testing import CastTestCase
from yingji.reserves import services
from yingji.reserves.models import Dispatch, Item, Ledger
from yingji.reserves.tests.helpers import build_store


class DrawForAnIncident(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.place = build_store(self.cast)
        for n in range(2):
            services.item_receive(
                actor=SYSTEM,
                reserve_class=self.place["server"],
                location=self.place["shelf"],
                tag=f"SRV-0{n}",
            )
        now = timezone.now()
        incident = incidents.incident_report(
            actor=self.staff,
            title="核心数据库宕机",
            category="information_system",
            occurred_at=now - timedelta(minutes=10),
            symptoms="交易失败",
        )
        incidents.incident_escalate(actor=self.head, incident=incident)
        incidents.incident_decide(
            actor=self.leader,
            incident=incident,
            decision="activate",
            meeting_at=now,
            response_level="2",
            grade="II",
            minutes="启动",
            plans="信息系统专项预案",
            assemble_at=now + timedelta(minutes=30),
            assemble_place="三楼指挥室",
        )
        self.incident = Incident.objects.get(pk=incident.pk)

    def test_requested_on_the_page_handed_over_by_the_custodian_and_taken_back(self):
        page = f"/incidents/{self.incident.pk}/"
        self.login("leader")  # takes part, keeps no store
        self.assertIn('id="draw-spare"', self.client.get(page).content.decode())
        self.client.post(
            f"/reserves/incidents/{self.incident.pk}/request/",
            {"reserve_class": self.place["server"].pk, "quantity": "1"},
        )
        dispatch = Dispatch.objects.get()
        self.assertEqual(dispatch.status, "requested")
        told = Message.objects.get(event="reserve.dispatch_requested")
        self.assertIn(self.executor_person, {d.person for d in told.deliveries.all()})
        self.assertEqual(
            self.client.post(f"/reserves/dispatches/{dispatch.pk}/issue/").status_code, 403
        )
        self.login("executor")  # the custodian
        self.assertIn("/issue/", self.client.get(page).content.decode())
        self.client.post(f"/reserves/dispatches/{dispatch.pk}/issue/")
        dispatch.refresh_from_db()
        item = Item.objects.get(pk=dispatch.item_id)
        self.assertEqual((dispatch.status, item.status, item.out), ("issued", "issued", 1))
        line = Ledger.objects.get(item=item, movement="issued")
        self.assertEqual(line.incident_id, self.incident.pk)
        self.assertIn(
            "has not come back", self.client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        )
        self.client.post(
            f"/reserves/dispatches/{dispatch.pk}/back/", {"returned": "1", "consumed": "0"}
        )
        dispatch.refresh_from_db()
        item.refresh_from_db()
        self.assertEqual((dispatch.status, item.status, item.on_hand), ("back", "available", 1))

    def test_a_custodian_draws_at_once_and_the_last_ready_one_is_refused_when_gone(self):
        services.dispatch_request(
            actor=self.executor, incident=self.incident, reserve_class=self.place["server"]
        )
        services.dispatch_request(
            actor=self.executor, incident=self.incident, reserve_class=self.place["server"]
        )
        self.assertEqual(Dispatch.objects.filter(status="issued").count(), 2)
        from yingji.core.errors import DomainError

        with self.assertRaises(DomainError) as none_left:
            services.dispatch_request(
                actor=self.executor, incident=self.incident, reserve_class=self.place["server"]
            )
        self.assertEqual(none_left.exception.code, "conflict")
        dispatch = Dispatch.objects.first()
        assert dispatch is not None
        with self.assertRaises(DomainError):
            services.dispatch_back(actor=self.executor, dispatch=dispatch, returned=2)

    def test_someone_outside_the_incident_cannot_draw(self):
        from yingji.core.errors import AccessDenied

        with self.assertRaises(AccessDenied):
            services.dispatch_request(
                actor=self.sales, incident=self.incident, reserve_class=self.place["server"]
            )
        self.login("sales")
        self.assertEqual(
            self.client.post(
                f"/reserves/incidents/{self.incident.pk}/request/",
                {"reserve_class": self.place["server"].pk},
            ).status_code,
            404,
        )

    def test_the_same_through_the_api(self):
        from rest_framework.test import APIClient

        from yingji.accounts.services import token_create

        def api(who: str) -> APIClient:
            _token, raw = token_create(actor=self.cast[who], user=self.cast[who], name="t")
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
            return client

        asked = api("leader").post(
            "/api/v1/reserves/dispatches/",
            {"incident": self.incident.pk, "tag": "SRV-01"},
            format="json",
        )
        self.assertEqual(asked.status_code, 201, asked.content)
        self.assertEqual(asked.json()["status"], "requested")
        pk = asked.json()["id"]
        self.assertEqual(
            api("leader").post(f"/api/v1/reserves/dispatches/{pk}/issue/").status_code, 403
        )
        custodian = api("executor")
        self.assertEqual(
            custodian.post(f"/api/v1/reserves/dispatches/{pk}/issue/").json()["outstanding"], 1
        )
        over = custodian.post(
            f"/api/v1/reserves/dispatches/{pk}/back/", {"returned": 2}, format="json"
        )
        self.assertEqual(over.status_code, 400)
        done = custodian.post(
            f"/api/v1/reserves/dispatches/{pk}/back/", {"consumed": 1}, format="json"
        )
        self.assertEqual(done.json()["status"], "back")
        self.assertEqual(api("sales").get("/api/v1/reserves/dispatches/").json()["count"], 0)
        unknown = api("leader").post(
            "/api/v1/reserves/dispatches/",
            {"incident": self.incident.pk, "tag": "NOPE"},
            format="json",
        )
        self.assertEqual(unknown.status_code, 400)


class ConfidentialDraws(CastTestCase):
    def test_a_confidential_incidents_draws_stay_out_of_others_audit_trail(self):
        from django.db.models import Q

        from yingji.audit.models import AuditEvent
        from yingji.audit.queries import visible_audit_events

        place = build_store(self.cast)
        for n in range(2):
            services.item_receive(
                actor=SYSTEM,
                reserve_class=place["server"],
                location=place["shelf"],
                tag=f"SRV-X{n}",
            )
        drawn = {}
        for confidential in (False, True):
            incident = incidents.incident_report(
                actor=self.executor,
                title="客户数据泄露",
                category="network_security",
                occurred_at=timezone.now() - timedelta(minutes=5),
                symptoms="外传",
                confidential=confidential,
            )
            drawn[confidential] = services.dispatch_request(
                actor=self.executor, incident=incident, reserve_class=place["server"]
            )

        def seen(user, confidential: bool) -> set[str]:
            dispatch = drawn[confidential]
            line = Ledger.objects.get(incident=dispatch.incident)
            events = AuditEvent.objects.filter(
                Q(object_type="reserves.dispatch", object_id=str(dispatch.pk))
                | Q(object_type="reserves.ledger", object_id=str(line.pk))
            )
            mine = visible_audit_events(user).filter(pk__in=events.values("pk"))
            return set(mine.values_list("action", flat=True))

        both = {"reserve.dispatch.request", "reserve.dispatch.issue", "reserve.ledger.issued"}
        self.assertEqual(seen(self.admin, False), both)
        self.assertEqual(seen(self.admin, True), set())  # administrators do not read it
