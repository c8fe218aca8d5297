"""/api/v1/notify/: what the notification pages do, the API does, with the same rules."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from yingji.audit.models import AuditEvent
from yingji.core.actors import SYSTEM
from yingji.engine.loop import Engine
from yingji.notify.models import Channel, Delivery, Message
from yingji.notify.services import channel_save, delivery_confirm, notify
from yingji.org.models import Person
from yingji.org.tests.test_api import ApiTestCase


class ChannelsThroughTheApi(ApiTestCase):
    def test_the_office_manages_channels_and_never_reads_a_secret(self):
        office = self.api("office")
        created = office.post(
            "/api/v1/notify/channels/",
            {
                "name": "运维群",
                "kind": "webhook",
                "config": {"url": "http://127.0.0.1:9/h", "secret": "0123456789abcdef"},
            },
            format="json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(created.json()["config"]["secret"], "********")
        pk = created.json()["id"]
        changed = office.patch(
            f"/api/v1/notify/channels/{pk}/",
            {
                "per_minute": 30,
                "config": {"url": "http://127.0.0.1:9/h2", "secret": "********"},
            },
            format="json",
        )
        self.assertEqual(changed.status_code, 200, changed.content)
        channel = Channel.objects.get(pk=pk)
        self.assertEqual(
            (channel.per_minute, channel.config["secret"]), (30, "0123456789abcdef")
        )  # the masked secret kept its value
        nonsense = {"name": "x", "kind": "webhook", "config": {"url": "nope"}}
        bad = office.post("/api/v1/notify/channels/", nonsense, format="json")
        self.assertEqual(bad.status_code, 400)
        for who in ("staff", "vendor"):
            with self.subTest(who=who):
                self.assertEqual(self.api(who).get("/api/v1/notify/channels/").status_code, 403)


class NoticesThroughTheApi(ApiTestCase):
    def test_a_broadcast_its_estimate_its_deliveries_and_a_receipt_from_the_inbox(self):
        channel_save(
            actor=SYSTEM, channel=None, name="全员群", kind="capture", config={}, all_staff=True
        )
        office = self.api("office")
        estimate = office.get("/api/v1/notify/messages/broadcast-estimate/")
        self.assertEqual(
            estimate.json(),
            [{"channel": "全员群", "deliveries": 1, "per_minute": 80000, "minutes": 1}],
        )
        sent = office.post(
            "/api/v1/notify/messages/broadcast/",
            {"title": "系统已恢复", "body": "应急结束"},
            format="json",
        )
        self.assertEqual(sent.status_code, 201, sent.content)
        message = Message.objects.get(pk=sent.json()["id"])
        people = Person.objects.filter(status="active").count()
        self.assertEqual(sent.json()["recipients"], people)
        Engine().run_cycle()
        deliveries = office.get(f"/api/v1/notify/messages/{message.pk}/deliveries/").json()
        self.assertEqual(deliveries["count"], people + 1)  # everyone's inbox and the chat

        staff = self.api("staff")
        [mine] = staff.get(f"/api/v1/notify/messages/{message.pk}/deliveries/").json()["results"]
        inbox = staff.get("/api/v1/notify/inbox/").json()["results"]
        self.assertEqual(inbox[0]["title"], "系统已恢复")
        confirmed = staff.post(f"/api/v1/notify/inbox/{inbox[0]['id']}/confirm/")
        self.assertEqual(confirmed.status_code, 200)
        self.assertIsNotNone(Delivery.objects.get(pk=mine["id"]).confirmed_at)
        self.assertEqual(
            staff.post(
                "/api/v1/notify/messages/broadcast/", {"title": "x"}, format="json"
            ).status_code,
            403,
        )
        other = (
            Delivery.objects.filter(message=message, channel=None)
            .exclude(person=self.cast["staff"].person)
            .first()
        )
        assert other is not None
        self.assertEqual(staff.post(f"/api/v1/notify/inbox/{other.pk}/confirm/").status_code, 404)

    def test_a_notice_is_seen_only_by_its_sender_its_readers_and_the_office(self):
        message = notify(event="note", title="只给主管", recipients=[self.cast["head"].person])
        self.assertEqual(
            self.api("head").get(f"/api/v1/notify/messages/{message.pk}/").status_code, 200
        )
        self.assertEqual(
            self.api("staff").get(f"/api/v1/notify/messages/{message.pk}/").status_code, 404
        )
        self.assertEqual(
            self.api("office").get(f"/api/v1/notify/messages/{message.pk}/").status_code, 200
        )


class RemindingTheUnconfirmed(ApiTestCase):
    """已读提醒 (R-ACT-2): the sender or the office reminds whoever has not confirmed."""

    def setUp(self) -> None:
        super().setUp()
        for person in (self.staff_person, self.head_person, self.executor_person):
            Person.objects.filter(pk=person.pk).update(email=f"{person.employee_no}@example.cn")
        self.mail = channel_save(
            actor=SYSTEM, channel=None, name="个人邮件", kind="capture", config={}, personal=True
        )

    def notice(self, receipt: bool = True) -> Message:
        return notify(
            event="test",
            title="请确认已读",
            recipients=Person.objects.filter(  # as stored: with their e-mail addresses
                pk__in=[self.staff_person.pk, self.head_person.pk, self.executor_person.pk]
            ),
            require_receipt=receipt,
            actor=self.office,
        )

    def mails(self, message: Message) -> int:
        return Delivery.objects.filter(message=message, channel=self.mail).count()

    def test_only_those_who_have_not_confirmed_get_it_again_once_per_five_minutes(self):
        start = timezone.now()
        message = self.notice()
        self.assertEqual(self.mails(message), 3)
        inbox = Delivery.objects.get(message=message, person=self.head_person, channel=None)
        delivery_confirm(token=inbox.receipt_token)  # the head has read it
        office = self.api("office")
        with time_machine.travel(start, tick=False):
            reminded = office.post(f"/api/v1/notify/messages/{message.pk}/remind/")
            self.assertEqual(reminded.status_code, 200, reminded.content)
            self.assertEqual(reminded.json(), {"people": 2, "sent": 2})
            again = office.post(f"/api/v1/notify/messages/{message.pk}/remind/")
            self.assertEqual(again.status_code, 409)  # not a storm
        self.assertEqual(
            set(
                Delivery.objects.filter(message=message, channel=self.mail, escalation_step=0)
                .exclude(person=self.head_person)
                .values_list("person_id", flat=True)
            ),
            {self.staff_person.pk, self.executor_person.pk},
        )
        self.assertEqual(self.mails(message), 5)
        with time_machine.travel(start + timedelta(minutes=6), tick=False):
            self.login("office")  # the page does the same
            page = self.client.get(f"/notify/messages/{message.pk}/")
            self.assertContains(page, "Remind those who have not confirmed")
            self.client.post(f"/notify/messages/{message.pk}/remind/")
        self.assertEqual(self.mails(message), 7)
        self.assertEqual(
            AuditEvent.objects.filter(
                action="notify.message.remind", object_id=str(message.pk)
            ).count(),
            2,
        )

    def test_recipients_may_not_remind_and_a_notice_without_receipt_has_nothing_to_remind(self):
        message = self.notice()
        refused = self.api("staff").post(f"/api/v1/notify/messages/{message.pk}/remind/")
        self.assertEqual(refused.status_code, 403)
        self.login("staff")
        self.assertNotContains(
            self.client.get(f"/notify/messages/{message.pk}/"), "Remind those who have not"
        )
        self.assertEqual(
            self.client.post(f"/notify/messages/{message.pk}/remind/").status_code, 403
        )
        plain = self.notice(receipt=False)
        nothing = self.api("office").post(f"/api/v1/notify/messages/{plain.pk}/remind/")
        self.assertEqual(nothing.status_code, 403)
        self.assertEqual(self.mails(message), 3)


class OneNoticePerPerson(ApiTestCase):
    def test_a_person_named_twice_gets_one_notice_on_each_channel(self):
        mail = channel_save(
            actor=SYSTEM, channel=None, name="个人邮件", kind="capture", config={}, personal=True
        )
        Person.objects.filter(pk=self.staff_person.pk).update(email="staff@example.cn")
        staff = Person.objects.get(pk=self.staff_person.pk)
        message = notify(
            event="test", title="集结", recipients=[staff, self.head_person, staff, staff]
        )
        inbox = message.deliveries.filter(channel=None)
        self.assertEqual(
            sorted(inbox.values_list("person_id", flat=True)),
            sorted([staff.pk, self.head_person.pk]),
        )
        self.assertEqual(message.deliveries.filter(channel=mail, person=staff).count(), 1)


class TheNotificationCentre(ApiTestCase):
    def notice(self, title: str, *, receipt: bool = True, key: str | None = None) -> Message:
        return notify(
            event="memo",  # typed, shown as typed
            title=title,
            recipients=[self.staff_person],
            require_receipt=receipt,
            key=key,
        )

    def test_the_header_counts_what_waits_and_the_banners_show_the_newest_three(self):
        for n in range(5):
            self.notice(f"通知{n}")
        self.notice("无需确认", receipt=False)
        self.login("staff")
        page = self.client.get("/")
        self.assertContains(page, '<span class="badge" title="waiting for you">5</span>')
        self.assertEqual(
            [d.message.title for d in page.context["waiting_notices"]], ["通知4", "通知3", "通知2"]
        )
        self.assertContains(page, "More notices wait for your receipt")
        self.assertContains(page, 'href="/notify/?unconfirmed=true"')

    def test_the_inbox_filters_by_receipt_and_by_incident_on_the_page_and_in_the_api(self):
        self.notice("事件七的通知", key="incident:7:incident.reported")
        read = self.notice("已读的通知")
        Delivery.objects.filter(message=read).update(confirmed_at=timezone.now())
        self.notice("普通通知", receipt=False)
        self.login("staff")
        waiting = self.client.get("/notify/", {"unconfirmed": "true"})
        self.assertEqual([d.message.title for d in waiting.context["page"]], ["事件七的通知"])
        by_incident = self.client.get("/notify/", {"incident": 7})
        self.assertEqual([d.message.title for d in by_incident.context["page"]], ["事件七的通知"])
        api = self.api("staff")
        found = api.get("/api/v1/notify/inbox/", {"unconfirmed": "true"}).json()["results"]
        self.assertEqual([d["title"] for d in found], ["事件七的通知"])
        found = api.get("/api/v1/notify/inbox/", {"incident": 7}).json()["results"]
        self.assertEqual(len(found), 1)
        self.assertEqual(api.get("/api/v1/notify/inbox/", {"incident": "x"}).status_code, 400)
