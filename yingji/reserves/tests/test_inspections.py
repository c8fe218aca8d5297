"""R-RES-1: inspections per class cycle, reminders to the custodian and then the backup,
a failed check makes the item not ready, and readiness counts only what is ready."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import time_machine
from django.utils import timezone

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.notify.models import Message
from yingji.org.testing import CastTestCase
from yingji.reserves import queries, services
from yingji.reserves.choices import ItemStatus
from yingji.reserves.tests.helpers import build_store

T0 = datetime(2027, 3, 1, 9, tzinfo=timezone.get_fixed_timezone(480))


def people(message: Message) -> set:
    return {d.person for d in message.deliveries.select_related("person")}


class Inspections(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.place = build_store(self.cast)

    def receive(self, tag: str = "SRV-01"):
        return services.item_receive(
            actor=SYSTEM, reserve_class=self.place["server"], location=self.place["shelf"], tag=tag
        )

    def test_every_check_answered_or_refused_and_a_failure_makes_it_not_ready(self):
        item = self.receive()
        with self.assertRaises(DomainError) as missing:
            services.inspection_record(
                actor=self.executor,
                item=item,
                results=[{"item": "开机自检", "ok": True}, {"item": "硬盘健康", "ok": True}],
            )
        self.assertIn("固件版本", str(missing.exception.message))
        self.assertEqual(item.inspections.count(), 0)
        done = services.inspection_record(
            actor=self.executor,
            item=item,
            results=[
                {"item": "开机自检", "ok": True},
                {"item": "硬盘健康", "ok": False, "note": "坏道"},
                {"item": "固件版本", "ok": True},
            ],
        )
        item.refresh_from_db()
        self.assertEqual((done.result, item.status), ("fail", ItemStatus.REPAIR))
        told = Message.objects.get(event="reserve.inspection_failed")
        self.assertIn(self.executor_person, people(told))
        self.assertEqual(queries.ready_items(timezone.localdate()).count(), 0)
        services.repair_done(actor=self.executor, item=item, note="换盘")
        self.assertEqual(queries.ready_items(timezone.localdate()).count(), 1)

    def test_the_cycle_reminds_the_custodian_then_the_backup_once_each(self):
        with time_machine.travel(T0, tick=False):
            item = self.receive()  # inspected on arrival: due in 90 days
        due = date(2027, 3, 1) + timedelta(days=90)
        self.assertEqual(item.inspection_due, due)
        for day, stage in (
            (due - timedelta(days=8), None),
            (due - timedelta(days=7), "due"),
            (due + timedelta(days=3), "late"),
        ):
            moment = datetime(day.year, day.month, day.day, 9, tzinfo=T0.tzinfo)
            with time_machine.travel(moment, tick=False):
                sent = services.remind_inspections(timezone.localdate())
                again = services.remind_inspections(timezone.localdate())
            self.assertEqual((sent, again), (1 if stage else 0, 0))
        late = Message.objects.get(event="reserve.inspection_late")
        self.assertEqual(people(late), {self.executor_person, self.expert_person})

    def test_readiness_counts_available_inspected_unexpired_stock_against_the_minimum(self):
        today = timezone.localdate()
        for n in range(3):
            self.receive(f"SRV-{n}")
        old = self.receive("SRV-OLD")
        old.inspection_due = today - timedelta(days=1)
        old.save(update_fields=["inspection_due"])
        services.item_receive(
            actor=SYSTEM,
            reserve_class=self.place["cable"],
            location=self.place["shelf"],
            tag="LOT",
            quantity=6,
        )
        rows = {r["reserve_class"].code: r for r in queries.readiness(today)}
        self.assertEqual(
            (rows["SRV"]["ready"], rows["SRV"]["stock"], rows["SRV"]["met"]), (3, 4, True)
        )
        self.assertEqual((rows["CABLE"]["ready"], rows["CABLE"]["met"]), (6, False))

    def test_the_office_and_custodians_see_the_shortfall_on_the_home_page(self):
        self.receive("SRV-A")  # one of the minimum two
        for who, shown in (("office", True), ("executor", True), ("staff", False)):
            self.login(who)
            page = self.client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
            self.assertEqual("Reserves short of their minimum" in page, shown, who)


class Photos(CastTestCase):
    def test_pictures_taken_at_the_inspection_are_kept_and_only_pictures(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from yingji.incidents.tests.test_attachments import PNG
        from yingji.reserves.models import InspectionPhoto

        place = build_store(self.cast)
        item = services.item_receive(
            actor=SYSTEM,
            reserve_class=place["cable"],
            location=place["shelf"],
            tag="LOT-P",
            quantity=3,
        )
        with self.assertRaises(DomainError) as not_a_picture:
            services.inspection_record(
                actor=self.executor,
                item=item,
                results=[{"item": "外观完好", "ok": True}],
                photos=[("note.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n")],
            )
        self.assertEqual(not_a_picture.exception.field, "photos")
        self.assertEqual(item.inspections.count(), 0)
        self.login("executor")
        self.client.post(
            f"/reserves/items/{item.pk}/inspect/",
            {"ok-0": "on", "photos": SimpleUploadedFile("gauge.png", PNG, "image/png")},
        )
        photo = InspectionPhoto.objects.get()
        self.assertEqual((photo.name, photo.inspection.result), ("gauge.png", "pass"))
        shown = self.client.get(f"/reserves/photos/{photo.pk}/")
        self.assertEqual((shown.status_code, shown["Content-Type"]), (200, "image/png"))
        self.login("vendor")
        self.assertEqual(self.client.get(f"/reserves/photos/{photo.pk}/").status_code, 404)
